"""What every `migrate` command shares: the exit codes, the typer app, the common options,
loading the mapping, the writer lock, and the refusals of a tree that cannot be trusted."""


from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer

#: Exit codes, the same for every command (scripts and CI branch on them).
#: 0: done, nothing to report (also: nothing to do, or the user declined to apply).
EXIT_OK = 0
#: 1: findings — `check`: stale references; `verify`: a regression or any failed check;
#: `retire`: references to the old paths of the facades remain (listed; nothing changed).
EXIT_FINDINGS = 1
#: 2: bad usage (typer exits 2 on a bad option too) or bad mapping — an unreadable or
#: invalid mapping, no such phase, an earlier phase not applied yet, --git-mv outside a
#: git work tree, verify's --baseline missing or no undo record to rebuild it from.
EXIT_USAGE = 2
#: 3: refused by a safety gate, or a write that failed and was undone — a plan with
#: errors, uncommitted touched files, another process holding the writer lock, an
#: interrupted apply/rollback or an untrusted state file, a refused or failed rollback,
#: `retire` of a facade edited or missing since its phase wrote it.
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
    # Help texts are rich markup whatever typer's default (`\\[` writes a bracket).
    rich_markup_mode="rich",
    # Inherited by every command's context: `migrate plan -h` works as `--help` does.
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version() -> str:
    """The installed version: the metadata of the distribution that ships the `migrator`
    package, whatever it is named on the index; the package's own `__version__` when it
    runs from a source tree that is not installed."""
    from importlib import metadata

    try:
        for name in dict.fromkeys(metadata.packages_distributions().get("migrator", ())):
            return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    import migrator

    return migrator.__version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"migrate {version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    _version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
) -> None:
    """Reorganize a Python codebase from a declarative mapping.yaml: plan, apply, check."""

JobsOpt = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: every core for large trees; results never depend on it).")
CacheOpt = typer.Option(
    True,
    "--cache/--no-cache",
    help="Reuse what parsing found in unchanged files (.migrator/cache/ in the target; safe to delete, never changes results).",
)
MappingOpt = typer.Option(
    None,
    "--mapping",
    "-m",
    help="The mapping file (default: the nearest mapping.yaml from here up to the repository root, or \\[tool.migrator] mapping in a pyproject.toml on the way).",
    show_default=False,
)


def _console(stderr: bool = False):
    from migrator.report import make_console

    return make_console(stderr)


#: The target of the running command, once its mapping is loaded (for the Ctrl-C line).
_TARGET: list[Path] = []


def _load(mapping_path: Path | None):
    """The mapping `--mapping` names, or the one `find_mapping` finds; a missing or
    invalid one is one message and exit 2."""
    from migrator.mapping.spec import MappingError, load_mapping

    try:
        m = load_mapping(mapping_path if mapping_path is not None else _discover().path)
    except MappingError as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)
    _TARGET[:] = [m.root]
    return m


def _discover():
    """The mapping `_find_mapping` finds from the working directory; exits 2 with what to
    do when there is none."""
    from migrator.mapping.discover import MappingNotFound

    try:
        return _find_mapping(Path.cwd())
    except MappingNotFound as exc:
        _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)


def _find_mapping(start: Path):
    """`mapping.discover.find_mapping` from `start` up to its git top level (the file
    system root outside git), asking the real disk."""
    from migrator.adapters import vcs
    from migrator.mapping.discover import find_mapping

    start = start.resolve()
    tree = vcs.work_tree(start)
    return find_mapping(start, stop=tree.top if tree else None, is_file=Path.is_file, read_text=lambda p: p.read_text(encoding="utf-8"))


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


def _with_preflight(mapping, phases, snapshot=None):
    """The phase plans with a refusal added for every path the disk will not take (as
    apply). `snapshot`: what the plans were made on (its files were read, so the tool
    reads them: the target is listed again only for a file outside it)."""
    import dataclasses

    from migrator.adapters.preflight import preflight
    from migrator.adapters.snapshot import unread_reason
    from migrator.model.plan import Diagnostic, Severity

    unseen = unread_reason(mapping.root, mapping.spec.target.exclude, read=snapshot.files if snapshot is not None else ())
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


def _refuse_unrecorded_phases(mapping, state):
    """Refuse (exit 3) to plan or apply on a tree whose phases are visibly applied but not
    recorded (a clone where `.migrator/state.json` was not committed): phase 1 would be
    planned again on its own output, and a consolidation refusal would even suggest
    `prefer: source`, which would replace the real code with a facade. Returns the
    snapshot it read to find out (the caller plans on it rather than read the tree
    again), or None when there was nothing to find out."""
    from migrator.adapters.snapshot import read_snapshot
    from migrator.adapters.state import is_recorded
    from migrator.commands.inferred import infer_state

    if state.applied or is_recorded(mapping.root) or not mapping.spec.phases:
        return None
    snapshot = read_snapshot(mapping)
    inferred = infer_state(mapping, snapshot)
    shown = list(inferred.applied_numbers) + ([inferred.half_applied_phase] if inferred.half_applied_phase is not None else [])
    if not shown:
        return snapshot
    what = ", ".join(map(str, shown))
    _console(stderr=True).print(
        f"[bold red]refused[/] {_escape(str(mapping.root))}: no migration is recorded in .migrator/state.json, but the tree shows "
        f"phase(s) {what} applied — planning them again would move their own output; nothing changed. Bring the record: commit "
        "`.migrator/state.json` in the clone that applied them (README: \"What to commit\") and pull it, or check out the tree "
        "from before the migration. `migrate check` works without it (it infers the applied phases)."
    )
    raise typer.Exit(EXIT_REFUSED)


def _refuse_state(exc: Exception):
    _console(stderr=True).print(f"[bold red]refused[/] {_escape(str(exc))}")
    raise typer.Exit(EXIT_REFUSED)


SkipUnparsableOpt = typer.Option(
    False,
    "--skip-unparsable",
    help="Leave files that do not parse or decode as they are (warned), listing every mention of a moved path in them.",
)


def _check_phase(mapping, phase: int) -> None:
    from migrator.mapping.spec import shown_path

    if phase not in mapping.phase_numbers:
        numbers = ", ".join(map(str, mapping.phase_numbers))
        have = f"phases are {numbers}" if numbers else "it has no phases yet (add one under `phases:`)"
        _console(stderr=True).print(f"[bold red]error[/] {_escape(shown_path(mapping.path))}: there is no phase {phase} — {have}")
        raise typer.Exit(EXIT_USAGE)
