"""dotted_use: re-spell attribute chains (`old.mod.f()`) that reach moved code."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import libcst as cst
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from migrator.model import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from rules._imports import (
    MoveMatch,
    NewStatement,
    StatementSplicer,
    absolute_module,
    alias_of,
    dotted_name,
    dotted_node,
    from_import_target,
    import_statement,
    import_statements,
    longest_move,
    module_target,
    plain_import_alias,
    visible_clash,
    wrap,
)
from rules.base import Example, Rule, RuleResult

Chain = tuple[cst.Name | cst.Attribute, ...]


class Outcome(Enum):
    REWRITE = "rewrite"
    REFUSED = "refused"


class DottedUseRule(Rule):
    """Re-spell attribute chains that reach moved code through an imported name.

    What
        `import a.b` binds the root name `a`; code then reaches the module as `a.b.f()`.
        When `a.b` moves to `x.y`, such a chain becomes `x.y.f()`. The same holds for any
        chain whose root name an import binds and that reaches moved code *deeper* than
        what the name itself stands for: `import a` + `a.b.f()`, `from pkg import jobs` +
        `jobs.selection.pick()`, `import a.b as m` + `m.moved_sub.f()`, and moved symbols
        (`a.mod.Name` with `a.mod.Name` moved to `x.mod.Name`).

    Why
        Import statements are rewritten by `import_module` / `import_from`; a name whose
        binding follows its module (`import a.b as m`, `from a import b`) needs nothing
        more, but a chain spelled from a root that stays (or that disappears) must be
        re-spelled, or it keeps reaching the old path through a facade — or breaks.

    Example
        `import orchestration.fingerprints` + `orchestration.fingerprints.compute_spec_fp()`
        → `fingerprints.compute.compute_spec_fp()` (and `import_module` rewrites the import
        to `import fingerprints.compute`).

    Safety
        Names are resolved with libcst scope analysis, per scope: a chain whose root is a
        parameter, a local variable or a class attribute is not a use of the import and is
        left alone. A chain is rewritten only when every binding its root may refer to is
        an import standing for the same thing. The rule warns and leaves the chain when:
        the root is also bound by something else (`a = None` in an `except ImportError`),
        or the new root name (`x`) is already bound to something else where the chain is
        (a local `config` variable vs. a new `config` package). When the rewritten chain
        needs a module that no import of the file loads once the import rules ran
        (`import a` + `a.b.f()` with `a.b` moved), it adds `import x.y` right after the
        statement that binds the root. This rule runs before `import_module`, which uses
        `plan_dotted_uses` to know which uses of an old root remain.
    """

    name = "dotted_use"
    description = "Re-spell attribute chains (`old.mod.f()`) that reach moved code through an imported name."

    EXAMPLES = (
        Example(
            id="use after import a.b is spelled at the new path (the import is import_module's job)",
            before=(
                "import orchestration.fingerprints\n"
                "\n"
                "fp = orchestration.fingerprints.compute_spec_fp(spec)\n"
            ),
            after=(
                "import orchestration.fingerprints\n"
                "\n"
                "fp = fingerprints.compute.compute_spec_fp(spec)\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="chain through a moved submodule of an imported package gains an import",
            before=(
                "import orchestration\n"
                "\n"
                "\n"
                "def pick(runs):\n"
                "    return orchestration.jobs.selection.best(runs)\n"
            ),
            after=(
                "import orchestration\n"
                "import selection\n"
                "\n"
                "\n"
                "def pick(runs):\n"
                "    return selection.best(runs)\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="chain through a moved submodule of a from-imported package",
            before=(
                "from orchestration import jobs\n"
                "\n"
                "best = jobs.selection.best(runs)\n"
            ),
            after=(
                "from orchestration import jobs\n"
                "import selection\n"
                "\n"
                "best = selection.best(runs)\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
            known_modules=("orchestration.jobs",),
        ),
        Example(
            id="aliased package import reaching a submodule that moved elsewhere",
            before=(
                "import orchestration.jobs as jobs_pkg\n"
                "\n"
                "best = jobs_pkg.selection.best(runs)\n"
                "tracker = jobs_pkg.tracking.start()\n"
            ),
            after=(
                "import orchestration.jobs as jobs_pkg\n"
                "import selection\n"
                "\n"
                "best = selection.best(runs)\n"
                "tracker = jobs_pkg.tracking.start()\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="moved symbol reached through its module",
            before=(
                "import orchestration.constants\n"
                "\n"
                "seed = orchestration.constants.DEFAULT_SEED\n"
            ),
            after=(
                "import orchestration.constants\n"
                "import constants.orchestration\n"
                "\n"
                "seed = constants.orchestration.DEFAULT_SEED\n"
            ),
            symbols={"orchestration.constants.DEFAULT_SEED": "constants.orchestration.DEFAULT_SEED"},
            known_modules=("orchestration.constants",),
        ),
        Example(
            id="moved root package used bare and through attributes",
            before=(
                "import legacy\n"
                "\n"
                "legacy.run()\n"
                "registry = {'impl': legacy}\n"
            ),
            after=(
                "import legacy\n"
                "\n"
                "tools.legacy.run()\n"
                "registry = {'impl': tools.legacy}\n"
            ),
            moves={"legacy": "tools.legacy"},
        ),
    )

    UNCHANGED = (
        Example(
            id="a file kept on facades keeps its old dotted uses",
            before="import orchestration.fingerprints\n\norchestration.fingerprints.compute_spec_fp({})\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
            keep_on_facades=True,
        ),
        Example(
            id="aliased import needs no dotted rewrite (the alias follows the module)",
            before=(
                "import orchestration.fingerprints as fp\n"
                "\n"
                "fp.compute_spec_fp(spec)\n"
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="from-imported moved module needs no dotted rewrite",
            before=(
                "from orchestration import fingerprints\n"
                "\n"
                "fingerprints.compute_spec_fp(spec)\n"
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="parameter shadowing the old root name is not a use of the import",
            before=(
                "import orchestration.fingerprints\n"
                "\n"
                "\n"
                "def describe(orchestration):\n"
                "    return orchestration.fingerprints.compute_spec_fp\n"
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="local variable shadowing the old root name is not a use of the import",
            before=(
                "import orchestration.fingerprints\n"
                "\n"
                "\n"
                "def describe(run):\n"
                "    orchestration = run.parent\n"
                "    return orchestration.fingerprints.latest\n"
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="chain through modules that did not move",
            before=(
                "import orchestration.jobs\n"
                "\n"
                "orchestration.jobs.tracking.start()\n"
            ),
            after=None,
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="attribute of an unrelated object that happens to share the path",
            before="value = self.orchestration.fingerprints.compute_spec_fp\n",
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
    )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        if ctx.keep_on_facades:
            return RuleResult(module)  # its imports stay on the old paths, served by facades
        if not moves or not _may_reach_moved_code(module, ctx, moves):
            return RuleResult(module)
        wrapper = wrap(module)
        uses = plan_dotted_uses(wrapper, ctx, moves).uses
        positions = wrapper.resolve(PositionProvider)
        replacements: dict[cst.CSTNode, cst.BaseExpression] = {}
        inserts: dict[cst.BaseSmallStatement, list[NewStatement]] = {}
        edits: list[Edit] = []
        diagnostics: list[Diagnostic] = []
        for use in uses:
            start = positions[use.replace].start
            if use.outcome is Outcome.REFUSED:
                diagnostics.append(_refusal(use, ctx, start.line))
                continue
            replacements[use.replace] = dotted_node(use.new)
            old = dotted_name(use.replace) or ""
            edits.append(Edit(RefKind.DOTTED_USE, start.line, old, use.new, start.column + 1))
            if use.insert_after is None or use.needs_import is None:
                continue
            added = inserts.setdefault(use.insert_after, [NewStatement(use.insert_after)])
            if all(_imported(item) != use.needs_import for item in added):
                added.append(NewStatement(import_statement(use.needs_import)))
                at = positions[use.insert_after].start
                edits.append(Edit(RefKind.IMPORT, at.line, "", f"import {use.needs_import}", at.column + 1))
        if not replacements:
            return RuleResult(module, (), tuple(diagnostics))
        new_module = module.visit(_ChainRewriter(replacements, inserts))
        return RuleResult(new_module, tuple(edits), tuple(diagnostics))


@dataclass(frozen=True)
class Binding:
    """What a name bound by an import stands for, before and after the import rules.

    `stands_for` is the old dotted name the local name denotes (`a` for `import a.b`,
    `a.b` for `import a.b as m`, `pkg.n` for `from pkg import n`); `after` what it
    denotes once the import rules ran, None when the name is no longer bound (the root
    of a moved `import a.b` where `a` itself moved).
    """

    assignment: ImportAssignment
    statement: cst.Import | cst.ImportFrom
    stands_for: str
    after: str | None
    is_root: bool


@dataclass(frozen=True)
class ChainUse:
    """A chain rooted at an imported name that reaches moved code.

    `chain[i]` spells the first i+1 components (`a`, `a.b`, `a.b.f`). For a rewrite,
    `replace` (one of `chain`) is re-spelled `new`; `insert_after`, when set, is the
    binding statement after which `import <needs_import>` must be added.
    """

    chain: Chain
    bindings: tuple[Binding, ...]
    outcome: Outcome
    replace: cst.Name | cst.Attribute
    new: str
    needs_import: str | None = None
    insert_after: cst.Import | cst.ImportFrom | None = None
    reason: str = ""

    @property
    def text(self) -> str:
        return dotted_name(self.chain[-1]) or ""


@dataclass(frozen=True)
class UsePlan:
    """What this rule will do with the chains of one module.

    `uses` are the chains that reach moved code (rewritten or refused), by position;
    `chains` lists, for each import binding, every chain whose root may refer to it.
    """

    uses: tuple[ChainUse, ...]
    chains: Mapping[ImportAssignment, tuple[Chain, ...]]

    def remaining(self, assignment: ImportAssignment) -> list[Chain]:
        """The chains rooted at `assignment` that stay spelled from its name."""
        rewritten = {use.chain[0] for use in self.uses if use.outcome is Outcome.REWRITE}
        return [chain for chain in self.chains.get(assignment, ()) if chain[0] not in rewritten]


def plan_dotted_uses(wrapper: MetadataWrapper, ctx: FileContext, moves: MoveSet) -> UsePlan:
    """Plan every chain of `wrapper.module` rooted at an imported name."""
    return _Planner(wrapper, ctx, moves).plan_all()


class _Planner:
    def __init__(self, wrapper: MetadataWrapper, ctx: FileContext, moves: MoveSet):
        self.ctx = ctx
        self.moves = moves
        metadata = wrapper.resolve_many([ScopeProvider, PositionProvider])
        self.scopes = metadata[ScopeProvider]
        self.positions = metadata[PositionProvider]
        self.attribute_of = _AttributeParents.of(wrapper.module)
        self._bindings: dict[BaseAssignment, Binding | None] = {}

    def plan_all(self) -> UsePlan:
        uses: list[ChainUse] = []
        chains: dict[ImportAssignment, list[Chain]] = {}
        seen: set[cst.Name] = set()
        for scope in {s for s in self.scopes.values() if s is not None}:
            for access in scope.accesses:
                root = _root_name(access.node)
                if root is None or root in seen:
                    continue
                seen.add(root)
                chain = self._chain(root)
                assignments = access.scope[root.value]
                for assignment in assignments:
                    if isinstance(assignment, ImportAssignment):
                        chains.setdefault(assignment, []).append(chain)
                use = self._plan(chain, assignments, access.scope)
                if use is not None:
                    uses.append(use)
        uses.sort(key=lambda u: self._position(u.chain[0]))
        return UsePlan(tuple(uses), {a: tuple(c) for a, c in chains.items()})

    def _position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.positions[node].start
        return start.line, start.column

    def _plan(self, chain: Chain, assignments: Collection[BaseAssignment], scope: Scope) -> ChainUse | None:
        root = cst.ensure_type(chain[0], cst.Name)
        bindings = [self._cached_binding(a) for a in assignments]
        known = tuple(b for b in bindings if b is not None)
        if not known:
            return None
        meanings = {(b.stands_for, b.after): b for b in known}.values()
        candidates = {_Candidate.of(b, chain, self.moves) for b in meanings}
        rewrites = {c for c in candidates if c.match is not None}
        if not rewrites:
            return None
        if len(candidates) > 1 or len(known) < len(bindings):
            others = [a for a, b in zip(assignments, bindings) if b is None]
            return self._refuse(chain, known, self._ambiguity(root.value, others))
        (candidate,) = rewrites
        return self._rewrite(chain, known, candidate, scope)

    def _rewrite(
        self, chain: Chain, bindings: tuple[Binding, ...], candidate: _Candidate, scope: Scope
    ) -> ChainUse:
        match = cst.ensure_type(candidate.match, MoveMatch)
        if candidate.length < 1:
            return self._refuse(chain, bindings, "it cannot be spelled from its root name")
        replace = chain[candidate.length - 1]
        needed = match.new_module
        new_root = needed.split(".")[0]
        clash = visible_clash(scope, new_root)
        if clash is not None:
            reason = f"`{new_root}` names something else here{self._lines([clash])}"
            return self._refuse(chain, bindings, reason)
        use = ChainUse(chain, bindings, Outcome.REWRITE, replace, match.new, needed)
        if self._loaded(needed, scope, bindings):
            return use
        statements = {b.statement for b in bindings}
        if len(statements) > 1:
            return self._refuse(chain, bindings, f"its root is bound by several imports; add `import {needed}`")
        binding = bindings[0]
        clash = visible_clash(binding.assignment.scope, new_root)
        if clash is not None:
            reason = f"`{new_root}` names something else where `{needed}` would be imported{self._lines([clash])}"
            return self._refuse(chain, bindings, reason)
        return ChainUse(
            chain, bindings, Outcome.REWRITE, replace, match.new, needed, insert_after=binding.statement
        )

    def _refuse(self, chain: Chain, bindings: tuple[Binding, ...], reason: str) -> ChainUse:
        return ChainUse(chain, bindings, Outcome.REFUSED, chain[-1], "", reason=reason)

    def _loaded(self, module: str, scope: Scope, bindings: Iterable[Binding]) -> bool:
        """True when an `import` visible here loads `module` once the import rules ran."""
        root = module.split(".")[0]
        importers = [a for a in scope[root] if plain_import_alias(a) is not None]
        importers.extend(b.assignment for b in bindings if b.is_root)
        for assignment in importers:
            alias = cst.ensure_type(plain_import_alias(assignment), cst.ImportAlias)
            old = dotted_name(alias.name) or ""
            new = module_target(self.moves, old) or old
            if new == module or new.startswith(module + "."):
                return True
        return False

    def _chain(self, root: cst.Name) -> Chain:
        chain: list[cst.Name | cst.Attribute] = [root]
        parent = self.attribute_of.get(root)
        while parent is not None:
            chain.append(parent)
            parent = self.attribute_of.get(parent)
        return tuple(chain)

    def _cached_binding(self, assignment: BaseAssignment) -> Binding | None:
        if assignment not in self._bindings:
            self._bindings[assignment] = self._binding(assignment)
        return self._bindings[assignment]

    def _binding(self, assignment: BaseAssignment) -> Binding | None:
        """The import binding behind `assignment`, None for anything else.

        Relative imports that cannot be resolved (file outside the source roots) count
        as "anything else": what they stand for is unknown.
        """
        if not isinstance(assignment, ImportAssignment):
            return None
        statement = assignment.node
        alias = alias_of(assignment)
        if alias is None or not isinstance(statement, (cst.Import, cst.ImportFrom)):
            return None
        meaning = _meaning(statement, alias, self.ctx, self.moves)
        if meaning is None:
            return None
        return Binding(assignment, statement, *meaning)

    def _ambiguity(self, name: str, others: Collection[BaseAssignment]) -> str:
        if not others:
            return f"`{name}` is bound by imports that stand for different things"
        where = self._lines(others)
        return f"`{name}` is also bound by something other than an import{where}"

    def _lines(self, assignments: Iterable[BaseAssignment]) -> str:
        """` (line 3, 7)` for assignments with a place in this file, else ""."""
        lines = sorted(
            {self.positions[a.node].start.line for a in assignments if isinstance(a, Assignment)}
        )
        return f" (line {', '.join(map(str, lines))})" if lines else ""


@dataclass(frozen=True)
class _Candidate:
    """How a chain would be rewritten under one binding: `match` None means not at all.

    `length` is how many chain components spell the moved prefix (the node to replace
    is `chain[length - 1]`).
    """

    match: MoveMatch | None
    length: int

    @staticmethod
    def of(binding: Binding, chain: Chain, moves: MoveSet) -> _Candidate:
        tail = [cst.ensure_type(node, cst.Attribute).attr.value for node in chain[1:]]
        old = ".".join([binding.stands_for, *tail])
        match = longest_move(moves, old)
        if match is None:
            return _Candidate(None, 0)
        if binding.after is not None and binding.after + old[len(binding.stands_for):] == match.apply(old):
            return _Candidate(None, 0)
        bound_parts = binding.stands_for.count(".") + 1
        return _Candidate(match, match.old.count(".") + 1 - bound_parts + 1)


def _meaning(
    statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias, ctx: FileContext, moves: MoveSet
) -> tuple[str, str | None, bool] | None:
    """`(stands_for, after, is_root)` of the name `alias` binds (see `Binding`).

    None when a relative import cannot be resolved.
    """
    if isinstance(statement, cst.Import):
        full = dotted_name(alias.name) or ""
        if alias.asname is None:
            root = full.split(".")[0]
            return root, (root if module_target(moves, root) is None else None), True
        return full, module_target(moves, full) or full, False
    base = _from_base(statement, ctx)
    if base is None:
        return None
    imported = cst.ensure_type(alias.name, cst.Name).value
    full = f"{base}.{imported}"
    return full, from_import_target(moves, base, imported) or full, False


def _may_reach_moved_code(module: cst.Module, ctx: FileContext, moves: MoveSet) -> bool:
    """Cheap pre-check: can any chain of `module` need a rewrite?

    Only through an imported name: the root of a plain `import a.b` when `a` moved or
    has moved code below it; an aliased or from-imported name when something below it
    moves elsewhere than the name itself goes (`from pkg import jobs` with
    `pkg.jobs.selection` moved). Everything else follows its import statement.
    """
    old_names = list(moves.old_names())
    above = {".".join(parts[:end]) for parts in (n.split(".") for n in old_names) for end in range(1, len(parts))}
    for statement in import_statements(module).found:
        if isinstance(statement.names, cst.ImportStar):
            continue
        for alias in statement.names:
            meaning = _meaning(statement, alias, ctx, moves)
            if meaning is None:
                continue
            stands_for, after, is_root = meaning
            if is_root and (stands_for in above or longest_move(moves, stands_for) is not None):
                return True
            if not is_root and stands_for in above and _diverges_below(stands_for, after, old_names, moves):
                return True
    return False


def _diverges_below(stands_for: str, after: str | None, old_names: list[str], moves: MoveSet) -> bool:
    """True when a moved name below `stands_for` does not go where the name goes."""
    prefix = stands_for + "."
    for old in old_names:
        if old.startswith(prefix) and (after is None or moves.resolve(old) != after + old[len(stands_for):]):
            return True
    return False


class _AttributeParents(cst.CSTVisitor):
    """Maps each expression to the `Attribute` whose `.value` it is (`a` → `a.b`)."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[cst.CSTNode, cst.Attribute] = {}

    @classmethod
    def of(cls, module: cst.Module) -> dict[cst.CSTNode, cst.Attribute]:
        visitor = cls()
        module.visit(visitor)
        return visitor.parents

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.parents[node.value] = node


def _root_name(node: cst.CSTNode) -> cst.Name | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _from_base(statement: cst.ImportFrom, ctx: FileContext) -> str | None:
    """The absolute module of a `from ... import`, None when it cannot be resolved."""
    module = dotted_name(statement.module)
    if not statement.relative:
        return module
    if ctx.package is None:
        return None
    return absolute_module(ctx.package, len(statement.relative), module)


class _ChainRewriter(StatementSplicer):
    def __init__(
        self,
        replacements: dict[cst.CSTNode, cst.BaseExpression],
        inserts: dict[cst.BaseSmallStatement, list[NewStatement]],
    ):
        super().__init__(inserts)
        self.chain_replacements = replacements

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def _replace(
        self, original: cst.Name | cst.Attribute, updated: cst.Name | cst.Attribute
    ) -> cst.BaseExpression:
        new = self.chain_replacements.get(original)
        if new is None:
            return updated
        return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)


def _imported(item: NewStatement) -> str | None:
    statement = item.statement
    if isinstance(statement, cst.Import) and len(statement.names) == 1:
        return dotted_name(statement.names[0].name)
    return None


def _refusal(use: ChainUse, ctx: FileContext, line: int) -> Diagnostic:
    return Diagnostic(
        severity=Severity.WARNING,
        code="MIG902",
        message=(
            f"left `{use.text}` at its old path: {use.reason}; "
            "rewrite it by hand or rename the conflicting name"
        ),
        path=ctx.path,
        line=line,
    )
