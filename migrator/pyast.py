"""Small facts about Python source that several layers need, from stdlib `ast`."""

from __future__ import annotations

import ast
from typing import Literal


def absolute_module(module: str | None, level: int, package: str | None) -> str | None:
    """The absolute module a (maybe relative) `from` import names; None if it escapes
    above the top-level package or cannot be resolved (no package known)."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


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
#: What scanning a file finds, independent of its path (so it can be cached by content):
#: its import statements, or (line, col, message) when it does not parse.
Scan = tuple[tuple[ImportRecord, ...], "tuple[int, int, str] | None"]


def scan(data: bytes | str, path: str = "<unknown>") -> Scan:
    """The import statements of a file's source (stdlib `ast`, statements only)."""
    try:
        tree = ast.parse(_parseable(data) if isinstance(data, bytes) else data, filename=path)
    except SyntaxError as exc:
        return (), (exc.lineno or 1, exc.offset or 1, exc.msg)
    except ValueError as exc:  # null bytes, on Python < 3.12
        return (), (1, 1, str(exc))
    except RecursionError:  # CPython's own limit: the interpreter could not compile it either
        return (), (1, 1, "too many nested parentheses or operators for Python's parser")
    return import_records(tree), None


def import_records(tree: ast.Module) -> tuple[ImportRecord, ...]:
    found: list[ImportRecord] = []
    _collect(tree.body, "top", False, found)
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


def _collect(body: list[ast.stmt], kind: EdgeKind, in_function: bool, found: list[ImportRecord]) -> None:
    """Append the imports of a statement list (and of every nested one) to `found`.

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
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _collect(node.body, "typing" if kind == "typing" else "lazy", True, found)
        elif isinstance(node, ast.If):
            _collect(node.body, "typing" if _is_type_checking(node.test) else kind, in_function, found)
            _collect(node.orelse, kind, in_function, found)
        elif isinstance(node, ast.Try | ast.TryStar):
            _collect(node.body, kind, in_function, found)
            for handler in node.handlers:
                _collect(handler.body, kind, in_function, found)
            _collect(node.orelse, kind, in_function, found)
            _collect(node.finalbody, kind, in_function, found)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            _collect(node.body, kind, in_function, found)
            _collect(node.orelse, kind, in_function, found)
        elif isinstance(node, ast.ClassDef | ast.With | ast.AsyncWith):
            _collect(node.body, kind, in_function, found)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                _collect(case.body, kind, in_function, found)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
