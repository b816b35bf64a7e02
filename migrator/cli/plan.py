"""`migrate plan`: the diff and summary of the unapplied phases."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CacheOpt,
    JobsOpt,
    MappingOpt,
    SkipUnparsableOpt,
    _check_phase,
    _console,
    _escape,
    _load,
    _read_state,
    _refuse_unrecorded_phases,
    _recover_if_needed,
    _with_preflight,
    app,
)


class PlanFormat(str, Enum):
    full = "full"
    diff = "diff"
    summary = "summary"
    json = "json"


@app.command()
def plan(
    mapping: Path = MappingOpt,
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Plan one phase (earlier unapplied phases are simulated first)."),
    to: Optional[int] = typer.Option(None, "--to", help="Plan every unapplied phase up to this one (what `apply --to N` would apply)."),
    format: PlanFormat = typer.Option(PlanFormat.full, "--format", "-f", help="full (diff + summary), diff, summary or json."),
    no_pager: bool = typer.Option(False, "--no-pager", help="Print the diff directly on a terminal too (default: through $PAGER or less, as git does)."),
    skip_unparsable: bool = SkipUnparsableOpt,
    jobs: Optional[int] = JobsOpt,
    cache: bool = CacheOpt,
) -> None:
    """Show what the phases would change, as a diff and a summary. Changes nothing (it may update .migrator/cache/)."""
    import json

    from migrator import report
    from migrator.adapters.planning import plan_target

    m = _load(mapping)
    _recover_if_needed(m)
    state = _read_state(m)
    snapshot = _refuse_unrecorded_phases(m, state)
    pending = [n for n in m.phase_numbers if not state.is_applied(n)]
    if phase is not None and to is not None:
        _console(stderr=True).print("[bold red]error[/] give --phase N (one phase) or --to N (every unapplied phase up to N), not both")
        raise typer.Exit(EXIT_USAGE)
    if to is not None:
        _check_phase(m, to)
        numbers = [n for n in pending if n <= to]
        if not numbers:
            _console().print(f"every phase up to {to} is applied; nothing to plan")
            raise typer.Exit(EXIT_OK)
    elif phase is not None:
        _check_phase(m, phase)
        if state.is_applied(phase):
            _console().print(f"phase {phase} is already applied; nothing to plan")
            raise typer.Exit(EXIT_OK)
        numbers = [n for n in pending if n <= phase]
    else:
        numbers = pending
    if not numbers:
        _console().print("all phases are applied; nothing to plan" if m.spec.phases else f"{_escape(str(m.path))} has no phases yet; nothing to plan — write one under `phases:` (`migrate init` leaves an example), then run `migrate plan`")
        raise typer.Exit(EXIT_OK)
    if snapshot is None:
        from migrator.adapters.snapshot import read_snapshot

        snapshot = read_snapshot(m)
    with report.progress(_console(stderr=True)) as progress:
        result = plan_target(m, numbers, snapshot=snapshot, skip_unparsable=skip_unparsable, jobs=jobs, cache=cache, progress=progress)
    result = type(result)(_with_preflight(m, result.phases, snapshot), result.mapping_path, result.target_root)
    if phase is not None:
        result = type(result)(tuple(p for p in result.phases if p.phase == phase or p.errors), result.mapping_path, result.target_root)
    out = _console()
    if format is PlanFormat.json:
        sys.stdout.write(json.dumps(report.plan_json(result), indent=2) + "\n")
    else:
        with report.paged(out, enabled=not no_pager and format in (PlanFormat.full, PlanFormat.diff)):
            if format in (PlanFormat.full, PlanFormat.diff):
                report.print_plan_diff(out, result)
            if format in (PlanFormat.full, PlanFormat.summary):
                out.print(report.summary_table(result))
        err = _console(stderr=True)
        for p in result.phases:
            report.print_diagnostics(err, [d for d in p.diagnostics])
    raise typer.Exit(EXIT_REFUSED if result.errors else EXIT_OK)
