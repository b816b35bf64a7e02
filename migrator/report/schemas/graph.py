"""The model of `migrate graph --format json` (and the cycles `audit` reports)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField


class EdgeOut(Output):
    """`source` makes `target` run, from the statement at `path`:`line`."""

    source: str
    target: str
    path: str
    line: int = Field(description="0 for the implicit edge to the parent package.")
    kind: Literal["top", "lazy", "typing"]
    implicit: bool = Field(description="The edge of a module to its parent package.")
    conditional: bool = Field(description="A guarded import-time edge (in a module-level `if` or `try`).")


class ModuleOut(Output):
    name: str
    path: str
    package: bool


class CycleOut(Output):
    modules: list[str]
    edges: list[EdgeOut]


class FailingCycleOut(CycleOut):
    fails: list[str] = Field(description="The modules whose fresh import fails on this cycle.")


class ParseFailureOut(Output):
    path: str
    line: int
    col: int
    message: str


class GraphOut(Output):
    label: str = Field(description="`now`, or `after phase N`.")
    modules: list[ModuleOut]
    edges: list[EdgeOut]
    import_time_cycles: list[CycleOut] = Field(description="One cycle per strongly connected component of import-time edges.")
    failing_cycles: list[FailingCycleOut] = Field(description="The cycles a fresh import fails on.")
    lazy_and_typing_cycles: list[CycleOut]
    unparsable: list[ParseFailureOut]


class GraphOutput(Output):
    """`migrate graph --format json`: the import graph now and after a phase."""

    schema_: Literal["migrator.graph/2"] = SchemaField()
    graphs: list[GraphOut]
