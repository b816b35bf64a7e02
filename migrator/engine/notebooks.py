"""Rewrite the code cells of Jupyter notebooks with the same rules as Python files.

A notebook changes in exactly the source lines that changed: the JSON text is never
re-serialized. `_locate` walks the document just far enough to find where each code
cell's `source` lies in the text (every other value is skipped with the C decoder), and
only the strings of changed lines are replaced, each written as the original writes
strings. Indent, key order, a final newline or its absence, cell ids or their absence,
outputs and metadata stay byte for byte, so two plans of one tree give one digest.

IPython magics (`%...`, `%%...`) and shell lines (`!...`) are masked before parsing and
restored unchanged; a cell that still does not parse as Python is left alone with a
warning. Only nbformat 4 documents (`cells` at the top) are rewritten; an older layout
reads as "not a notebook this tool rewrites" (MIG911), as does text that is not JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Callable

from migrator.model.plan import Diagnostic, Edit, RefKind, Severity

_MAGIC = re.compile(r"^(\s*)(%|!|\?)|^\s*\w+\s*=\s*[!%]")
_MASK = "# __migrator_masked_line_{}__"
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

CellRewriter = Callable[[str], "tuple[str, tuple[Edit, ...]]"]


class NotebookError(ValueError):
    """The text is not a notebook this module rewrites (not JSON, or not nbformat 4)."""


@dataclass(frozen=True)
class _Source:
    """Where one code cell's `source` lies in the text: the whole value, and each string."""

    index: int  # the cell's position among all cells
    start: int
    end: int
    #: (start, end, value) of each string of a list source; one entry for a string source
    parts: tuple[tuple[int, int, str], ...]
    is_list: bool

    @property
    def text(self) -> str:
        return "".join(value for _, _, value in self.parts)


def rewrite_notebook(path: str, text: str, rewrite_cell: CellRewriter) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """Rewrite every code cell through `rewrite_cell`; returns the new JSON text.

    Edits carry the notebook-wide line: cell index and line inside the cell are folded
    into `line` as the 1-based line counted over all code cells, in order.
    """
    edits: list[Edit] = []
    diags: list[Diagnostic] = []
    replacements: list[tuple[int, int, str]] = []
    ascii_only = _writes_ascii(text)
    offset = 0
    for cell in _locate(text):
        source = cell.text
        n_lines = source.count("\n") + 1
        if source.lstrip().startswith("%%"):
            offset += n_lines
            continue
        masked, hidden = _mask(source)
        try:
            new_masked, cell_edits = rewrite_cell(masked)
        except Exception as exc:  # a cell that is not Python: leave it
            diags.append(
                Diagnostic(Severity.WARNING, "MIG910", f"cell {cell.index + 1} is not valid Python ({type(exc).__name__}); left unchanged", path)
            )
            offset += n_lines
            continue
        if new_masked != masked:
            replacements.extend(_replace_source(text, cell, _unmask(new_masked, hidden), ascii_only))
            edits.extend(Edit(RefKind.NOTEBOOK, e.line + offset, e.old, e.new, e.col) for e in cell_edits)
        offset += n_lines
    if not replacements:
        return text, (), tuple(diags)
    out, last = [], 0
    for start, end, new in sorted(replacements):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out), tuple(edits), tuple(diags)


def code_cells(text: str) -> list[tuple[int, str]]:
    """(cell index, source) of every code cell, unmasked (`%%` cells included)."""
    return [(cell.index, cell.text) for cell in _locate(text)]


def notebook_sources(text: str) -> list[tuple[int, str]]:
    """(cell index, masked source) of every code cell, for read-only scans."""
    return [(index, _mask(source)[0]) for index, source in code_cells(text) if not source.lstrip().startswith("%%")]


# --------------------------------------------------------------------------- the text


def _locate(text: str) -> list[_Source]:
    """The `source` of every code cell of a nbformat 4 document, with its place in `text`."""
    try:
        cells = _top_level_cells(text)
        return [found for found in (_code_source(text, start, index) for index, start in enumerate(cells)) if found is not None]
    except (ValueError, IndexError) as exc:
        raise NotebookError(str(exc)) from None


def _top_level_cells(text: str) -> list[int]:
    """Start offsets of the cell objects in the top-level `cells` list."""
    for key, at in _members(text, _skip_ws(text, 0)):
        if key == "cells":
            if text[at] != "[":
                raise NotebookError("`cells` is not a list")
            return _elements(text, at)
    raise NotebookError("no `cells` list (an nbformat 3 or older layout?)")


def _code_source(text: str, start: int, index: int) -> _Source | None:
    if text[start] != "{":
        raise NotebookError(f"cell {index + 1} is not an object")
    kind, source_at = None, None
    for key, at in _members(text, start):
        if key == "cell_type":
            kind, _ = scanstring(text, at + 1)
        elif key == "source":
            source_at = at
    if kind != "code" or source_at is None:
        return None
    if text[source_at] == '"':
        value, end = scanstring(text, source_at + 1)
        return _Source(index, source_at, end, ((source_at, end, value),), False)
    if text[source_at] != "[":
        raise NotebookError(f"cell {index + 1}: `source` is neither a string nor a list")
    parts = []
    for at in _elements(text, source_at):
        if text[at] != '"':
            raise NotebookError(f"cell {index + 1}: `source` holds a value that is not a string")
        value, end = scanstring(text, at + 1)
        parts.append((at, end, value))
    _, end = _DECODER.raw_decode(text, source_at)
    return _Source(index, source_at, end, tuple(parts), True)


def _members(text: str, at: int):
    """(key, offset of its value) of each member of the object that starts at `at`."""
    if text[at] != "{":
        raise NotebookError("the notebook is not a JSON object")
    i = _skip_ws(text, at + 1)
    if text[i] == "}":
        return
    while True:
        if text[i] != '"':
            raise NotebookError(f"expected a key at offset {i}")
        key, i = scanstring(text, i + 1)
        i = _skip_ws(text, i)
        if text[i] != ":":
            raise NotebookError(f"expected ':' at offset {i}")
        value_at = _skip_ws(text, i + 1)
        yield key, value_at
        _, i = _DECODER.raw_decode(text, value_at)
        i = _skip_ws(text, i)
        if text[i] == "}":
            return
        if text[i] != ",":
            raise NotebookError(f"expected ',' or '}}' at offset {i}")
        i = _skip_ws(text, i + 1)


def _elements(text: str, at: int) -> list[int]:
    """Start offsets of the elements of the list that starts at `at`."""
    starts: list[int] = []
    i = _skip_ws(text, at + 1)
    if text[i] == "]":
        return starts
    while True:
        starts.append(i)
        _, i = _DECODER.raw_decode(text, i)
        i = _skip_ws(text, i)
        if text[i] == "]":
            return starts
        if text[i] != ",":
            raise NotebookError(f"expected ',' or ']' at offset {i}")
        i = _skip_ws(text, i + 1)


def _skip_ws(text: str, at: int) -> int:
    return _WS.match(text, at).end()


def _writes_ascii(text: str) -> bool:
    """Whether the file's writer escaped non-ASCII (`\\u00e9`) rather than writing it."""
    return text.isascii() and "\\u" in text


def _replace_source(text: str, cell: _Source, new: str, ascii_only: bool) -> list[tuple[int, int, str]]:
    """The replacements that turn `cell`'s source into `new`: only the strings of lines
    that changed when the line count is the same, else the whole list in its own layout."""
    dump = lambda value: json.dumps(value, ensure_ascii=ascii_only)  # noqa: E731
    if not cell.is_list:
        start, end, _ = cell.parts[0]
        return [(start, end, dump(new))]
    lines = new.splitlines(keepends=True)
    if len(lines) == len(cell.parts):
        return [(start, end, dump(line)) for (start, end, old), line in zip(cell.parts, lines) if line != old]
    if not cell.parts:
        return [(cell.start, cell.end, "[" + ", ".join(dump(line) for line in lines) + "]")]
    first_start, last_end = cell.parts[0][0], cell.parts[-1][1]
    opening = text[cell.start + 1 : first_start]  # "\n    " in Jupyter's layout
    separator = text[cell.parts[0][1] : cell.parts[1][0]] if len(cell.parts) > 1 else "," + opening
    return [(first_start, last_end, separator.join(dump(line) for line in lines))]


# --------------------------------------------------------------------------- magics


def _mask(source: str) -> tuple[str, dict[str, str]]:
    hidden: dict[str, str] = {}
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if _MAGIC.match(line):
            key = _MASK.format(i)
            indent = line[: len(line) - len(line.lstrip())]
            hidden[key] = line
            lines[i] = indent + key
    return "\n".join(lines), hidden


def _unmask(source: str, hidden: dict[str, str]) -> str:
    lines = source.split("\n")
    for i, line in enumerate(lines):
        key = line.strip()
        if key in hidden:
            lines[i] = hidden[key]
    return "\n".join(lines)
