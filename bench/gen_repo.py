"""Generate a large synthetic target repository, for benchmarks and scale tests.

    python bench/gen_repo.py OUT_DIR --modules N [--moves K] [--seed S] [--cycles]

OUT_DIR (missing or empty) receives:

- ``src/``: exactly N modules (package ``__init__`` files count) in nested packages
  ``pkg_<i>/sub_<j>/.../mod_<k>.py``; every name is unique across the tree. Modules
  import each other absolutely (``import a.b.c``, ``from a.b import c``,
  ``from a.b.c import func as c_func``) and relatively (``from ..x import func``), lazily
  inside functions and under ``if TYPE_CHECKING:``. A module only imports modules
  created before it, so there is no import-time cycle; ``--cycles`` adds
  ``max(1, N // 1000)`` two-module cycles of plain ``import`` statements (harmless at run
  time, as such cycles usually are).
- ``tests/``: a small pytest suite that imports a sample of modules (the moved ones
  included) by name, calls through their imports and lazy imports, and patches
  functions by ``mock.patch("pkg.mod.func")`` string targets.
- ``config/app.yaml``: a few values that are dotted paths into ``src``.
- ``pyproject.toml``: pytest configuration (``pythonpath = ["src"]``).
- ``mapping.yaml``: version 1, target root ``.``, source root ``src``, and one phase of
  K module moves (leaf modules, chosen by the seed) into new top-level packages
  ``relocated_<g>``.

The same arguments give the same bytes. Every module runs: the generated suite passes.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: How far back in creation order most imports reach: real code imports its
#: neighbours more often than the far side of the tree.
_LOCALITY = 60
_MAX_DEPTH = 4
_SUBPACKAGE_CHANCE = 0.12
_RELATIVE_CHANCE = 0.4
_TYPING_CHANCE = 0.25
_TESTED_MODULES = 40
_PATCHED_MODULES = 12
_MOVES_PER_PACKAGE = 20


@dataclass
class _Module:
    """A module to write: its place in the tree and its import statements, as source."""

    index: int
    name: str
    is_package: bool
    depth: int
    parent: _Module | None
    top_imports: list[str] = field(default_factory=list)
    lazy_imports: list[str] = field(default_factory=list)
    typing_imports: list[str] = field(default_factory=list)
    #: Expressions (in `uses()`) that call `func` through each top-level import.
    calls: list[str] = field(default_factory=list)

    @property
    def last(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def package(self) -> str:
        """The package relative imports in this module start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


def generate(out_dir: Path, modules: int, moves: int, seed: int, *, cycles: bool = False) -> None:
    """Write a synthetic target of `modules` modules and a mapping of `moves` moves.

    `out_dir` must be missing or empty. `modules` must be at least 2 (a package and a
    module), `moves` at most the number of plain (non-package) modules. Raises
    ValueError on bad numbers and FileExistsError on a non-empty `out_dir`.
    """
    if modules < 2:
        raise ValueError(f"modules must be at least 2, got {modules!r}")
    if moves < 0:
        raise ValueError(f"moves must not be negative, got {moves!r}")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    rng = random.Random(seed)
    tree = _layout(modules, rng)
    for module in tree:
        _choose_imports(module, tree, rng)
    leaves = [m for m in tree if not m.is_package]
    if cycles:
        _add_cycles(leaves, max(1, modules // 1000), rng)
    if moves > len(leaves):
        raise ValueError(f"moves must be at most {len(leaves)} (the plain modules), got {moves!r}")
    moved = sorted(rng.sample(leaves, moves), key=lambda m: m.index)
    renames = {m.name: f"relocated_{i // _MOVES_PER_PACKAGE}.{m.last}" for i, m in enumerate(moved)}

    for module in tree:
        rel = module.name.replace(".", "/")
        path = out_dir / "src" / (f"{rel}/__init__.py" if module.is_package else f"{rel}.py")
        if module.is_package:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_module_source(module), encoding="utf-8")
    sample = _test_sample(tree, moved, rng)
    (out_dir / "tests").mkdir()
    (out_dir / "tests" / "test_imports.py").write_text(_imports_test(sample), encoding="utf-8")
    (out_dir / "tests" / "test_patching.py").write_text(_patching_test(sample[:_PATCHED_MODULES]), encoding="utf-8")
    (out_dir / "config").mkdir()
    (out_dir / "config" / "app.yaml").write_text(_config(sample), encoding="utf-8")
    (out_dir / "pyproject.toml").write_text(_PYPROJECT, encoding="utf-8")
    (out_dir / "mapping.yaml").write_text(_mapping(renames), encoding="utf-8")


# --------------------------------------------------------------------------- structure


def _layout(count: int, rng: random.Random) -> list[_Module]:
    """`count` modules in creation order: a package always precedes what it contains."""
    tops = max(1, min(count // 2, round(count**0.5 / 6)))
    tree = [_Module(i, f"pkg_{i}", True, 0, None) for i in range(tops)]
    packages = list(tree)
    while len(tree) < count:
        parent = rng.choice(packages)
        index = len(tree)
        if parent.depth < _MAX_DEPTH and rng.random() < _SUBPACKAGE_CHANCE:
            package = _Module(index, f"{parent.name}.sub_{index}", True, parent.depth + 1, parent)
            tree.append(package)
            packages.append(package)
        else:
            tree.append(_Module(index, f"{parent.name}.mod_{index}", False, parent.depth + 1, parent))
    return tree


def _choose_imports(module: _Module, tree: list[_Module], rng: random.Random) -> None:
    """Imports of earlier modules only, so that the import graph stays acyclic."""
    if module.index == 0:
        return
    targets: dict[int, _Module] = {}
    for _ in range(rng.randint(2, 5)):
        low = 0 if rng.random() < 0.3 else max(0, module.index - _LOCALITY)
        target = tree[rng.randrange(low, module.index)]
        targets.setdefault(target.index, target)
    for target in targets.values():
        statement, call = _import_statement(module, target, rng)
        module.top_imports.append(statement)
        module.calls.append(call)
    lazy = tree[rng.randrange(module.index)]
    module.lazy_imports.append(f"from {lazy.name} import func as {lazy.last}_func")
    if rng.random() < _TYPING_CHANCE:
        hint = tree[rng.randrange(module.index)]
        module.typing_imports.append(f"from {hint.name} import Thing as {hint.last}_Thing")


def _import_statement(module: _Module, target: _Module, rng: random.Random) -> tuple[str, str]:
    """One import of `target` from `module`, and an expression that calls its `func`."""
    here = module.package.split(".")
    there = target.name.split(".")
    if here[0] == there[0] and rng.random() < _RELATIVE_CHANCE:
        common = 0
        while common < min(len(here), len(there)) and here[common] == there[common]:
            common += 1
        dots = "." * (len(here) - common + 1)
        rest = there[common:]
        if rest and rng.random() < 0.5:
            return f"from {dots}{'.'.join(rest[:-1])} import {target.last}", f"{target.last}.func()"
        return f"from {dots}{'.'.join(rest)} import func as {target.last}_func", f"{target.last}_func()"
    form = rng.randrange(3)
    if form == 0 or target.parent is None:
        return f"import {target.name}", f"{target.name}.func()"
    if form == 1:
        return f"from {target.parent.name} import {target.last}", f"{target.last}.func()"
    return f"from {target.name} import func as {target.last}_func", f"{target.last}_func()"


def _add_cycles(leaves: list[_Module], count: int, rng: random.Random) -> None:
    """Make `count` pairs of sibling modules import each other (and nothing else).

    Siblings, so the parent package is complete before either runs; plain `import`
    statements, so neither touches the other while it is half initialized.
    """
    by_parent: dict[str, list[_Module]] = {}
    for leaf in leaves:
        by_parent.setdefault(leaf.package, []).append(leaf)
    families = [group for group in by_parent.values() if len(group) >= 2]
    for group in rng.sample(families, min(count, len(families))):
        first, second = rng.sample(group, 2)
        for module, other in ((first, second), (second, first)):
            module.top_imports = [f"import {other.name}"]
            module.calls = [f"{other.name}.VALUE"]


# --------------------------------------------------------------------------- text


def _module_source(module: _Module) -> str:
    lines = [f'"""Synthetic module {module.name}."""', "", "from __future__ import annotations", ""]
    lines.append("from typing import TYPE_CHECKING")
    lines.extend(module.top_imports)
    if module.typing_imports:
        lines += ["", "if TYPE_CHECKING:", *(f"    {s}" for s in module.typing_imports)]
    lines += [
        "",
        f"VALUE = {module.index}",
        "",
        "",
        "def func(x: int = 0) -> int:",
        '    """This module\'s value plus `x`."""',
        "    return x + VALUE",
        "",
        "",
        "def uses() -> int:",
        '    """Call through every import-time import."""',
        f"    return {' + '.join(['0', *module.calls])}",
        "",
        "",
        "def lazy_total() -> int:",
        '    """Call through the lazy imports."""',
    ]
    lines += [f"    {s}" for s in module.lazy_imports]
    lazy_calls = [s.rpartition(" as ")[2] + "()" for s in module.lazy_imports]
    lines += [f"    return {' + '.join(['0', *lazy_calls])}", "", ""]
    lines += ["class Thing:", '    """A type other modules name in annotations."""', "", "    value: int = VALUE", ""]
    return "\n".join(lines)


def _test_sample(tree: list[_Module], moved: list[_Module], rng: random.Random) -> list[_Module]:
    """The moved modules first, then others up to `_TESTED_MODULES`, in a fixed order."""
    chosen = {m.index: m for m in moved[:_TESTED_MODULES]}
    others = [m for m in tree if m.index not in chosen]
    for module in rng.sample(others, min(len(others), _TESTED_MODULES - len(chosen))):
        chosen[module.index] = module
    return list(chosen.values())


def _imports_test(sample: list[_Module]) -> str:
    names = "".join(f"    {m.name!r},\n" for m in sample)
    return (
        '"""Every sampled module imports, and calls through its imports work."""\n\n'
        "import importlib\n\nimport pytest\n\n"
        f"MODULES = [\n{names}]\n\n\n"
        '@pytest.mark.parametrize("name", MODULES)\n'
        "def test_module_imports_and_calls_through_its_imports(name):\n"
        "    module = importlib.import_module(name)\n"
        "    assert module.uses() >= 0\n"
        "    assert module.lazy_total() >= 0\n"
    )


def _patching_test(sample: list[_Module]) -> str:
    parts = ['"""Functions patched by their dotted path."""\n\nfrom unittest import mock\n']
    for module in sample:
        parts.append(
            f"\n\ndef test_patch_{module.last}():\n"
            f"    import {module.name}\n\n"
            f'    with mock.patch("{module.name}.func", return_value=-1):\n'
            f"        assert {module.name}.func() == -1\n"
        )
    return "".join(parts)


def _config(sample: list[_Module]) -> str:
    handlers = "".join(f"  {m.last}: {m.name}.func\n" for m in sample[:5])
    plugins = "".join(f'  - "{m.name}:Thing"\n' for m in sample[5:8])
    return f"# Dotted paths into src/, as applications keep them in config.\nhandlers:\n{handlers}plugins:\n{plugins}"


def _mapping(renames: dict[str, str]) -> str:
    moves = "".join(f"      - {{from: {old}, to: {new}}}\n" for old, new in renames.items())
    return (
        "version: 1\n\n"
        "target:\n"
        '  root: "."\n'
        "  source_roots: [src]\n\n"
        "cycles: forbid-new\n"
        "test_command: python -m pytest -q\n\n"
        "phases:\n"
        "  - phase: 1\n"
        f"    title: Move {len(renames)} modules into new top-level packages\n"
        f"    moves:{'' if renames else ' []'}\n{moves}"
    )


_PYPROJECT = """\
[project]
name = "synthetic-target"
version = "0.0.0"
requires-python = ">=3.9"

[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="where to write the repository (missing or empty)")
    parser.add_argument("--modules", type=int, required=True, help="number of modules under src/")
    parser.add_argument("--moves", type=int, default=1, help="module moves in mapping.yaml (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--cycles", action="store_true", help="add a few import-time cycles")
    args = parser.parse_args(argv)
    try:
        generate(args.out_dir, args.modules, args.moves, args.seed, cycles=args.cycles)
    except (ValueError, FileExistsError) as exc:
        print(f"gen_repo: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
