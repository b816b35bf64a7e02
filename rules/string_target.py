"""string_target: rewrite string literals that are exactly a dotted path to moved code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import Assignment, MetadataWrapper, PositionProvider, ScopeProvider

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind, Severity
from migrator.model.triggers import Trigger
from rules._imports import MoveMatch, attribute_chain, attribute_parents, longest_move, wrap
from rules.base import Example, Rule, RuleResult


class StringTargetRule(Rule):
    """Rewrite strings whose whole value is a dotted path (or `module:attr`) to moved code.

    What
        A plain string literal (any quotes, `r`/`u` prefixes; not bytes, not f-strings,
        not implicitly concatenated) whose value is `a.b.c` or `a.b:func` (entry-point
        form) and whose longest moved prefix is a moved module or symbol is re-spelled at
        the new path, keeping quotes and prefix: `mock.patch("old.mod.f")`,
        `patch.dict("sys.modules", {"old.mod": fake})`, `importlib.import_module(...)`,
        `sys.modules[...]`, `__import__(...)`, `"old.mod:main"`. For `module:attr`, a
        moved symbol `module.attr` moves the colon with it (`new.mod:attr`).

    Why
        These strings are references the import system and mock resolve at run time;
        a stale one patches a facade instead of the code, or fails late.

    Example
        `mock.patch("orchestration.fingerprints.compute_spec_fp")` →
        `mock.patch("fingerprints.compute.compute_spec_fp")`.

    Safety / decisions
        Only whole values count: `"old.mod failed"` or `"see old.mod"` stay, and only
        real references: a value that goes on below a moved module must go on with a
        name the module has (defined, assigned or imported at its top level, or a
        submodule; `MoveSet.attributes`, from the module's code, once per phase), else it
        only starts with the path (`environ["mypkg.debug.preserve_context"]`,
        `ContextVar("mypkg.debug.console.stream")`) and is left with warning MIG909. A
        module whose names cannot be known (star import, module `__getattr__`) may have
        any attribute; a moved symbol may have any attribute below it. A value
        whose first component is not the first component of any moved name is dismissed
        without further parsing; a value equal to an unmoved prefix (`"orchestration"`
        when only `orchestration.jobs.selection` moved) matches nothing and stays.
        Docstrings and any other string that forms a statement by itself are prose and
        stay. Strings of `__all__` (assigned, augmented or extended) are local names, not
        paths, and stay. A string with escape sequences is left (its source and value
        differ). A one-word string equal to a moved top-level module (`"utils"`) may as
        well be a dict key or a label: it is left with warning MIG905. A `module:attr`
        string whose attribute part would have to become a module is left with MIG906.
        In a file kept on facades (`ctx.keep_on_facades`), only strings that write
        `sys.modules` under an old name stay in play (`patch.dict("sys.modules",
        {...})` keys, `sys.modules[...] = ...`, `del sys.modules[...]`, `.pop(...)`):
        a facade cannot serve those, since code now imports the new name.
        `__import__("a.b")` returns package `a`, and code reads `result.b.f` from it.
        Its string is rewritten when that value is unused (a statement by itself), when
        a non-empty `fromlist` makes it return `a.b`, or when every read of the result
        can follow the move too: with `a.b` → `x.y` the call returns `x`, so a read
        `result.b.f` names `a.b.f`, whose new name `x.y.f` is spelled from the new
        package as `result.y.f` (the new root is dropped: the result *is* that
        package). Reads count when they are attribute chains on the call itself
        (`__import__("a.b").b.f`) or on a name the result is assigned to, which must be
        its only binding in its scope (libcst scope analysis; every reference is then a
        read of that result). Each read must stay on the path the old call loaded (`a`,
        `a.b` or below it) and land on the path the new call loads (`x`, `x.y` or below
        it), else the module it reads may not be loaded. Anything else — the bare result
        (`f(package)`, `package.__name__` of another package), a second assignment, a
        string annotation — leaves the string and its reads as they were, with warning
        MIG908.
    """

    name = "string_target"
    description = "Rewrite string literals that are exactly a dotted path (or `mod:attr`) under a moved name."
    TRIGGERS = frozenset({Trigger.STRING})
    ON_KEPT_FILES = True  # writes to `sys.modules` under an old name

    EXAMPLES = (
        Example(
            id="mock.patch target",
            before='with mock.patch("orchestration.fingerprints.compute_spec_fp") as fake:\n    pass\n',
            after='with mock.patch("fingerprints.compute.compute_spec_fp") as fake:\n    pass\n',
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="importlib.import_module, __import__ and sys.modules keys, any quote style",
            before=(
                "mod = importlib.import_module('orchestration.jobs.selection')\n"
                '__import__("orchestration.jobs.selection.scoring")\n'
                'best = __import__("orchestration.jobs.selection.best", fromlist=["pick"]).pick\n'
                'del sys.modules[r"""orchestration.jobs.selection"""]\n'
            ),
            after=(
                "mod = importlib.import_module('selection')\n"
                '__import__("selection.scoring")\n'
                'best = __import__("selection.best", fromlist=["pick"]).pick\n'
                'del sys.modules[r"""selection"""]\n'
            ),
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="patch.dict of sys.modules rewrites the module key only",
            before='@patch.dict("sys.modules", {"orchestration.drive_backup": fake_drive})\n'
            "def test_backup(): ...\n",
            after='@patch.dict("sys.modules", {"storage.drive": fake_drive})\n'
            "def test_backup(): ...\n",
            moves={"orchestration.drive_backup": "storage.drive"},
        ),
        Example(
            id="module:func entry-point string",
            before='ENTRY = "orchestration.jobs.selection.cli:main"\n',
            after='ENTRY = "selection.cli:main"\n',
            moves={"orchestration.jobs.selection": "selection", "orchestration.jobs.selection.cli": "selection.cli"},
        ),
        Example(
            id="module:func entry point whose function moved",
            before="console = 'orchestration.utils:setup_mlflow_for_stage'\n",
            after="console = 'tracking.mlflow.setup:setup_mlflow_for_stage'\n",
            symbols={"orchestration.utils.setup_mlflow_for_stage": "tracking.mlflow.setup.setup_mlflow_for_stage"},
        ),
        Example(
            id="patch target of a moved symbol",
            before='mock.patch("orchestration.utils.setup_mlflow_for_stage.__defaults__")\n',
            after='mock.patch("tracking.mlflow.setup.setup_stage.__defaults__")\n',
            symbols={"orchestration.utils.setup_mlflow_for_stage": "tracking.mlflow.setup.setup_stage"},
        ),
        Example(
            id="string annotation naming a moved class",
            before='def load(path) -> "orchestration.config_loader.ExperimentConfig": ...\n',
            after='def load(path) -> "config.loader.ExperimentConfig": ...\n',
            moves={"orchestration.config_loader": "config.loader"},
        ),
        Example(
            id="a file kept on facades still redirects what it writes into sys.modules",
            before=(
                'with mock.patch.dict("sys.modules", {"orchestration.drive_backup": None}):\n'
                '    pass\n'
                'sys.modules["orchestration.drive_backup"] = fake\n'
                'del sys.modules["orchestration.drive_backup"]\n'
                'with mock.patch("orchestration.drive_backup.copy_tree"):\n'
                '    pass\n'
            ),
            after=(
                'with mock.patch.dict("sys.modules", {"storage.drive": None}):\n'
                '    pass\n'
                'sys.modules["storage.drive"] = fake\n'
                'del sys.modules["storage.drive"]\n'
                'with mock.patch("orchestration.drive_backup.copy_tree"):\n'
                '    pass\n'
            ),
            moves={"orchestration.drive_backup": "storage.drive"},
            keep_on_facades=True,
        ),
        Example(
            id="__import__ result bound to a name: its reads follow the new package",
            before=(
                "def test_dunder_import_returns_package():\n"
                '    package = __import__("orchestration.fingerprints")\n'
                "    assert package.fingerprints.compute_spec_fp is fp.compute_spec_fp\n"
                "    assert package.fingerprints is fp\n"
            ),
            after=(
                "def test_dunder_import_returns_package():\n"
                '    package = __import__("fingerprints.compute")\n'
                "    assert package.compute.compute_spec_fp is fp.compute_spec_fp\n"
                "    assert package.compute is fp\n"
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="__import__ read directly: the attribute chain follows the string",
            before=(
                'spec_fp = __import__("orchestration.fingerprints").fingerprints.compute_spec_fp\n'
                'best = __import__("orchestration.jobs.selection").jobs.selection.best\n'
            ),
            after=(
                'spec_fp = __import__("fingerprints.compute").compute.compute_spec_fp\n'
                'best = __import__("selection").best\n'
            ),
            moves={"orchestration.fingerprints": "fingerprints.compute", "orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="__import__ of a moved root package: reads gain the new parent package",
            before=(
                'legacy_pkg = __import__("legacy.io")\n'
                "\n"
                "\n"
                "def read(path):\n"
                "    return legacy_pkg.io.read(path)\n"
            ),
            after=(
                'legacy_pkg = __import__("tools.legacy.io")\n'
                "\n"
                "\n"
                "def read(path):\n"
                "    return legacy_pkg.legacy.io.read(path)\n"
            ),
            moves={"legacy": "tools.legacy", "legacy.io": "tools.legacy.io"},
        ),
        Example(
            id="targets that name what the moved module binds, a submodule or a dunder",
            before=(
                'mock.patch("mypkg.debug.console.write")\n'
                'mock.patch("mypkg.debug.console.sys.stdout")\n'
                'mock.patch("mypkg.debug.tty.isatty")\n'
                'VERSION = "mypkg.debug.__version__"\n'
                'ENTRY = "mypkg.debug.console:main"\n'
            ),
            after=(
                'mock.patch("mypkg.tools.console.write")\n'
                'mock.patch("mypkg.tools.console.sys.stdout")\n'
                'mock.patch("mypkg.tools.tty.isatty")\n'
                'VERSION = "mypkg.tools.__version__"\n'
                'ENTRY = "mypkg.tools.console:main"\n'
            ),
            moves={"mypkg.debug": "mypkg.tools", "mypkg.debug.console": "mypkg.tools.console"},
            known_modules=("mypkg.debug.tty",),
            attributes={"mypkg.debug": ("console",), "mypkg.debug.console": ("sys", "write", "main")},
        ),
    )

    UNCHANGED = (
        Example(
            id="message that merely mentions the old path",
            before='log.error("orchestration.fingerprints failed")\nlog.info("see orchestration.fingerprints")\n',
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="docstring mentioning the old path",
            before='def f():\n    """orchestration.fingerprints.compute_spec_fp"""\n',
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="dotted string that is not ours",
            before='logger = logging.getLogger("azure.core.pipeline")\nx = "os.path.join"\n',
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="unmoved prefix of a moved module",
            before='PACKAGES = ["orchestration", "orchestration.jobs"]\n',
            after=None,
            moves={"orchestration.jobs.selection": "selection"},
        ),
        Example(
            id="f-string, bytes and implicit concatenation",
            before=(
                'a = f"orchestration.fingerprints"\n'
                'b = b"orchestration.fingerprints"\n'
                'c = "orchestration." "fingerprints"\n'
            ),
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
        Example(
            id="__all__ names are local names, not paths",
            before='__all__ = ["fingerprints", "orchestration.fingerprints"]\n__all__ += ["legacy"]\n',
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute", "legacy": "tools.legacy"},
        ),
        Example(
            id="string with an escape sequence",
            before='target = "orchestration\\x2efingerprints"\n',
            after=None,
            moves={"orchestration.fingerprints": "fingerprints.compute"},
        ),
    )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        if not moves:
            return RuleResult(module)
        roots = frozenset(name.split(".")[0] for name in moves.old_names())
        finder = _StringFinder.find(module, roots)
        if not any(_may_change(value, moves) for node, value in finder.found if not ctx.keep_on_facades or node in finder.module_table_writes):
            return RuleResult(module)  # nothing to rewrite or warn about: no positions needed
        wrapper = wrap(module)
        positions = wrapper.resolve(PositionProvider)
        reads = _TopLevelReads(wrapper, finder, moves)
        replacements: dict[cst.SimpleString, cst.SimpleString] = {}
        respelled: dict[cst.CSTNode, _Respelling] = {}
        edits: list[Edit] = []
        diagnostics: list[Diagnostic] = []
        for node, value in finder.found:
            if ctx.keep_on_facades and node not in finder.module_table_writes:
                continue
            start = positions[node].start
            try:
                new_value = _rewritten(value, moves)
                if new_value is not None and node in finder.top_level_results:
                    found = reads.respell(node, value, new_value)
                    if found is None:
                        raise _Refusal("MIG908", _top_level_message(value, new_value))
                    respelled.update(found)
            except _Refusal as refusal:
                warning = Diagnostic(Severity.WARNING, refusal.code, str(refusal), ctx.path, start.line)
                diagnostics.append(warning)
                continue
            if new_value is None:
                continue
            new = node.with_changes(value=f"{node.prefix}{node.quote}{new_value}{node.quote}")
            replacements[node] = new
            edits.append(Edit(RefKind.STRING, start.line, node.value, new.value, start.column + 1))
        if not replacements:
            return RuleResult(module, (), tuple(diagnostics))
        replacer = _Replacer(replacements, respelled)
        for node in respelled:
            start = positions[node].start
            old, new = module.code_for_node(node), module.code_for_node(node.visit(replacer))
            edits.append(Edit(RefKind.DOTTED_USE, start.line, old, new, start.column + 1))
        edits.sort(key=lambda e: (e.line, e.col))
        new_module = module.visit(replacer)
        return RuleResult(new_module, tuple(edits), tuple(diagnostics))


class _Refusal(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _may_change(value: str, moves: MoveSet) -> bool:
    """Whether the string `value` is rewritten or warned about (`_rewritten`)."""
    try:
        return _rewritten(value, moves) is not None
    except _Refusal:
        return True


def _rewritten(value: str, moves: MoveSet) -> str | None:
    """The new value of a path-like string, None when nothing in it moved."""
    module, colon, attr = value.partition(":")
    if not colon:
        match = longest_move(moves, value)
        if match is None:
            return None
        if "." not in value:
            raise _Refusal(
                "MIG905",
                f"left {value!r}: a one-word string equal to moved module `{value}` may be a "
                f"module name or just a word; if it names the module, write {match.new!r}",
            )
        _require_attribute(value, value, match, moves)
        return match.apply(value)
    match = longest_move(moves, f"{module}.{attr}")
    if match is None:
        return None
    _require_attribute(value, f"{module}.{attr}", match, moves)
    if len(match.old) <= len(module):
        return f"{match.apply(module)}:{attr}"
    if not match.is_symbol:
        raise _Refusal(
            "MIG906",
            f"left {value!r}: `{match.old}` is a moved module, so the part after ':' cannot stay "
            "an attribute; rewrite it by hand",
        )
    new_full = match.apply(f"{module}.{attr}")
    return f"{match.new_module}:{new_full[len(match.new_module) + 1:]}"


def _require_attribute(value: str, dotted: str, match: MoveMatch, moves: MoveSet) -> None:
    """Refuse (MIG909) a value that goes on below a moved module with a name that module
    does not have (not bound there, not a submodule): it only starts with the path."""
    if match.is_symbol or dotted == match.old:
        return
    name = dotted[len(match.old) + 1:].split(".")[0]
    if moves.has_attribute(match.old, name):
        return
    raise _Refusal(
        "MIG909",
        f"left {value!r}: it starts with moved module `{match.old}`, which has no `{name}` "
        f"(not defined, imported or a submodule there), so it is a name of its own (a key, "
        f"a label), not a reference; if it does mean that module, write {match.apply(dotted)!r}",
    )


def _top_level_message(value: str, new_value: str) -> str:
    return (
        f"left __import__({value!r}): it returns the top-level package, so rewriting it to "
        f"{new_value!r} would change what the attributes read from its result mean, and "
        f"not every read could be re-spelled; use importlib.import_module({new_value!r}) "
        "and adjust those reads by hand"
    )


@dataclass(frozen=True)
class _Respelling:
    """Re-spell the chain node `depth` (≥ 1) attributes above the call's result: keep
    that result, then read `attrs` from it (`package.fingerprints` → `package.compute`)."""

    depth: int
    attrs: tuple[str, ...]


_UNCHANGED = _Respelling(-1, ())


class _TopLevelReads:
    """The attribute reads of `__import__("a.b")` results, re-spelled for the new path.

    `__import__("a.b")` returns package `a`; code reads `a.b.f` from it, either directly
    (`__import__("a.b").b.f`) or through a name bound to the result once
    (`package = __import__("a.b")` ... `package.b.f`). Once the string names `x.y`, the
    call returns `x` and each read is re-spelled from the new full path of what it reads:
    `a.b.f` → `x.y.f` gives `package.y.f`. Scope analysis and the attribute map are
    computed only for files that have such a call.
    """

    def __init__(self, wrapper: MetadataWrapper, finder: _StringFinder, moves: MoveSet):
        self.wrapper = wrapper
        self.finder = finder
        self.moves = moves
        self._parents: Mapping[cst.CSTNode, cst.Attribute] | None = None

    @property
    def parents(self) -> Mapping[cst.CSTNode, cst.Attribute]:
        if self._parents is None:
            self._parents = attribute_parents(self.wrapper.module)
        return self._parents

    def respell(self, string: cst.SimpleString, old: str, new: str) -> dict[cst.CSTNode, _Respelling] | None:
        """The chain nodes to re-spell for `string` → `new`; None when some read cannot be."""
        starts = self._reads(self.finder.top_level_results[string])
        if starts is None:
            return None
        found: dict[cst.CSTNode, _Respelling] = {}
        for start in starts:
            chain = attribute_chain(start, self.parents)
            attrs = [cst.ensure_type(node, cst.Attribute).attr.value for node in chain[1:]]
            respelling = _respelled(attrs, old, new, self.moves)
            if respelling is None:
                return None
            if respelling is not _UNCHANGED:
                found[chain[respelling.depth]] = respelling
        return found

    def _reads(self, call: cst.Call) -> list[cst.CSTNode] | None:
        """Where reads of the call's result start: the call itself, or each use of the
        name bound to it. None when the result goes anywhere else."""
        if call in self.finder.read_calls:
            return [call]
        target = self.finder.bound_calls.get(call)
        if target is None:
            return None
        scope = self.wrapper.resolve(ScopeProvider).get(target)
        assignments = list(scope[target.value]) if scope is not None else []
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment) or assignments[0].node is not target:
            return None
        starts: list[cst.CSTNode] = []
        for access in assignments[0].references:
            if not isinstance(access.node, cst.Name):
                return None  # a string annotation, or the like
            starts.append(access.node)
        return starts


def _respelled(attrs: Sequence[str], old: str, new: str, moves: MoveSet) -> _Respelling | None:
    """How to re-spell `result.<attrs>` once `__import__(old)` becomes `__import__(new)`.

    The read names `<root of old>.<attrs>`; it must lie on the path the old call loaded
    (a prefix of `old`, or below it) and its new name on the path the new call loads.
    A read of something that did not move (`package.__version__`) stays as it is when
    the root package stays and the new call still loads every module of the old path
    it goes through. Only the shortest part that changes is re-spelled: the attributes
    both spellings end with stay as they are (`package.fingerprints.f` →
    `package.compute.f` replaces `package.fingerprints`).
    """
    read = ".".join([old.split(".")[0], *attrs])
    now = moves.resolve(read)
    if now is None:
        # Names what it named, through the same package if the root stays; the modules
        # it goes through that the old call loaded must be loaded by the new one.
        through = ".".join(_common_prefix(read.split("."), old.split(".")))
        same_root = read.split(".")[0] == new.split(".")[0]
        return _UNCHANGED if same_root and _on_path(through, new) else None
    if not (_on_path(read, old) and _on_path(now, new)):
        return None
    new_attrs = now.split(".")[1:]
    if new_attrs == list(attrs):
        return _UNCHANGED
    if not attrs:
        return None  # the bare result (`del package`, `f(package)`) is another package now
    same = 0
    while same < len(attrs) - 1 and same < len(new_attrs) and attrs[-1 - same] == new_attrs[-1 - same]:
        same += 1
    return _Respelling(len(attrs) - same, tuple(new_attrs[: len(new_attrs) - same]))


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> list[str]:
    common: list[str] = []
    for x, y in zip(a, b):
        if x != y:
            break
        common.append(x)
    return common


def _on_path(name: str, module: str) -> bool:
    """True for `module`, a package above it, or a name below it."""
    return name == module or name.startswith(module + ".") or module.startswith(name + ".")


def _is_path(value: str) -> bool:
    """`a.b.c` or `a.b:attr.x`: identifiers joined by dots, with at most one colon."""
    module, colon, attr = value.partition(":")
    parts = module.split(".") + (attr.split(".") if colon else [])
    return all(part.isidentifier() for part in parts)


class _StringFinder(cst.CSTVisitor):
    """Collects simple strings used as values whose value looks like one of our paths."""

    def __init__(self, roots: frozenset[str]):
        super().__init__()
        self.roots = roots
        self.found: list[tuple[cst.SimpleString, str]] = []
        #: The string of each `__import__("a.b")` call whose result (package `a`) is used.
        self.top_level_results: dict[cst.SimpleString, cst.Call] = {}
        #: `__import__(...)` calls read directly (`__import__("a.b").b.f`).
        self.read_calls: set[cst.Call] = set()
        #: `__import__(...)` calls whose result is bound to a name (`package = ...`).
        self.bound_calls: dict[cst.Call, cst.Name] = {}
        #: Strings that put or remove a module in `sys.modules` under that name.
        self.module_table_writes: set[cst.SimpleString] = set()
        self._statement_calls: set[cst.Call] = set()

    @classmethod
    def find(cls, module: cst.Module, roots: frozenset[str]) -> _StringFinder:
        """The candidate strings of `module` (`found`, with their values)."""
        finder = cls(roots)
        module.visit(finder)
        return finder

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        if "b" in node.prefix.lower():
            return False
        body = node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]
        if body.split(".")[0].split(":")[0] not in self.roots:
            return False
        if "\\" in body or not _is_path(body):
            return False
        self.found.append((node, body))
        return False

    def visit_Expr(self, node: cst.Expr) -> bool:
        if isinstance(node.value, cst.Call):
            self._statement_calls.add(node.value)
        # A string that is a statement by itself is a docstring or prose.
        return not isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        for target in node.targets:
            self._note_module_table_key(target.target)
        if len(node.targets) == 1:
            self._note_bound_call(node.targets[0].target, node.value)
        return not any(_is_all(target.target) for target in node.targets)

    def _note_bound_call(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name) and isinstance(value, cst.Call) and _is_dunder_import(value):
            self.bound_calls[value] = target

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Call) and _is_dunder_import(node.value):
            self.read_calls.add(node.value)

    def visit_Del(self, node: cst.Del) -> bool:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else [node.target]
        for target in targets:
            self._note_module_table_key(target.value if isinstance(target, cst.Element) else target)
        return True

    def _note_module_table_key(self, target: cst.CSTNode) -> None:
        """`sys.modules["a.b"] = ...` / `del sys.modules["a.b"]`."""
        if isinstance(target, cst.Subscript) and _is_sys_modules(target.value) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                self.module_table_writes.add(index.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        return not _is_all(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self._note_bound_call(node.target, node.value)
        return not _is_all(node.target)

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Attribute) and _is_all(func.value):
            return False
        # patch.dict("sys.modules", {"a.b": fake}) puts modules under those names.
        if isinstance(func, cst.Attribute) and func.attr.value == "dict" and len(node.args) >= 2:
            table, values = node.args[0].value, node.args[1].value
            if isinstance(table, cst.SimpleString) and table.evaluated_value == "sys.modules" and isinstance(values, cst.Dict):
                for element in values.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                        self.module_table_writes.add(element.key)
        # sys.modules.pop("a.b") / sys.modules.setdefault("a.b", m)
        if isinstance(func, cst.Attribute) and func.attr.value in ("pop", "setdefault") and _is_sys_modules(func.value) and node.args:
            if isinstance(node.args[0].value, cst.SimpleString):
                self.module_table_writes.add(node.args[0].value)
        if _returns_top_level_package(node) and node not in self._statement_calls:
            name = node.args[0].value
            if isinstance(name, cst.SimpleString):
                self.top_level_results[name] = node
        return True


def _is_dunder_import(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Name) and call.func.value == "__import__"


def _returns_top_level_package(call: cst.Call) -> bool:
    """`__import__("a.b")` without a fromlist: its value is package `a`, not `a.b`."""
    if not (_is_dunder_import(call) and call.args):
        return False
    for position, arg in enumerate(call.args):
        is_fromlist = arg.keyword.value == "fromlist" if arg.keyword else position == 3
        if is_fromlist:
            value = arg.value
            return isinstance(value, (cst.Tuple, cst.List)) and not value.elements
    return True


def _is_sys_modules(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "modules"
        and isinstance(node.value, cst.Name)
        and node.value.value == "sys"
    )


def _is_all(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "__all__"


class _Replacer(cst.CSTTransformer):
    def __init__(
        self,
        replacements: Mapping[cst.SimpleString, cst.SimpleString],
        respelled: Mapping[cst.CSTNode, _Respelling],
    ):
        super().__init__()
        self.replacements = replacements
        self.respelled = respelled

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        return self.replacements.get(original_node, updated_node)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        respelling = self.respelled.get(original_node)
        if respelling is None:
            return updated_node
        node: cst.BaseExpression = updated_node
        for _ in range(respelling.depth):
            node = cst.ensure_type(node, cst.Attribute).value
        for attr in respelling.attrs:
            node = cst.Attribute(value=node, attr=cst.Name(attr))
        return node.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
