"""What every output model shares: strict models, the `schema` field, paths.

Every JSON output starts with `"schema": "migrator.<name>/<major>"`. Within one major,
fields are only added; renaming or removing a field, or changing what a value means or
its type, bumps the major. Paths are relative to the target root (posix separators); a
field that holds an absolute path says so in its name (`target_absolute`).
"""

from __future__ import annotations

import os
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field


class Output(BaseModel):
    """A part of a JSON output: exactly these fields, of exactly these types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def schema_id(model: type[BaseModel]) -> str:
    """The `schema` value of an output model (the one value its `schema` field allows)."""
    (value,) = get_args(model.model_fields["schema_"].annotation)
    return value


def SchemaField() -> Any:
    """The `schema` field: `"migrator.<name>/<major>"`, the layout and its major version."""
    return Field(alias="schema", description="The layout of this output and its major version (`migrator.<name>/<major>`).")


def relative_to_root(path: str, root: str) -> str:
    """`path` relative to the target `root`, with `/` (it may start with `../`)."""
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def enum_values(enum) -> tuple[str, ...]:
    """The values of a str Enum of the model, for a Literal: the schema lists them and
    follows the enum when it grows."""
    return tuple(e.value for e in enum)
