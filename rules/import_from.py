"""import_from: rewrite `from X import n` statements, absolute and relative."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import PositionProvider

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from migrator.model.triggers import Trigger
from migrator.model.names import absolute_module
from rules._imports import (
    AliasLayout,
    ImportStatements,
    NewStatement,
    StatementSplicer,
    describe,
    dotted_name,
    dotted_node,
    from_import_target,
    import_statement,
    import_statements,
    local_name,
    module_target,
    relative_spelling,
    split_last,
    wrap,
)
from rules.base import Example, Rule, RuleResult


class ImportFromRule(Rule):
    """Rewrite `from X import a, b as c, *` so every name is imported from its new home.

    What
        For each imported name `n` the old full name is `X.n` (a relative `X` is resolved
        from the file's package *before* the move). Its new home is the parent of
        `X.n`'s new name when `X.n` itself moved (a submodule or a symbol) or when `X`
        moved (the name goes with it); when a package that stays re-exports `n` from a
        moved module (`MoveSet.reexports`), an import that runs once at import time
        (module or class level) follows the re-export, since it binds the very same
        object. `from X import *` follows `X`.

        The local binding never changes: `from orchestration import fingerprints` with
        `orchestration.fingerprints` → `fingerprints.compute` becomes `from fingerprints
        import compute as fingerprints`; a name whose new home is a top-level module
        (`from orchestration.jobs import selection` → `selection`) becomes `import
        selection` (`import selection as sel` for `... import selection as sel`); a
        renamed symbol gets `as OldName`.

        Names are grouped by new home: one statement per home, in the order the homes
        first appear, at the statement's place (a top-level module imported with
        `import` is a home of its own). When all names keep one home the statement node
        is kept and only its module changes, so parentheses, comments and trailing commas
        stay as they were.

    Why
        `from X import n` is the most common reference to moved code; relative imports
        break silently when a file or its target changes package.

    Example
        In `orchestration/__init__.py`, `from .config_loader import load_experiment_config`
        with `orchestration.config_loader` → `config.loader` becomes
        `from config.loader import load_experiment_config`.

    Safety / style decisions
        An absolute import stays absolute. A relative import stays byte-identical while
        it still names the same module from the file's new place; otherwise it is
        re-spelled relative when the file's new package and the new home share their
        top-level package (shortest spelling: `.`, `..mod`, ...), absolute otherwise.
        So a file that stays put but whose relative target left its top-level package
        gets an absolute import, and a moved file's relative import of code that stayed
        behind is recomputed (often absolute). Relative imports in files outside the
        source roots (no module name) are left alone: they cannot be resolved. A relative
        import climbing above the top-level package is left with warning MIG901. When a
        split statement is parenthesized, each comment follows the name it sits next to
        (see `AliasLayout`); names that become `import m` statements carry theirs as
        comments of their own line — if the statement shares its line (`a; from ...`),
        that is impossible and the statement is left with warning MIG907. A trailing
        comment of the whole line stays on the first emitted statement, except tool
        directives (`# noqa: E402`), which every emitted line repeats.

        A *lazy* import (in a function body) does not follow re-exports: it reads the
        package attribute at each call, so a `mock.patch("pkg.name")` in a test reaches
        the code only through the package; `from pkg import name` is no stale reference
        anyway (the package stays).
    """

    name = "import_from"
    description = "Rewrite `from X import ...` (absolute and relative) to the names' new homes."
    TRIGGERS = frozenset({Trigger.FROM_IMPORT})

    EXAMPLES = (
        Example(
            id="import of a name from a moved module",
            before="from orchestration.fingerprints import compute_spec_fp\n",
            after="from fingerprints.compute import compute_spec_fp\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="aliased submodule import keeps its local name",
            before="from orchestration import fingerprints as fps\n",
            after="from fingerprints import compute as fps\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="from pkg import submodule keeps its binding",
            before="from orchestration import fingerprints\n",
            after="from fingerprints import compute as fingerprints\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="submodule that becomes a top-level module is imported with import",
            before=(
                "from orchestration.jobs import selection\n"
                "from orchestration.jobs import selection as sel\n"
            ),
            after=(
                "import selection\n"
                "import selection as sel\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="moved symbol",
            before="from orchestration.utils import setup_mlflow_for_stage\n",
            after="from tracking.mlflow.setup import setup_mlflow_for_stage\n",
            symbols={"orchestration.utils.setup_mlflow_for_stage": "tracking.mlflow.setup.setup_mlflow_for_stage"},
            known_modules=("orchestration.utils",),
        ),
        Example(
            id="renamed symbol keeps its local name",
            before="from orchestration.utils import setup_mlflow_for_stage\n",
            after="from tracking.mlflow.setup import setup_stage as setup_mlflow_for_stage\n",
            symbols={"orchestration.utils.setup_mlflow_for_stage": "tracking.mlflow.setup.setup_stage"},
            known_modules=("orchestration.utils",),
        ),
        Example(
            id="names that now live in different modules are split in place",
            before=(
                "import os\n"
                "from orchestration import fingerprints, constants, naming  # used below\n"
                "import sys\n"
            ),
            after=(
                "import os\n"
                "from fingerprints import compute as fingerprints  # used below\n"
                "from constants import orchestration as constants\n"
                "from orchestration import naming\n"
                "import sys\n"
            ),
            moves={
                "orchestration.fingerprints": "fingerprints.compute",
                "orchestration.constants": "constants.orchestration",
            },
            known_modules=("orchestration.naming",),
        ),
        Example(
            id="star import from a moved module",
            before="from orchestration.constants import *  # noqa: F403\n",
            after="from constants.orchestration import *  # noqa: F403\n",
            moves={"orchestration.constants": "constants.orchestration"},
        ),
        Example(
            id="re-exported name follows the re-export to its definition",
            before="from orchestration import load_experiment_config\n",
            after="from config.loader import load_experiment_config\n",
            moves={"orchestration.config_loader": "config.loader"},
            reexports={"orchestration.load_experiment_config": "config.loader.load_experiment_config"},
        ),
        Example(
            id="lazy import inside a function",
            before=(
                "def run(spec):\n"
                "    from orchestration.fingerprints import compute_spec_fp\n"
                "    return compute_spec_fp(spec)\n"
            ),
            after=(
                "def run(spec):\n"
                "    from fingerprints.compute import compute_spec_fp\n"
                "    return compute_spec_fp(spec)\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="import under if TYPE_CHECKING",
            before=(
                "from typing import TYPE_CHECKING\n"
                "\n"
                "if TYPE_CHECKING:\n"
                "    from orchestration.config_loader import ExperimentConfig\n"
            ),
            after=(
                "from typing import TYPE_CHECKING\n"
                "\n"
                "if TYPE_CHECKING:\n"
                "    from config.loader import ExperimentConfig\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="try/except ImportError fallback",
            before=(
                "try:\n"
                "    from orchestration.drive_backup import backup\n"
                "except ImportError:\n"
                "    backup = None\n"
            ),
            after=(
                "try:\n"
                "    from storage.drive import backup\n"
                "except ImportError:\n"
                "    backup = None\n"
            ),
            moves={"orchestration.drive_backup": "storage.drive"},
        ),
        Example(
            id="multi-line parenthesized import keeps its formatting when only the module changes",
            before=(
                "from orchestration.fingerprints import (  # all of them\n"
                "    compute_bench_fp,\n"
                "    # the expensive one\n"
                "    compute_exec_fp,  # cached\n"
                "    compute_spec_fp,\n"
                ")\n"
            ),
            after=(
                "from fingerprints.compute import (  # all of them\n"
                "    compute_bench_fp,\n"
                "    # the expensive one\n"
                "    compute_exec_fp,  # cached\n"
                "    compute_spec_fp,\n"
                ")\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="relative import between files moving together is re-spelled for the new depth",
            before="from ..scoring import score_run\n",
            after="from .scoring import score_run\n",
            moves={
                "orchestration.jobs.selection.local.best": "selection.best",
                "orchestration.jobs.selection.scoring": "selection.scoring",
            },
            module="orchestration.jobs.selection.local.best",
            new_module="selection.best",
        ),
        Example(
            id="relative import from outside into moved code becomes absolute",
            before="from .fingerprints import compute_spec_fp\n",
            after="from fingerprints.compute import compute_spec_fp\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            module="orchestration.index_manager",
        ),
        Example(
            id="relative import of a module moving within the same top-level package stays relative",
            before="from .jobs.selection import best_config\n",
            after="from .selection import best_config\n",
            moves={"orchestration.jobs.selection": "orchestration.selection"},
            module="orchestration.pipeline",
        ),
        Example(
            id="relative import from a moved file to a sibling that stayed becomes absolute",
            before="from ..scoring import score_run\n",
            after="from orchestration.jobs.scoring import score_run\n",
            moves={"orchestration.jobs.selection.best": "selection.best"},
            module="orchestration.jobs.selection.best",
            new_module="selection.best",
            known_modules=("orchestration.jobs.scoring",),
        ),
        Example(
            id="relative import in a package __init__ becomes absolute when its target leaves",
            before="from .config_loader import ExperimentConfig, load_experiment_config\n",
            after="from config.loader import ExperimentConfig, load_experiment_config\n",
            moves={"orchestration.config_loader": "config.loader"},
            module="orchestration",
            is_package=True,
        ),
    )

    UNCHANGED = (
        Example(
            id="a file kept on facades keeps its old imports",
            before="from orchestration.config_loader import load_experiment_config\n",
            after=None,
            moves={"orchestration.config_loader": "config.loader"},
            keep_on_facades=True,
        ),
        Example(
            id="lazy import of a re-exported name keeps reading it from the package",
            before=(
                "def study_name(experiment):\n"
                "    from orchestration import compute_spec_fp  # patched as orchestration.compute_spec_fp\n"
                "    return compute_spec_fp(experiment)\n"
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            reexports={"orchestration.compute_spec_fp": "fingerprints.compute.compute_spec_fp"},
        ),
        Example(
            id="import from a module that did not move",
            before="from orchestration.naming import build_run_name\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="import of an unmoved name from the moved module's parent",
            before="from orchestration import naming\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            known_modules=("orchestration.naming",),
        ),
        Example(
            id="relative import inside a moved package that stays correct is byte-identical",
            before="from . import scoring  # sibling\nfrom .scoring import (score_run ,)\n",
            after=None,
            moves={
                "orchestration.jobs.selection": "selection",
                "orchestration.jobs.selection.best": "selection.best",
                "orchestration.jobs.selection.scoring": "selection.scoring",
            },
            module="orchestration.jobs.selection.best",
            new_module="selection.best",
        ),
        Example(
            id="relative import in a file outside the source roots",
            before="from .fingerprints import compute_spec_fp\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="module whose name only starts like a moved one",
            before="from orchestration.fingerprints_v2 import compute\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="future import",
            before="from __future__ import annotations\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
    )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        if ctx.keep_on_facades:
            return RuleResult(module)  # its imports stay on the old paths, served by facades
        statements = import_statements(module, in_function=ctx.in_function) if moves else None
        if statements is None or not any(
            _needs_work(s, ctx, moves, statements) for s in _from_imports(statements)
        ):
            return RuleResult(module)
        positions = wrap(module).resolve(PositionProvider)
        replacements: dict[cst.BaseSmallStatement, list[NewStatement]] = {}
        edits: list[Edit] = []
        diagnostics: list[Diagnostic] = []
        for statement in _from_imports(statements):
            position = positions[statement].start
            planner = _StatementPlanner(statement, ctx, moves, statement not in statements.lazy)
            try:
                new = planner.plan(statement in statements.alone_on_line)
            except _Refusal as refusal:
                diagnostics.append(
                    Diagnostic(Severity.WARNING, refusal.code, refusal.message, ctx.path, position.line)
                )
                continue
            if new is None:
                continue
            replacements[statement] = new
            kind = RefKind.RELATIVE if statement.relative else RefKind.IMPORT_FROM
            text = "; ".join(describe(_import_node(item.statement)) for item in new)
            edits.append(Edit(kind, position.line, describe(statement), text, position.column + 1))
        if not replacements:
            return RuleResult(module, (), tuple(diagnostics))
        new_module = module.visit(StatementSplicer(replacements))
        return RuleResult(new_module, tuple(edits), tuple(diagnostics))


class _Refusal(Exception):
    """The statement cannot be rewritten safely; it stays, with a warning."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class _Name:
    """One imported name: `from <home> import <imported> as <local>` after the move.

    `home == ""` means `imported` is a top-level module, bound with `import`.
    """

    index: int
    home: str
    imported: str
    local: str

    @property
    def group(self) -> tuple[str, int]:
        """Names share a statement when they share a home; each `import m` is its own."""
        return (self.home, -1 if self.home else self.index)


class _StatementPlanner:
    """Works out the replacement of one `from ... import` statement."""

    def __init__(self, statement: cst.ImportFrom, ctx: FileContext, moves: MoveSet, follow_reexports: bool):
        self.statement = statement
        self.ctx = ctx
        self.moves = moves
        self.follow_reexports = follow_reexports
        self.level = len(statement.relative)
        self.module = dotted_name(statement.module)

    def plan(self, owns_line: bool) -> list[NewStatement] | None:
        """The statements replacing this one, None when it stays as it is."""
        base = self._base()
        if base is None:
            return None
        names = self.statement.names
        if isinstance(names, cst.ImportStar):
            home = module_target(self.moves, base) or base
            return self._single_home(home, {})
        planned = [self._name(i, alias, base) for i, alias in enumerate(names)]
        groups: dict[tuple[str, int], list[_Name]] = {}
        for name in planned:
            groups.setdefault(name.group, []).append(name)
        if len(groups) == 1 and planned[0].home:
            return self._single_home(planned[0].home, {n.index: n for n in planned})
        new = self._split(list(groups.values()))
        if not owns_line and any(item.has_comments for item in new):
            raise _Refusal(
                "MIG907",
                f"left `{describe(self.statement)}`: splitting it would lose comments, because it "
                "shares its line with other statements; put it on a line of its own",
            )
        return new

    def _base(self) -> str | None:
        """The absolute module the statement imports from, None when unknown."""
        if not self.level:
            return self.module
        if self.ctx.package is None:
            return None
        base = absolute_module(self.module, level=self.level, package=self.ctx.package)
        if base is None:
            raise _Refusal(
                "MIG901",
                f"left `{describe(self.statement)}`: it climbs above the top-level package "
                f"from `{self.ctx.package or self.ctx.module}`; fix the import by hand",
            )
        return base

    def _name(self, index: int, alias: cst.ImportAlias, base: str) -> _Name:
        imported = cst.ensure_type(alias.name, cst.Name).value
        local = local_name(alias)
        target = from_import_target(self.moves, base, imported, self.follow_reexports)
        if target is None:
            return _Name(index, base, imported, local)
        home, new_name = split_last(target)
        return _Name(index, home, new_name, local)

    def _single_home(self, home: str, names: dict[int, _Name]) -> list[NewStatement] | None:
        """Keep the statement node; change its module and renamed names only."""
        statement = self._spelled(home)
        aliases = self.statement.names
        if not isinstance(aliases, cst.ImportStar):
            renamed = [_renamed(alias, names[i]) for i, alias in enumerate(aliases)]
            if any(new is not old for new, old in zip(renamed, aliases)):
                statement = statement.with_changes(names=renamed)
        if statement is self.statement:
            return None
        return [NewStatement(statement)]

    def _split(self, groups: list[list[_Name]]) -> list[NewStatement]:
        names = self.statement.names
        assert not isinstance(names, cst.ImportStar)
        layout = AliasLayout(self.statement)
        renamed = {i: _renamed(alias, n) for i, (alias, n) in enumerate(zip(names, _by_index(groups)))}
        out: list[NewStatement] = []
        for group in groups:
            first = not out
            home = group[0].home
            if not home:
                (name,) = group
                above, comment = layout.comments(name.index, first)
                asname = name.local if name.local != name.imported else None
                out.append(NewStatement(import_statement(name.imported, asname), above, comment))
                continue
            aliases, lpar, rpar = layout.group([n.index for n in group], first, renamed)
            statement = self._spelled(home).with_changes(names=aliases, lpar=lpar, rpar=rpar)
            # Groups share the original's whitespace nodes; a tree must not hold a node twice.
            out.append(NewStatement(statement if first else statement.deep_clone()))
        return out

    def _spelled(self, home: str) -> cst.ImportFrom:
        """This statement importing from `home`, spelled in the style decided above."""
        level, module = self._spelling(home)
        if (level, module) == (self.level, self.module or ""):
            return self.statement
        return self.statement.with_changes(
            relative=[cst.Dot() for _ in range(level)],
            module=dotted_node(module) if module else None,
        )

    def _spelling(self, home: str) -> tuple[int, str]:
        if not self.level:
            return 0, home
        package = self.ctx.new_package if self.ctx.new_package is not None else self.ctx.package
        if package is not None and absolute_module(self.module, level=self.level, package=package) == home:
            return self.level, self.module or ""
        return relative_spelling(package, home) or (0, home)


def _renamed(alias: cst.ImportAlias, name: _Name) -> cst.ImportAlias:
    """`alias` importing `name.imported` and still binding `name.local`."""
    if cst.ensure_type(alias.name, cst.Name).value == name.imported:
        return alias
    if name.local == name.imported:
        return alias.with_changes(name=cst.Name(name.imported), asname=None)
    asname = alias.asname if alias.asname is not None else cst.AsName(name=cst.Name(name.local))
    return alias.with_changes(name=cst.Name(name.imported), asname=asname)


def _by_index(groups: list[list[_Name]]) -> list[_Name]:
    return sorted((n for group in groups for n in group), key=lambda n: n.index)


def _from_imports(statements: ImportStatements) -> list[cst.ImportFrom]:
    return [s for s in statements.found if isinstance(s, cst.ImportFrom)]


def _import_node(statement: cst.BaseSmallStatement) -> cst.Import | cst.ImportFrom:
    assert isinstance(statement, (cst.Import, cst.ImportFrom))
    return statement


def _needs_work(
    statement: cst.ImportFrom, ctx: FileContext, moves: MoveSet, statements: ImportStatements
) -> bool:
    """Cheap pre-check on the unwrapped tree: will the statement change or warn?"""
    planner = _StatementPlanner(statement, ctx, moves, statement not in statements.lazy)
    try:
        return planner.plan(owns_line=True) is not None
    except _Refusal:
        return True
