"""Small facts about Python source that several layers need, from stdlib `ast`."""

from __future__ import annotations

import ast
from typing import Literal

from migrator.model.text import python_lines


def literal_all(tree: ast.Module) -> list[ast.Constant]:
    """The string entries of a top-level `__all__ = [...]` (or tuple) literal, as nodes
    (with their positions); empty when there is none."""
    out: list[ast.Constant] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                out.extend(e for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return out


def public_names(source: bytes | str) -> list[str]:
    """A module's public names: its literal `__all__`, else every name it binds at the
    top level by a definition, an assignment or `from X import name` (no underscores)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                return [str(x) for x in ast.literal_eval(node.value)]
            except ValueError:
                break
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.extend(a.asname or a.name for a in node.names if a.name != "*")
    return list(dict.fromkeys(n for n in names if not n.startswith("_")))


def runs_as_main(source: bytes | str) -> bool:
    """True when the module has a top-level `if __name__ == "__main__":` block (it is
    meant to be run with `python -m`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and len(node.test.comparators) == 1:
            sides = [node.test.left, node.test.comparators[0]]
            names = [s.id for s in sides if isinstance(s, ast.Name)]
            values = [s.value for s in sides if isinstance(s, ast.Constant)]
            if names == ["__name__"] and values == ["__main__"] and isinstance(node.test.ops[0], ast.Eq):
                return True
    return False


def module_attributes(source: bytes | str) -> frozenset[str] | None:
    """Every name a module binds at its top level, conditionally or not: definitions,
    assignment, `for`/`with`/`except` targets, imports, `global` declarations in its
    functions. None when its attributes cannot be known from its text: it does not
    parse, has a star import, or defines a module `__getattr__`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    names: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            names.update(n for g in ast.walk(node) if isinstance(g, ast.Global) for n in g.names)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return None
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        pending.extend(ast.iter_child_nodes(node))
    return None if "__getattr__" in names else frozenset(names)


# --------------------------------------------------------------------------- import scan

EdgeKind = Literal["top", "lazy", "typing"]

#: One import statement as written, with where it is and when it runs:
#: (line, col, end_line, end_col, kind, in_function, level, module, aliases).
#: Lines are 1-based, columns UTF-8 byte offsets (as `ast` gives them). `kind` is
#: ``top`` (at import time), ``lazy`` (in a function body) or ``typing`` (under
#: ``if TYPE_CHECKING:``); `in_function` tells a typing import in a function apart.
#: `level` is the number of leading dots and `module` the dotted name after them of a
#: ``from`` import; `level` is -1 and `module` empty for ``import a.b``. `aliases` are
#: (name, asname or None) pairs.
ImportRecord = tuple[int, int, int, int, EdgeKind, bool, int, str, tuple[tuple[str, "str | None"], ...]]
#: A top-level name bound for certain once the statement ending at `end_line` has run:
#: (end_line, name). ``*`` stands for "any name" (a star import, or a module
#: ``__getattr__``, which answers ``from m import NAME`` for every NAME).
Binding = tuple[int, str]
#: What scanning a file finds, independent of its path (so it can be cached by content):
#: its import statements, or (line, col, message) when it does not parse; then its
#: top-level bindings in statement order (`Binding`); the lines of the import
#: statements that are *guarded*: at module level (or in a class body) but inside an
#: ``if`` (other than ``if TYPE_CHECKING:``) or a ``try``, so they may not run, or
#: their failure may be caught; and its dynamic imports at module level, (line,
#: module): ``importlib.import_module("a.b")`` (or of a name bound to a string literal
#: before), as in the facades migrator writes.
Scan = tuple[
    tuple[ImportRecord, ...], "tuple[int, int, str] | None", tuple[Binding, ...], tuple[int, ...], tuple[tuple[int, str], ...]
]


#: The failure `scan` gives for a file nested deeper than CPython's parser can take: no
#: other parser can rewrite it either (libcst takes minutes before it gives up).
TOO_DEEP = "too many nested parentheses or operators for Python's parser"


def scan(data: bytes | str, path: str = "<unknown>") -> Scan:
    """The import statements of a file's source (stdlib `ast`, statements only), its
    top-level bindings and its guarded import lines (see `Scan`)."""
    try:
        tree = ast.parse(_parseable(data) if isinstance(data, bytes) else data, filename=path)
    except SyntaxError as exc:
        return (), (exc.lineno or 1, exc.offset or 1, exc.msg), (), (), ()
    except ValueError as exc:  # null bytes, on Python < 3.12
        return (), (1, 1, str(exc)), (), (), ()
    except RecursionError:  # CPython's own limit: the interpreter could not compile it either
        return (), (1, 1, TOO_DEEP), (), (), ()
    guarded: list[int] = []
    records: list[ImportRecord] = []
    _collect(tree.body, "top", False, records, guarded)
    return tuple(records), None, top_level_bindings(tree), tuple(guarded), dynamic_imports(tree)


def dynamic_imports(tree: ast.Module) -> tuple[tuple[int, str], ...]:
    """(line, module) of each top-level ``import_module(X)`` call that is a whole
    statement or an assignment's value, where X is a string literal or a name a
    top-level statement before bound to one (relative names are left out)."""
    strings: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.Expr | ast.AnnAssign):
            continue
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and isinstance(node, ast.Assign):
            strings.update((t.id, value.value) for t in node.targets if isinstance(t, ast.Name))
            continue
        if not isinstance(value, ast.Call) or len(value.args) != 1 or value.keywords:
            continue
        func = value.func
        if not (isinstance(func, ast.Attribute) and func.attr == "import_module" or isinstance(func, ast.Name) and func.id == "import_module"):
            continue
        arg = value.args[0]
        module = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else strings.get(arg.id) if isinstance(arg, ast.Name) else None
        if module and not module.startswith("."):
            found.append((node.lineno, module))
    return tuple(found)


def top_level_bindings(tree: ast.Module) -> tuple[Binding, ...]:
    """The names a module binds at its top level for certain, each with the last line of
    the top-level statement that binds it, in statement order.

    Definitions, assignments (annotated ones only with a value), imports, ``for`` and
    ``with`` targets, and what a ``with`` body binds. A name bound inside an ``if``
    counts only when every branch binds it (an ``if`` without ``else`` binds nothing);
    inside a ``try`` only when its body (or ``else``) and every handler bind it, plus
    what ``finally`` binds. ``*``: see `Binding`.
    """
    out: list[Binding] = []
    for node in tree.body:
        end = node.end_lineno or node.lineno
        out.extend((end, name) for name in sorted(_binds(node)))
    return tuple(out)


def _binds(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return {node.name, "*"} if node.name == "__getattr__" else {node.name}
    if isinstance(node, ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        if isinstance(node, ast.AnnAssign) and node.value is None:
            return set()
        return {node.target.id} if isinstance(node.target, ast.Name) else set()
    if isinstance(node, ast.Import):
        return {a.asname or a.name.partition(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {"*" if a.name == "*" else a.asname or a.name for a in node.names}
    if isinstance(node, ast.For | ast.AsyncFor):
        return {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    if isinstance(node, ast.With | ast.AsyncWith):
        targets = {n.id for item in node.items if item.optional_vars is not None for n in ast.walk(item.optional_vars) if isinstance(n, ast.Name)}
        return targets | _binds_all(node.body)
    if isinstance(node, ast.If):
        return _binds_all(node.body) & _binds_all(node.orelse) if node.orelse else set()
    if isinstance(node, ast.Try | ast.TryStar):
        bound = _binds_all(node.body) | _binds_all(node.orelse)
        for handler in node.handlers:
            bound &= _binds_all(handler.body)
        return bound | _binds_all(node.finalbody)
    return set()


def _binds_all(body: list[ast.stmt]) -> set[str]:
    return {name for node in body for name in _binds(node)}


def import_records(tree: ast.Module) -> tuple[ImportRecord, ...]:
    found: list[ImportRecord] = []
    _collect(tree.body, "top", False, found, [])
    return tuple(found)


def raw_imports(records: tuple[ImportRecord, ...]):
    """(line, kind, level, module, names) per imported module, as the import graph needs
    them: names is None for ``import a.b`` (one item per dotted name)."""
    for line, _, _, _, kind, _, level, module, aliases in records:
        if level < 0:
            for name, _ in aliases:
                yield line, kind, 0, name, None
        else:
            yield line, kind, level, module, tuple(name for name, _ in aliases)


def source_text(data: bytes) -> str | None:
    """The file's text when `scan` parses it as decoded UTF-8 text (`_parseable`), else
    None (a BOM, a possible encoding declaration, or bytes that are not UTF-8)."""
    text = _parseable(data)
    return text if isinstance(text, str) else None


def _parseable(data: bytes) -> str | bytes:
    """The text to parse: decoded here when that is safe, since `ast` parses text faster.

    Files with a BOM, a possible PEP 263 encoding declaration (in the first two lines) or
    bytes that are not UTF-8 stay bytes, so the parser applies (and reports) the rules.
    """
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data if second < 0 else data[:second]
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in head:
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


#: Statements that hold no other statements, so no import can hide inside them.
_SIMPLE_STATEMENTS = frozenset({
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass, ast.Raise,
    ast.Assert, ast.Delete, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
})


def _collect(
    body: list[ast.stmt], kind: EdgeKind, in_function: bool, found: list[ImportRecord], guarded: list[int], guard: bool = False
) -> None:
    """Append the imports of a statement list (and of every nested one) to `found`, and
    the lines of the import-time ones under an ``if``/``try`` (`guard`) to `guarded`.

    Imports are statements, so only statement lists are walked, never expressions.
    """
    for node in body:
        if type(node) in _SIMPLE_STATEMENTS:  # most statements: skip them fast
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            where = (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0, kind, in_function)
            aliases = tuple((a.name, a.asname) for a in node.names)
            if isinstance(node, ast.Import):
                found.append((*where, -1, "", aliases))
            else:
                found.append((*where, node.level, node.module or "", aliases))
            if guard and kind == "top":
                guarded.append(node.lineno)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _collect(node.body, "typing" if kind == "typing" else "lazy", True, found, guarded)
        elif isinstance(node, ast.If):
            _collect(node.body, "typing" if _is_type_checking(node.test) else kind, in_function, found, guarded, True)
            _collect(node.orelse, kind, in_function, found, guarded, True)
        elif isinstance(node, ast.Try | ast.TryStar):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                _collect(part, kind, in_function, found, guarded, True)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            _collect(node.body, kind, in_function, found, guarded, guard)
            _collect(node.orelse, kind, in_function, found, guarded, guard)
        elif isinstance(node, ast.ClassDef | ast.With | ast.AsyncWith):
            _collect(node.body, kind, in_function, found, guarded, guard)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                _collect(case.body, kind, in_function, found, guarded, True)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


# --------------------------------------------------------------------------- scans derived from edits


def rescan(before_text: str, before: Scan, after_text: str) -> Scan | None:
    """`scan(after_text)` worked out from the scan of `before_text` without parsing the
    file (both texts as `source_text` gives them: no BOM, no encoding declaration), when `after_text` differs from it only inside import statements that each
    keep their lines and bind the same names (a rewrite of the modules they name);
    None when it differs otherwise (then the caller parses).

    Every line that differs lies in the lines of one import statement alone on them
    (no other statement shares a line with it); its indentation is the same, and its
    new text parses alone as one import statement on the same lines. So the file's
    statements, and where each one ends, stay as they were: the file still parses, its
    bindings and guarded lines are the same, and only those statements' records
    change, to what parsing each new statement alone gives.
    """
    records, error = before[0], before[1]
    if error is not None:
        return None
    old_lines, new_lines = python_lines(before_text, keepends=True), python_lines(after_text, keepends=True)
    if len(old_lines) != len(new_lines):
        return None
    changed = [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    if not changed:
        return before
    owner: dict[int, int] = {}  # line → the record whose statement covers it (-1: several)
    for n, record in enumerate(records):
        for line in range(record[0], record[2] + 1):
            owner[line] = -1 if line in owner else n
    touched: dict[int, None] = {}
    for line in changed:
        n = owner.get(line, -1)
        if n < 0:
            return None
        touched[n] = None
    out = list(records)
    for n in touched:
        new = _restated(records[n], old_lines, new_lines)
        if new is None:
            return None
        out[n] = new
    return (tuple(out), None, before[2], before[3], before[4])


def _restated(record: ImportRecord, old_lines: list[str], new_lines: list[str]) -> ImportRecord | None:
    """The record of the statement on `record`'s lines in `new_lines`, or None unless it
    is one import statement there, indented alike, binding the same names."""
    line, col, end_line, _, kind, in_function, level, module, aliases = record
    first_old, first_new = old_lines[line - 1], new_lines[line - 1]
    indent = first_old[:col]
    if indent.strip(" \t\x0c") or first_new[:col] != indent:
        return None  # not alone on its first line (`x = 1; import a`), or re-indented
    snippet = "".join(new_lines[line - 1 : end_line])[col:]
    try:
        body = ast.parse(snippet).body
    except (SyntaxError, ValueError):
        return None
    if len(body) != 1 or not isinstance(body[0], ast.Import | ast.ImportFrom):
        return None
    node = body[0]
    if node.lineno != 1 or node.col_offset != 0 or node.end_lineno != end_line - line + 1:
        return None
    if module == "__future__" or isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return None  # where a future import may stand is the compiler's business
    new_aliases = tuple((a.name, a.asname) for a in node.names)
    if (level < 0) != isinstance(node, ast.Import) or _bound(level, aliases) != _bound(0 if isinstance(node, ast.ImportFrom) else -1, new_aliases):
        return None
    end_col = (node.end_col_offset or 0) + (col if node.end_lineno == 1 else 0)
    if isinstance(node, ast.Import):
        return (line, col, end_line, end_col, kind, in_function, -1, "", new_aliases)
    return (line, col, end_line, end_col, kind, in_function, node.level, node.module or "", new_aliases)


def _bound(level: int, aliases: tuple[tuple[str, str | None], ...]) -> tuple[str, ...]:
    """The names an import statement binds, in order (`import a.b` binds `a`)."""
    if level < 0:
        return tuple(asname or name.partition(".")[0] for name, asname in aliases)
    return tuple(asname or name for name, asname in aliases)


