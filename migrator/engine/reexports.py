"""Packages that stay in place while modules move out of them: what their `__init__`
re-exports from a moved module (those names move too), and a literal `__all__` that
names a submodule leaving. Pure: reads the snapshot's bytes only.
"""

from __future__ import annotations

import ast
import dataclasses

from migrator.analysis import pyast
from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.model.names import absolute_module
from migrator.model.plan import Diagnostic, MoveSet, Severity


def with_reexports(moves: MoveSet, index: ProjectIndex, snapshot: Snapshot) -> MoveSet:
    """Add the names that packages staying in place re-export from moved modules.

    Only unconditional top-level `from X import name` statements of package
    `__init__` files count: a re-export inside `try/except` may be a fallback that
    binds something else.
    """
    reexports: dict[str, str] = {}
    for name, info in index.modules.items():
        if not info.is_package or name in moves.modules:
            continue
        data = snapshot.get(info.path)
        if not data:
            continue
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, ast.ImportFrom):
                continue
            base = absolute_module(node.module, level=node.level, package=name)
            for alias in node.names:
                if alias.name == "*":
                    continue
                full = f"{base}.{alias.name}"
                if moves.is_module(full):
                    continue  # a submodule import, handled as a module reference
                resolved = moves.resolve(full)
                if resolved is not None:
                    reexports[f"{name}.{alias.asname or alias.name}"] = resolved
    if not reexports:
        return moves
    return dataclasses.replace(moves, reexports=reexports)


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
