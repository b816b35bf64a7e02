"""The model of `migrate audit --format json` (docs/audit-verify-json.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField
from migrator.report.schemas.graph import EdgeOut

OverlapKind = Literal["identical", "near-identical", "same-name-different-body"]


class DefinitionOut(Output):
    """A top-level function or class."""

    module: str
    name: str
    kind: Literal["function", "class"]
    path: str
    line: int


class PackageOut(Output):
    name: str
    overlaps: dict[OverlapKind, int]


class OverlapOut(Output):
    kind: OverlapKind
    similarity: float = Field(description="difflib's ratio over the normalized token streams, rounded to 3 places.")
    subject: DefinitionOut = Field(description="Always in a module the mapping moves.")
    other: DefinitionOut
    planned: str | None = Field(description="What the mapping does about the pair; null when nothing.")


class ModuleOverlapOut(Output):
    subject: str
    subject_path: str
    other: str
    other_path: str
    kind: Literal["identical", "near-identical", "different"]
    similarity: float
    shared_definitions: int
    planned: str | None


class SymbolOut(Output):
    name: str
    destination: str
    phase: int


class AreaOut(Output):
    area: str
    sites: int


class ImportSiteOut(Output):
    path: str
    line: int = Field(description="In a notebook, the line inside the cell.")
    cell: int | None = Field(description="The notebook cell (1-based); null outside notebooks.")
    importer: str | None = Field(description="The importing module; null outside the source roots.")
    kind: Literal["top", "lazy", "typing"]
    role: Literal["code", "reexport", "facade", "outside"]
    area: str


class ModuleUsageOut(Output):
    module: str
    path: str
    destination: str | None = Field(description="Null when only symbols of the module move.")
    phase: int | None
    symbols: list[SymbolOut]
    classification: Literal["generic", "job-specific", "package-internal", "unused"]
    evidence: str
    areas: list[AreaOut]
    import_sites: list[ImportSiteOut]


class FacadeOut(Output):
    module: str
    path: str
    targets: list[str]
    style: Literal["star", "explicit", "generated"]
    planned: str | None
    warning: str | None = Field(description="Set when the mapping moves the facade as if it were code.")


class AuditCycleOut(Output):
    modules: list[str]
    package_init: bool = Field(description="A package whose __init__ imports its own submodules (usually runs).")
    edges: list[EdgeOut]


class PhaseCyclesOut(Output):
    phase: int
    title: str
    status: Literal["ok", "new-cycles", "refused", "not-simulated"]
    new_cycles: list[AuditCycleOut]
    errors: list[str]


class CyclesOut(Output):
    existing: list[AuditCycleOut] = Field(description="Cycles a fresh import of some module fails on now.")
    phases: list[PhaseCyclesOut]


class AuditOutput(Output):
    """`migrate audit --format json`: overlaps, who imports each moved module, facades, cycles."""

    schema_: Literal["migrator.audit/3"] = SchemaField()
    mapping: str = Field(description="The mapping file, relative to the target root.")
    target_absolute: str = Field(description="The absolute path of the target root, which every other path is relative to.")
    packages: list[PackageOut]
    overlaps: list[OverlapOut]
    module_overlaps: list[ModuleOverlapOut]
    modules: list[ModuleUsageOut]
    facades: list[FacadeOut]
    cycles: CyclesOut
    unparsable: list[str] = Field(description="`path:line:col: message` of files that do not parse.")
    notes: list[str]
