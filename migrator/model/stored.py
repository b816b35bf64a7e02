"""The plan's small values as JSON and back, for results a cache keeps (`ScanCache.result`).

Each `*_json` gives a JSON list; each `*_of` gives the value back, equal, and raises
ValueError for anything that is not such a list (a damaged or foreign entry), which
callers take as a miss.
"""

from __future__ import annotations

from migrator.model.plan import Diagnostic, Edit, RefKind, Severity


def edit_json(e: Edit) -> list:
    return [e.kind.value, e.line, e.old, e.new, e.col]


def edit_of(value: object) -> Edit:
    match value:
        case [str(kind), int(line), str(old), str(new), int(col)]:
            return Edit(RefKind(kind), line, old, new, col)
    raise ValueError("not an edit")


def diagnostic_json(d: Diagnostic) -> list:
    return [d.severity.value, d.code, d.message, d.path, d.line, d.col, d.old, d.new]


def diagnostic_of(value: object) -> Diagnostic:
    match value:
        case [str(severity), str(code), str(message), path, line, col, old, new] if (
            all(v is None or type(v) is str for v in (path, old, new)) and all(v is None or type(v) is int for v in (line, col))
        ):
            return Diagnostic(Severity(severity), code, message, path, line, col, old, new)
    raise ValueError("not a diagnostic")
