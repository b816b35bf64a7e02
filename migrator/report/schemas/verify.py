"""The model of `migrate verify --format json` (docs/audit-verify-json.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from migrator.report.schemas._base import Output, SchemaField
from migrator.report.schemas.audit import DefinitionOut

Outcome = Literal["passed", "failed", "error", "skipped"]


class CountsOut(Output):
    passed: int
    failed: int
    error: int
    skipped: int


class TestRunOut(Output):
    __test__ = False

    command: str
    returncode: int | None = Field(description="Null when the command could not run (see `error`).")
    counts: CountsOut | None = Field(description="Null without per-test results (a command other than pytest).")
    error: str | None = Field(description="Why this run proves nothing: it did not run, or collected no test.")
    outcomes: dict[str, Outcome] = Field(description="Test id (`classname::name`) → outcome, from pytest's JUnit XML.")


class RegressionOut(Output):
    test: str = Field(description="The test id; the command in backquotes when there are no per-test results.")
    before: str
    now: str = Field(description="failed, error, skipped, missing, or `exit N` without per-test results.")


class TestsOut(Output):
    __test__ = False

    baseline: str = Field(description="How the results before the plan were obtained, for people.")
    now: TestRunOut
    before: TestRunOut | None = Field(description="Null when no phase is applied.")
    regressions: list[RegressionOut] = Field(description="Passed before, do not pass now: verify fails.")
    fixed: list[str] = Field(description="Failed before, pass now.")
    still_failing: list[str] = Field(description="Already failing: failed before and fail now; listed, not a regression, does not fail verify alone.")
    new_failing: list[str] = Field(description="Did not exist before, fail now.")
    renamed: list[str] = Field(description="Passed before and exist no more while their test function passes as often under other ids.")
    problem: str | None = Field(description="Why the tests prove nothing (did not run, collected nothing, non-zero exit without per-test results): verify fails.")


class InterpreterOut(Output):
    executable_absolute: str | None = Field(description="The absolute path of the Python that ran the tests and the import check; null when none was found.")
    source: Literal["mapping", "virtualenv", "project-venv", "path", "none"] = Field(
        description="mapping: `test_interpreter`; virtualenv: VIRTUAL_ENV; project-venv: a .venv in the target root or above; path: `python` on PATH."
    )
    reason: str = Field(description="Why this interpreter, for people.")


class ImportFailureOut(Output):
    module: str = Field(description="`*` when the import check itself could not run.")
    error: str
    cycle: bool = Field(description="The error names a partially initialized module: an import-time cycle.")


class ImportsOut(Output):
    modules: int
    failures: list[ImportFailureOut]


class FacadeFailureOut(Output):
    old: str
    new: str
    name: str | None = Field(description="Null when the old module itself does not import.")
    problem: str


class FacadesOut(Output):
    names_checked: int
    failures: list[FacadeFailureOut]


class DuplicateOut(Output):
    kind: Literal["identical", "near-identical", "same-name-different-body"]
    similarity: float
    old: DefinitionOut
    new: DefinitionOut


class VerifyFindingOut(Output):
    path: str | None
    line: int | None
    col: int | None
    code: str
    message: str


class VerifyOutput(Output):
    """`migrate verify --format json`: tests before and after, imports, facades, duplicates, check."""

    schema_: Literal["migrator.verify/2"] = SchemaField()
    target_absolute: str = Field(description="The absolute path of the target root, which every other path is relative to.")
    applied_phases: list[int]
    ok: bool = Field(description="Nothing failed; the exit code is then 0, else 1.")
    interpreter: InterpreterOut | None
    tests: TestsOut | None = Field(description="Null with --no-tests.")
    imports: ImportsOut
    facades: FacadesOut
    duplicates: list[DuplicateOut]
    check: list[VerifyFindingOut]
    notes: list[str]
