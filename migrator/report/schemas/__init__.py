"""The models of every JSON output, and the JSON Schemas generated from them.

Each `*_json` function of `migrator.report` builds its output and returns
`dump(Model, data)`: the data validated by the model (strict types, no field the model
does not declare), as JSON-ready data. So an output cannot drift from its schema: a
field added to a `*_json` function and not to its model fails the command's tests.
`migrate schema NAME` prints `json_schema_text(NAME)`; the same text is checked in as
`migrator/schemas/NAME.schema.json` (tests/test_output_schemas.py keeps them equal).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from migrator.report.schemas._base import relative_to_root, schema_id
from migrator.report.schemas.audit import AuditOutput
from migrator.report.schemas.check import CheckOutput
from migrator.report.schemas.graph import GraphOutput
from migrator.report.schemas.plan import PlanOutput
from migrator.report.schemas.status import StatusOutput
from migrator.report.schemas.verify import VerifyOutput

#: Output name → its model, in the order of `migrate schema`'s choices.
OUTPUTS: dict[str, type[BaseModel]] = {
    "plan": PlanOutput,
    "check": CheckOutput,
    "status": StatusOutput,
    "graph": GraphOutput,
    "audit": AuditOutput,
    "verify": VerifyOutput,
}

__all__ = ["OUTPUTS", "dump", "json_schema", "json_schema_text", "relative_to_root", "schema_id"]


def dump(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` as the model validates and serializes it: JSON-ready, in the model's field
    order. A ValidationError here is a bug: the output and its schema disagree."""
    return model.model_validate(data).model_dump(mode="json", by_alias=True)


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of output `name` (a key of OUTPUTS), generated from its model."""
    schema = OUTPUTS[name].model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://migrator.dev/schemas/{name}.schema.json"
    schema["title"] = f"migrate {name} --format json ({schema_id(OUTPUTS[name])})"
    return schema


def json_schema_text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"
