"""Property: any valid move set applied to any generated project keeps every behaviour.

Hypothesis generates package trees (nested packages; absolute, aliased, `from pkg import
mod`, relative and lazy imports; package re-exports; `mock.patch` and
`importlib.import_module` string targets; functions that return values computed from the
functions they call) and a valid phase of module/package moves. After `migrate apply`:

- every module imports in a fresh interpreter, under its new name and under its old name
  (through the facade), and every function returns what it returned before;
- `migrate check` is clean (no stale reference, no new cycle — `apply` refuses those);
- `migrate rollback` restores the original tree byte for byte (and mode for mode).

The normal suite runs a bounded, derandomized set of examples; `HYPOTHESIS_PROFILE=large`
runs many more with fresh randomness.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.helpers import run_cli
from tests.test_safety_transactions import tree_state

LARGE = os.environ.get("HYPOTHESIS_PROFILE") == "large"
PROFILE = settings(
    max_examples=300 if LARGE else 12,
    derandomize=not LARGE,
    deadline=None,
    database=None if not LARGE else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

#: New top-level names a move may create (none shadows the stdlib or an installed package).
NEW_TOPS = ("nova", "zephlib")


# --------------------------------------------------------------------------- the model


@dataclass
class Mod:
    name: str
    is_package: bool
    rank: int
    #: Functions defined here (modules) or re-exported (packages): name → value-free marker.
    functions: list[str] = field(default_factory=list)
    #: A leaf has no top-level imports, so a package __init__ may re-export from it.
    leaf: bool = False
    lines: list[str] = field(default_factory=list)


@dataclass
class Project:
    files: dict[str, str]
    modules: dict[str, Mod]
    #: Files written with CRLF line endings (the rest with LF).
    crlf: frozenset[str] = frozenset()

    @property
    def packages(self) -> list[str]:
        return [m.name for m in self.modules.values() if m.is_package]


def _parent(name: str) -> str:
    return name.rpartition(".")[0]


def _base(name: str) -> str:
    return name.rpartition(".")[2]


def _relative(importer_pkg: str, target: str) -> str | None:
    """`target` spelled relative to the package `importer_pkg` (None across top-level packages)."""
    a, b = importer_pkg.split("."), target.split(".")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    if common == 0:
        return None
    level = len(a) - common + 1
    return "." * level + ".".join(b[common:])


@st.composite
def projects(draw) -> Project:
    tops = ["proja", "projb"][: draw(st.integers(1, 2))]
    packages = list(tops)
    for i in range(draw(st.integers(0, 4))):
        parent = draw(st.sampled_from(packages))
        if parent.count(".") < 2:
            packages.append(f"{parent}.sub{i}")
    mods: dict[str, Mod] = {p: Mod(p, True, -1) for p in packages}
    n = draw(st.integers(2, 7))
    names = [f"{draw(st.sampled_from(packages))}.mod{i}" for i in range(n)]
    for rank, name in enumerate(names):
        mods[name] = Mod(name, False, rank, [f"f{rank}_0", f"f{rank}_1"], leaf=draw(st.booleans()))

    alias_counter = iter(range(1000))
    for rank, name in enumerate(names):
        mod = mods[name]
        pkg = _parent(name)
        top_lines: list[str] = []
        lazy_lines: list[str] = []
        calls: list[str] = []
        extra_funcs: list[str] = []
        lower = names[:rank]
        deps = draw(st.lists(st.sampled_from(lower), max_size=3, unique=True)) if lower else []
        for dep in deps:
            g = f"{mods[dep].functions[0]}"
            forms = ["import", "import_as", "from_pkg", "from_pkg_as", "from_mod", "from_as", "from_multi", "star", "importlib", "sys_modules", "entry_point"]
            if _relative(pkg, dep) is not None:
                forms += ["rel_mod", "rel_pkg"]
            reexporters = [p for p in packages if dep.startswith(p + ".")]
            lazy = mod.leaf or draw(st.booleans())
            form = draw(st.sampled_from(forms))
            if form == "star" and lazy:
                form = "from_mod"  # `import *` is only allowed at module level
            n = next(alias_counter)
            if form == "import":
                stmt, call = f"import {dep}", f"{dep}.{g}()"
            elif form == "import_as":
                stmt, call = f"import {dep} as m_alias{n}", f"m_alias{n}.{g}()"
            elif form == "from_pkg_as":
                stmt, call = f"from {_parent(dep)} import {_base(dep)} as p_alias{n}", f"p_alias{n}.{g}()"
            elif form == "from_as":
                stmt, call = f"from {dep} import {g} as g_alias{n}", f"g_alias{n}()"
            elif form == "from_multi":
                h = mods[dep].functions[1]
                stmt, call = f"from {dep} import (\n    {g},\n    {h},  # both\n)", f"{g}() + {h}()"
            elif form == "star":
                stmt, call = f"from {dep} import *", f"{g}()"
            elif form == "from_pkg":
                stmt, call = f"from {_parent(dep)} import {_base(dep)}", f"{_base(dep)}.{g}()"
            elif form == "from_mod":
                stmt, call = f"from {dep} import {g}", f"{g}()"
            elif form == "rel_mod":
                stmt, call = f"from {_relative(pkg, dep)} import {g}", f"{g}()"
            elif form == "rel_pkg":
                rel = _relative(pkg, _parent(dep))
                stmt, call = f"from {rel} import {_base(dep)}", f"{_base(dep)}.{g}()"
            elif form == "sys_modules":
                stmt, call = f"import sys, {dep}", f'sys.modules["{dep}"].{g}()'
            elif form == "entry_point":
                stmt, call = "import importlib", f'getattr(importlib.import_module("{dep}:{g}".split(":")[0]), "{dep}:{g}".split(":")[1])()'
            else:
                stmt, call = "import importlib", f'importlib.import_module("{dep}").{g}()'
            if lazy:
                lazy_lines.append(stmt)
            else:
                style = draw(st.sampled_from(["plain", "try", "const"]))
                if style == "try":
                    stmt = f"try:\n    {stmt}\nexcept ImportError:  # a fallback that never runs\n    raise"
                elif style == "const":
                    # Called at import time: the module's own import order matters.
                    const = f"C{rank}_{len(calls)}"
                    stmt, call = f"{stmt}\n{const} = {call}", const
                top_lines.append(stmt)
            if draw(st.booleans()):
                top_lines.insert(0, f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {dep}")
            calls.append(call)
            if reexporters and draw(st.booleans()):
                # Through a package that re-exports it (decided below; fixed up if not).
                extra_funcs.append(f"reexport:{dep}")
        if lower and draw(st.booleans()):
            dep = draw(st.sampled_from(lower))
            g = mods[dep].functions[1]
            extra_funcs.append(
                f"def p{rank}():\n"
                "    from unittest import mock\n"
                f"    import {dep}\n"
                f'    with mock.patch("{dep}.{g}", return_value={1000 + rank}):\n'
                f"        return {dep}.{g}()\n"
            )
            mod.functions.append(f"p{rank}")
        value = rank * 7 + 1
        body = "".join(f"    {line}\n" for line in lazy_lines)
        body += f"    return {' + '.join([str(value), *calls])}\n"
        mod.lines = [f'"""Module {name}."""\n', *(line + "\n" for line in top_lines), "\n\n", f"def f{rank}_0():\n{body}", "\n\n", f"def f{rank}_1():\n    return {rank * 7 + 2}\n"]
        mod.lines += ["\n\n" + f for f in extra_funcs if not f.startswith("reexport:")]
        mod.lines += [f for f in extra_funcs if f.startswith("reexport:")]

    # Package __init__ files re-export functions of leaf modules below them.
    for pkg in packages:
        leaves = [m for m in names if m.startswith(pkg + ".") and mods[m].leaf]
        chosen = draw(st.lists(st.sampled_from(leaves), max_size=2, unique=True)) if leaves else []
        lines = [f'"""Package {pkg}."""\n']
        for leaf in chosen:
            g = mods[leaf].functions[0]
            src = _relative(pkg, leaf) if draw(st.booleans()) else leaf
            lines.append(f"from {src} import {g}\n")
            mods[pkg].functions.append(g)
        if mods[pkg].functions and draw(st.booleans()):
            lines.append("\n__all__ = [" + ", ".join(f'"{g}"' for g in mods[pkg].functions) + "]\n")
        mods[pkg].lines = lines

    # Functions that call through a re-export: `from pkg import f` (lazy; the package may be
    # half-initialized at import time).
    counter = iter(range(1000))
    for name in names:
        mod = mods[name]
        kept = [line for line in mod.lines if not line.startswith("reexport:")]
        for line in mod.lines:
            if not line.startswith("reexport:"):
                continue
            dep = line.split(":", 1)[1]
            for pkg in packages:
                if dep.startswith(pkg + ".") and mods[dep].functions[0] in mods[pkg].functions:
                    fn = f"r{mod.rank}_{next(counter)}"
                    g = mods[dep].functions[0]
                    kept.append(f"\n\ndef {fn}():\n    from {pkg} import {g}\n    return {g}() + 1\n")
                    mod.functions.append(fn)
                    break
        mod.lines = kept

    files = {}
    for m in mods.values():
        files[_path(m.name, m.is_package)] = "".join(m.lines)
    crlf = frozenset(draw(st.lists(st.sampled_from(sorted(files)), unique=True)))
    return Project(files, mods, crlf)


def _path(name: str, is_package: bool) -> str:
    return "src/" + name.replace(".", "/") + ("/__init__.py" if is_package else ".py")


@st.composite
def move_sets(draw, project: Project) -> dict[str, str]:
    """A valid phase: distinct existing sources; fresh destinations outside every source."""
    candidates = sorted(project.modules)
    sources = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))

    def vacated(name: str) -> bool:
        return any(name == s or name.startswith(s + ".") for s in sources)

    parents = [p for p in project.packages if not vacated(p)]
    new_parents = [f"{p}.np{i}" for i, p in enumerate(parents)] + list(NEW_TOPS)
    moves: dict[str, str] = {}
    for i, src in enumerate(sources):
        where = draw(st.sampled_from(["existing", "new", "top"]) if parents else st.sampled_from(["new", "top"]))
        if where == "existing":
            dest = f"{draw(st.sampled_from(parents))}.mv{i}"
        elif where == "new":
            dest = f"{draw(st.sampled_from(new_parents))}.mv{i}"
        else:
            dest = f"{NEW_TOPS[0]}{i}"
        moves[src] = dest
    return moves


def _new_name(name: str, moves: dict[str, str]) -> str:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in moves:
            return moves[prefix] + name[len(prefix):]
    return name


# --------------------------------------------------------------------------- running

_CALL = textwrap.dedent(
    """\
    import importlib, json, sys, warnings
    warnings.simplefilter("ignore")
    sys.path.insert(0, sys.argv[1])
    jobs = json.loads(sys.argv[2])
    out = {}
    for module, functions in jobs:
        mod = importlib.import_module(module)
        for f in functions:
            out[module + ":" + f] = getattr(mod, f)()
    print(json.dumps(out))
    """
)


def _call(src: Path, jobs: list[tuple[str, list[str]]]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _CALL, str(src), json.dumps(jobs)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, f"{jobs}\n{proc.stderr}"
    return json.loads(proc.stdout)


def _write(root: Path, project: Project) -> None:
    for rel, text in project.files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.replace("\n", "\r\n" if rel in project.crlf else "\n").encode("utf-8"))


def _line_endings(data: bytes) -> str:
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n") - crlf
    return "mixed" if crlf and lf else "crlf" if crlf else "lf"


@PROFILE
@given(data=st.data())
def test_any_valid_move_set_keeps_behaviour_and_rolls_back_byte_for_byte(data):
    project = data.draw(projects(), label="project")
    moves = data.draw(move_sets(project), label="moves")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "proj"
        _write(root, project)
        for rel, text in sorted(project.files.items()):
            note(f"--- {rel}\n{text}")
        mapping = base / "mapping.yaml"
        mapping.write_text(
            "version: 1\ntarget: {root: proj, source_roots: [src]}\nphases:\n  - phase: 1\n    title: Random\n    moves:\n"
            + "".join(f"      - {{from: {s}, to: {d}}}\n" for s, d in moves.items()),
            encoding="utf-8",
        )
        note(mapping.read_text())
        src = root / "src"
        modules = {m.name: m.functions for m in project.modules.values()}
        expected = {}
        for name, functions in modules.items():
            expected.update(_call(src, [(name, functions)]))
        original = tree_state(root)

        applied = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
        assert applied.exit_code == 0, applied.output

        for m in project.modules.values():  # line endings kept at the new path and in the facade
            want = "crlf" if _path(m.name, m.is_package) in project.crlf else "lf"
            for path in {_path(m.name, m.is_package), _path(_new_name(m.name, moves), m.is_package)}:
                assert _line_endings((root / path).read_bytes()) == want, path

        for name, functions in sorted(modules.items()):
            new = _new_name(name, moves)
            for path in {new, name}:  # new home, and the old path through its facade
                got = _call(src, [(path, functions)])
                assert got == {f"{path}:{f}": expected[f"{name}:{f}"] for f in functions}, f"through {path} (was {name})"

        check = run_cli("check", "--mapping", str(mapping))
        assert check.exit_code == 0, check.output

        rolled = run_cli("rollback", "--mapping", str(mapping))
        assert rolled.exit_code == 0, rolled.output
        assert tree_state(root) == original
