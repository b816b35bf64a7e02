"""`migrate apply`: one phase, or every pending phase up to N, exactly as planned; each
phase its own transaction."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
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
    _writing,
    app,
)


@dataclass(frozen=True)
class _Options:
    """What every phase of a run is applied with."""

    skip_unparsable: bool
    jobs: Optional[int]
    allow_dirty: bool
    git_mv: bool
    cache: bool
    #: ask before this phase (a run of one phase on a terminal without --yes)
    ask: bool = False


@app.command()
def apply(
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Apply this one phase (the phases before it must be applied)."),
    to: Optional[int] = typer.Option(None, "--to", help="Apply every pending phase up to this one, in order, each in its own transaction."),
    all_phases: bool = typer.Option(False, "--all", help="Apply every pending phase, in order, each in its own transaction."),
    mapping: Path = MappingOpt,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation on a terminal."),
    skip_unparsable: bool = SkipUnparsableOpt,
    jobs: Optional[int] = JobsOpt,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Apply even when files the phase touches have uncommitted changes (git)."),
    git_mv: bool = typer.Option(False, "--git-mv", help="Move files with `git mv` so their history follows them."),
    cache: bool = CacheOpt,
) -> None:
    """Apply phases exactly as `migrate plan` shows them: one (--phase N), every pending one up to N (--to N) or all (--all); each in its own transaction, stopping at the first refusal."""
    given = [name for name, value in (("--phase", phase), ("--to", to), ("--all", all_phases or None)) if value is not None]
    if len(given) != 1:
        what = "none was given" if not given else f"got {' and '.join(given)}"
        _console(stderr=True).print(f"[bold red]error[/] give exactly one of --phase N (one phase), --to N (every pending phase up to N) or --all ({what})")
        raise typer.Exit(EXIT_USAGE)
    m = _load(mapping)
    opts = _Options(skip_unparsable, jobs, allow_dirty, git_mv, cache)
    with _writing(m, "apply"):
        _recover_if_needed(m)
        numbers, snapshot = _phases_of_run(m, phase, to)
        _run(m, numbers, opts, yes, snapshot)


def _phases_of_run(m, phase: Optional[int], to: Optional[int]):
    """The phases the run applies, in order, and the snapshot of the tree read to find
    out whether phases are applied unrecorded (None when it was not read); exits when
    there is nothing to do (0) or the phase cannot be applied yet (2)."""
    state = _read_state(m)
    snapshot = _refuse_unrecorded_phases(m, state)
    out = _console()
    if phase is not None:
        _check_phase(m, phase)
        if state.is_applied(phase):
            out.print(f"phase {phase} is already applied; nothing changed")
            raise typer.Exit(EXIT_OK)
        earlier = [n for n in m.phase_numbers if n < phase and not state.is_applied(n)]
        if earlier:
            _console(stderr=True).print(
                f"[bold red]error[/] phase {earlier[0]} is not applied yet — phases apply in order: "
                f"run `migrate apply --phase {earlier[0]}` first, or `migrate apply --to {phase}` to apply every phase up to {phase}"
            )
            raise typer.Exit(EXIT_USAGE)
        return [phase], snapshot
    if to is not None:
        _check_phase(m, to)
    numbers = [n for n in m.phase_numbers if not state.is_applied(n) and (to is None or n <= to)]
    if not numbers:
        if not m.spec.phases:
            out.print(f"{_escape(str(m.path))} has no phases yet; nothing changed — write one under `phases:`, then run `migrate plan`")
        else:
            out.print(f"every phase up to {to} is applied; nothing changed" if to is not None else "all phases are applied; nothing changed")
        raise typer.Exit(EXIT_OK)
    return numbers, snapshot


def _run(m, numbers: list[int], opts: _Options, yes: bool, snapshot=None) -> None:
    """Apply `numbers` in order, each phase its own transaction; at the first refusal, say
    which phases were applied before it and exit with that phase's code. `snapshot`: the
    tree as just read, planned on for the first phase unless a question comes first
    (files may change while it waits)."""
    err = _console(stderr=True)
    if opts.git_mv:
        from migrator.adapters import vcs

        if vcs.work_tree(m.root) is None:
            err.print(f"[bold red]error[/] {_escape(str(m.root))}: --git-mv needs a git work tree, and the target is not inside one — drop --git-mv")
            raise typer.Exit(EXIT_USAGE)
    asking = sys.stdin.isatty() and not yes
    if asking and len(numbers) > 1:
        snapshot = None
        _refuse_if_not_in_tree(m, numbers[0])
        _confirm_run(m, numbers)
    applied: list[int] = []
    for n in numbers:
        try:
            _apply_one(m, n, dataclasses.replace(opts, ask=asking and len(numbers) == 1), snapshot if not applied else None)
        except typer.Exit as stop:
            if len(numbers) > 1 and stop.exit_code != EXIT_OK:
                err.print(f"[bold red]stopped[/] at phase {n}; {_applied_before(applied)}")
            raise
        except KeyboardInterrupt:
            if applied:
                err.print(f"phase {n} was interrupted and not applied (nothing of it changed); {_applied_before(applied)}, and stays applied")
            raise
        applied.append(n)
    if len(numbers) > 1:
        _console().print(f"applied {_phases(applied)}")


def _applied_before(applied: list[int]) -> str:
    if not applied:
        return "no phase was applied"
    return f"applied before it: {_phases(applied)} (recorded: see `migrate status`; `migrate rollback` undoes the last)"


def _phases(numbers: list[int]) -> str:
    """'phase 1' or 'phases 1, 2'."""
    return f"phase {numbers[0]}" if len(numbers) == 1 else f"phases {', '.join(map(str, numbers))}"


def _confirm_run(m, numbers: list[int]) -> None:
    """One prompt for a run of several phases, listing them."""
    out = _console()
    titles = {p.phase: p.title for p in m.spec.phases}
    out.print(f"phases to apply, in order, each in its own transaction (`migrate plan --to {numbers[-1]}` shows the diff):")
    for n in numbers:
        out.print(f"  phase {n}: {_escape(titles[n])}")
    if not typer.confirm(f"Apply these {len(numbers)} phases?", default=False):
        out.print("nothing changed")
        raise typer.Exit(EXIT_OK)


def _apply_one(m, phase: int, opts: _Options, snapshot=None) -> None:
    """One phase: the tree holds the recorded phases, its own plan and gates, then the
    transaction and its record. `snapshot`: the tree as just read (default: read now)."""
    from migrator import report
    from migrator.adapters import apply as applier
    from migrator.adapters.planning import plan_target

    out = _console()
    err = _console(stderr=True)
    state = _refuse_if_not_in_tree(m, phase)
    if snapshot is None:
        from migrator.adapters.snapshot import read_snapshot

        snapshot = read_snapshot(m)
    with report.progress(err) as progress:
        result = plan_target(m, [phase], snapshot=snapshot, skip_unparsable=opts.skip_unparsable, jobs=opts.jobs, cache=opts.cache, baseline=True, progress=progress)
    phase_plan = _with_preflight(m, result.phases, snapshot)[0]
    report.print_diagnostics(err, phase_plan.diagnostics)
    if phase_plan.errors:
        err.print(f"[bold red]refused[/] phase {phase} was not applied; nothing changed")
        raise typer.Exit(EXIT_REFUSED)
    if not opts.allow_dirty:
        dirty = applier.uncommitted_touched(m.root, phase_plan, state)
        if dirty:
            err.print(f"[bold red]refused[/] phase {phase}: {len(dirty)} file(s) it touches have uncommitted changes — commit them first, or pass --allow-dirty; nothing changed")
            for f in dirty:
                err.print(f"  {_escape(f)}")
            raise typer.Exit(EXIT_REFUSED)
    if opts.ask:
        out.print(report.summary_table(result))
        if not typer.confirm(f"Apply phase {phase} ({len(phase_plan.changes)} file changes)?", default=False):
            out.print("nothing changed")
            raise typer.Exit(EXIT_OK)
    try:
        res = applier.apply_phase(m.root, phase_plan, git_mv=opts.git_mv)
    except applier.ApplyError as exc:
        err.print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_REFUSED)
    moved = f" ({res.git_moved} moved with git mv)" if opts.git_mv else ""
    folders = f", {len(phase_plan.removed_dirs)} emptied folder(s) removed" if phase_plan.removed_dirs else ""
    out.print(f"applied phase {phase} ({phase_plan.title}): {res.written} files written{moved}, {res.deleted} removed{folders}")


def _refuse_if_not_in_tree(m, phase: int):
    """The state, once the tree is known to hold what the recorded phases wrote; refuses
    (exit 3) naming the files when it does not (a stash, a checkout of an older commit)."""
    from migrator.adapters import apply as applier
    from migrator.adapters import vcs

    state = _read_state(m)
    lost = applier.phases_not_in_tree(m.root, state)
    if not lost:
        return state
    err = _console(stderr=True)
    gone = sorted({w.phase for w in lost})
    err.print(
        f"[bold red]refused[/] phase {phase}: the tree no longer holds what {_phases(gone)} wrote "
        f"({len(lost)} file(s) missing or back to their content before it), so phase {phase} would be applied without it; nothing changed"
    )
    for w in lost:
        err.print(f"  {_escape(str(w))}")
    last = state.applied[-1].phase
    undo = "`migrate rollback`" if last == gone[0] else f"`migrate rollback` (it undoes the last applied phase, {last}; run it once per phase down to phase {gone[0]})"
    if vcs.work_tree(m.root) is not None:
        back = "bring the changes back (`git stash pop` if you stashed them, or check out the commit that has them)"
    else:
        back = "put those files back as the phase left them"
    err.print(f"to go on: {back}, then apply again; or forget {_phases(gone)} with {undo}")
    raise typer.Exit(EXIT_REFUSED)
