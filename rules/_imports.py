"""What the import rules share: resolving names, spelling them, splicing statements.

Small toolkits, each free of I/O:

- *resolving*: the longest moved prefix of a dotted name (`longest_move`,
  `module_target`), the new home of a name imported with `from X import n`
  (`from_import_target`), relative imports back to the shortest spelling (absolute ones: `migrator.model.names.absolute_module`)
  (`relative_spelling`);
- *finding*: `import_statements` (cheap: statements only), `wrap` (metadata
  without a defensive copy) and `attribute_parents` (`a` → `a.b` → `a.b.c`);
- *spelling*: dotted strings to CST nodes and back (`dotted_node`, `dotted_name`), and a
  one-line canonical text of an import statement for `Edit.old` / `Edit.new`
  (`describe`);
- *bindings*: which import made a name binding (`alias_of`, `plain_import_alias`),
  whether a name is free to bind a module root (`visible_clash`), and a fresh alias
  for a module whose root name is taken (`names_in_use`, `free_alias`,
  `aliased_import`);
- *splicing*: `StatementSplicer` replaces one small statement by several in place,
  keeping the leading comments on the first, and `AliasLayout` re-groups the names of a
  parenthesized `from ... import (...)` keeping every comment next to its name.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import libcst as cst
from libcst.metadata import BaseAssignment, ImportAssignment, MetadataWrapper, Scope

from migrator.model.names import prefixes, renamed
from migrator.model.plan import MoveSet

# --------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class MoveMatch:
    """The longest moved prefix `old` of a dotted name and its new name `new`."""

    old: str
    new: str
    is_symbol: bool

    def apply(self, dotted: str) -> str:
        """`dotted` (which starts with `old`) spelled at the new location."""
        return self.new + dotted[len(self.old):]

    @property
    def new_module(self) -> str:
        """The module that must be imported to reach `new`: itself, or a symbol's module."""
        return self.new.rpartition(".")[0] if self.is_symbol else self.new


def longest_move(moves: MoveSet, dotted: str) -> MoveMatch | None:
    """The longest prefix of `dotted` that this phase moves, symbols before modules.

    Agrees with `MoveSet.resolve`: `match.apply(dotted) == moves.resolve(dotted)`.
    """
    for prefix in prefixes(dotted):
        if prefix in moves.symbols:
            return MoveMatch(prefix, moves.symbols[prefix], is_symbol=True)
        if prefix in moves.modules:
            return MoveMatch(prefix, moves.modules[prefix], is_symbol=False)
    return None


def module_target(moves: MoveSet, module: str) -> str | None:
    """The new name of module `module` (longest moved module prefix), else None.

    Only module moves count: an `import` statement cannot name a symbol.
    """
    return renamed(module, moves.modules)


def from_import_target(moves: MoveSet, module: str, name: str, follow_reexports: bool = True) -> str | None:
    """The new full dotted name of what `from module import name` binds, or None.

    `module.name` itself moved (a submodule or a symbol), or `module` moved and the name
    goes with it, or — with `follow_reexports` — a package that stays re-exports the
    name from a moved module (the binding is the same object).
    """
    full = f"{module}.{name}"
    moved = moves.resolve(full)
    if moved is None and follow_reexports:
        return moves.reexports.get(full)
    return moved


def relative_spelling(package: str | None, target: str) -> tuple[int, str] | None:
    """The shortest relative spelling `(level, module)` of `target` from `package`.

    None when they do not share the top-level package (the import must be absolute).
    `module` is "" for `from . import x` style.
    """
    if not package:
        return None
    here, there = package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        return None
    return len(here) - common + 1, ".".join(there[common:])


def split_last(dotted: str) -> tuple[str, str]:
    """`("a.b", "c")` for `"a.b.c"`, `("", "c")` for a top-level `"c"`."""
    head, _, last = dotted.rpartition(".")
    return head, last


# ---------------------------------------------------------------------------- spelling


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """`"a.b.c"` for a chain of `Name`/`Attribute` nodes, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def dotted_node(dotted: str) -> cst.Name | cst.Attribute:
    """A fresh `Name`/`Attribute` chain spelling `dotted`."""
    first, *rest = dotted.split(".")
    node: cst.Name | cst.Attribute = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def import_statement(module: str, asname: str | None = None) -> cst.Import:
    """`import module`, or `import module as asname`."""
    alias = cst.AsName(name=cst.Name(asname)) if asname is not None else None
    return cst.Import(names=[cst.ImportAlias(name=dotted_node(module), asname=alias)])


def describe(statement: cst.Import | cst.ImportFrom) -> str:
    """A one-line canonical spelling of an import statement (no comments, no parens)."""
    if isinstance(statement, cst.Import):
        return "import " + ", ".join(_describe_alias(a) for a in statement.names)
    dots = "." * len(statement.relative)
    module = dotted_name(statement.module) or ""
    if isinstance(statement.names, cst.ImportStar):
        names = "*"
    else:
        names = ", ".join(_describe_alias(a) for a in statement.names)
    return f"from {dots}{module} import {names}"


def _describe_alias(alias: cst.ImportAlias) -> str:
    name = dotted_name(alias.name) or ""
    if alias.asname is None:
        return name
    return f"{name} as {dotted_name(alias.asname.name)}"


def local_name(alias: cst.ImportAlias) -> str:
    """The name an alias of `from X import ...` binds."""
    if alias.asname is not None:
        return cst.ensure_type(alias.asname.name, cst.Name).value
    return cst.ensure_type(alias.name, cst.Name).value


# ----------------------------------------------------------------------------- finding


def wrap(module: cst.Module) -> MetadataWrapper:
    """A metadata wrapper over `module` itself (no defensive deep copy).

    Safe because no node the rules look up (names, attributes, strings, statements)
    occurs twice in the trees they see: `rewrite_source` parses the source, and every
    rule builds its output without sharing such nodes (the test suite checks this on
    every example). Shared default whitespace, as libcst's constructors produce, only
    gets merged metadata nobody reads. Node identity is kept, so nodes found before
    wrapping can be looked up and replaced.
    """
    cached = _WRAPPED.get(id(module))
    if cached is not None and cached[0] is module:
        return cached[1]
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    # Rules that see the same (unchanged) tree share one wrapper, so metadata such as
    # positions is computed once. A strong reference keeps `id` from being reused.
    _WRAPPED.clear()
    _WRAPPED[id(module)] = (module, wrapper)
    return wrapper


_WRAPPED: dict[int, tuple[cst.Module, MetadataWrapper]] = {}


@dataclass(frozen=True)
class ImportStatements:
    """Every import statement of a module; those alone on their line; the lazy ones.

    A *lazy* import sits in a function body: it runs at each call, not once when the
    module is imported. Every import of a module that is itself a function's body (cut
    out of its file, `FileContext.in_function`) is lazy.
    """

    found: tuple[cst.Import | cst.ImportFrom, ...]
    alone_on_line: frozenset[cst.Import | cst.ImportFrom]
    lazy: frozenset[cst.Import | cst.ImportFrom]


def import_statements(module: cst.Module, *, in_function: bool = False) -> ImportStatements:
    """Every import statement of `module`, at any depth, in source order; `in_function`:
    `module` is the body of a function."""
    collector = _ImportCollector(in_function)
    module.visit(collector)
    return ImportStatements(tuple(collector.found), frozenset(collector.alone), frozenset(collector.lazy))


class _ImportCollector(cst.CSTVisitor):
    """Visits statements only: expressions cannot hold import statements."""

    def __init__(self, in_function: bool) -> None:
        super().__init__()
        self.found: list[cst.Import | cst.ImportFrom] = []
        self.alone: set[cst.Import | cst.ImportFrom] = set()
        self.lazy: set[cst.Import | cst.ImportFrom] = set()
        self._functions = int(in_function)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            imports = [s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom))]
            self.found.extend(imports)
            if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
                self.alone.update(imports)
            if self._functions:
                self.lazy.update(imports)
            return False
        if isinstance(node, cst.FunctionDef):
            self._functions += 1
        return not isinstance(node, cst.BaseExpression)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef):
            self._functions -= 1


def attribute_parents(module: cst.Module) -> dict[cst.CSTNode, cst.Attribute]:
    """Maps each expression to the `Attribute` whose `.value` it is (`a` → `a.b`)."""
    visitor = _AttributeParents()
    module.visit(visitor)
    return visitor.parents


class _AttributeParents(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[cst.CSTNode, cst.Attribute] = {}

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.parents[node.value] = node


def attribute_chain(start: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.Attribute]) -> list[cst.CSTNode]:
    """`start` and the attributes read from it: `[a, a.b, a.b.c]` for `a` in `a.b.c`."""
    chain = [start]
    parent = parents.get(start)
    while parent is not None:
        chain.append(parent)
        parent = parents.get(parent)
    return chain


# ---------------------------------------------------------------------------- bindings


def alias_of(assignment: ImportAssignment) -> cst.ImportAlias | None:
    """The alias of an import statement that made `assignment`."""
    names = getattr(assignment.node, "names", None)
    if not isinstance(names, Sequence):
        return None
    for alias in names:
        if alias.name is assignment.as_name or (
            alias.asname is not None and alias.asname.name is assignment.as_name
        ):
            return alias
    return None


def plain_import_alias(assignment: BaseAssignment) -> cst.ImportAlias | None:
    """The alias when `assignment` is the root binding of a plain `import a.b`."""
    if not isinstance(assignment, ImportAssignment) or not isinstance(assignment.node, cst.Import):
        return None
    alias = alias_of(assignment)
    if alias is None or alias.asname is not None:
        return None
    return alias



def binds_root_after(assignments: Iterable[BaseAssignment], root: str, moves: MoveSet, *, skip: BaseAssignment | None = None) -> bool:
    """True when a plain `import` among `assignments` (other than `skip`) binds `root`
    once the import rules ran (`import a.b` binds `a`, under its new name if it moves)."""
    for assignment in assignments:
        if assignment is skip:
            continue
        alias = plain_import_alias(assignment)
        if alias is None:
            continue
        old = dotted_name(alias.name) or ""
        if (module_target(moves, old) or old).split(".")[0] == root:
            return True
    return False

def visible_clash(scope: Scope, name: str) -> BaseAssignment | None:
    """A binding of `name` visible in `scope` that is not the root of a plain import."""
    for assignment in scope[name]:
        if plain_import_alias(assignment) is None:
            return assignment
    return None


def names_in_use(scopes: Iterable[Scope | None]) -> set[str]:
    """Every name bound or read anywhere in the scopes (builtins and star imports too)."""
    names: set[str] = set()
    for scope in scopes:
        if scope is None:
            continue
        names.update(assignment.name for assignment in scope.assignments)
        names.update(access.node.value for access in scope.accesses if isinstance(access.node, cst.Name))
    return names


def free_alias(module: str, taken: set[str]) -> str:
    """A name to bind `module` under (`import a.b as a_b`) that is in no way in `taken`.

    Derived from the dotted name: `a_b`, else `a_b_module`, `a_b_module_2`, ... The name
    is added to `taken`, so the next module gets another one.
    """
    base = module.replace(".", "_")
    numbered = (f"{base}_module_{n}" for n in itertools.count(2))
    alias = next(name for name in itertools.chain((base, f"{base}_module"), numbered) if name not in taken)
    taken.add(alias)
    return alias


def aliased_import(scope: Scope, module: str) -> str | None:
    """The alias of an `import module as alias` made in `scope` itself, if there is one."""
    for assignment in scope.assignments:
        if isinstance(assignment, ImportAssignment) and isinstance(assignment.node, cst.Import):
            alias = alias_of(assignment)
            if alias is not None and alias.asname is not None and dotted_name(alias.name) == module:
                return dotted_name(alias.asname.name)
    return None


# ---------------------------------------------------------------------------- splicing


@dataclass(frozen=True)
class NewStatement:
    """One small statement of a replacement, with comments it carries along.

    `leading_lines` go above its line and `comment` at the end of its line when the
    statement gets a line of its own.
    """

    statement: cst.BaseSmallStatement
    leading_lines: tuple[cst.EmptyLine, ...] = ()
    comment: cst.Comment | None = None

    @property
    def has_comments(self) -> bool:
        return bool(self.leading_lines) or self.comment is not None


class StatementSplicer(cst.CSTTransformer):
    """Replace small statements (keyed by their original node) by several, in place.

    A statement alone on its line becomes several lines at the same indentation: the
    first keeps the line's leading comments and its trailing comment; the others follow
    in order. A trailing tool directive (`# noqa: E402`, `# type: ignore`) governs every
    statement of its line, so each new line repeats it. A statement sharing its line
    (`a; b`) or inside a one-line suite (`if x: a`) is replaced by `;`-separated
    statements on that line; comments carried by the new statements then go above the
    line (for a suite they cannot be placed: callers check `NewStatement.has_comments`
    and `ImportStatements.alone_on_line`).

    Subclasses add their own `leave_*` methods for other node replacements; the
    statement body of a line must keep one entry per original small statement.
    """

    def __init__(self, replacements: Mapping[cst.BaseSmallStatement, Sequence[NewStatement]]):
        super().__init__()
        self.replacements = replacements

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        items = self._items(original_node.body, updated_node.body)
        if items is None:
            return updated_node
        if len(original_node.body) == 1 and len(items) > 1:
            return cst.FlattenSentinel(_own_lines(updated_node, items))
        leading = [line for item in items for line in _comment_lines(item)]
        return updated_node.with_changes(
            body=_joined(items), leading_lines=[*updated_node.leading_lines, *leading]
        )

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        items = self._items(original_node.body, updated_node.body)
        if items is None:
            return updated_node
        return updated_node.with_changes(body=_joined(items))

    def _items(
        self,
        original: Sequence[cst.BaseSmallStatement],
        updated: Sequence[cst.BaseSmallStatement],
    ) -> list[NewStatement] | None:
        """The line's new statements, or None when no statement of it is replaced."""
        if not any(stmt in self.replacements for stmt in original):
            return None
        items: list[NewStatement] = []
        for before, after in zip(original, updated):
            items.extend(self.replacements.get(before, (NewStatement(after),)))
        return items


def _own_lines(line: cst.SimpleStatementLine, items: Sequence[NewStatement]) -> list[cst.SimpleStatementLine]:
    first, *rest = items
    first_trailing = line.trailing_whitespace
    first_leading = [*line.leading_lines, *first.leading_lines]
    if first.comment is not None:
        if first_trailing.comment is None:
            first_trailing = first_trailing.with_changes(
                whitespace=cst.SimpleWhitespace("  "), comment=first.comment
            )
        else:
            first_leading.append(cst.EmptyLine(comment=first.comment))
    directive = line.trailing_whitespace.comment
    pragma = directive if is_pragma(directive) else None
    lines = [
        line.with_changes(
            body=[_no_semicolon(first.statement)],
            leading_lines=first_leading,
            trailing_whitespace=first_trailing,
        )
    ]
    for item in rest:
        comment = _with_pragma(item.comment, pragma)
        trailing = cst.TrailingWhitespace()
        if comment is not None:
            trailing = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)
        lines.append(
            cst.SimpleStatementLine(
                body=[_no_semicolon(item.statement)],
                leading_lines=list(item.leading_lines),
                trailing_whitespace=trailing,
            )
        )
    return lines


_PRAGMA = re.compile(
    r"#\s*(noqa\b|type:\s*ignore|pragma:|pylint:|isort:|nosec\b|pyright:|mypy:)", re.IGNORECASE
)


def is_pragma(comment: cst.Comment | None) -> bool:
    """True for a tool directive (`# noqa`, `# type: ignore`, ...) that governs its line."""
    return comment is not None and _PRAGMA.match(comment.value) is not None


def _with_pragma(comment: cst.Comment | None, pragma: cst.Comment | None) -> cst.Comment | None:
    if pragma is None:
        return comment
    if comment is None:
        return cst.Comment(pragma.value)
    return cst.Comment(f"{comment.value}  {pragma.value}")


def _joined(items: Sequence[NewStatement]) -> list[cst.BaseSmallStatement]:
    *init, last = items
    return [_no_semicolon(item.statement) for item in init] + [last.statement]


def _comment_lines(item: NewStatement) -> list[cst.EmptyLine]:
    lines = list(item.leading_lines)
    if item.comment is not None:
        lines.append(cst.EmptyLine(comment=item.comment))
    return lines


def _no_semicolon(statement: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    if isinstance(statement.semicolon, cst.Semicolon):
        return statement.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return statement


# ------------------------------------------------------------------ from-import layout

_Whitespace = cst.BaseParenthesizableWhitespace


class AliasLayout:
    """The names of a `from X import ...` and the whitespace/comments around each.

    Used to split one statement into several (one per group of names) so that every
    comment stays with the name it sits next to:

    - the comment lines *above* a name belong to that name;
    - the comment at the *end* of a name's line belongs to that name;
    - the comment right after `(` belongs to the first group emitted;
    - comment lines before `)` belong to the group holding the last name.

    Separators are numbered 0..n for n names: separator 0 follows `(`, separator i
    follows name i-1 (after its comma), separator n precedes `)`.
    """

    def __init__(self, node: cst.ImportFrom):
        names = node.names
        assert not isinstance(names, cst.ImportStar)
        self.node = node
        self.aliases = list(names)
        self.parenthesized = node.lpar is not None
        self.trailing_comma = isinstance(self.aliases[-1].comma, cst.Comma)
        self.seps: list[_Whitespace | None] = [node.lpar.whitespace_after if node.lpar else None]
        for alias in self.aliases[:-1]:
            self.seps.append(cst.ensure_type(alias.comma, cst.Comma).whitespace_after)
        last = self.aliases[-1]
        if isinstance(last.comma, cst.Comma):
            self.seps.append(last.comma.whitespace_after)
        else:
            self.seps.append(node.rpar.whitespace_before if node.rpar else None)

    def group(
        self, indices: Sequence[int], first: bool, names: Mapping[int, cst.ImportAlias]
    ) -> tuple[list[cst.ImportAlias], cst.LeftParen | None, cst.RightParen | None]:
        """Names, `(` and `)` of a statement holding the aliases at `indices` (sorted).

        `names` gives each alias as it must read now (maybe renamed); `first` tells
        whether this is the first statement emitted (it keeps the comment after `(`).
        """
        out: list[cst.ImportAlias] = []
        for pos, index in enumerate(indices):
            alias = names[index]
            is_last = pos == len(indices) - 1
            if not is_last:
                after = self._between(self.seps[index + 1], self.seps[indices[pos + 1]])
                out.append(alias.with_changes(comma=self._comma(index, after)))
            elif self.parenthesized and self.trailing_comma:
                out.append(alias.with_changes(comma=self._comma(index, self._close(index))))
            else:
                out.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        if not self.parenthesized:
            return out, None, None
        lpar = cst.ensure_type(self.node.lpar, cst.LeftParen)
        rpar = cst.ensure_type(self.node.rpar, cst.RightParen)
        opening, closing = self._open(indices[0], first), self._close(indices[-1])
        if len(out) == 1 and _inline(opening) and _inline(closing):
            # `(name)` on one line reads as a typo: a lone name needs no parentheses.
            return [out[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)], None, None
        lpar = lpar.with_changes(whitespace_after=opening)
        if not self.trailing_comma:
            rpar = rpar.with_changes(whitespace_before=closing)
        return out, lpar, rpar

    def comments(self, index: int, first: bool) -> tuple[tuple[cst.EmptyLine, ...], cst.Comment | None]:
        """The comments of the alias at `index` when it leaves the parentheses.

        Returns comment lines to put above its new statement and a trailing comment.
        """
        above: list[cst.EmptyLine] = []
        trailing: cst.Comment | None = None
        opening = self.seps[0]
        if first and isinstance(opening, cst.ParenthesizedWhitespace) and opening.first_line.comment:
            above.append(cst.EmptyLine(comment=opening.first_line.comment))
        before, after = self.seps[index], self.seps[index + 1]
        if isinstance(before, cst.ParenthesizedWhitespace):
            above.extend(_comment_only(before.empty_lines))
        if isinstance(after, cst.ParenthesizedWhitespace):
            trailing = after.first_line.comment
            if index == len(self.aliases) - 1:
                above.extend(_comment_only(after.empty_lines))
        return tuple(above), trailing

    def _comma(self, index: int, after: _Whitespace) -> cst.Comma:
        comma = self.aliases[index].comma
        before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
        return cst.Comma(whitespace_before=before, whitespace_after=after)

    def _open(self, first_index: int, first: bool) -> _Whitespace:
        opening = cst.ensure_type(self.seps[0], cst.BaseParenthesizableWhitespace)
        if isinstance(opening, cst.ParenthesizedWhitespace) and not first:
            opening = opening.with_changes(first_line=cst.TrailingWhitespace())
        if first_index == 0:
            return opening
        before = cst.ensure_type(self.seps[first_index], cst.BaseParenthesizableWhitespace)
        comments_above = isinstance(before, cst.ParenthesizedWhitespace) and bool(before.empty_lines)
        if isinstance(opening, cst.SimpleWhitespace) and not comments_above:
            return opening
        return self._between(opening, before)

    def _close(self, last_index: int) -> _Whitespace:
        closing = cst.ensure_type(self.seps[-1], cst.BaseParenthesizableWhitespace)
        if last_index == len(self.aliases) - 1:
            return closing
        after = cst.ensure_type(self.seps[last_index + 1], cst.BaseParenthesizableWhitespace)
        if isinstance(closing, cst.ParenthesizedWhitespace):
            return cst.ParenthesizedWhitespace(
                first_line=_first_line(after),
                empty_lines=[],
                indent=closing.indent,
                last_line=closing.last_line,
            )
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment:
            return cst.ParenthesizedWhitespace(first_line=after.first_line, indent=True)
        return closing

    @staticmethod
    def _between(after: _Whitespace | None, before: _Whitespace | None) -> _Whitespace:
        """The separator between two names that were not neighbours.

        Takes the end-of-line comment of the first from `after` and the comment lines
        and indentation of the second from `before`.
        """
        assert after is not None and before is not None
        if isinstance(before, cst.ParenthesizedWhitespace):
            return before.with_changes(first_line=_first_line(after))
        if isinstance(after, cst.ParenthesizedWhitespace):
            return after.with_changes(empty_lines=[])
        return before


def _inline(whitespace: _Whitespace) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace)


def _first_line(whitespace: _Whitespace) -> cst.TrailingWhitespace:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.first_line
    return cst.TrailingWhitespace()


def _comment_only(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Comment lines re-indented to the statement they now sit above."""
    return [cst.EmptyLine(comment=line.comment) for line in lines if line.comment is not None]
