"""`migrate status`: the table of phases with what made each edit since, and the JSON form."""

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
        **_attribution_json(status),
    })


def _attribution_json(status) -> dict:
    """Added beside the keys above (none renamed): every edit since a phase with what
    made it, and the recorded steps that are not phases (retire, check --fix)."""
    return {"edits": list(status.edits), "steps": list(status.steps)}


#: How a person reads `edits[].by`.
_BY = {"phase": "by phase {by_phase}", "fix": "by `migrate check --fix`", "retire": "removed by `migrate retire`", "user": "by hand (no migrate step wrote this content)"}
_BY_SHORT = {"phase": "by phase {by_phase}", "fix": "by check --fix", "retire": "retired", "user": "by hand"}


def print_status(console, status) -> None:
    """One row per phase (applied when, tree matches or what edited it since), then
    every edited file with what edited it, the retirements, then who is writing the
    target or what was interrupted."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"migrate status: {status.target}")
    for col in ("phase", "title", "applied", "tree matches"):
        table.add_column(col)
    for r in status.phases:
        table.add_row(str(r["phase"]), r["title"], r["applied_at"] or "no", _matches(r, [e for e in status.edits if e["phase"] == r["phase"]]))
    console.print(table)
    for e in status.edits:
        console.print(f"  phase {e['phase']}: {escape(e['path'])} edited since it was applied, {escape(_BY[e['by']].format(**e))}")
    for s in status.steps:
        if s["kind"] == "retire":
            phases = ", ".join(map(str, s["phases"]))
            console.print(f"facades of phase(s) {phases} retired at {s['at']}: {len(s['files'])} file(s) removed (`migrate rollback` puts them back)")
    if status.running is not None:
        console.print(f"[bold yellow]running[/]: {escape(status.running)}")
    if status.interruption is not None:
        console.print(f"[bold red]interrupted[/]: {escape(str(status.interruption))}")


def _matches(row: dict, edits: list[dict]) -> str:
    """'yes', or how many files were edited since and by what ('2 file(s) edited since:
    1 by phase 2, 1 by hand'; yellow when any was edited by hand)."""
    if not row["applied"]:
        return "-"
    if not edits:
        return "yes"
    counts: dict[str, int] = {}
    for e in edits:
        what = _BY_SHORT[e["by"]].format(**e)
        counts[what] = counts.get(what, 0) + 1
    text = f"{len(edits)} file(s) edited since: " + ", ".join(f"{n} {what}" for what, n in counts.items())
    return f"[yellow]{text}[/]" if any(e["by"] == "user" for e in edits) else text
