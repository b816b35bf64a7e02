"""`migrate verify`: the tree after the phases, against the tree before."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    MappingOpt,
    _console,
    _escape,
    _load,
    _read_state,
    _recover_if_needed,
    app,
)


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def verify(
    mapping: Path = MappingOpt,
    format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", "-f", help="text or json."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="The tree before the phases (a folder) or a JUnit XML of its tests (default: rebuilt from what apply recorded)."),
    tests: bool = typer.Option(True, "--tests/--no-tests", help="Run the target's tests now and on the baseline."),
) -> None:
    """After the phases: the tests against the tree before (with the target's Python), fresh imports, facades, duplicates, stale references."""
    import json

    from migrator import report
    from migrator.adapters.snapshot import read_snapshot
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
