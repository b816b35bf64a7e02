"""`migrate check`'s findings: text, JSON and GitHub workflow annotations."""

from __future__ import annotations


from migrator.report.schemas import dump, schema_id
from migrator.report.schemas.check import CheckOutput

CHECK_JSON_SCHEMA = schema_id(CheckOutput)


def check_json(findings, state) -> dict:
    """The stable JSON form of `check`'s findings (its schema is `schemas.check.CheckOutput`)."""
    return dump(CheckOutput, {
        "schema": CHECK_JSON_SCHEMA,
        "applied_phases": list(state.applied_numbers),
        "ok": not findings,
        "findings": [
            {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message, "old": f.old, "new": f.new}
            for f in findings
        ],
    })


def check_github(findings, root) -> str:
    """GitHub workflow commands: one `::error` annotation per finding."""
    out = []
    for f in findings:
        message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::error file={f.path},line={f.line},col={f.col},title={f.code}::{message}\n")
    if not findings:
        out.append("::notice title=migrate check::no stale references\n")
    return "".join(out)


def print_check(console, findings, state) -> None:
    from rich.markup import escape

    for f in findings:
        console.print(f"[bold]{escape(f.path)}:{f.line}:{f.col}:[/] [red]{f.code}[/] {escape(f.message)}")
    phases = ", ".join(map(str, state.applied_numbers)) or "none"
    if findings:
        files = len({f.path for f in findings})
        console.print(f"\n[red]{len(findings)} finding(s) in {files} file(s)[/] (applied phases: {phases}); `migrate check --fix` rewrites stale references")
    else:
        console.print(f"[green]clean[/]: no stale references (applied phases: {phases})")
