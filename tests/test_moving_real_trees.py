"""Moving what real trees contain: files that do not parse, names below plain modules,
package folders that `facades: none` must not leave behind as namespace packages.

Each test builds a small project, runs the real CLI in-process and checks the exit
code, the message and the tree on disk afterwards.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.helpers import run_cli, tree_files, write_project


def _mapping(moves: str, facades: str = "alias", target_extra: str = "") -> str:
    return (
        "version: 1\n"
        f"target: {{root: proj, source_roots: [src]{target_extra}}}\n"
        f"facades: {{style: {facades}}}\n"
        "phases:\n"
        "  - phase: 1\n"
        "    title: Move\n"
        "    moves:\n" + textwrap.indent(textwrap.dedent(moves).strip() + "\n", "      ")
    )


def _refused(mapping: Path, *extra: str) -> str:
    """`plan` and `apply` both refuse (exit 3) and nothing on disk changes; returns apply's output."""
    root = mapping.parent / "proj"
    before = tree_files(root)
    plan = run_cli("plan", "--mapping", str(mapping), *extra)
    assert plan.exit_code == 3, plan.output
    apply = run_cli("apply", "--mapping", str(mapping), "--phase", "1", *extra)
    assert apply.exit_code == 3, apply.output
    assert "refused phase 1 was not applied; nothing changed" in apply.output
    assert tree_files(root) == before
    return apply.output


# --------------------------------------------------------------------------- below a plain module

REPORT = {
    "src/app/__init__.py": "",
    "src/app/report.py": "TITLE = 'report'\n",
    "src/app/models.py": "class Model:\n    pass\n",
    "src/app/main.py": "from app.models import Model\nfrom app.report import TITLE\n",
}


def test_a_move_below_a_plain_module_is_refused_naming_the_mapping_line_and_the_fix(tmp_path):
    mapping = write_project(tmp_path, REPORT, _mapping("- {from: app.models, to: app.report.models}"))
    out = _refused(mapping)
    assert "mapping.yaml:8:" in out and "MIG112" in out
    assert "cannot move 'app.models' to 'app.report.models': 'app.report.models' would lie below 'app.report', but 'app.report' is a plain module (src/app/report.py), not a package" in out
    assert "choose a destination that is not below 'app.report', or turn 'app.report' into a package by hand first (its code in src/app/report/__init__.py)" in out


def test_a_symbol_moved_below_a_plain_module_is_refused(tmp_path):
    mapping = write_project(tmp_path, REPORT, _mapping('- {from: "app.models:Model", to: app.report.models}'))
    out = _refused(mapping)
    assert "MIG112" in out and "'app.report.models' would lie below 'app.report'" in out


def test_one_move_making_a_plain_module_where_another_needs_a_package_is_refused(tmp_path):
    files = {**REPORT, "src/app/tables.py": "ROWS = []\n"}
    mapping = write_project(
        tmp_path,
        files,
        _mapping(
            """
            - {from: app.models, to: app.output.models}
            - {from: app.tables, to: app.output}
            """,
            facades="none",
        ),
    )
    out = _refused(mapping)
    assert "mapping.yaml:8:" in out and "MIG112" in out
    assert "'app.output.models' would lie below 'app.output', but the move 'app.tables' → 'app.output' makes 'app.output' a plain module (src/app/output.py)" in out
