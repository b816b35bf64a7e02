"""`migrate audit`: what the mapping meets before anything moves."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_OK,
    MappingOpt,
    _console,
    _escape,
    _load,
    _read_state,
    _recover_if_needed,
    app,
)


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
    """Before moving anything: duplicated code, who imports each moved module, import cycles, facades already there."""
    import json

    from migrator import report
    from migrator.adapters.snapshot import read_snapshot
    from migrator.commands import audit as auditor

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
