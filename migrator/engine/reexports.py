"""Packages that stay in place while modules move out of them: what their `__init__`
re-exports from a moved module (those names move too), and a literal `__all__` that
names a submodule leaving. Pure: reads the snapshot's bytes only.
"""

from __future__ import annotations

import ast
import dataclasses

from migrator.analysis import pyast
from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.analysis.scans import ScanCache, content_key, result_key
from migrator.model.names import absolute_module
from migrator.model.plan import Diagnostic, MoveSet, Severity


def with_reexports(moves: MoveSet, index: ProjectIndex, snapshot: Snapshot, cache: ScanCache | None = None) -> MoveSet:
    """Add the names that packages staying in place re-export from moved modules.

    Only unconditional top-level `from X import name` statements of package
    `__init__` files count: a re-export inside `try/except` may be a fallback that
    binds something else. `cache`: where each `__init__`'s statements are kept by
    content (a stored result), so a next command does not parse it again.
    """
    reexports: dict[str, str] = {}
    for name, info in index.modules.items():
        if not info.is_package or name in moves.modules:
            continue
        data = snapshot.get(info.path)
        if not data:
            continue
        for level, module, aliases in _top_from_imports(data, cache):
            base = absolute_module(module, level=level, package=name)
            for imported, asname in aliases:
                if imported == "*":
                    continue
                full = f"{base}.{imported}"
                if moves.is_module(full):
                    continue  # a submodule import, handled as a module reference
                resolved = moves.resolve(full)
                if resolved is not None:
                    reexports[f"{name}.{asname or imported}"] = resolved
    if not reexports:
        return moves
    return dataclasses.replace(moves, reexports=reexports)


def _top_from_imports(data: bytes, cache: ScanCache | None) -> list[tuple[int, str | None, list[tuple[str, str | None]]]]:
    """(level, module, [(name, asname)]) of each `from` import in the file's top-level
    statements, in order; none when it does not parse. A pure function of the bytes."""
    key = result_key("top-from-imports", 1, content_key(data)) if cache is not None else None
    if key is not None:
        stored = cache.result(key)
        if isinstance(stored, list) and all(_is_statement(x) for x in stored):
            return [(level, module, [(n, a) for n, a in aliases]) for level, module, aliases in stored]
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        found = []
    else:
        found = [
            (node.level, node.module, [(alias.name, alias.asname) for alias in node.names])
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
        ]
    if key is not None:
        cache.put_result(key, [[level, module, [[n, a] for n, a in aliases]] for level, module, aliases in found])
    return found


def _is_statement(value: object) -> bool:
    """A stored `_top_from_imports` entry: [level, module or None, [[name, asname or None], ...]]."""
    if not (isinstance(value, list) and len(value) == 3 and type(value[0]) is int and (value[1] is None or type(value[1]) is str)):
        return False
    return isinstance(value[2], list) and all(
        isinstance(a, list) and len(a) == 2 and type(a[0]) is str and (a[1] is None or type(a[1]) is str) for a in value[2]
    )


def all_names_moved_away(snapshot: Snapshot, index: ProjectIndex, modules: dict[str, str]) -> list[Diagnostic]:
    """Warnings for a staying package whose literal `__all__` names a submodule that
    moves out of it: with `facades: none` nothing is left at the old name, so
    `from pkg import *` fails (AttributeError). Not rewritten: `__all__` is public API,
    and whether to re-export the module or drop the name is the maintainer's call."""
    out = []
    for old, new in sorted(modules.items()):
        parent, _, leaf = old.rpartition(".")
        info = index.modules.get(parent)
        if not parent or parent in modules or info is None or not info.is_package or new.rpartition(".")[0] == parent:
            continue
        try:
            tree = ast.parse(snapshot.get(info.path) or b"")
        except (SyntaxError, ValueError):
            continue
        home, _, name = new.rpartition(".")
        as_leaf = "" if name == leaf else f" as {leaf}"
        for element in pyast.literal_all(tree):
            if element.value == leaf:
                out.append(Diagnostic(
                    Severity.WARNING, "MIG916",
                    f"`__all__` names {leaf!r}, the submodule this phase moves to {new!r}; with `facades: none` "
                    f"`from {parent} import *` will fail — import it here (`from {home} import {name}{as_leaf}`) "
                    "or take it out of `__all__`",
                    info.path, element.lineno, element.col_offset + 1,
                ))
    return out
