"""Which files the rules can change, and the short way for the commonest change.

`triage` looks at a file with stdlib `ast` (several times faster than libcst) and says
whether any rule can change it at all, which rules can (those whose `TRIGGERS` meet the
`Trigger`s the file shows), and whether every reference it found is a
`from X import name` statement. Most files a move touches are of that kind
(`from django.utils.functional import cached_property`): such a statement is rewritten
on its own. `rewrite_statements` cuts each one out of the file (whole lines, comments
included), runs the rules triggered by from-imports (`import_from`) on that small module
(no other rule can find work in it), and splices the result back into the original
text, so libcst never parses the rest of the file. Anything it cannot do exactly (a
statement sharing its line, odd indentation, mixed line endings) makes it return None
and the caller runs the rules over the whole file. Both ways give the same
bytes, edits and warnings (tests/test_fastpath.py compares them on every rule example
and on every file of every seed phase).
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrator.analysis import pyast
from migrator.model.names import absolute_module
from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet
from migrator.model.text import is_word_char
from migrator.model.triggers import Trigger

if TYPE_CHECKING:
    from rules.base import Rule


@dataclass(frozen=True)
class Statement:
    """A `from ... import` statement that reaches moved code: its span in `ast` terms
    (1-based lines, UTF-8 byte columns) and whether it sits in a function body."""

    line: int
    col: int
    end_line: int
    end_col: int
    lazy: bool


@dataclass(frozen=True)
class Triage:
    """What the rules may change in a file that `triage` did not clear.

    `whole_file`: some reference (or the file itself) needs the rules over the whole
    file. Otherwise every reference is one of `statements`.
    """

    whole_file: bool
    statements: tuple[Statement, ...] = ()
    #: With `whole_file`: the rules (by name) that can find work in it; None: every rule.
    rules: frozenset[str] | None = None


WHOLE_FILE = Triage(True)


def rules_for(triggers: Collection[Trigger], registry: Sequence[type[Rule]] | None = None) -> tuple[type[Rule], ...]:
    """The rules of `registry` (default: every rule, `rules.ALL_RULES`) whose `TRIGGERS`
    meet `triggers`, in registry order."""
    if registry is None:
        from rules import ALL_RULES

        registry = ALL_RULES
    wanted = frozenset(triggers)
    return tuple(rule for rule in registry if rule.TRIGGERS & wanted)


def triage(
    text: str,
    ctx: FileContext,
    moves: MoveSet,
    scan: pyast.Scan | None = None,
    *,
    registry: Sequence[type[Rule]] | None = None,
) -> Triage | None:
    """A fast, conservative look at whether any rule can change the file; None: no rule can.

    Every rule runs over the whole file when it is a package `__init__` that re-exports
    lazily, does not parse (the libcst parse then reports it) or is kept on facades and
    moves. A file kept on facades gets, over the whole file, those of the rules its
    references trigger that can change a kept file (`Rule.ON_KEPT_FILES`). A
    file that moves is rewritten whole by the rules its references trigger, and its
    relative imports (which start from another package after the move) trigger
    `FROM_IMPORT`. Otherwise the triage collects the `Trigger`s the file shows: `IMPORT` when
    one of its `import` statements resolves under a moved name, `CHAIN` when an
    attribute chain through a name bound to a package above a moved name reaches it
    (`import pkg as p` … `p.sub.f`), `STRING` when a string constant does, and
    `FROM_IMPORT` for `from X import name` statements where `X` or `X.name` moved; only
    the rules of `registry` (default: every rule) whose `TRIGGERS` meet them run. When
    those statements are all there is, they are listed to be rewritten on their own.

    Imports come from `scan` (`pyast.scan` of this text, maybe from the cache) or from
    parsing `text`. Strings and attribute chains can only reach a moved name by spelling
    its last component (the text prefilter relies on the same fact), so the syntax tree
    is walked for them only when such a word appears outside the import statements.
    """
    moving = ctx.module is not None and ctx.module != ctx.new_module
    if ctx.lazy_exports or (moving and ctx.keep_on_facades):
        return WHOLE_FILE
    tree: ast.Module | None = None
    if scan is None:
        tree = _parsed(text)
        if tree is None:
            return WHOLE_FILE
        records = pyast.import_records(tree)
    else:
        records, failure = scan[:2]
        if failure is not None:
            return WHOLE_FILE
    found = _References.of(records, ctx, moves)
    if moving and any(r[6] > 0 for r in records):
        found.triggers.add(Trigger.FROM_IMPORT)  # its relative imports start from elsewhere now
    _, words = _names_of(moves)
    spans = [((r[0], r[1]), (r[2], r[3])) for r in records]
    strings = _outside(text, words.strings, spans)
    chains = bool(found.through) and _outside(text, words.chains, spans)
    if strings or chains:
        tree = tree or _parsed(text)
        if tree is None:
            return WHOLE_FILE
        if strings and _string_reaches(tree, moves):
            found.triggers.add(Trigger.STRING)
        if chains and _chain_reaches(tree, found.through, found.moved):
            found.triggers.add(Trigger.CHAIN)
    selected = rules_for(found.triggers, registry) if found.triggers else ()
    if not selected:
        return None
    if ctx.keep_on_facades:
        # The rules decide what stays on the old paths; only those that can change a
        # kept file at all run (`Rule.ON_KEPT_FILES`: writes to `sys.modules`).
        kept = tuple(rule for rule in selected if rule.ON_KEPT_FILES)
        return Triage(True, rules=frozenset(rule.name for rule in kept)) if kept else None
    if moving:  # the rules its references trigger, over the whole file
        return Triage(True, rules=frozenset(rule.name for rule in selected))
    if found.triggers == {Trigger.FROM_IMPORT}:
        return Triage(False, tuple(sorted(found.statements, key=lambda s: (s.line, s.col))))
    return Triage(True, rules=frozenset(rule.name for rule in selected))


def _parsed(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


@dataclass
class _References:
    """What the import statements of one file show: the triggers found so far, the
    `from` statements that reach moved code, and the names bound to a package above a
    moved name (`through`: local name → the package it stands for; only chains through
    them can reach moved code)."""

    moves: MoveSet
    triggers: set[Trigger] = field(default_factory=set)
    statements: list[Statement] = field(default_factory=list)
    through: dict[str, str] = field(default_factory=dict)

    def moved(self, name: str) -> bool:
        return self.moves.resolve(name) is not None or name in self.moves.reexports

    @classmethod
    def of(cls, records: Iterable[pyast.ImportRecord], ctx: FileContext, moves: MoveSet) -> _References:
        found = cls(moves)
        ancestors, _ = _names_of(moves)
        for line, col, end_line, end_col, _, in_function, level, module_name, aliases in records:
            if level < 0:  # import a.b.c
                for name, asname in aliases:
                    if found.moved(name):
                        found.triggers.add(Trigger.IMPORT)
                    if name in ancestors or name.split(".")[0] in ancestors:
                        bound = asname or name.split(".")[0]
                        found.through[bound] = name if asname else name.split(".")[0]
                continue
            statement = Statement(line, col, end_line, end_col, in_function)
            module = absolute_module(module_name or None, level=level, package=ctx.package)
            if module is None:
                if level > 0 and ctx.package is not None:  # climbs above the top: import_from warns
                    found.add(statement)
                continue
            hit = found.moved(module)
            for name, asname in aliases:
                full = f"{module}.{name}"
                hit = hit or found.moved(full)
                if full in ancestors:
                    found.through[asname or name] = full
            if hit:
                found.add(statement)
        return found

    def add(self, statement: Statement) -> None:
        self.statements.append(statement)
        self.triggers.add(Trigger.FROM_IMPORT)


@dataclass(frozen=True)
class _Words:
    """Regexes of the last components of the names a string constant (moved names) and
    an attribute chain (moved or re-exported names) must spell to reach moved code."""

    strings: re.Pattern[str] | None
    chains: re.Pattern[str] | None


_NAMES: dict[int, tuple[MoveSet, frozenset[str], _Words]] = {}


def _names_of(moves: MoveSet) -> tuple[frozenset[str], _Words]:
    """The packages above moved names, and the words to look for (once per move set)."""
    cached = _NAMES.get(id(moves))
    if cached is not None and cached[0] is moves:
        return cached[1], cached[2]
    olds = list(moves.old_names())
    ancestors = frozenset(".".join(p.split(".")[:i]) for p in olds for i in range(1, p.count(".") + 1))
    words = _Words(_words(olds), _words([*olds, *moves.reexports]))
    _NAMES.clear()
    _NAMES[id(moves)] = (moves, ancestors, words)
    return ancestors, words


def _words(names: list[str]) -> re.Pattern[str] | None:
    last = sorted({p.rpartition(".")[2] for p in names})
    # No leading `\b` (it stops `re`'s fast search): `_outside` checks the word start.
    return re.compile(r"(?:" + "|".join(map(re.escape, last)) + r")\b") if last else None


def _outside(text: str, words: re.Pattern[str] | None, spans) -> bool:
    """Whether a last component of a moved name appears outside every import statement.

    Linear in the text: lines are counted from the previous match on, and the spans
    (which never overlap) are searched by bisection, so a file of thousands of import
    lines that all spell the word costs no more than reading it."""
    if words is None:
        return False
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    line, counted = 1, 0
    for m in words.finditer(text):
        start = m.start()
        if start and is_word_char(text[start - 1]):
            continue  # inside a longer name: what `\b` in front would have refused
        line += text.count("\n", counted, start)
        counted = start
        line_start = text.rfind("\n", 0, start) + 1
        col = len(text[line_start:start].encode("utf-8"))
        at = bisect.bisect_right(starts, (line, col)) - 1
        if at < 0 or not ((line, col) < ordered[at][1]):
            return True
    return False


def _string_reaches(tree: ast.AST, moves: MoveSet) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.partition(":")[0]
            if value and "." in value and " " not in value and moves.resolve(value) is not None:
                return True
            if value in moves.modules:
                return True
    return False


def _chain_reaches(tree: ast.AST, through: dict[str, str], moved) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = []
            cur = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in through:
                if moved(".".join([through[cur.id], *reversed(parts)])):
                    return True
    return False


#: What may follow a statement on its last line when it is alone there.
_LINE_END = re.compile(r"[ \t]*(#[^\r\n]*)?\r?$")


def rewrite_statements(
    text: str, statements: tuple[Statement, ...], ctx: FileContext, moves: MoveSet
) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]] | None:
    """Rewrite each statement on its own and splice it back; None when any of them cannot
    be cut out exactly (the caller then runs the rules over the whole file)."""
    from rules import rewrite_source

    crlf = "\r\n" in text
    if "\r" in text and text.count("\r") != text.count("\r\n") or crlf and text.count("\n") != text.count("\r\n"):
        return None  # mixed or old-Mac line endings: the whole-file parse decides
    lines = text.split("\n")
    out_lines = list(lines)  # replaced span by span, from the last statement up
    edits: list[Edit] = []
    diagnostics: list[Diagnostic] = []
    for s in reversed(statements):
        cut = _cut(lines, s)
        if cut is None:
            return None
        indent, body = cut
        # The statement alone, dedented, is the small module; one cut out of a function
        # body says so (its imports are lazy, which the rules treat differently).
        code = "\n".join(body)
        snippet_ctx = dataclasses.replace(ctx, in_function=True) if s.lazy else ctx
        last = s.end_line == len(lines)  # no line ending after the statement
        if not last:
            code += "\n"
        try:
            # A module of from-import statements shows no other trigger: only the rules
            # triggered by from-imports can find work in it.
            new_code, found_edits, found_diags = rewrite_source(code, snippet_ctx, moves, rules_for({Trigger.FROM_IMPORT}))
        except Exception:  # anything unusual: the whole-file path reports it properly
            return None
        offset = s.line - 1
        edits.extend(dataclasses.replace(e, line=e.line + offset, col=e.col + len(indent)) for e in found_edits)
        diagnostics.extend(
            dataclasses.replace(d, line=d.line + offset if d.line is not None else None, col=d.col + len(indent) if d.col is not None else None)
            for d in found_diags
        )
        if new_code == code:
            continue
        new_lines = new_code.split("\n")
        if not last:
            if new_lines[-1] != "":
                return None
            new_lines.pop()
        if any(line.strip() == "" for line in new_lines):
            return None
        out_lines[s.line - 1 : s.end_line] = [indent + line for line in new_lines]
    edits.sort(key=lambda e: (e.line, e.col))
    diagnostics.sort(key=lambda d: (d.line or 0, d.col or 0))
    return "\n".join(out_lines), tuple(edits), tuple(diagnostics)


def _cut(lines: list[str], s: Statement) -> tuple[str, list[str]] | None:
    """The indentation and the dedented lines of a statement alone on its lines."""
    first = lines[s.line - 1].encode("utf-8")
    head = first[: s.col]
    if head.strip(b" \t") or len(head) != s.col:
        return None  # something precedes it on its line (`if x: from a import b`)
    end = lines[s.end_line - 1].encode("utf-8")
    if not _LINE_END.fullmatch(end[s.end_col :].decode("utf-8", "replace")):
        return None  # something follows it (`from a import b; x = 1`)
    indent = head.decode("ascii")
    body = []
    for line in lines[s.line - 1 : s.end_line]:
        if not line.startswith(indent) or not line.strip():
            return None
        body.append(line[len(indent) :])
    return indent, body
