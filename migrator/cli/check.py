"""`migrate check`: the CI guard against stale references."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from migrator.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_REFUSED,
    CacheOpt,
    MappingOpt,
    _console,
    _escape,
    _load,
    _read_state,
    _recover_if_needed,
    _writing,
    app,
)


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

    from migrator import report
    from migrator.adapters.snapshot import read_snapshot
    from migrator.adapters.state import is_recorded
    from migrator.commands import check as checker

    m = _load(mapping)
    if fix:
        with _writing(m, "check --fix"):
            _fix(m)
    _recover_if_needed(m)
    snapshot = read_snapshot(m)
    # No state.json (a clone where .migrator/ was not committed): the phases the tree shows.
    state = checker.state_to_check(m, _read_state(m), snapshot, recorded=is_recorded(m.root))
    with report.progress(_console(stderr=True)) as progress:
        findings = checker.run_check(m, state, snapshot, cache=cache, progress=progress)
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps(report.check_json(findings, state), indent=2) + "\n")
    elif format is CheckFormat.github:
        sys.stdout.write(report.check_github(findings, m.root, _annotation_base(m.root), state))
    else:
        report.print_check(_console(), findings, state)
    raise typer.Exit(EXIT_FINDINGS if findings else EXIT_OK)


def _annotation_base(root: Path) -> Path:
    """What GitHub annotation paths are relative to: the top level of the git work tree
    holding the target (where a workflow checks the repository out), else the working
    directory."""
    from migrator.adapters import vcs

    tree = vcs.work_tree(root)
    return tree.top if tree is not None else Path.cwd()


def _fix(m) -> None:
    """`check --fix`: rewrite stale references transactionally (the caller holds the lock)."""
    from migrator.adapters import apply as applier
    from migrator.commands import check as checker

    from migrator.adapters.state import is_recorded

    _recover_if_needed(m)
    if not is_recorded(m.root):
        # It would record its edits in a new state.json without the phases, after which
        # `check` would trust that record and see no applied phase at all.
        _console(stderr=True).print(
            f"[bold red]refused[/] {_escape(str(m.root))}: `check --fix` needs the record of the applied phases "
            "(.migrator/state.json), and none is here; nothing changed. Bring it from the clone that applied them "
            "(README: \"What to commit\"), or fix the references `migrate check` lists by hand."
        )
        raise typer.Exit(EXIT_REFUSED)
    fix_plan = checker.fix_plan(m, _read_state(m))
    if fix_plan.changes:
        try:
            applier.write_changes(m.root, fix_plan)
        except applier.ApplyError as exc:
            _console(stderr=True).print(f"[bold red]error[/] {_escape(str(exc))}")
            raise typer.Exit(EXIT_REFUSED)
        _console(stderr=True).print(f"fixed {sum(len(c.edits) for c in fix_plan.changes)} reference(s) in {len(fix_plan.changes)} file(s)")
