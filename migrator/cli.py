"""`migrate`: the command line. Thin: parse options, call the commands, the engine and
the adapters, hand their data to `report` (the only renderer), exit with one of the
`EXIT_*` codes below.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

#: Exit codes, the same for every command (scripts and CI branch on them).
#: 0: done, nothing to report (also: nothing to do, or the user declined to apply).
EXIT_OK = 0
#: 1: findings — `check`: stale references; `verify`: a regression or any failed check.
EXIT_FINDINGS = 1
#: 2: bad usage (typer exits 2 on a bad option too) or bad mapping — an unreadable or
#: invalid mapping, no such phase, an earlier phase not applied yet, --git-mv outside a
#: git work tree, verify's --baseline missing or no undo record to rebuild it from.
EXIT_USAGE = 2
#: 3: refused by a safety gate, or a write that failed and was undone — a plan with
#: errors, uncommitted touched files, another process holding the writer lock, an
#: interrupted apply/rollback or an untrusted state file, a refused or failed rollback.
#: Nothing was written, or what was written was put back, unless the message says to
#: run `migrate rollback`.
EXIT_REFUSED = 3
#: 130: interrupted by Ctrl-C (`main` prints one line: what changed, what to run).
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="migrate",
    help="Reorganize a Python codebase from a declarative mapping.yaml: plan, apply, check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JobsOpt = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: every core for large trees; results never depend on it).")
CacheOpt = typer.Option(
    True,
    "--cache/--no-cache",
    help="Reuse what parsing found in unchanged files (.migrator/cache/ in the target; safe to delete, never changes results).",
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


#: The target of the running command, once its mapping is loaded (for the Ctrl-C line).
_TARGET: list[Path] = []


def _load(mapping_path: Path):
    from migrator.mapping.spec import MappingError, load_mapping

    try:
        m = load_mapping(mapping_path)
    except MappingError as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)
    _TARGET[:] = [m.root]
    return m


@contextmanager
def _writing(mapping, op: str):
    """Hold the target's writer lock for the body, or refuse (exit 3) naming its holder."""
    from migrator.adapters.lock import LockHeld, writer_lock

    try:
        lock = writer_lock(mapping.root, op)
        lock.__enter__()
    except LockHeld as exc:
        _console(stderr=True).print(f"[bold red]refused[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_REFUSED)
    except OSError as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(mapping.root))}: cannot take the writer lock ({exc.strerror}: {exc.filename}); nothing changed")
        raise typer.Exit(EXIT_REFUSED)
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _with_preflight(mapping, phases):
    """The phase plans with a refusal added for every path the disk will not take (as apply)."""
    import dataclasses

    from migrator.adapters.preflight import preflight
    from migrator.model.plan import Diagnostic, Severity
    from migrator.adapters.snapshot import unread_reason

    unseen = unread_reason(mapping.root, mapping.spec.target.exclude)
    earlier: set[str] = set()
    out = []
    for p in phases:
        problems = preflight(mapping.root, p, unseen=unseen, ignore=earlier)
        if problems:
            extra = tuple(Diagnostic(Severity.ERROR, "MIG120", f"{why}; nothing was changed", path=rel) for rel, why in problems)
            # the location is already in `rel` (path:line:col for a file that would not parse)
            p = dataclasses.replace(p, diagnostics=p.diagnostics + extra)
        earlier.update(c.path for c in p.changes)
        earlier.update(c.renamed_from for c in p.changes if c.renamed_from)
        out.append(p)
    return tuple(out)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _recover_if_needed(mapping) -> None:
    """Refuse to work on a tree an interrupted apply or rollback left half-written, or
    whose state file cannot be trusted."""
    from migrator.adapters.state import StateError, interruption
    from migrator.commands.status import running_writer

    running = running_writer(mapping.root)
    if running is not None:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(mapping.root))}: {_escape(running)}")
        raise typer.Exit(EXIT_REFUSED)
    try:
        what = interruption(mapping.root)
    except StateError as exc:
        _refuse_state(exc)
    if what is not None:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(mapping.root))}: {_escape(str(what))}")
        raise typer.Exit(EXIT_REFUSED)
    _read_state(mapping)


def _read_state(mapping):
    """The target's state; a damaged or missing-with-undo-records state file refuses (exit 3)."""
    from migrator.adapters.state import StateError, read_state

    try:
        return read_state(mapping.root)
    except StateError as exc:
        _refuse_state(exc)


def _refuse_state(exc: Exception):
    _console(stderr=True).print(f"[bold red]refused[/] {_escape(str(exc))}")
    raise typer.Exit(EXIT_REFUSED)


SkipUnparsableOpt = typer.Option(
    False,
    "--skip-unparsable",
    help="Leave files that do not parse or decode as they are (warned), listing every mention of a moved path in them.",
)


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
    skip_unparsable: bool = SkipUnparsableOpt,
    jobs: Optional[int] = JobsOpt,
    cache: bool = CacheOpt,
) -> None:
    """Show what the phases would change, as a diff and a summary. Changes nothing (it may update .migrator/cache/)."""
    import json

    from migrator.adapters.planning import plan_target
    from migrator import report

    m = _load(mapping)
    _recover_if_needed(m)
    state = _read_state(m)
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
    with report.progress(_console(stderr=True)) as progress:
        result = plan_target(m, numbers, skip_unparsable=skip_unparsable, jobs=jobs, cache=cache, progress=progress)
    result = type(result)(_with_preflight(m, result.phases), result.mapping_path, result.target_root)
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
    from migrator.adapters import apply as applier
    from migrator.adapters.planning import plan_target
    from migrator import report

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


@app.command()
def status(mapping: Path = MappingOpt, format: str = typer.Option("text", "--format", "-f", help="text or json.")) -> None:
    """Show which phases are applied, when, and whether the tree still matches."""
    import json

    from migrator import report
    from migrator.adapters.state import StateError
    from migrator.commands.status import run_status

    m = _load(mapping)
    state = _read_state(m)
    try:
        result = run_status(m, state)
    except StateError as exc:
        _refuse_state(exc)
    if format == "json":
        sys.stdout.write(json.dumps(report.status_json(result), indent=2) + "\n")
        raise typer.Exit(EXIT_OK)
    report.print_status(_console(), result)


@app.command()
def rollback(
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="The phase to undo (must be the last applied)."),
    mapping: Path = MappingOpt,
) -> None:
    """Undo the last applied phase, or finish undoing an interrupted apply."""
    from migrator.adapters import rollback as undoer
    from migrator.adapters.state import StateError

    m = _load(mapping)
    out = _console()
    err = _console(stderr=True)
    with _writing(m, "rollback"):
        _read_state(m)  # a state that cannot be trusted refuses before any file is touched
        try:
            recovered = undoer.recover(m.root)
            if recovered is not None:
                out.print(f"restored the tree from an interrupted apply ({len(recovered)} files put back)")
                raise typer.Exit(EXIT_OK)
            undone = undoer.rollback_phase(m.root, phase)
        except StateError as exc:
            _refuse_state(exc)
        except undoer.RollbackRefused as exc:
            err.print(f"[bold red]refused[/] {_escape(str(exc))}")
            for f in exc.files:
                err.print(f"  {_escape(f)}")
            raise typer.Exit(EXIT_REFUSED)
        except undoer.RollbackFailed as exc:
            err.print(f"[bold red]error[/] {_escape(str(exc))}")
            raise typer.Exit(EXIT_REFUSED)
        except OSError as exc:
            err.print(f"[bold red]error[/] restoring the interrupted apply failed ({_escape(exc.strerror or str(exc))}: {_escape(str(exc.filename))}) — fix the cause, then run `migrate rollback` again")
            raise typer.Exit(EXIT_REFUSED)
    out.print(f"rolled back phase {undone}")


class GraphFormat(str, Enum):
    text = "text"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    mapping: Path = MappingOpt,
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Also show the graph after this phase (earlier unapplied phases simulated)."),
    format: GraphFormat = typer.Option(GraphFormat.text, "--format", "-f", help="text, dot (Graphviz) or json."),
    jobs: Optional[int] = JobsOpt,
    cache: bool = CacheOpt,
) -> None:
    """The target's import graph (before and after a phase): cycles with file:line."""
    import json

    from migrator.adapters.cache import ImportCache
    from migrator.adapters.snapshot import read_snapshot
    from migrator.analysis import graph as graphs
    from migrator.engine import plan as planner
    from migrator import report
    from migrator.analysis.project import ProjectIndex

    m = _load(mapping)
    _recover_if_needed(m)
    roots = m.spec.target.source_roots
    snapshot = read_snapshot(m)
    if phase is not None:
        _check_phase(m, phase)
    imports = ImportCache.load(m.root) if cache else ImportCache()
    with report.progress(_console(stderr=True)) as progress:
        views = [("now", graphs.build_graph(snapshot, ProjectIndex.build(snapshot, roots), cache=imports, workers=jobs, progress=progress))]
        if phase is not None:
            state = _read_state(m)
            numbers = [n for n in m.phase_numbers if n <= phase and not state.is_applied(n)]
            after = snapshot
            for n in numbers:
                phase_plan, after = planner.plan_phase(m, m.phase(n), after, jobs=jobs, imports=imports, progress=progress)
                if phase_plan.errors:
                    report.print_diagnostics(_console(stderr=True), phase_plan.errors)
                    raise typer.Exit(EXIT_REFUSED)
            views.append((f"after phase {phase}", graphs.build_graph(after, ProjectIndex.build(after, roots), cache=imports, workers=jobs, progress=progress)))
    imports.save(limit=3 * len(snapshot.files))
    if format is GraphFormat.json:
        sys.stdout.write(json.dumps(report.graph_json(views), indent=2) + "\n")
    elif format is GraphFormat.dot:
        sys.stdout.write(views[-1][1].to_dot())
    else:
        report.print_graphs(_console(), views)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def check(
    mapping: Path = MappingOpt,
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text, json, or github (workflow annotations)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite stale references with the same rules as apply."),
    cache: bool = CacheOpt,
) -> None:
    """CI guard: report references to old paths of applied moves (exit 1 when any)."""
    import json

    from migrator.commands import check as checker
    from migrator import report

    m = _load(mapping)
    if fix:
        with _writing(m, "check --fix"):
            _fix(m)
    _recover_if_needed(m)
    state = _read_state(m)
    with report.progress(_console(stderr=True)) as progress:
        findings = checker.run_check(m, state, cache=cache, progress=progress)
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps(report.check_json(findings, state), indent=2) + "\n")
    elif format is CheckFormat.github:
        sys.stdout.write(report.check_github(findings, m.root))
    else:
        report.print_check(_console(), findings, state)
    raise typer.Exit(EXIT_FINDINGS if findings else EXIT_OK)


def _fix(m) -> None:
    """`check --fix`: rewrite stale references transactionally (the caller holds the lock)."""
    from migrator.adapters import apply as applier
    from migrator.commands import check as checker

    _recover_if_needed(m)
    fix_plan = checker.fix_plan(m, _read_state(m))
    if fix_plan.changes:
        try:
            applier.write_changes(m.root, fix_plan)
        except applier.ApplyError as exc:
            _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
            raise typer.Exit(EXIT_REFUSED)
        _console(stderr=True).print(f"fixed {sum(len(c.edits) for c in fix_plan.changes)} reference(s) in {len(fix_plan.changes)} file(s)")


class AuditFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def audit(
    mapping: Path = MappingOpt,
    format: AuditFormat = typer.Option(AuditFormat.text, "--format", "-f", help="text (rich tables), markdown (for review in a pull request) or json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    package: Optional[list[str]] = typer.Option(None, "--package", "-P", help="A package to count overlaps against (repeatable; default: the existing packages the mapping moves code into)."),
    phases: bool = typer.Option(True, "--phases/--no-phases", help="Plan every pending phase in memory to find the cycles it would create."),
) -> None:
    """Before moving anything (the seed's Phase 1): overlaps, import sites, cycles, facades."""
    import json

    from migrator.commands import audit as auditor
    from migrator.adapters.snapshot import read_snapshot
    from migrator import report

    m = _load(mapping)
    _recover_if_needed(m)
    result = auditor.run_audit(m, read_snapshot(m), _read_state(m), packages=package or None, simulate_phases=phases)
    if format is AuditFormat.text and output is None:
        report.print_audit(_console(), result)
        raise typer.Exit(EXIT_OK)
    if format is AuditFormat.json:
        text = json.dumps(report.audit_json(result), indent=2) + "\n"
    elif format is AuditFormat.markdown:
        text = report.audit_markdown(result)
    else:
        text = report.audit_text(result)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        _console(stderr=True).print(f"wrote {_escape(str(output))}")


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def verify(
    mapping: Path = MappingOpt,
    format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", "-f", help="text or json."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="The pre-plan tree (a directory) or a JUnit XML of its tests; default: rebuilt from the undo records."),
    tests: bool = typer.Option(True, "--tests/--no-tests", help="Run the target's tests now and on the baseline."),
) -> None:
    """After the phases (the seed's Phase 12): tests vs baseline, imports, facades, duplicates, check."""
    import json

    from migrator.adapters.snapshot import read_snapshot
    from migrator import report
    from migrator.commands import verify as verifier

    m = _load(mapping)
    _recover_if_needed(m)
    try:
        result = verifier.run_verify(m, _read_state(m), read_snapshot(m), baseline=baseline, run_tests=tests)
    except verifier.VerifyError as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)
    if format is VerifyFormat.json:
        sys.stdout.write(json.dumps(report.verify_json(result), indent=2) + "\n")
    else:
        report.print_verify(_console(), result)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command()
def schema() -> None:
    """Print the JSON Schema of mapping files (for editors)."""
    from migrator.mapping.spec import json_schema_text

    sys.stdout.write(json_schema_text())


def main() -> None:
    """Run the app; Ctrl-C prints one line (what changed, what to run) and exits 130."""
    try:
        app()
    except KeyboardInterrupt:  # raised outside the command (typer turns one inside into exit 130)
        _interrupted()
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            _interrupted()
        raise


def _interrupted() -> None:
    from migrator.adapters.state import interruption

    what = interruption(_TARGET[0]) if _TARGET else None
    sys.stderr.write((f"interrupted; {what}" if what is not None else "interrupted; nothing changed") + "\n")
    sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
