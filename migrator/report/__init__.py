"""Rendering: the only place that turns plans and findings into text, tables and JSON.

People get a git-style unified diff (coloured on a terminal), rich tables and messages
that name file:line and the fix; machines get stable JSON, each output the dump of
its model in `report.schemas` (`"schema": "migrator.<name>/<major>"`, paths relative
to the target root), whose JSON Schemas `migrate schema NAME` prints. One module per
command's report — `plan`, `check`, `graph`, `audit`, `verify`, `status`, `init`,
`retire` — and `console` (the consoles, diagnostics,
progress bar); every function takes data (plans, findings, reports) and a console, and
reads nothing from disk. Callers use
`migrator.report` (`from migrator import report`): the names below are its interface.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migrator.report.audit import audit_json, audit_markdown, audit_text, print_audit
    from migrator.report.check import check_github, check_json, print_check
    from migrator.report.console import PROGRESS_MIN_FILES, make_console, paged, print_diagnostics, print_diff, progress
    from migrator.report.graph import graph_json, print_graphs
    from migrator.report.init import print_init, print_init_from_plan
    from migrator.report.plan import plan_diff, plan_json, print_plan_diff, summary_table
    from migrator.report.retire import print_retire_refusal, print_retired
    from migrator.report.status import print_status, status_json
    from migrator.report.verify import print_verify, verify_json

#: Each name of the interface → the module that defines it. The modules are imported on
#: first use (PEP 562), so a command pays only for the reports it prints: the JSON
#: schemas (pydantic) or the init and audit reports cost a third of a second to import.
_HOME = {
    "PROGRESS_MIN_FILES": "console",
    "audit_json": "audit",
    "audit_markdown": "audit",
    "audit_text": "audit",
    "check_github": "check",
    "check_json": "check",
    "graph_json": "graph",
    "make_console": "console",
    "paged": "console",
    "plan_diff": "plan",
    "plan_json": "plan",
    "print_audit": "audit",
    "print_check": "check",
    "print_diagnostics": "console",
    "print_diff": "console",
    "print_graphs": "graph",
    "print_init": "init",
    "print_init_from_plan": "init",
    "print_plan_diff": "plan",
    "print_retire_refusal": "retire",
    "print_retired": "retire",
    "print_status": "status",
    "print_verify": "verify",
    "progress": "console",
    "status_json": "status",
    "summary_table": "plan",
    "verify_json": "verify",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


__all__ = [
    "PROGRESS_MIN_FILES",
    "audit_json",
    "audit_markdown",
    "audit_text",
    "check_github",
    "check_json",
    "graph_json",
    "make_console",
    "paged",
    "plan_diff",
    "plan_json",
    "print_audit",
    "print_check",
    "print_diagnostics",
    "print_diff",
    "print_graphs",
    "print_init",
    "print_init_from_plan",
    "print_plan_diff",
    "print_retire_refusal",
    "print_retired",
    "print_status",
    "print_verify",
    "progress",
    "status_json",
    "summary_table",
    "verify_json",
]
