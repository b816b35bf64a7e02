"""`migrate status`: which phases are applied and whether the tree still matches."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from migrator.cli._common import (
    EXIT_OK,
    MappingOpt,
    _console,
    _load,
    _read_state,
    _refuse_state,
    app,
)


class StatusFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def status(mapping: Path = MappingOpt, format: StatusFormat = typer.Option(StatusFormat.text, "--format", "-f", help="text or json.")) -> None:
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
    if format is StatusFormat.json:
        sys.stdout.write(json.dumps(report.status_json(result), indent=2) + "\n")
        raise typer.Exit(EXIT_OK)
    report.print_status(_console(), result)
