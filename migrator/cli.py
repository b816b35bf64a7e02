"""`migrate`: the command line. Thin: parse options, call the engine, render, exit.

Exit codes: 0 fine; 1 findings (stale imports, new cycles, regressions); 2 bad usage or
bad mapping; 3 refused by a safety gate (nothing written).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3

app = typer.Typer(
    name="migrate",
    help="Reorganize a Python codebase from a declarative mapping.yaml: plan, apply, check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MappingOpt = typer.Option(Path("mapping.yaml"), "--mapping", "-m", help="The mapping file.", show_default=True)


class PlanFormat(str, Enum):
    full = "full"
    diff = "diff"
    summary = "summary"
    json = "json"


def _console(stderr: bool = False):
    from migrator.report import make_console

    return make_console(stderr)


def _load(mapping_path: Path):
    from migrator.mapping import MappingError, load_mapping

    try:
        return load_mapping(mapping_path)
    except MappingError as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _recover_if_needed(mapping) -> None:
    """Refuse to work on a tree an interrupted apply left half-written."""
    from migrator.state import pending_journal

    if pending_journal(mapping.root):
        _console(stderr=True).print(
            f"[bold red]error[/] {_escape(str(mapping.root))}: an earlier `migrate apply` was interrupted; "
            "the tree may be half-written — run `migrate rollback` to restore it"
        )
        raise typer.Exit(EXIT_REFUSED)


def _check_phase(mapping, phase: int) -> None:
    if phase not in mapping.phase_numbers:
        numbers = ", ".join(map(str, mapping.phase_numbers))
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(mapping.path))}: there is no phase {phase} — phases are {numbers}")
        raise typer.Exit(EXIT_USAGE)


@app.command()
def plan(
    mapping: Path = MappingOpt,
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Plan one phase (earlier unapplied phases are simulated first)."),
    format: PlanFormat = typer.Option(PlanFormat.full, "--format", "-f", help="full (diff + summary), diff, summary or json."),
) -> None:
    """Show what the phases would change, as a diff and a summary. Writes nothing."""
    import json

    from migrator import planner, report
    from migrator.state import read_state

    m = _load(mapping)
    _recover_if_needed(m)
    state = read_state(m.root)
    pending = [n for n in m.phase_numbers if not state.is_applied(n)]
    if phase is not None:
        _check_phase(m, phase)
        if state.is_applied(phase):
            _console().print(f"phase {phase} is already applied; nothing to plan")
            raise typer.Exit(EXIT_OK)
        numbers = [n for n in pending if n <= phase]
    else:
        numbers = pending
    if not numbers:
        _console().print("all phases are applied; nothing to plan")
        raise typer.Exit(EXIT_OK)
    result = planner.plan(m, numbers)
    if phase is not None:
        result = type(result)(tuple(p for p in result.phases if p.phase == phase or p.errors), result.mapping_path, result.target_root)
    out = _console()
    if format is PlanFormat.json:
        sys.stdout.write(json.dumps(report.plan_json(result), indent=2) + "\n")
    else:
        if format in (PlanFormat.full, PlanFormat.diff):
            report.print_diff(out, report.plan_diff(result))
        if format in (PlanFormat.full, PlanFormat.summary):
            out.print(report.summary_table(result))
        err = _console(stderr=True)
        for p in result.phases:
            report.print_diagnostics(err, [d for d in p.diagnostics])
    raise typer.Exit(EXIT_REFUSED if result.errors else EXIT_OK)


@app.command()
def apply(
    phase: int = typer.Option(..., "--phase", "-p", help="The phase to apply."),
    mapping: Path = MappingOpt,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation on a terminal."),
) -> None:
    """Apply one phase: exactly what `migrate plan --phase N` shows, transactionally."""
    from migrator import apply as applier
    from migrator import planner, report
    from migrator.state import read_state

    m = _load(mapping)
    _recover_if_needed(m)
    _check_phase(m, phase)
    state = read_state(m.root)
    out = _console()
    err = _console(stderr=True)
    if state.is_applied(phase):
        out.print(f"phase {phase} is already applied; nothing changed")
        raise typer.Exit(EXIT_OK)
    earlier = [n for n in m.phase_numbers if n < phase and not state.is_applied(n)]
    if earlier:
        err.print(f"[bold red]error[/] phase {earlier[0]} is not applied yet — phases apply in order: run `migrate apply --phase {earlier[0]}` first")
        raise typer.Exit(EXIT_USAGE)
    result = planner.plan(m, [phase])
    phase_plan = result.phases[0]
    report.print_diagnostics(err, phase_plan.diagnostics)
    if phase_plan.errors:
        err.print(f"[bold red]refused[/] phase {phase} was not applied; nothing changed")
        raise typer.Exit(EXIT_REFUSED)
    if sys.stdin.isatty() and not yes:
        out.print(report.summary_table(result))
        if not typer.confirm(f"Apply phase {phase} ({len(phase_plan.changes)} file changes)?", default=False):
            out.print("nothing changed")
            raise typer.Exit(EXIT_OK)
    try:
        res = applier.apply_phase(m.root, phase_plan)
    except applier.ApplyError as exc:
        err.print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_REFUSED)
    out.print(f"applied phase {phase} ({phase_plan.title}): {res.written} files written, {res.deleted} removed")


@app.command()
def status(mapping: Path = MappingOpt, format: str = typer.Option("text", "--format", "-f", help="text or json.")) -> None:
    """Show which phases are applied, when, and whether the tree still matches."""
    import json

    from rich.table import Table

    from migrator.state import modified_files, pending_journal, read_state

    m = _load(mapping)
    state = read_state(m.root)
    rows = []
    for p in m.spec.phases:
        a = state.get(p.phase)
        edited = modified_files(m.root, a) if a else []
        rows.append({"phase": p.phase, "title": p.title, "applied": a is not None, "applied_at": a.applied_at if a else None, "modified_files": edited})
    interrupted = pending_journal(m.root) is not None
    if format == "json":
        sys.stdout.write(json.dumps({"version": 1, "interrupted": interrupted, "phases": rows}, indent=2) + "\n")
        raise typer.Exit(EXIT_OK)
    table = Table(title=f"migrate status: {m.root}")
    for col in ("phase", "title", "applied", "tree matches"):
        table.add_column(col)
    for r in rows:
        match = "-" if not r["applied"] else ("yes" if not r["modified_files"] else f"[yellow]{len(r['modified_files'])} file(s) edited since[/]")
        table.add_row(str(r["phase"]), r["title"], r["applied_at"] or "no", match)
    out = _console()
    out.print(table)
    if interrupted:
        out.print("[bold red]an apply was interrupted[/]: run `migrate rollback` to restore the tree")


@app.command()
def rollback(
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="The phase to undo (must be the last applied)."),
    mapping: Path = MappingOpt,
) -> None:
    """Undo the last applied phase, or finish undoing an interrupted apply."""
    from migrator import apply as applier

    m = _load(mapping)
    out = _console()
    err = _console(stderr=True)
    recovered = applier.recover(m.root)
    if recovered is not None:
        out.print(f"restored the tree from an interrupted apply ({len(recovered)} files put back)")
        raise typer.Exit(EXIT_OK)
    try:
        undone = applier.rollback_phase(m.root, phase)
    except applier.RollbackRefused as exc:
        err.print(f"[bold red]refused[/] {_escape(str(exc))}")
        for f in exc.files:
            err.print(f"  {_escape(f)}")
        raise typer.Exit(EXIT_REFUSED)
    out.print(f"rolled back phase {undone}")


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def check(
    mapping: Path = MappingOpt,
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text, json, or github (workflow annotations)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite stale references with the same rules as apply."),
) -> None:
    """CI guard: report references to old paths of applied moves (exit 1 when any)."""
    import json

    from migrator import check as checker
    from migrator import report
    from migrator.state import read_state

    m = _load(mapping)
    _recover_if_needed(m)
    state = read_state(m.root)
    if fix:
        from migrator import apply as applier

        fix_plan = checker.fix_plan(m, state)
        if fix_plan.changes:
            applier.write_changes(m.root, fix_plan)
            _console(stderr=True).print(f"fixed {sum(len(c.edits) for c in fix_plan.changes)} reference(s) in {len(fix_plan.changes)} file(s)")
    findings = checker.run_check(m, state)
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps(report.check_json(findings, state), indent=2) + "\n")
    elif format is CheckFormat.github:
        sys.stdout.write(report.check_github(findings, m.root))
    else:
        report.print_check(_console(), findings, state)
    raise typer.Exit(EXIT_FINDINGS if findings else EXIT_OK)


@app.command()
def schema() -> None:
    """Print the JSON Schema of mapping files (for editors)."""
    from migrator.mapping import json_schema_text

    sys.stdout.write(json_schema_text())


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
