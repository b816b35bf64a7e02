"""`migrate retire`: remove the facades of applied phases once nothing uses the old paths."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    MappingOpt,
    _check_phase,
    _console,
    _escape,
    _load,
    _read_state,
    _recover_if_needed,
    _writing,
    app,
)


@app.command()
def retire(
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Retire only the facades this phase wrote (default: those of every applied phase)."),
    mapping: Path = MappingOpt,
) -> None:
    """Remove the facades of applied phases once nothing uses their old paths (`rollback` puts them back)."""
    m = _load(mapping)
    with _writing(m, "retire"):
        _retire(m, phase)


def _retire(m, phase: Optional[int]) -> None:
    from migrator import report
    from migrator.adapters import apply as applier
    from migrator.adapters import retire as retirer
    from migrator.commands.retire import plan_retire

    _recover_if_needed(m)
    out, err = _console(), _console(stderr=True)
    state = _read_state(m)
    if phase is not None:
        _check_phase(m, phase)
        if not state.is_applied(phase):
            err.print(f"[bold red]error[/] phase {phase} is not applied — only the facades of applied phases can be retired")
            raise typer.Exit(EXIT_USAGE)
    plan = plan_retire(m, state, phase)
    if not plan.facades:
        which = f"phase {phase}" if phase is not None else "the applied phases"
        out.print(f"no facade of {which} is left to retire; nothing changed")
        raise typer.Exit(EXIT_OK)
    if plan.blocked:
        report.print_retire_refusal(err, plan)
        raise typer.Exit(EXIT_REFUSED if plan.edited else EXIT_FINDINGS)
    try:
        retirer.retire_facades(m.root, plan.changes, plan.phases)
    except applier.ApplyError as exc:
        err.print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_REFUSED)
    report.print_retired(out, plan)
