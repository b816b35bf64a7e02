"""dotted_use: re-spell attribute chains (`old.mod.f()`) that reach moved code."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ImportAssignment, PositionProvider

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from migrator.model.triggers import Trigger
from rules._chains import ChainUse, Outcome, UsePlan, binding_meaning, plan_chains
from rules._imports import (
    NewStatement,
    StatementSplicer,
    alias_of,
    describe,
    dotted_name,
    dotted_node,
    import_statement,
    import_statements,
    longest_move,
    module_target,
    plain_import_alias,
    wrap,
)
from rules.base import Example, Rule, RuleResult


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
    #: Chains start at a name an `import` binds, or go through a package above moved code.
    TRIGGERS = frozenset({Trigger.IMPORT, Trigger.CHAIN})

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
        plan = plan_chains(wrapper, ctx, moves)
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
            meaning = binding_meaning(statement, alias, ctx, moves)
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
    # Whether an import must keep binding its root depends on the binding, not on the
    # use: decided once per binding (each check reads every chain or use of the file).
    keeps_root: dict[ImportAssignment, bool] = {}
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
            assignment = binding.assignment
            if assignment not in keeps_root:
                # a string annotation that reads the root keeps it bound too
                keeps_root[assignment] = bool(
                    plan.remaining(assignment) or plan.relies_on_rewrite(assignment) or _read_from_strings(assignment, alias)
                )
            if keeps_root[assignment]:
                continue
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
