"""The model of `migrate plan --format json` (docs/plan-json.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.model.plan import ChangeRole, RefKind, Severity
from migrator.report.schemas._base import Output, SchemaField, enum_values

SeverityName = Literal[enum_values(Severity)]  # type: ignore[valid-type]
RoleName = Literal[enum_values(ChangeRole)]  # type: ignore[valid-type]
EditKindName = Literal[enum_values(RefKind)]  # type: ignore[valid-type]


class DiagnosticOut(Output):
    """A warning, refusal or note of the planner, at path:line:col when it has one."""

    severity: SeverityName
    code: str = Field(description="A registered code (docs/diagnostic-codes.md), e.g. MIG908.")
    message: str
    path: str | None
    line: int | None
    col: int | None


class MoveOut(Output):
    source: str = Field(alias="from", description="The old dotted name.")
    to: str = Field(description="The new dotted name.")
    from_path: str
    to_path: str
    consolidated: bool = Field(description="Moved onto an existing module (its code merged there).")


class SymbolMoveOut(Output):
    source: str = Field(alias="from", description="`module:Name` or dotted name of the moved definition.")
    to: str


class EditOut(Output):
    kind: EditKindName
    line: int = Field(description="The line in the file before the phase.")
    old: str
    new: str


class FileOut(Output):
    path: str
    role: RoleName
    renamed_from: str | None
    edits: list[EditOut]
    diff: str = Field(description="The git-style patch of the file; a phase's diffs in order form a patch `git apply` reproduces.")


class SummaryOut(Output):
    modules_moved: int
    modules_consolidated: int
    symbols_moved: int
    files_moved: int
    files_edited: int
    files_created: int
    files_deleted: int
    facades_written: int
    references_rewritten: dict[EditKindName, int]
    references_kept_on_facades: int
    dirs_removed: int
    hand_fixes: int = Field(description="MIG203 diagnostics: mentions of moved paths to update by hand.")


class PhaseOut(Output):
    phase: int
    title: str
    status: Literal["planned", "refused"]
    digest: str = Field(description="sha256 of what the phase writes (same plan, same digest).")
    moves: list[MoveOut]
    symbol_moves: list[SymbolMoveOut]
    files: list[FileOut]
    summary: SummaryOut
    diagnostics: list[DiagnosticOut]
    kept_references: list[DiagnosticOut]
    removed_dirs: list[str] = Field(description="Folders the phase empties and apply removes, deepest first.")


class PlanOutput(Output):
    """`migrate plan --format json`: every unapplied phase (or one), as `apply` would write it."""

    schema_: Literal["migrator.plan/2"] = SchemaField()
    mapping: str = Field(description="The mapping file, relative to the target root.")
    target_absolute: str = Field(description="The absolute path of the target root, which every other path is relative to.")
    ok: bool = Field(description="No phase is refused.")
    phases: list[PhaseOut]
