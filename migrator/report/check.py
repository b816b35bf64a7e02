"""`migrate check`'s findings: text, JSON and GitHub workflow annotations."""

from __future__ import annotations

import os
from pathlib import Path

from migrator.commands.inferred import STATE_PATH, InferredState


def check_json(findings, state) -> dict:
    """The stable JSON form of `check`'s findings (its schema is `schemas.check.CheckOutput`,
    imported here: the text and GitHub forms need no pydantic)."""
    from migrator.report.schemas import dump, schema_id
    from migrator.report.schemas.check import CheckOutput

    return dump(CheckOutput, {
        "schema": schema_id(CheckOutput),
        "applied_phases": list(state.applied_numbers),
        # true: nothing is recorded in .migrator/state.json; the phases are read from the tree
        "applied_phases_inferred": isinstance(state, InferredState),
        "ok": not findings,
        "findings": [
            {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message, "old": f.old, "new": f.new}
            for f in findings
        ],
    })


def check_github(findings, root: Path, base: Path, state=None) -> str:
    """GitHub workflow commands: one `::error` annotation per finding, its file relative
    to `base` (the repository's top level, where the workflow runs), and a notice when
    the applied phases were inferred from the tree."""
    out = []
    if state is not None and isinstance(state, InferredState):
        out.append(f"::notice title=migrate check::{_escape(inferred_line(state))}\n")
    for f in findings:
        path = Path(os.path.relpath(os.path.normpath(root / f.path), base)).as_posix()
        out.append(f"::error file={_escape_property(path)},line={f.line},col={f.col},title={f.code}::{_escape(f.message)}\n")
    if not findings:
        out.append("::notice title=migrate check::no stale references\n")
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A value of `file=...` (a comma or a colon would end it)."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def inferred_line(state: InferredState) -> str:
    """The one line saying that the applied phases were read from the tree."""
    numbers = state.applied_numbers
    half = f"; phase {state.half_applied_phase} looks half-applied (MIG015)" if state.half_applied_phase is not None else ""
    if not numbers:
        return f"no migration recorded in {STATE_PATH}, and the tree shows no phase of the mapping as applied{half}"
    which = f"phase {numbers[0]}" if len(numbers) == 1 else f"phases {', '.join(map(str, numbers))}"
    return f"no migration recorded in {STATE_PATH}; {which} inferred as applied from the tree{half}"


def print_check(console, findings, state) -> None:
    from rich.markup import escape

    if isinstance(state, InferredState):
        console.print(escape(inferred_line(state)))
    for f in findings:
        console.print(f"[bold]{escape(f.path)}:{f.line}:{f.col}:[/] [red]{f.code}[/] {escape(f.message)}")
    phases = ", ".join(map(str, state.applied_numbers)) or "none"
    if isinstance(state, InferredState) and state.applied_numbers:
        phases += ", inferred"
    if findings:
        files = len({f.path for f in findings})
        console.print(f"\n[red]{len(findings)} finding(s) in {files} file(s)[/] (applied phases: {phases}); `migrate check --fix` rewrites stale references")
    else:
        console.print(f"[green]clean[/]: no stale references (applied phases: {phases})")
