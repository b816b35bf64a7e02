"""import_module: rewrite `import old.mod` statements to the new module path."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from migrator.model.triggers import Trigger
from rules._chains import UsePlan, plan_chains
from rules._imports import (
    NewStatement,
    StatementSplicer,
    aliased_import,
    describe,
    dotted_name,
    dotted_node,
    free_alias,
    import_statement,
    import_statements,
    module_target,
    names_in_use,
    binds_root_after,
    visible_clash,
    wrap,
)
from rules.base import Example, Rule, RuleResult


class ImportModuleRule(Rule):
    """Rewrite `import a.b`, `import a.b as m` and `import a.b, c` to the new path.

    What
        Each name of an `import` statement that is a moved module (or lies below one) is
        re-spelled at its new path, in place: `import a.b as m` → `import x.y as m`,
        `import os, a.b` → `import os, x.y`. Statements anywhere count: module level,
        inside functions, `try/except ImportError`, `if TYPE_CHECKING:`.

    Why
        The old path only keeps working through a facade, and stale imports are what
        `migrate check` reports.

    Example
        `import orchestration.fingerprints as fp` → `import fingerprints.compute as fp`.

    Safety
        `import a.b` binds the root name `a`, not `a.b`; after the rewrite the statement
        binds `x`. Uses spelled through the moved module (`a.b.f()`) are `dotted_use`'s
        job (it runs first). Uses of `a` that stay spelled from `a` (`a.other`) still
        need `a` bound, so, decided here:

        - if another import in the same scope keeps binding `a`, nothing more is needed;
        - otherwise the rewritten statement is followed by `import a` — or by the
          deepest unmoved package those uses go through (`import a.jobs` for
          `a.jobs.other`) — unless the new import already loads it (`a.jobs.sel` →
          `a.sel` keeps `a` bound) or an earlier statement of the scope added it;
        - if a remaining use still goes through moved code (one `dotted_use` had to
          leave, e.g. because its root is also bound by something else), the old import
          is kept as is and `import x.y` (aliased if `x` is taken, see below) is added
          after it, with warning MIG904: the old path keeps working through its facade
          and a person decides.

        A rewrite that would bind a new root name already bound to something else in
        that scope (`import orchestration.config_loader` → `import config.loader` next
        to a module-level `config = ...`) imports the module under an alias instead:
        `import config.loader as config_loader`, named like `dotted_use` names its
        aliases (derived from the dotted name, free in the whole file). When the scope
        already has an `import x.y as ...` (`dotted_use` adds one for the uses it
        re-spelled through an alias), that one serves: the statement then only keeps
        what remaining uses of the old root need (`import orchestration`, once per
        scope: a name of `import a.b, a.c` that would repeat it is left out), or, if
        none do, repeats that import. An aliased import binds no root name, so uses that
        stay spelled from the old root always get their `import a` (even when `x.y`
        lies below `a`).
        Importing a symbol path with `import` is not possible, so symbol moves are
        ignored here. Duplicate imports that may result (the file already imported
        `x.y`) are left: they are harmless and removing statements is not this rule's
        business.
    """

    name = "import_module"
    description = "Rewrite `import old.mod [as m]` statements to the module's new path."
    #: Its `import` statements; chains too, since they decide whether an old import stays.
    TRIGGERS = frozenset({Trigger.IMPORT, Trigger.CHAIN})

    EXAMPLES = (
        Example(
            id="plain import of a moved module",
            before="import orchestration.fingerprints\n",
            after="import fingerprints.compute\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="aliased submodule import keeps its alias",
            before=(
                "import orchestration.fingerprints as fp\n"
                "\n"
                "fp.compute_spec_fp(spec)\n"
            ),
            after=(
                "import fingerprints.compute as fp\n"
                "\n"
                "fp.compute_spec_fp(spec)\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="multi-name import rewrites only the moved name, in place",
            before="import os, orchestration.fingerprints as fp, sys  # keep\n",
            after="import os, fingerprints.compute as fp, sys  # keep\n",
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="module inside a moved package",
            before="import orchestration.jobs.selection.scoring\n",
            after="import selection.scoring\n",
            moves={
                "orchestration.jobs.selection": "selection",
                "orchestration.jobs.selection.scoring": "selection.scoring",
            },
        ),
        Example(
            id="lazy import inside a function",
            before=(
                "def best(runs):\n"
                "    import orchestration.jobs.selection as sel\n"
                "    return sel.best(runs)\n"
            ),
            after=(
                "def best(runs):\n"
                "    import selection as sel\n"
                "    return sel.best(runs)\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="try/except ImportError fallback",
            before=(
                "try:\n"
                "    import orchestration.fingerprints as fp\n"
                "except ImportError:  # optional dependency\n"
                "    fp = None\n"
            ),
            after=(
                "try:\n"
                "    import fingerprints.compute as fp\n"
                "except ImportError:  # optional dependency\n"
                "    fp = None\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="old root still used keeps its binding with an extra import",
            before=(
                "import orchestration.fingerprints  # fingerprints\n"
                "\n"
                "print(orchestration.__version__)\n"
            ),
            after=(
                "import fingerprints.compute  # fingerprints\n"
                "import orchestration\n"
                "\n"
                "print(orchestration.__version__)\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="old root still used through an unmoved subpackage keeps that subpackage",
            before=(
                "import orchestration.jobs.selection\n"
                "\n"
                "orchestration.jobs.tracking.start()\n"
            ),
            after=(
                "import orchestration.selection\n"
                "import orchestration.jobs\n"
                "\n"
                "orchestration.jobs.tracking.start()\n"
            ),
            moves={"orchestration.jobs.selection": "orchestration.selection"},
        ),
        Example(
            id="old root kept bound by the new import itself",
            before=(
                "import orchestration.jobs.selection\n"
                "\n"
                "print(orchestration.__version__)\n"
            ),
            after=(
                "import orchestration.selection\n"
                "\n"
                "print(orchestration.__version__)\n"
            ),
            moves={"orchestration.jobs.selection": "orchestration.selection"},
        ),
        Example(
            id="new root name taken in the scope: the import gets a free alias",
            before=(
                "import orchestration.config_loader  # registers the loaders\n"
                "\n"
                "config = read_settings()\n"
            ),
            after=(
                "import config.loader as config_loader  # registers the loaders\n"
                "\n"
                "config = read_settings()\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="new root name taken and old root still used: aliased import plus the old root",
            before=(
                "import orchestration.config_loader\n"
                "\n"
                "config = read_settings()\n"
                "print(orchestration.__version__)\n"
            ),
            after=(
                "import config.loader as config_loader\n"
                "import orchestration\n"
                "\n"
                "config = read_settings()\n"
                "print(orchestration.__version__)\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="new root name taken and the scope imports the new module under an alias already",
            before=(
                "import orchestration.config_loader\n"
                "import config.loader as loader\n"
                "\n"
                "config = loader.read_settings()\n"
                "print(orchestration.__version__)\n"
            ),
            after=(
                "import orchestration\n"
                "import config.loader as loader\n"
                "\n"
                "config = loader.read_settings()\n"
                "print(orchestration.__version__)\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
    )

    UNCHANGED = (
        Example(
            id="a file kept on facades keeps its old imports",
            before="import orchestration.fingerprints as fp\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            keep_on_facades=True,
        ),
        Example(
            id="import of a module that did not move",
            before="import orchestration.jobs.tracking\n",
            after=None,
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="import of the unmoved parent package",
            before="import orchestration\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="module whose name only starts like a moved one",
            before="import orchestration.fingerprints_v2\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
    )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        if ctx.keep_on_facades:
            return RuleResult(module)  # its imports stay on the old paths, served by facades
        statements = _moved_imports(module, moves) if moves else []
        if not statements:
            return RuleResult(module)
        wrapper = wrap(module)
        planner = _StatementPlanner(wrapper, ctx, moves)
        replacements: dict[cst.BaseSmallStatement, list[NewStatement]] = {}
        edits: list[Edit] = []
        diagnostics: list[Diagnostic] = []
        for statement in statements:
            plan = planner.plan(statement)
            diagnostics.extend(plan.diagnostics)
            if plan.changed:
                replacements[statement] = plan.replacement
                edits.append(plan.edit)
        if not replacements:
            return RuleResult(module, (), tuple(diagnostics))
        new_module = module.visit(StatementSplicer(replacements))
        return RuleResult(new_module, tuple(edits), tuple(diagnostics))


@dataclass
class _StatementPlan:
    """The new form of one `import` statement: itself renamed, then added imports."""

    original: cst.Import
    line: int
    col: int
    aliases: list[cst.ImportAlias] = field(default_factory=list)
    #: Names left out, as they would have read: another import binds the same already.
    dropped: list[cst.ImportAlias] = field(default_factory=list)
    #: `(module, alias)` of the imports added after the statement (`alias` None: plain).
    added: list[tuple[str, str | None]] = field(default_factory=list)
    renamed: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.renamed or bool(self.added)

    @property
    def statement(self) -> cst.Import:
        if not self.renamed:
            return self.original
        *init, last = self.aliases
        return self.original.with_changes(names=[*init, last.with_changes(comma=cst.MaybeSentinel.DEFAULT)])

    @property
    def replacement(self) -> list[NewStatement]:
        added = [NewStatement(import_statement(module, alias)) for module, alias in self.added]
        return [NewStatement(self.statement), *added]

    @property
    def edit(self) -> Edit:
        added = (describe(import_statement(module, alias)) for module, alias in self.added)
        new = "; ".join([describe(self.statement), *added])
        return Edit(RefKind.IMPORT, self.line, describe(self.original), new, self.col)


class _StatementPlanner:
    def __init__(self, wrapper: MetadataWrapper, ctx: FileContext, moves: MoveSet):
        self.wrapper = wrapper
        self.ctx = ctx
        self.moves = moves
        self.positions = wrapper.resolve(PositionProvider)
        self._uses: UsePlan | None = None
        self._kept_alive: set[tuple[Scope, str]] = set()
        self._aliases: dict[str, str] = {}
        self._taken: set[str] | None = None

    def scope_of(self, statement: cst.Import) -> Scope:
        """Scope analysis runs only for plain `import a.b` statements, which need it."""
        scope = self.wrapper.resolve(ScopeProvider)[statement]
        assert scope is not None
        return scope

    @property
    def uses(self) -> UsePlan:
        if self._uses is None:
            self._uses = plan_chains(self.wrapper, self.ctx, self.moves)
        return self._uses

    def plan(self, statement: cst.Import) -> _StatementPlan:
        start = self.positions[statement].start
        plan = _StatementPlan(statement, start.line, start.column + 1)
        for alias in statement.names:
            old = dotted_name(alias.name) or ""
            new = module_target(self.moves, old)
            if new is None:
                plan.aliases.append(alias)
            elif alias.asname is not None:
                plan.aliases.append(alias.with_changes(name=dotted_node(new)))
                plan.renamed = True
            else:
                self._plan_root_binding(plan, alias, old, new, self.scope_of(statement))
        if not plan.aliases:  # every name was dropped: the statement stays, as the first
            plan.aliases.append(plan.dropped[0])
        return plan

    def _plan_root_binding(
        self, plan: _StatementPlan, alias: cst.ImportAlias, old: str, new: str, scope: Scope
    ) -> None:
        """`import old` (binds the root of `old`) becomes `import new`, keeping uses valid."""
        clash = visible_clash(scope, new.split(".")[0]) is not None
        keep = self._still_needed(alias, old, scope)
        if keep is not None and module_target(self.moves, keep.module) is not None:
            plan.aliases.append(alias)
            if not clash:
                plan.added.append((new, None))
            elif aliased_import(scope, new) is None:
                plan.added.append((new, self._alias(new)))
            added = plan.added[-1] if plan.added else None
            message = _kept_message(old, added, keep.chain_text, keep.line)
            plan.diagnostics.append(self._warning("MIG904", plan.line, message))
            return
        if clash:
            self._plan_aliased(plan, alias, new, scope, keep)
            return
        plan.aliases.append(alias.with_changes(name=dotted_node(new)))
        plan.renamed = True
        if keep is None or new == keep.module or new.startswith(keep.module + "."):
            return
        self._keep_alive(plan, scope, keep.module)

    def _plan_aliased(
        self, plan: _StatementPlan, alias: cst.ImportAlias, new: str, scope: Scope, keep: _Keep | None
    ) -> None:
        """The new root name is bound to something else here: import `new` under an alias.

        An `import new as x` of the same scope (`dotted_use` adds one after the statement
        for the uses it re-spelled) is reused; then the statement itself is left with
        keeping the old root bound, when uses still need it.
        """
        existing = aliased_import(scope, new)
        if keep is not None and existing is not None:
            kept = alias.with_changes(name=dotted_node(keep.module))
            plan.renamed = True
            if (scope, keep.module) in self._kept_alive:
                plan.dropped.append(kept)
            else:
                plan.aliases.append(kept)
                self._kept_alive.add((scope, keep.module))
            return
        asname = cst.AsName(name=cst.Name(existing or self._alias(new)))
        plan.aliases.append(alias.with_changes(name=dotted_node(new), asname=asname))
        plan.renamed = True
        if keep is not None:
            self._keep_alive(plan, scope, keep.module)

    def _keep_alive(self, plan: _StatementPlan, scope: Scope, module: str) -> None:
        """Add `import module` after the statement, unless an earlier one of `scope` did."""
        if (scope, module) not in self._kept_alive:
            self._kept_alive.add((scope, module))
            plan.added.append((module, None))

    def _alias(self, module: str) -> str:
        """The alias `module` is imported under in this file (see `free_alias`)."""
        if module not in self._aliases:
            if self._taken is None:
                self._taken = names_in_use(set(self.wrapper.resolve(ScopeProvider).values()))
            self._aliases[module] = free_alias(module, self._taken)
        return self._aliases[module]

    def _still_needed(self, alias: cst.ImportAlias, old: str, scope: Scope) -> _Keep | None:
        """The deepest part of `old` that uses left spelled from its root still need.

        None when no such use exists or another import in the same scope keeps the
        root name bound.
        """
        root = old.split(".")[0]
        own = _own_assignment(scope, root, alias)
        if own is None:
            return None
        remaining = self.uses.remaining(own)
        if not remaining or self._root_kept_elsewhere(own, root):
            return None
        old_parts = old.split(".")
        deepest: _Keep | None = None
        for chain in remaining:
            parts = (dotted_name(chain[-1]) or "").split(".")
            common = _common_prefix(parts, old_parts)
            if deepest is None or len(common) > len(deepest.module.split(".")):
                deepest = _Keep(
                    ".".join(common), dotted_name(chain[-1]) or "", self.positions[chain[0]].start.line
                )
        return deepest

    def _root_kept_elsewhere(self, own: ImportAssignment, root: str) -> bool:
        """True when another plain import in `own`'s scope still binds `root` afterwards."""
        return binds_root_after(own.scope.assignments[root], root, self.moves, skip=own)

    def _warning(self, code: str, line: int, message: str) -> Diagnostic:
        return Diagnostic(Severity.WARNING, code, message, path=self.ctx.path, line=line)


@dataclass(frozen=True)
class _Keep:
    """A module that must stay imported for uses like `chain_text` (first at `line`)."""

    module: str
    chain_text: str
    line: int


def _moved_imports(module: cst.Module, moves: MoveSet) -> list[cst.Import]:
    """Every `import` statement of `module` naming at least one moved module."""
    return [
        statement
        for statement in import_statements(module).found
        if isinstance(statement, cst.Import)
        and any(module_target(moves, dotted_name(a.name) or "") for a in statement.names)
    ]


def _own_assignment(scope: Scope, root: str, alias: cst.ImportAlias) -> ImportAssignment | None:
    for assignment in scope[root]:
        if isinstance(assignment, ImportAssignment) and assignment.as_name is alias.name:
            return assignment
    return None


def _common_prefix(a: list[str], b: list[str]) -> list[str]:
    common: list[str] = []
    for x, y in zip(a, b):
        if x != y:
            break
        common.append(x)
    return common


def _kept_message(old: str, added: tuple[str, str | None] | None, use: str, line: int) -> str:
    also = f" and added `{describe(import_statement(*added))}`" if added is not None else ""
    return (
        f"kept `import {old}`{also}: `{use}` (line {line}) still uses the "
        f"old path; rewrite it by hand, then drop `import {old}`"
    )

