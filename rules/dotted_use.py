"""dotted_use: re-spell attribute chains (`old.mod.f()`) that reach moved code."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import libcst as cst
from libcst.metadata import (
    Assignment,
    GlobalScope,
    BaseAssignment,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from rules._imports import (
    MoveMatch,
    NewStatement,
    StatementSplicer,
    absolute_module,
    alias_of,
    attribute_chain,
    attribute_parents,
    describe,
    dotted_name,
    dotted_node,
    free_alias,
    from_import_target,
    import_statement,
    import_statements,
    longest_move,
    module_target,
    names_in_use,
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
        an import standing for the same thing; when the root is also bound by something
        else (`a = None` in an `except ImportError`) the rule warns (MIG902) and leaves the
        chain. When the rewritten chain needs a module that no import of the file loads
        once the import rules ran (`import a` + `a.b.f()` with `a.b` moved), it adds
        `import x.y` right after the statement that binds the root. When several import
        statements bind the root (`import pkg.utils`, `import pkg._impl`), there is no one
        place for that import: the chain is re-spelled only when a statement directly in
        the module body loads `x.y` once rewritten (`from pkg._compat import WIN` with
        `pkg._compat` moved, any import of it or of a name from it), since then the module
        is certainly loaded and set on its parent; `import x.y` is added after that
        statement unless an import visible at the use already binds `x`. Otherwise
        (the module loaded only in a function, under `if`/`try`, or not at all) the rule
        warns (MIG902) and leaves the chain. This rule runs before `import_module`, which
        uses `plan_dotted_uses` to know which uses of an old root remain.

        New root name taken (decision). Where the new root name `x` is bound to something
        else (a local `metadata` variable vs. a new `metadata` package), `x.y.f()` would
        read that other thing. Such a chain goes through an alias instead: `x_y.f()`
        with `import x.y as x_y`. The alias is derived from the dotted name (`x_y`, then
        `x_y_module`, `x_y_module_2`, ...), one per module and file, and is free in the
        whole file: no scope binds or reads it, so it can be bound where the old root is
        bound and read from any scope below. The aliased import goes right after the
        statement binding the old root (the one that loads `x.y` once rewritten, if
        several do). To keep the file minimal, when every use of an `import a.b` goes
        through the alias and nothing else needs its root, the statement itself becomes
        `import x.y as x_y` (no old import left behind, no unused `import x.y`);
        otherwise `import_module` rewrites it as usual (`import x.y` for the uses that
        do not clash) and the aliased import is added after it. Uses that do not clash
        keep the plain spelling `x.y.f()`: only the clashing scopes read the alias.
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
        Example(
            id="new root name taken by a local: the use reads an alias, which replaces the import",
            before=(
                "import orchestration.metadata_manager\n"
                "\n"
                "\n"
                "def test_orchestrator_records_metadata(tmp_path):\n"
                "    metadata = orchestration.metadata_manager.MetadataManager(tmp_path / \"meta\")\n"
                "    assert metadata.list_stage(\"benchmarking\") == []\n"
            ),
            after=(
                "import metadata.training as metadata_training\n"
                "\n"
                "\n"
                "def test_orchestrator_records_metadata(tmp_path):\n"
                "    metadata = metadata_training.MetadataManager(tmp_path / \"meta\")\n"
                "    assert metadata.list_stage(\"benchmarking\") == []\n"
            ),
            moves={"orchestration.metadata_manager": "metadata.training"},
        ),
        Example(
            id="new root name taken in one function only: that use reads an alias imported next to the import",
            before=(
                "import orchestration.config_loader\n"
                "\n"
                "\n"
                "def load(path):\n"
                "    config = orchestration.config_loader.load_experiment_config(path)\n"
                "    return config\n"
                "\n"
                "\n"
                "def config_dir():\n"
                "    return orchestration.config_loader.CONFIG_DIR\n"
            ),
            after=(
                "import orchestration.config_loader\n"
                "import config.loader as config_loader\n"
                "\n"
                "\n"
                "def load(path):\n"
                "    config = config_loader.load_experiment_config(path)\n"
                "    return config\n"
                "\n"
                "\n"
                "def config_dir():\n"
                "    return config.loader.CONFIG_DIR\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="alias avoids every name bound or read anywhere in the file",
            before=(
                "import os, orchestration.config_loader  # loaders\n"
                "\n"
                "config = {}\n"
                "config_loader = orchestration.config_loader.load\n"
                "print(config_loader_module)\n"
                "\n"
                "\n"
                "def reload():\n"
                "    return orchestration.config_loader.load(config)\n"
            ),
            after=(
                "import os, config.loader as config_loader_module_2  # loaders\n"
                "\n"
                "config = {}\n"
                "config_loader = config_loader_module_2.load\n"
                "print(config_loader_module)\n"
                "\n"
                "\n"
                "def reload():\n"
                "    return config_loader_module_2.load(config)\n"
            ),
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="chain through a moved submodule whose new root is from-imported gets an aliased import",
            before=(
                "import orchestration\n"
                "from tools import selection\n"
                "\n"
                "best = orchestration.jobs.selection.best(selection.runs())\n"
            ),
            after=(
                "import orchestration\n"
                "import selection as selection_module\n"
                "from tools import selection\n"
                "\n"
                "best = selection_module.best(selection.runs())\n"
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="root bound by several plain imports, one loading the old module: the new one imported after the last",
            before=(
                "import pkg\n"
                "import pkg.utils\n"
                "\n"
                "\n"
                "def test_short_help():\n"
                "    assert pkg.utils.short_help(\"a. b\") == \"a\"\n"
            ),
            after=(
                "import pkg\n"
                "import pkg.utils\n"
                "import pkg.formatting\n"
                "\n"
                "\n"
                "def test_short_help():\n"
                "    assert pkg.formatting.short_help(\"a. b\") == \"a\"\n"
            ),
            symbols={"pkg.utils.short_help": "pkg.formatting.short_help"},
            known_modules=("pkg", "pkg.utils"),
        ),
        Example(
            id="root bound by several imports, the new module from-imported at module level: re-spelled in place",
            before=(
                "import pkg.utils\n"
                "import pkg._impl\n"
                "from pkg._compat import WIN\n"
                "\n"
                "\n"
                "def test_tty(monkeypatch):\n"
                "    monkeypatch.setattr(pkg._compat, \"isatty\", lambda stream: True)\n"
            ),
            after=(
                "import pkg.utils\n"
                "import pkg._impl\n"
                "from pkg._compat import WIN\n"
                "\n"
                "\n"
                "def test_tty(monkeypatch):\n"
                "    monkeypatch.setattr(pkg.sub._compat, \"isatty\", lambda stream: True)\n"
            ),
            moves={"pkg._compat": "pkg.sub._compat"},
            known_modules=("pkg.utils", "pkg._impl"),
        ),
        Example(
            id="root bound by several imports, the new root unbound: imported after the from-import that loads it",
            before=(
                "import pkg.utils\n"
                "import pkg._impl\n"
                "from pkg._compat import WIN\n"
                "\n"
                "\n"
                "def test_tty(monkeypatch):\n"
                "    monkeypatch.setattr(pkg._compat, \"isatty\", lambda stream: True)\n"
            ),
            after=(
                "import pkg.utils\n"
                "import pkg._impl\n"
                "from pkg._compat import WIN\n"
                "import compat\n"
                "\n"
                "\n"
                "def test_tty(monkeypatch):\n"
                "    monkeypatch.setattr(compat, \"isatty\", lambda stream: True)\n"
            ),
            moves={"pkg._compat": "compat"},
            known_modules=("pkg.utils", "pkg._impl"),
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
        plan = plan_dotted_uses(wrapper, ctx, moves)
        positions = wrapper.resolve(PositionProvider)
        absorbed = _absorbed(plan, moves)
        replacements: dict[cst.CSTNode, cst.BaseExpression] = {}
        inserts: dict[cst.BaseSmallStatement, list[NewStatement]] = {}
        edits: list[Edit] = []
        diagnostics: list[Diagnostic] = []
        for statement, renamed in absorbed.items():
            inserts[statement] = [NewStatement(renamed)]
            at = positions[statement].start
            edits.append(Edit(RefKind.IMPORT, at.line, describe(statement), describe(renamed), at.column + 1))
        for use in plan.uses:
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
            binding = (use.needs_import, use.alias)
            if all(binding not in _imported(item) for item in added):
                new = import_statement(*binding)
                added.append(NewStatement(new))
                at = positions[use.insert_after].start
                edits.append(Edit(RefKind.IMPORT, at.line, "", describe(new), at.column + 1))
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
            loads_old = loads_old or imported == old_module or imported.startswith(old_module + ".")
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
                if new == needed or new.startswith(needed + "."):
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
            if new == module or new.startswith(module + "."):
                return True
        return False

    def _root_bound(self, root: str, scope: Scope) -> bool:
        """True when a plain `import` visible here binds `root` once the import rules ran."""
        for assignment in scope[root]:
            alias = plain_import_alias(assignment)
            if alias is None:
                continue
            old = dotted_name(alias.name) or ""
            new = module_target(self.moves, old) or old
            if new.split(".")[0] == root:
                return True
        return False

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


def _absorbed(plan: UsePlan, moves: MoveSet) -> dict[cst.Import, cst.Import]:
    """Plain imports that turn into the aliased import in place, with their new form.

    `import a.b` (moving to `x.y`) becomes `import x.y as x_y` when every use of the root
    it binds is re-spelled through that alias: no other use needs the root name (not
    even a string annotation), nor the plain `import x.y` that `import_module` would
    make of it. Other names of the same statement stay as they are.
    """
    renames: dict[cst.Import, dict[cst.ImportAlias, tuple[str, str]]] = {}
    for use in plan.uses:
        if use.outcome is not Outcome.REWRITE or not use.aliased or use.needs_import is None:
            continue
        for binding in use.bindings:
            statement = binding.statement
            if statement is not use.insert_after or not isinstance(statement, cst.Import):
                continue
            alias = plain_import_alias(binding.assignment)
            if alias is None or module_target(moves, dotted_name(alias.name) or "") != use.needs_import:
                continue
            if plan.remaining(binding.assignment) or plan.relies_on_rewrite(binding.assignment):
                continue
            if _read_from_strings(binding.assignment, alias):
                continue  # a string annotation reads it: keep the root bound
            renames.setdefault(statement, {})[alias] = (use.needs_import, use.alias or "")
    return {
        statement: statement.with_changes(names=[_renamed(alias, by_alias.get(alias)) for alias in statement.names])
        for statement, by_alias in renames.items()
    }


def _read_from_strings(assignment: ImportAssignment, alias: cst.ImportAlias) -> bool:
    """True when a string annotation reads a name `alias` binds (`"a.b.C"` for `import a.b`).

    libcst binds `a` and `a.b` for `import a.b`; a dotted read resolves to the latter.
    """
    for other in assignment.scope.assignments:
        if isinstance(other, ImportAssignment) and other.node is assignment.node and alias_of(other) is alias:
            if any(not isinstance(access.node, (cst.Name, cst.Attribute)) for access in other.references):
                return True
    return False


def _renamed(alias: cst.ImportAlias, new: tuple[str, str] | None) -> cst.ImportAlias:
    if new is None:
        return alias
    module, asname = new
    return alias.with_changes(name=dotted_node(module), asname=cst.AsName(name=cst.Name(asname)))


def _imported(item: NewStatement) -> set[tuple[str, str | None]]:
    """`(module, alias)` of every name a plain `import` statement binds."""
    statement = item.statement
    if not isinstance(statement, cst.Import):
        return set()
    return {
        (dotted_name(alias.name) or "", dotted_name(alias.asname.name) if alias.asname else None)
        for alias in statement.names
    }


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
