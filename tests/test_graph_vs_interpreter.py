"""The import graph against Python itself, on small random packages.

Hypothesis writes 2–6 modules (some of them packages) that import each other in every
form the graph knows, each at import time, lazily or under TYPE_CHECKING. Every module
puts its imports first and defines its constant after them: ``CONST_m1_m3`` in
``m1.m3`` (one name per module, so that ``from m1 import CONST_m1`` cannot find a name
that another import already bound in ``m1``). Then a fresh interpreter imports each
module, and the graph must agree with what happened, in the two senses that are true
of Python:

(a) An import that fails hits a cycle: a generated project only fails by reaching a
    half-initialized module P (``partially initialized module 'P'``). Then P lies on
    an import-time cycle of the graph, and the imported module reaches P through
    import-time edges (Python only re-enters P through a path of them).
(b) A reported import-time cycle whose every edge is ``from X import CONST_X`` (bound
    after the imports) fails whichever of its modules is imported first: the first of
    them to start runs the others, and the last one asks it for its constant before it
    exists. Cycles with any other edge may well work — ``import a.b`` just binds a
    half-initialized module, a parent-package edge runs the package first — so (b)
    says nothing about them.

The number of examples is 25; ``HYPOTHESIS_PROFILE=large`` runs 300.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.analysis.graph import ImportEdge, ImportGraph, build_graph
from migrator.adapters.snapshot import read_tree
from migrator.analysis.project import ProjectIndex

EXAMPLES = 300 if os.environ.get("HYPOTHESIS_PROFILE") == "large" else 25
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FORMS = ("import", "import_attr", "from_const", "from_submodule", "relative_const", "relative_submodule")
KINDS = ("top", "lazy", "typing")
#: Forms whose edge is `from X import CONST_X`, the kind (b) is about.
CONST_FORMS = ("from_const", "relative_const")
PARTIAL = re.compile(r"partially initialized module '([\w.]+)'")


@dataclass(frozen=True)
class Module:
    """A generated module: `m1.m3` is `m1/m3.py`, or `m1/m3/__init__.py` for a package."""

    name: str
    is_package: bool

    @property
    def package(self) -> str:
        """Where relative imports in this module start."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def path(self) -> str:
        rel = self.name.replace(".", "/")
        return f"{rel}/__init__.py" if self.is_package else f"{rel}.py"


@dataclass(frozen=True)
class Import:
    """Module number `importer` imports number `target` in `form`, with `kind` timing."""

    importer: int
    target: int
    form: str
    kind: str


@dataclass(frozen=True)
class Project:
    """What hypothesis draws; `_write` turns it into files."""

    modules: tuple[Module, ...]
    imports: tuple[Import, ...]


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """Modules in nested packages; half the time all inside one package `m0`, so that
    relative imports abound."""
    count = draw(st.integers(2, 6))
    nested = draw(st.booleans())
    modules: list[Module] = [Module("m0", nested or draw(st.booleans()))]
    for i in range(1, count):
        parents = [m.name for m in modules if m.is_package]
        parent = draw(st.sampled_from(parents if nested else [None, *parents]))
        name = f"m{i}" if parent is None else f"{parent}.m{i}"
        modules.append(Module(name, draw(st.booleans())))
    imports = draw(st.lists(_imports(count, KINDS), max_size=10))
    return Project(tuple(modules), tuple(imports))


@st.composite
def const_rings(draw: st.DrawFn) -> Project:
    """Top-level modules in a ring of `from X import CONST_X`; other imports are lazy or typing."""
    count = draw(st.integers(1, 5))
    modules = tuple(Module(f"m{i}", False) for i in range(count))
    ring = [Import(i, (i + 1) % count, "from_const", "top") for i in range(count)]
    noise = draw(st.lists(_imports(count, ("lazy", "typing")), max_size=4))
    return Project(modules, tuple(ring + noise))


def _imports(count: int, kinds: tuple[str, ...]) -> st.SearchStrategy[Import]:
    module = st.integers(0, count - 1)
    return st.builds(Import, module, module, st.sampled_from(FORMS), st.sampled_from(kinds))


# --------------------------------------------------------------------------- writing


def _relative(importer: Module, target: str) -> tuple[str, str] | None:
    """(dots, rest) such that `from {dots}{rest}` in `importer` names `target`, if any."""
    here = importer.package.split(".") if importer.package else []
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(here) - common + 1), ".".join(there[common:])


def _const(module: str) -> str:
    return "CONST_" + module.replace(".", "_")


def _statement(project: Project, spec: Import, alias: str) -> tuple[str, str]:
    """The source of one import and the form it really has (awkward forms fall back)."""
    importer = project.modules[spec.importer]
    target = project.modules[spec.target].name
    parent, _, last = target.rpartition(".")
    form = spec.form
    if form == "relative_submodule" and parent:
        relative = _relative(importer, parent)
        if relative is not None:
            return f"from {''.join(relative)} import {last}", form
        form = "from_submodule"
    if form == "relative_const":
        relative = _relative(importer, target)
        if relative is not None:
            return f"from {''.join(relative)} import {_const(target)}", form
        form = "from_const"
    if form == "from_submodule" and parent:
        return f"from {parent} import {last}", form
    if form == "import_attr":
        return f"import {target} as {alias}", form
    if form in ("from_const", "relative_submodule", "from_submodule"):
        return f"from {target} import {_const(target)}", "from_const"
    return f"import {target}", "import"


def _write(project: Project, root: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """Write the project under `root`; return (module, line) → (form, kind) per import."""
    lines_of: dict[tuple[str, int], tuple[str, str]] = {}
    for index, module in enumerate(project.modules):
        sections: dict[str, list[str]] = {kind: [] for kind in KINDS}
        uses: list[str] = []
        forms: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for n, spec in enumerate(i for i in project.imports if i.importer == index):
            alias = f"_t{n}"
            source, form = _statement(project, spec, alias)
            sections[spec.kind].append(source)
            forms[spec.kind].append(form)
            if form == "import_attr" and spec.kind == "top":
                uses.append(f"_u{n} = {alias}.{_const(project.modules[spec.target].name)}")
        text = ["from typing import TYPE_CHECKING"]
        for source, form in zip(sections["top"], forms["top"]):
            text.append(source)
            lines_of[(module.name, len(text))] = (form, "top")
        if sections["typing"]:
            text.append("if TYPE_CHECKING:")
            text += [f"    {s}" for s in sections["typing"]]
        text.append("def _later():")
        text += [f"    {s}" for s in sections["lazy"]]
        text += ["    return None", f"{_const(module.name)} = {module.name!r}", *uses]
        path = root / module.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return lines_of


# --------------------------------------------------------------------------- running


def _import_error(root: Path, module: str) -> str | None:
    """The stderr of a fresh interpreter that fails to import `module`, else None."""
    code = f"import sys; sys.path.insert(0, {str(root)!r}); import {module}"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", code], capture_output=True, text=True, timeout=60
    )
    return None if result.returncode == 0 else result.stderr


def _import_errors(root: Path, modules: list[str]) -> dict[str, str | None]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(modules, pool.map(lambda m: _import_error(root, m), modules)))


def _graph(root: Path) -> ImportGraph:
    snapshot = read_tree(root, ["."])
    return build_graph(snapshot, ProjectIndex.build(snapshot, ["."]))


def _reachable(graph: ImportGraph, start: str) -> set[str]:
    """Modules `start` runs at import time, itself included."""
    successors: dict[str, set[str]] = {}
    for edge in graph.edges():
        if edge.kind == "top":
            successors.setdefault(edge.source, set()).add(edge.target)
    seen, todo = {start}, [start]
    while todo:
        for succ in successors.get(todo.pop(), ()):
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    return seen


def _is_const_import(edge: ImportEdge, lines_of: dict[tuple[str, int], tuple[str, str]]) -> bool:
    form, kind = lines_of.get((edge.source, edge.line), ("", ""))
    return not edge.implicit and kind == "top" and form in CONST_FORMS


def _check_against_interpreter(project: Project) -> int:
    """Assert (a) and (b) of the module docstring; return how many cycles (b) covered."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines_of = _write(project, root)
        graph = _graph(root)
        names = [m.name for m in project.modules]
        errors = _import_errors(root, names)
        cyclic = {m for scc in graph.sccs() for m in scc}

        for module, error in errors.items():  # (a)
            if error is None:
                continue
            partial = PARTIAL.findall(error)
            assert partial, f"importing {module} failed, but not on a cycle:\n{error}"
            assert partial[-1] in cyclic, f"{partial[-1]} is half initialized but on no cycle: {graph.sccs()}"
            assert partial[-1] in _reachable(graph, module)

        const_cycles = [
            cycle for cycle in graph.import_time_cycles() if all(_is_const_import(e, lines_of) for e in cycle.edges)
        ]
        for cycle in const_cycles:  # (b)
            working = [m for m in cycle.modules if errors[m] is None]
            assert not working, f"{cycle} is all `from X import CONST_X`, yet {working} import fine"
        return len(const_cycles)


@SETTINGS
@given(projects())
def test_the_graph_agrees_with_the_interpreter_on_random_packages(project):
    _check_against_interpreter(project)


@SETTINGS
@given(const_rings())
def test_a_ring_of_from_imports_of_late_constants_fails_at_every_module(project):
    assert _check_against_interpreter(project) == 1
