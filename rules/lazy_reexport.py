"""lazy_reexport: a package that stays re-exports moved names lazily (PEP 562)."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from migrator.model.plan import Edit, FileContext, MoveSet, RefKind
from migrator.model.triggers import Trigger
from rules._imports import wrap
from rules.base import Example, Rule, RuleResult

TABLE = "_MIGRATED_EXPORTS"

_GETATTR = '''

def __getattr__(name):
    try:
        module, attribute = {table}[name]
    except KeyError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
    import importlib

    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value
'''


class LazyReexportRule(Rule):
    """Turn a staying package's eager re-exports of moved names into lazy ones.

    What
        In the `__init__` of a package that does not move (only when the mapping asks
        for `facades.package_exports: lazy`), every unconditional top-level
        `from new.home import name` that the earlier rules produced for a moved module
        is removed, and the names go into a `_MIGRATED_EXPORTS` table served by a
        module `__getattr__` (PEP 562): `orchestration.load_experiment_config` and
        `from orchestration import load_experiment_config` keep working, from the new
        home, and the first access caches the value in the package.

    Why
        A package that eagerly imports code that moved out of it, while that code still
        imports modules left inside the package, closes an import cycle: importing the
        moved module first runs the package's `__init__`, which imports the moved module
        back, half-initialized. The cycle gate refuses such a phase; lazy re-exports
        keep the package's public API without the import-time edge.

    Example
        `from config.loader import load_experiment_config` in `orchestration/__init__.py`
        → `_MIGRATED_EXPORTS = {"load_experiment_config": ("config.loader",
        "load_experiment_config")}` plus `def __getattr__(name): ...`.

    Safety
        A name the `__init__` itself uses at import time (outside imports and
        `__all__`) stays eager. A module that defines its own `__getattr__` is left as
        it is. Imports inside `try`/`if` blocks stay (they may be fallbacks). Later
        phases add their names to the same table. `from pkg import *` works through
        `__all__`; without `__all__`, lazy names are not star-exported.
    """

    name = "lazy_reexport"
    description = "In a staying package __init__, re-export moved names lazily (PEP 562) instead of importing them eagerly."
    TRIGGERS = frozenset({Trigger.LAZY_EXPORTS})

    EXAMPLES = (
        Example(
            id="eager re-exports of moved names become a lazy table",
            before=(
                '"""Legacy API."""\n'
                "\n"
                "from config.loader import ExperimentConfig, load_experiment_config\n"
                "from orchestration.jobs.tracking import trackers\n"
                "\n"
                '__all__ = ["ExperimentConfig", "load_experiment_config", "trackers"]\n'
            ),
            after=(
                '"""Legacy API."""\n'
                "\n"
                "from orchestration.jobs.tracking import trackers\n"
                "\n"
                "# Moved names, re-exported lazily from their new homes (PEP 562): importing this\n"
                "# package does not import them, so it cannot close an import cycle.\n"
                "_MIGRATED_EXPORTS = {\n"
                '    "ExperimentConfig": ("config.loader", "ExperimentConfig"),\n'
                '    "load_experiment_config": ("config.loader", "load_experiment_config"),\n'
                "}\n"
                "\n"
                '__all__ = ["ExperimentConfig", "load_experiment_config", "trackers"]\n'
                + _GETATTR.format(table=TABLE)
            ),
            moves={"orchestration.config_loader": "config.loader"},
            module="orchestration",
            is_package=True,
            known_modules=("orchestration.jobs.tracking.trackers",),
            lazy_exports=True,
        ),
        Example(
            id="a later phase adds to the existing table",
            before=(
                "from fingerprints.compute import compute_spec_fp as spec_fp\n"
                "\n"
                "_MIGRATED_EXPORTS = {\n"
                '    "load": ("config.loader", "load"),\n'
                "}\n"
                + _GETATTR.format(table=TABLE)
            ),
            after=(
                "_MIGRATED_EXPORTS = {\n"
                '    "load": ("config.loader", "load"),\n'
                '    "spec_fp": ("fingerprints.compute", "compute_spec_fp"),\n'
                "}\n"
                + _GETATTR.format(table=TABLE)
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            module="orchestration",
            is_package=True,
            lazy_exports=True,
        ),
    )
    UNCHANGED = (
        Example(
            id="a fallback import inside try stays eager",
            before=(
                "try:\n"
                "    from storage.drive import backup_to_drive\n"
                "except ImportError:\n"
                "    backup_to_drive = None\n"
            ),
            after=None,
            moves={"orchestration.drive_backup": "storage.drive"},
            module="orchestration",
            is_package=True,
            lazy_exports=True,
        ),
        Example(
            id="a name the package uses at import time stays eager",
            before="from config.loader import DEFAULTS\n\nSETTINGS = dict(DEFAULTS)\n",
            after=None,
            moves={"orchestration.config_loader": "config.loader"},
            module="orchestration",
            is_package=True,
            lazy_exports=True,
        ),
        Example(
            id="without the mapping option nothing changes",
            before="from config.loader import load_experiment_config\n",
            after=None,
            moves={"orchestration.config_loader": "config.loader"},
            module="orchestration",
            is_package=True,
        ),
        Example(
            id="a module with its own __getattr__ is left alone",
            before="from config.loader import load\n\n\ndef __getattr__(name):\n    raise AttributeError(name)\n",
            after=None,
            moves={"orchestration.config_loader": "config.loader"},
            module="orchestration",
            is_package=True,
            lazy_exports=True,
        ),
    )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        if not (ctx.lazy_exports and ctx.is_package and moves) or ctx.keep_on_facades:
            return RuleResult(module)
        homes = set(moves.modules.values()) | {new.rpartition(".")[0] for new in moves.symbols.values()}
        body = list(module.body)
        if any(isinstance(s, cst.FunctionDef) and s.name.value == "__getattr__" for s in body) and _table_index(body) is None:
            return RuleResult(module)
        used = _names_used_outside_imports(module)
        lazy: dict[str, tuple[str, str]] = {}
        removed: list[int] = []
        for i, stmt in enumerate(body):
            found = _eager_reexport(stmt, homes)
            if found is None:
                continue
            if any(local in used for local, _, _ in found):
                continue
            for local, home, attribute in found:
                lazy[local] = (home, attribute)
            removed.append(i)
        if not lazy:
            return RuleResult(module)
        positions = wrap(module).resolve(PositionProvider)
        edits = tuple(
            Edit(RefKind.IMPORT_FROM, positions[body[i]].start.line, module.code_for_node(body[i]).strip(), "(lazy re-export)", 1)
            for i in removed
        )
        table_at = _table_index(body)
        if table_at is not None:
            entries = _table_entries(body[table_at])
            entries.update(lazy)
            body[table_at] = _table(entries).with_changes(leading_lines=body[table_at].leading_lines)
        new_body = _without(body, removed)
        if table_at is None:
            insert = _after_imports(new_body)
            comment = [
                cst.EmptyLine(),
                cst.EmptyLine(comment=cst.Comment("# Moved names, re-exported lazily from their new homes (PEP 562): importing this")),
                cst.EmptyLine(comment=cst.Comment("# package does not import them, so it cannot close an import cycle.")),
            ]
            table = _table(lazy).with_changes(leading_lines=comment if insert else comment[1:])
            new_body.insert(insert, table)
            if insert + 1 < len(new_body):
                nxt = new_body[insert + 1]
                if not nxt.leading_lines:
                    new_body[insert + 1] = nxt.with_changes(leading_lines=[cst.EmptyLine()])
            (getattr_def,) = cst.parse_module(_GETATTR.format(table=TABLE)).body
            new_body.append(getattr_def.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
        return RuleResult(module.with_changes(body=new_body), edits)


def _without(body: list, removed: list[int]) -> list:
    """`body` without the statements at `removed`; the blank lines and comments above a
    removed statement move to the next statement that stays."""
    out = []
    carry: list = []
    for i, stmt in enumerate(body):
        if i in removed:
            carry.extend(stmt.leading_lines)
            continue
        if carry:
            stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines][: len(carry) + len(stmt.leading_lines)])
            carry = []
        out.append(stmt)
    if out and not removed or (out and 0 in removed):
        first = out[0]
        while first.leading_lines and first.leading_lines[0].comment is None:
            first = first.with_changes(leading_lines=first.leading_lines[1:])
        out[0] = first
    return out


def _eager_reexport(stmt: cst.CSTNode, homes: set[str]) -> list[tuple[str, str, str]] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    node = stmt.body[0]
    if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return None
    home = cst.helpers.get_full_name_for_node(node.module)
    if home not in homes:
        return None
    out = []
    for alias in node.names:
        name = cst.helpers.get_full_name_for_node(alias.name) or ""
        local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
        out.append((local, home, name))
    return out


def _names_used_outside_imports(module: cst.Module) -> set[str]:
    class Collector(cst.CSTVisitor):
        def __init__(self):
            self.names: set[str] = set()

        def visit_Import(self, node):
            return False

        def visit_ImportFrom(self, node):
            return False

        def visit_Assign(self, node):
            # `__all__` lists names as strings; the table's own strings are not uses.
            return True

        def visit_Name(self, node):
            self.names.add(node.value)

    c = Collector()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__getattr__":
            continue
        stmt.visit(c)
    return c.names


def _table_index(body) -> int | None:
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
            targets = stmt.body[0].targets
            if len(targets) == 1 and isinstance(targets[0].target, cst.Name) and targets[0].target.value == TABLE:
                return i
    return None


def _table_entries(stmt) -> dict[str, tuple[str, str]]:
    import ast

    value = ast.literal_eval(cst.Module(body=[stmt]).code.split("=", 1)[1].strip())
    return {k: tuple(v) for k, v in value.items()}


def _table(entries: dict[str, tuple[str, str]]) -> cst.SimpleStatementLine:
    lines = [f"{TABLE} = {{\n"]
    for name in sorted(entries):
        home, attribute = entries[name]
        lines.append(f'    "{name}": ("{home}", "{attribute}"),\n')
    lines.append("}\n")
    return cst.parse_statement("".join(lines))


def _after_imports(body) -> int:
    """Index after the docstring, `__future__` imports and the leading import block."""
    i = 0
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        i = 1
    while i < len(body) and _is_import_or_try_import(body[i]):
        i += 1
    return i


def _is_import_or_try_import(stmt) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, cst.Try):
        return all(_is_import_or_try_import(s) for s in stmt.body.body)
    return False
