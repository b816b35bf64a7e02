"""`migrate status`: the table of phases with what was edited since, and the JSON form."""

from __future__ import annotations

from migrator.report.schemas import dump, schema_id
from migrator.report.schemas.status import StatusOutput

STATUS_JSON_SCHEMA = schema_id(StatusOutput)


def status_json(status) -> dict:
    """The stable JSON form of the status (its schema is `schemas.status.StatusOutput`)."""
    what = status.interruption
    detail = {"op": what.op, "phase": what.phase, "message": str(what), "fix": "migrate rollback"} if what else None
    return dump(StatusOutput, {
        "schema": STATUS_JSON_SCHEMA, "running": status.running, "interrupted": what is not None, "interruption": detail, "phases": list(status.phases),
    })


def print_status(console, status) -> None:
    """One row per phase (applied when, tree matches or how many files were edited),
    then every edited file, then who is writing the target or what was interrupted."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"migrate status: {status.target}")
    for col in ("phase", "title", "applied", "tree matches"):
        table.add_column(col)
    for r in status.phases:
        match = "-" if not r["applied"] else ("yes" if not r["modified_files"] else f"[yellow]{len(r['modified_files'])} file(s) edited since[/]")
        table.add_row(str(r["phase"]), r["title"], r["applied_at"] or "no", match)
    console.print(table)
    for r in status.phases:
        for f in r["modified_files"]:
            console.print(f"  phase {r['phase']}: {escape(f)} edited since it was applied")
    if status.running is not None:
        console.print(f"[bold yellow]running[/]: {escape(status.running)}")
    if status.interruption is not None:
        console.print(f"[bold red]interrupted[/]: {escape(str(status.interruption))}")
