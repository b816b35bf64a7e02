"""The model of `migrate check --format json`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField


class FindingOut(Output):
    """A stale reference or another finding of `check`, at path:line:col."""

    path: str | None
    line: int | None
    col: int | None
    code: str = Field(description="A registered code (docs/diagnostic-codes.md), e.g. MIG001.")
    message: str
    old: str | None = Field(description="The old dotted path the finding is about.")
    new: str | None = Field(description="Where it moved.")


class CheckOutput(Output):
    """`migrate check --format json`: stale references to old paths of applied moves."""

    schema_: Literal["migrator.check/2"] = SchemaField()
    applied_phases: list[int]
    applied_phases_inferred: bool = Field(
        description="True when nothing is recorded in .migrator/state.json and the applied phases were read from the tree."
    )
    ok: bool = Field(description="No finding; the exit code is then 0, else 1.")
    findings: list[FindingOut]
