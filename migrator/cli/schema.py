"""`migrate schema`: the JSON Schema of mapping files."""

from __future__ import annotations

import sys

from migrator.cli._common import (
    app,
)


@app.command()
def schema() -> None:
    """Print the JSON Schema of mapping files (for editors)."""
    from migrator.mapping.spec import json_schema_text

    sys.stdout.write(json_schema_text())
