"""Rewrite the code cells of Jupyter notebooks with the same rules as Python files.

The notebook is read and written with `nbformat` (Jupyter's own library), so the file
keeps the JSON layout Jupyter writes. IPython magics (`%...`, `%%...`) and shell lines
(`!...`) are masked before parsing and restored unchanged; a cell that still does not
parse as Python is left alone with a warning.
"""

from __future__ import annotations

import re
from typing import Callable

from migrator.model.plan import Diagnostic, Edit, RefKind, Severity

_MAGIC = re.compile(r"^(\s*)(%|!|\?)|^\s*\w+\s*=\s*[!%]")
_MASK = "# __migrator_masked_line_{}__"

CellRewriter = Callable[[str], "tuple[str, tuple[Edit, ...]]"]


def rewrite_notebook(path: str, text: str, rewrite_cell: CellRewriter) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """Rewrite every code cell through `rewrite_cell`; returns the new JSON text.

    Edits carry the notebook-wide line: cell index and line inside the cell are folded
    into `line` as the 1-based line counted over all code cells, in order.
    """
    import nbformat

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    edits: list[Edit] = []
    diags: list[Diagnostic] = []
    changed = False
    offset = 0
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        n_lines = source.count("\n") + 1
        if source.lstrip().startswith("%%"):
            offset += n_lines
            continue
        masked, hidden = _mask(source)
        try:
            new_masked, cell_edits = rewrite_cell(masked)
        except Exception as exc:  # a cell that is not Python: leave it
            diags.append(
                Diagnostic(Severity.WARNING, "MIG910", f"cell {index + 1} is not valid Python ({type(exc).__name__}); left unchanged", path)
            )
            offset += n_lines
            continue
        if new_masked != masked:
            cell.source = _unmask(new_masked, hidden)
            changed = True
            edits.extend(Edit(RefKind.NOTEBOOK, e.line + offset, e.old, e.new, e.col) for e in cell_edits)
        offset += n_lines
    if not changed:
        return text, (), tuple(diags)
    return nbformat.writes(nb), tuple(edits), tuple(diags)


def notebook_sources(text: str) -> list[tuple[int, str]]:
    """(cell index, masked source) of every code cell, for read-only scans."""
    import nbformat

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            if not source.lstrip().startswith("%%"):
                out.append((index, _mask(source)[0]))
    return out


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
