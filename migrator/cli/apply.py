"""`migrate apply`: one phase, exactly as planned, transactionally."""

from __future__ import annotations

import sys
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
    _recover_if_needed,
    _with_preflight,
    _writing,
    app,
)


@app.command()
def apply(
    phase: int = typer.Option(..., "--phase", "-p", help="The phase to apply."),
    mapping: Path = MappingOpt,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation on a terminal."),
    skip_unparsable: bool = SkipUnparsableOpt,
    jobs: Optional[int] = JobsOpt,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Apply even when files the phase touches have uncommitted changes (git)."),
    git_mv: bool = typer.Option(False, "--git-mv", help="Move files with `git mv` so their history follows them."),
    cache: bool = CacheOpt,
) -> None:
    """Apply one phase: exactly what `migrate plan --phase N` shows, transactionally."""
    m = _load(mapping)
    with _writing(m, "apply"):
        _apply(m, phase, yes, skip_unparsable, jobs, allow_dirty, git_mv, cache)


def _apply(m, phase: int, yes: bool, skip_unparsable: bool, jobs: Optional[int], allow_dirty: bool, git_mv: bool, cache: bool) -> None:
    from migrator import report
    from migrator.adapters import apply as applier
    from migrator.adapters.planning import plan_target

    _recover_if_needed(m)
    _check_phase(m, phase)
    state = _read_state(m)
    out = _console()
    err = _console(stderr=True)
    if state.is_applied(phase):
        out.print(f"phase {phase} is already applied; nothing changed")
        raise typer.Exit(EXIT_OK)
    earlier = [n for n in m.phase_numbers if n < phase and not state.is_applied(n)]
    if earlier:
        err.print(f"[bold red]error[/] phase {earlier[0]} is not applied yet — phases apply in order: run `migrate apply --phase {earlier[0]}` first")
        raise typer.Exit(EXIT_USAGE)
    with report.progress(err) as progress:
        result = plan_target(m, [phase], skip_unparsable=skip_unparsable, jobs=jobs, cache=cache, baseline=True, progress=progress)
    phase_plan = _with_preflight(m, result.phases)[0]
    report.print_diagnostics(err, phase_plan.diagnostics)
    if phase_plan.errors:
        err.print(f"[bold red]refused[/] phase {phase} was not applied; nothing changed")
        raise typer.Exit(EXIT_REFUSED)
    if git_mv:
        from migrator.adapters import vcs

        if vcs.work_tree(m.root) is None:
            err.print(f"[bold red]error[/] {_escape(str(m.root))}: --git-mv needs a git work tree, and the target is not inside one — drop --git-mv")
            raise typer.Exit(EXIT_USAGE)
    if not allow_dirty:
        dirty = applier.uncommitted_touched(m.root, phase_plan)
        if dirty:
            err.print(f"[bold red]refused[/] phase {phase}: {len(dirty)} file(s) it touches have uncommitted changes — commit or stash them first, or pass --allow-dirty; nothing changed")
            for f in dirty:
                err.print(f"  {_escape(f)}")
            raise typer.Exit(EXIT_REFUSED)
    if sys.stdin.isatty() and not yes:
        out.print(report.summary_table(result))
        if not typer.confirm(f"Apply phase {phase} ({len(phase_plan.changes)} file changes)?", default=False):
            out.print("nothing changed")
            raise typer.Exit(EXIT_OK)
    try:
        res = applier.apply_phase(m.root, phase_plan, git_mv=git_mv)
    except applier.ApplyError as exc:
        err.print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_REFUSED)
    moved = f" ({res.git_moved} moved with git mv)" if git_mv else ""
    folders = f", {len(phase_plan.removed_dirs)} emptied folder(s) removed" if phase_plan.removed_dirs else ""
    out.print(f"applied phase {phase} ({phase_plan.title}): {res.written} files written{moved}, {res.deleted} removed{folders}")
