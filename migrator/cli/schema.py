"""`migrate schema [NAME]`: the JSON Schema of mapping files, or of a command's JSON output."""

from __future__ import annotations

import sys
from enum import Enum

import typer

from migrator.cli._common import (
    app,
)


class SchemaName(str, Enum):
    mapping = "mapping"
    plan = "plan"
    check = "check"
    status = "status"
    graph = "graph"
    audit = "audit"
    verify = "verify"


@app.command()
def schema(
    name: SchemaName = typer.Argument(
        SchemaName.mapping,
        help="mapping (mapping.yaml, for editors), or the command whose `--format json` output to describe.",
        show_default=True,
    ),
) -> None:
    """Print a JSON Schema: of mapping files (for editors), or of a command's JSON output."""
    if name is SchemaName.mapping:
        from migrator.mapping.spec import json_schema_text

        sys.stdout.write(json_schema_text())
        return
    from migrator.report.schemas import json_schema_text as output_schema_text

    sys.stdout.write(output_schema_text(name.value))
