"""The cycle gate's verdict against Python itself, before and after a real phase.

Hypothesis writes 2–6 modules (some of them packages) whose bodies interleave their two
definitions (``c_<module>_0``/``_1``: plain, bound in both branches of an ``if``, or in
a ``try`` and its handler) with import-time imports of each other in every form (``import
T``, ``from T import c_T_k``, ``from P import sub``, relative forms, package
``__init__`` re-exports), so that names are defined before and after the import that
closes a cycle, and imports sit at the bottom of modules. An import may be guarded: an
``if`` that is true or false on this platform, or ``try: ... except ImportError: pass``.
Then it plans a phase that moves one module (into a new package, into an existing one,
or into a new subpackage of one) with the real planner (`cycles: warn`, alias facades),
and writes the tree after it.

For every module, before and after, `ImportGraph.import_failure` ("a fresh import
fails") is compared with a fresh interpreter importing it:

- in a tree without guarded imports the two must be equal;
- with guarded imports, the verdict is by definition "fails with the guarded imports
  left out, and fails with them run and their failures caught" (the gate never blames
  a guarded import). So a "fails" verdict must be a real failure, and a real failure
  the verdict misses must disappear in one of those two variants of the tree (written
  and planned the same way), that is, depend on a guarded import.

And the gate (MIG401) warns exactly when the interpreter finds a module whose fresh
import worked before the phase and fails after it (in trees without guarded imports).

``HYPOTHESIS_PROFILE=large`` runs 400 examples instead of 20; ``bench/gate_agreement.py``
runs any number and prints the agreement rate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.analysis.graph import ImportGraph, build_graph
from migrator.mapping.spec import load_mapping
from migrator.adapters.snapshot import read_snapshot
from migrator.engine.plan import plan_phase
from migrator.analysis.project import ProjectIndex, Snapshot

EXAMPLES = int(os.environ.get("GATE_EXAMPLES", 400 if os.environ.get("HYPOTHESIS_PROFILE") == "large" else 20))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

FORMS = ("import", "from_const", "from_submodule", "relative_const", "relative_submodule")
GUARDS = ("none", "none", "if_true", "if_false", "try")
DEF_STYLES = ("plain", "plain", "if_else", "try")

#: Imports each module given on the command line in a forked child of one pristine
#: interpreter (as fresh as `python -c "import X"`, much cheaper); prints JSON
#: {module: error or null}.
DRIVER = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
out = {}
for module in sys.argv[2:]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            __import__(module)
            message = ""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}" or "error"
        os.write(w, message.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out[module] = data.decode() or None
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Module:
    name: str
    is_package: bool

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def path(self) -> str:
        rel = self.name.replace(".", "/")
        return f"{rel}/__init__.py" if self.is_package else f"{rel}.py"


@dataclass(frozen=True)
class Item:
    """A definition (`target` None: defines number `k` in `style`) or an import of
    module number `target` in `form` (reading its name number `k`) under `guard`."""

    k: int
    style: str = "plain"
    target: int | None = None
    form: str = "import"
    guard: str = "none"


@dataclass(frozen=True)
class Tree:
    modules: tuple[Module, ...]
    bodies: tuple[tuple[Item, ...], ...]
    move: tuple[int, str]  # (module number, where: "new", "into", "subpackage")

    @property
    def guarded(self) -> bool:
        return any(i.target is not None and i.guard != "none" for body in self.bodies for i in body)


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    count = draw(st.integers(2, 6))
    nested = draw(st.booleans())
    modules = [Module("m0", nested or draw(st.booleans()))]
    for i in range(1, count):
        parents = [m.name for m in modules if m.is_package]
        parent = draw(st.sampled_from(parents if nested else [None, *parents]))
        modules.append(Module(f"m{i}" if parent is None else f"{parent}.m{i}", draw(st.booleans())))
    guards = GUARDS if draw(st.booleans()) else ("none",)  # half the trees have none
    bodies = []
    for _ in modules:
        items = [Item(k, draw(st.sampled_from(DEF_STYLES))) for k in (0, 1)]
        imports = draw(st.lists(st.builds(Item, st.integers(0, 1), st.just("plain"), st.integers(0, count - 1), st.sampled_from(FORMS), st.sampled_from(guards)), max_size=3))
        order = draw(st.permutations(items + imports))
        bodies.append(tuple(order))
    move = (draw(st.integers(0, count - 1)), draw(st.sampled_from(("new", "into", "subpackage"))))
    return Tree(tuple(modules), tuple(bodies), move)


# --------------------------------------------------------------------------- writing


def _slug(name: str) -> str:
    return name.replace(".", "_")


def _relative(importer: Module, target: str) -> str | None:
    here = importer.package.split(".") if importer.package else []
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(here) - common + 1) + ".".join(there[common:])


def _import(tree: Tree, importer: Module, item: Item) -> str:
    target = tree.modules[item.target].name
    parent, _, last = target.rpartition(".")
    name = f"c_{_slug(target)}_{item.k}"
    if item.form == "relative_submodule" and parent and (rel := _relative(importer, parent)) is not None:
        return f"from {rel} import {last}"
    if item.form == "relative_const" and (rel := _relative(importer, target)) is not None:
        return f"from {rel} import {name}"
    if item.form == "from_submodule" and parent:
        return f"from {parent} import {last}"
    if item.form == "import":
        return f"import {target}"
    return f"from {target} import {name}"


def _guarded(statement: str, guard: str) -> list[str]:
    if guard == "if_true":
        return ['if sys.platform != "never":', f"    {statement}"]
    if guard == "if_false":
        return ['if sys.platform == "never":', f"    {statement}"]
    if guard == "try":
        return ["try:", f"    {statement}", "except ImportError:", "    pass"]
    return [statement]


def _definition(name: str, style: str) -> list[str]:
    if style == "if_else":
        return ['if sys.platform != "never":', f"    {name} = 1", "else:", f"    {name} = 2"]
    if style == "try":
        return ["try:", f"    {name} = 1", "except Exception:", f"    {name} = 2"]
    return [f"{name} = 1"]


def _write(tree: Tree, root: Path, variant: str = "as-written") -> None:
    """Write the tree; `variant` "off" leaves every guarded import out (an `if` that is
    false), "on" runs every one and catches its failure (`try`)."""
    for module, body in zip(tree.modules, tree.bodies):
        lines = ["import sys"]
        for item in body:
            if item.target is None:
                lines += _definition(f"c_{_slug(module.name)}_{item.k}", item.style)
            else:
                guard = item.guard if variant == "as-written" or item.guard == "none" else {"off": "if_false", "on": "try"}[variant]
                lines += _guarded(_import(tree, module, item), guard)
        path = root / "src" / module.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _mapping(tree: Tree, root: Path) -> tuple[str, str]:
    """Write mapping.yaml for the tree's move; (old, new) module names."""
    number, where = tree.move
    old = tree.modules[number].name
    packages = [m.name for m in tree.modules if m.is_package and m.name != old and not m.name.startswith(old + ".")]
    last = old.rpartition(".")[2]
    if where == "into" and packages:
        new = f"{packages[0]}.moved_{last}"
    elif where == "subpackage" and packages:
        new = f"{packages[-1]}.sub.{last}"
    else:
        new = f"mv.{last}"
    (root / "mapping.yaml").write_text(
        "version: 1\ntarget: {root: ., source_roots: [src]}\ncycles: warn\nfacades: {style: alias}\n"
        f"phases:\n  - {{phase: 1, title: Move, moves: [{{from: {old}, to: {new}}}]}}\n",
        encoding="utf-8",
    )
    return old, new


# --------------------------------------------------------------------------- running


def _python(src: Path, modules: list[str]) -> dict[str, str | None]:
    """Per module, the error of a fresh import of it, or None."""
    run = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", DRIVER, str(src), *modules], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _graph(snapshot: Snapshot) -> ImportGraph:
    return build_graph(snapshot, ProjectIndex.build(snapshot, ["src"]))


def _write_snapshot(snapshot: Snapshot, root: Path) -> None:
    for path in snapshot.files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(snapshot.get(path))


@dataclass
class States:
    """One variant of a tree: per state ("before", "after"), each module's verdict and
    the interpreter's error; the gate's MIG401 messages; the move's names."""

    verdicts: dict[str, dict[str, bool]] = field(default_factory=dict)
    python: dict[str, dict[str, str | None]] = field(default_factory=dict)
    gate: list[str] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)


def _run(tree: Tree, base: Path, variant: str) -> States:
    root = base / variant
    root.mkdir()
    _write(tree, root, variant)
    old, new = _mapping(tree, root)
    mapping = load_mapping(root / "mapping.yaml")
    before = read_snapshot(mapping)
    out = States(renames={old: new})
    graphs = {"before": _graph(before)}
    plan, after = plan_phase(mapping, mapping.phase(1), before)
    assert not plan.errors, [d.message for d in plan.errors]
    out.gate = [d.message for d in plan.diagnostics if d.code == "MIG401"]
    graphs["after"] = _graph(after)
    after_root = base / f"{variant}-after"
    _write_snapshot(after, after_root)
    for state, src in (("before", root / "src"), ("after", after_root / "src")):
        g = graphs[state]
        out.verdicts[state] = {m: g.import_failure(m) is not None for m in g.modules()}
        out.python[state] = _python(src, list(g.modules()))
    return out


def _broken(states: States) -> set[str]:
    """Modules (after names) whose fresh import worked before and fails after, by Python."""
    old, new = next(iter(states.renames.items()))
    before, after = states.python["before"], states.python["after"]
    out = set()
    for module, error in after.items():
        was = old + module[len(new):] if module == new or module.startswith(new + ".") else module
        if error is not None and was in before and before[was] is None:
            out.add(module)
    return out


@dataclass
class Tally:
    """Agreement counts over many trees: (tree, state, module) verdicts."""

    trees: int = 0
    verdicts: int = 0
    agreements: int = 0
    guarded_verdicts: int = 0
    guarded_agreements: int = 0
    gate_agreements: int = 0
    disagreements: list[str] = field(default_factory=list)


def check_tree(tree: Tree, tally: Tally | None = None) -> None:
    """Assert what the module docstring says about one tree; count into `tally`."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        written = _run(tree, base, "as-written")
        variants = [_run(tree, base, v) for v in ("off", "on")] if tree.guarded else []
        for state in ("before", "after"):
            for module, fails in written.verdicts[state].items():
                error = written.python[state][module]
                agrees = fails == (error is not None)
                if tally is not None:
                    tally.verdicts += 1
                    tally.agreements += agrees
                    if tree.guarded:
                        tally.guarded_verdicts += 1
                        tally.guarded_agreements += agrees
                    if not agrees:
                        tally.disagreements.append(f"{state} {module}: gate {'fails' if fails else 'works'}, python {error}")
                if not tree.guarded:
                    assert agrees, f"{state}: import {module}: gate says {'fails' if fails else 'works'}, Python: {error}"
                elif fails:
                    assert error is not None, f"{state}: the gate says import {module} fails, Python imports it"
                elif error is not None:
                    assert any(v.python[state].get(module) is None for v in variants), (
                        f"{state}: import {module} fails ({error}) with or without its guarded imports, the gate says it works"
                    )
        if tally is not None:
            tally.trees += 1
            tally.gate_agreements += bool(written.gate) == bool(_broken(written))
        if not tree.guarded:
            assert bool(written.gate) == bool(_broken(written)), (written.gate, _broken(written))


@SETTINGS
@given(trees())
def test_the_gate_agrees_with_the_interpreter_before_and_after_a_phase(tree):
    check_tree(tree)
