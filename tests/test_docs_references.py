"""References to moved modules in documentation (issue 15): Sphinx directives and roles,
MyST roles, mkdocstrings. Rewritten (the path alone) in the mapping's `target.docs`;
elsewhere listed by `plan` (MIG917) and left as they are; `check` guards `target.docs`."""

from __future__ import annotations

from tests.helpers import run_cli, write_project

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
}

RST = """\
Dates
=====

.. automodule:: app.utils.dates
   :members:

.. currentmodule:: app.utils.dates

See :func:`~app.utils.dates.today` and :py:mod:`app.utils`, or
:func:`the other one <app.utils.dates.today>`; :mod:`app.utilsx` is another module.
"""

MD = """\
# API

::: app.utils.dates

The {py:func}`app.utils.dates.today` function. `app.utils.dates` in prose stays.
"""


def _mapping(docs: str = "") -> str:
    return (
        "version: 1\n"
        f"target: {{root: proj, source_roots: [src]{docs}}}\n"
        "phases:\n"
        "  - {phase: 1, title: Move, moves: [{from: app.utils, to: app.common.utils}]}\n"
    )


def test_docs_in_target_docs_are_rewritten_in_the_paths_alone(tmp_path):
    mapping = write_project(tmp_path, {**FILES, "docs/api.rst": RST, "docs/api.md": MD}, _mapping(', docs: ["docs/**"]'))
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    rst = (tmp_path / "proj/docs/api.rst").read_text()
    assert rst == RST.replace("app.utils.dates", "app.common.utils.dates").replace(":py:mod:`app.utils`", ":py:mod:`app.common.utils`")
    md = (tmp_path / "proj/docs/api.md").read_text()
    assert md == MD.replace("::: app.utils.dates", "::: app.common.utils.dates").replace(
        "{py:func}`app.utils.dates.today`", "{py:func}`app.common.utils.dates.today`"
    )


def test_docs_outside_target_docs_are_listed_and_left_alone(tmp_path):
    mapping = write_project(tmp_path, {**FILES, "docs/api.rst": RST}, _mapping())
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "summary")
    assert plan.exit_code == 0, plan.output
    listed = [line for line in plan.stderr.splitlines() if "MIG917" in line]
    assert len(listed) == 5, plan.stderr  # directive, currentmodule, three roles
    assert "docs/api.rst:4:17: MIG917 docs reference to 'app.utils.dates' — moved to 'app.common.utils.dates'" in " ".join(plan.stderr.split())
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes").exit_code == 0
    assert (tmp_path / "proj/docs/api.rst").read_text() == RST


def test_check_guards_the_docs_the_mapping_keeps_current(tmp_path):
    mapping = write_project(tmp_path, FILES, _mapping(', docs: ["docs/**"]'))
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes").exit_code == 0
    (tmp_path / "proj/docs").mkdir()
    (tmp_path / "proj/docs/new.rst").write_text(".. automodule:: app.utils.dates\n")
    (tmp_path / "proj/README.md").write_text("::: app.utils.dates\n")  # not in target.docs: not checked
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    findings = [line for line in result.stdout.splitlines() if ": MIG" in line]
    assert findings == ["docs/new.rst:1:17: MIG007 docs reference to 'app.utils.dates' — moved to 'app.common.utils.dates'"]
    assert run_cli("check", "--mapping", str(mapping), "--fix").exit_code == 0
    assert (tmp_path / "proj/docs/new.rst").read_text() == ".. automodule:: app.common.utils.dates\n"
