"""The model of `migrate status --format json`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField


class InterruptionOut(Output):
    op: Literal["apply", "rollback"]
    phase: int | None
    message: str
    fix: str = Field(description="The command that restores the tree.")


class PhaseStatusOut(Output):
    phase: int
    title: str
    applied: bool
    applied_at: str | None = Field(description="ISO 8601 time of the apply; null when not applied.")
    tree_matches: bool | None = Field(description="Every file the phase wrote is as it wrote it; null when not applied.")
    modified_files: list[str] = Field(description="Files the phase wrote that were edited since.")
    undo_record: bool | None = Field(description="Its undo record (.migrator/applied/N/) exists; null when not applied.")


class StatusOutput(Output):
    """`migrate status --format json`: every phase of the mapping, applied or not."""

    schema_: Literal["migrator.status/2"] = SchemaField()
    running: str | None = Field(description="Another `migrate` writing the target now, for people; null when none.")
    interrupted: bool
    interruption: InterruptionOut | None
    phases: list[PhaseStatusOut]
