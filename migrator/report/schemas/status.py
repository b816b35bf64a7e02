"""The model of `migrate status --format json`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField


class InterruptionOut(Output):
    op: Literal["apply", "rollback", "check --fix", "retire"]
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


class EditOut(Output):
    phase: int = Field(description="The phase that wrote the file.")
    path: str
    by: Literal["phase", "fix", "retire", "user"] = Field(
        description="What made its current content: a later phase, `check --fix`, `retire`, or the user (content no record of migrate wrote)."
    )
    by_phase: int | None = Field(description="The later phase, for `by: phase`; else null.")
    step: int | None = Field(description="The step's id (a number), for `by: fix` and `by: retire`; else null.")


class StepOut(Output):
    kind: Literal["retire", "fix"]
    id: int
    at: str = Field(description="ISO 8601 time the step was recorded.")
    after_phase: int | None = Field(description="The last applied phase when it was recorded.")
    phases: list[int] = Field(description="`retire`: the phases whose facades it removed.")
    files: list[str] = Field(description="The paths it wrote or removed.")


class StatusOutput(Output):
    """`migrate status --format json`: every phase of the mapping, applied or not."""

    schema_: Literal["migrator.status/2"] = SchemaField()
    running: str | None = Field(description="Another `migrate` writing the target now, for people; null when none.")
    interrupted: bool
    interruption: InterruptionOut | None
    phases: list[PhaseStatusOut]
    edits: list[EditOut] = Field(description="Every file edited since a phase wrote it, with what made the edit.")
    steps: list[StepOut] = Field(description="The recorded steps that are not phases (retire, check --fix), in order.")
