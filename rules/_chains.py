"""The plan of every attribute chain rooted at an imported name: which reach moved code
and how each is re-spelled.

`dotted_use` rewrites the chains by this plan; `import_module` reads the same plan to
tell which uses of an old root name are left once they are rewritten (and so whether an
old import must stay). The plan lives here so that neither rule imports the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import libcst as cst
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from migrator.model.plan import FileContext, MoveSet
from migrator.model.names import absolute_module, is_within
from rules._imports import (
    MoveMatch,
    alias_of,
    attribute_chain,
    attribute_parents,
    dotted_name,
    free_alias,
    from_import_target,
    longest_move,
    module_target,
    names_in_use,
    binds_root_after,
    plain_import_alias,
    visible_clash,
)

Chain = tuple[cst.Name | cst.Attribute, ...]


class Outcome(Enum):
    REWRITE = "rewrite"
    REFUSED = "refused"



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
    binding statement after which `import <needs_import>` must be added — or `import
    <needs_import> as <alias>` when `alias` is set: `new` then starts with `alias`.
    """

    chain: Chain
    bindings: tuple[Binding, ...]
    outcome: Outcome
    replace: cst.Name | cst.Attribute
    new: str
    needs_import: str | None = None
    insert_after: cst.Import | cst.ImportFrom | None = None
    reason: str = ""
    alias: str | None = None

    @property
    def aliased(self) -> bool:
        """Spelled through `import <needs_import> as <alias>` (the new root name clashes)."""
        return self.alias is not None

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

    def relies_on_rewrite(self, assignment: ImportAssignment) -> bool:
        """True when a chain rewritten without alias may rely on `assignment`'s import.

        Such a chain is spelled from the new root and needs the `import` that binds
        `assignment` to become `import <new>`; chains that bring their own import, or
        that go through an alias, do not.
        """
        return any(
            use.outcome is Outcome.REWRITE
            and not use.aliased
            and use.insert_after is None
            and any(b.assignment is assignment for b in use.bindings)
            for use in self.uses
        )


def plan_chains(wrapper: MetadataWrapper, ctx: FileContext, moves: MoveSet) -> UsePlan:
    """Plan every chain of `wrapper.module` rooted at an imported name."""
    return _Planner(wrapper, ctx, moves).plan_all()


class _Planner:
    def __init__(self, wrapper: MetadataWrapper, ctx: FileContext, moves: MoveSet):
        self.ctx = ctx
        self.moves = moves
        metadata = wrapper.resolve_many([ScopeProvider, PositionProvider])
        self.scopes = metadata[ScopeProvider]
        self.positions = metadata[PositionProvider]
        self.module = wrapper.module
        self.attribute_of = attribute_parents(wrapper.module)
        self._bindings: dict[BaseAssignment, Binding | None] = {}
        self._loaders: list[tuple[cst.Import | cst.ImportFrom, frozenset[str]]] | None = None

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
        return UsePlan(self._named(uses), {a: tuple(c) for a, c in chains.items()})

    def _named(self, uses: list[ChainUse]) -> tuple[ChainUse, ...]:
        """Aliased uses with their alias: one per module, first come first named.

        An alias is free in the whole file (no name bound or read anywhere), so it can be
        bound where the old root is bound and read from any scope; computed only when a
        file needs one.
        """
        if not any(use.aliased for use in uses):
            return tuple(uses)
        taken = names_in_use(set(self.scopes.values()))
        aliases: dict[str, str] = {}
        named: list[ChainUse] = []
        for use in uses:
            if use.aliased:
                module = use.needs_import or ""
                alias = aliases.get(module) or aliases.setdefault(module, free_alias(module, taken))
                use = dataclasses.replace(use, alias=alias, new=alias + use.new[len(module):])
            named.append(use)
        return tuple(named)

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
        if visible_clash(scope, new_root) is not None:
            return self._aliased(chain, bindings, replace, match.new, needed)
        use = ChainUse(chain, bindings, Outcome.REWRITE, replace, match.new, needed)
        if self._loaded(needed, scope, bindings):
            return use
        statements = {b.statement for b in bindings}
        if len(statements) > 1:
            loader = self._module_level_loader(needed)
            if loader is None:
                last = self._last_plain_root_import(bindings, match)
                if last is None:
                    reason = f"its root is bound by several imports; add `import {needed}`"
                    return self._refuse(chain, bindings, reason)
                return ChainUse(chain, bindings, Outcome.REWRITE, replace, match.new, needed, insert_after=last)
            if self._root_bound(new_root, scope):
                return use
            return ChainUse(chain, bindings, Outcome.REWRITE, replace, match.new, needed, insert_after=loader)
        binding = bindings[0]
        if visible_clash(binding.assignment.scope, new_root) is not None:
            return self._aliased(chain, bindings, replace, match.new, needed)
        return ChainUse(
            chain, bindings, Outcome.REWRITE, replace, match.new, needed, insert_after=binding.statement
        )

    def _last_plain_root_import(self, bindings: tuple[Binding, ...], match: MoveMatch) -> cst.Import | None:
        """Where `import <new module>` can go so that the chain is certain to resolve, as
        it was before: the last of the statements binding the root, when every one of
        them is a plain module-level `import root[.x]` (no `as`: all bind the same
        package object, so the added import binds nothing else) and one of them loads
        the old module (the old chain was certain to resolve at module level; a module
        the file loads only under `try`, or in a function, may be optional: then the
        rule warns instead). None otherwise."""
        old_module = match.old.rpartition(".")[0] if match.is_symbol else match.old
        loads_old = False
        statements = []
        for binding in bindings:
            alias = plain_import_alias(binding.assignment)
            if alias is None or alias.asname is not None or not isinstance(binding.assignment.scope, GlobalScope):
                return None
            if not isinstance(binding.statement, cst.Import) or binding.statement not in self._module_level_statements:
                return None
            imported = dotted_name(alias.name) or ""
            loads_old = loads_old or is_within(imported, old_module)
            statements.append(binding.statement)
        return max(statements, key=self._position) if statements and loads_old else None

    @property
    def _module_level_statements(self) -> set[cst.CSTNode]:
        cached = getattr(self, "_top_statements", None)
        if cached is None:
            cached = set()
            for line in self.module.body:
                if isinstance(line, cst.SimpleStatementLine):
                    cached.update(line.body)
            self._top_statements = cached
        return cached

    def _aliased(
        self, chain: Chain, bindings: tuple[Binding, ...], replace: cst.Name | cst.Attribute, new: str, needed: str
    ) -> ChainUse:
        """A rewrite through `import <needed> as <alias>`: the new root name clashes here.

        The aliased import goes right after the statement binding the root that already
        loads `needed` once rewritten (else the only one); `_named` picks the alias.
        """
        home = self._alias_home(bindings, needed) or self._module_level_loader(needed)
        if home is None:
            reason = f"its root is bound by several imports; add `import {needed} as ...`"
            return self._refuse(chain, bindings, reason)
        return ChainUse(chain, bindings, Outcome.REWRITE, replace, new, needed, insert_after=home, alias="")

    def _alias_home(self, bindings: tuple[Binding, ...], needed: str) -> cst.Import | cst.ImportFrom | None:
        statements = sorted({b.statement for b in bindings}, key=self._position)
        for statement in statements:
            for binding in bindings:
                alias = plain_import_alias(binding.assignment)
                if binding.statement is not statement or alias is None:
                    continue
                old = dotted_name(alias.name) or ""
                new = module_target(self.moves, old) or old
                if is_within(new, needed):
                    return statement
        return statements[0] if len(statements) == 1 else None

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
            if is_within(new, module):
                return True
        return False

    def _root_bound(self, root: str, scope: Scope) -> bool:
        """True when a plain `import` visible here binds `root` once the import rules ran."""
        return binds_root_after(scope[root], root, self.moves)

    def _module_level_loader(self, module: str) -> cst.Import | cst.ImportFrom | None:
        """The first statement of the module body that loads `module` once the rules ran.

        Only statements directly in the module body count (not under `if`, `try` or a
        function): they run whenever the file is imported, so `module` is certainly
        loaded, and set as an attribute of its parent package, by the time any function
        of the file runs. `from a.b import name` loads `a.b`; `from a import b` loads
        `a.b` when that is a module.
        """
        if self._loaders is None:
            self._loaders = [
                (statement, _loads(statement, self.ctx, self.moves))
                for line in self.module.body
                if isinstance(line, cst.SimpleStatementLine)
                for statement in line.body
                if isinstance(statement, (cst.Import, cst.ImportFrom))
            ]
        for statement, loaded in self._loaders:
            if any(name == module or name.startswith(module + ".") for name in loaded):
                return statement
        return None

    def _chain(self, root: cst.Name) -> Chain:
        return tuple(attribute_chain(root, self.attribute_of))  # type: ignore[arg-type]

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
        meaning = binding_meaning(statement, alias, self.ctx, self.moves)
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


def binding_meaning(
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


def _loads(statement: cst.Import | cst.ImportFrom, ctx: FileContext, moves: MoveSet) -> frozenset[str]:
    """The deepest modules `statement` imports once the import rules rewrote it.

    (Their parent packages are loaded too.) A relative import that cannot be resolved
    loads nothing known.
    """
    if isinstance(statement, cst.Import):
        olds = [dotted_name(alias.name) or "" for alias in statement.names]
        return frozenset(module_target(moves, old) or old for old in olds)
    base = _from_base(statement, ctx)
    if base is None:
        return frozenset()
    if isinstance(statement.names, cst.ImportStar):
        return frozenset({module_target(moves, base) or base})
    loaded: set[str] = set()
    for alias in statement.names:
        full = f"{base}.{cst.ensure_type(alias.name, cst.Name).value}"
        new = from_import_target(moves, base, full.rpartition(".")[2]) or full
        loaded.add(new if moves.is_module(full) else new.rpartition(".")[0])
    return frozenset(loaded)


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
    return absolute_module(module, level=len(statement.relative), package=ctx.package)
