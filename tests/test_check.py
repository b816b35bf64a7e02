"""`migrate check`: the CI guard reports every stale reference at its line:col."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from tests.helpers import run_cli, tree_files, write_project

MAPPING = """\
version: 1
target:
  root: proj
  source_roots: [src]
  keep_on_facades: ["notebooks/kept/**"]
phases:
  - phase: 1
    title: Split utils
    moves:
      - {from: app.utils.dates, to: app.dates}
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
    "src/app/main.py": "from app.utils.dates import today\n\n\ndef run():\n    return today()\n",
    "tests/test_main.py": (
        "from unittest import mock\n\nfrom app.main import run\n\n\n"
        "def test_run():\n    with mock.patch('app.utils.dates.today', return_value='x'):\n        assert run() == 'x'\n"
    ),
}


def _project(tmp_path: Path) -> Path:
    return write_project(tmp_path, FILES, MAPPING)


@pytest.fixture
def applied(tmp_path):
    mapping = _project(tmp_path)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    return mapping, tmp_path / "proj"


def _notebook(path: Path, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Dates"), nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_a_migrated_project_is_clean(applied):
    mapping, _ = applied
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "clean" in result.stdout


def test_stale_references_of_every_kind_are_reported_at_their_line_and_column(applied):
    mapping, root = applied
    (root / "src/app/report.py").write_text(
        "import os\n"
        "from app.utils.dates import today\n"
        "\n"
        "\n"
        "def later():\n"
        "    import app.utils.dates as d\n"
        "    return d.today()\n",
        encoding="utf-8",
    )
    (root / "tests/test_report.py").write_text(
        "from unittest import mock\n\n\n"
        "def test_patch():\n"
        "    with mock.patch(\"app.utils.dates.today\"):\n"
        "        pass\n",
        encoding="utf-8",
    )
    (root / "config").mkdir()
    (root / "config/jobs.yaml").write_text("jobs:\n  nightly:\n    handler: app.utils.dates.today\n", encoding="utf-8")
    _notebook(root / "notebooks/explore.ipynb", "from app.utils.dates import today\ntoday()")
    _notebook(root / "notebooks/kept/legacy.ipynb", "from app.utils.dates import today\ntoday()")

    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    lines = [l for l in result.stdout.splitlines() if ": MIG" in l]
    assert lines == [
        "config/jobs.yaml:3:14: MIG004 config value 'app.utils.dates.today' — moved to 'app.dates.today'",
        "notebooks/explore.ipynb:1:1: MIG005 notebook import of 'app.utils.dates' — moved to 'app.dates'",
        "src/app/report.py:2:1: MIG001 import of 'app.utils.dates' — moved to 'app.dates'",
        "src/app/report.py:6:5: MIG001 import of 'app.utils.dates' — moved to 'app.dates'",
        "tests/test_report.py:5:21: MIG003 string target 'app.utils.dates.today' — moved to 'app.dates.today'",
    ]
    assert "5 finding(s) in 4 file(s)" in result.stdout


def test_json_and_github_formats_carry_the_same_findings(applied, monkeypatch):
    mapping, root = applied
    monkeypatch.chdir(root)  # outside git, annotation paths are relative to the working directory
    (root / "src/app/stale.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    as_json = run_cli("check", "--mapping", str(mapping), "--format", "json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["schema"] == "migrator.check/2" and data["ok"] is False and data["applied_phases"] == [1]
    assert data["applied_phases_inferred"] is False
    assert data["findings"] == [
        {
            "path": "src/app/stale.py", "line": 1, "col": 1, "code": "MIG001",
            "message": "import of 'app.utils.dates' — moved to 'app.dates'",
            "old": "app.utils.dates", "new": "app.dates",
        }
    ]
    github = run_cli("check", "--mapping", str(mapping), "--format", "github")
    assert github.stdout == "::error file=src/app/stale.py,line=1,col=1,title=MIG001::import of 'app.utils.dates' — moved to 'app.dates'\n"


def test_fix_rewrites_stale_references_with_the_apply_rules(applied):
    mapping, root = applied
    (root / "src/app/stale.py").write_text("# keep me\nfrom app.utils.dates import today  # why\n", encoding="utf-8")
    result = run_cli("check", "--mapping", str(mapping), "--fix")
    assert result.exit_code == 0, result.output
    assert (root / "src/app/stale.py").read_text() == "# keep me\nfrom app.dates import today  # why\n"


def test_an_edited_facade_is_reported(applied):
    mapping, root = applied
    facade = root / "src/app/utils/dates.py"
    facade.write_text(facade.read_text() + "\ndef extra():\n    return 1\n", encoding="utf-8")
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "src/app/utils/dates.py:1:1: MIG011 the facade written by phase 1 was edited" in result.stdout


def test_a_moved_file_that_went_missing_is_reported(applied):
    mapping, root = applied
    (root / "src/app/dates.py").unlink()
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "src/app/dates.py:1:1: MIG012 phase 1 moved a module here, but the file is missing" in result.stdout


def test_check_writes_nothing(applied):
    mapping, root = applied
    (root / "src/app/stale.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    before = tree_files(root)
    run_cli("check", "--mapping", str(mapping))
    assert tree_files(root) == before


def test_a_new_import_cycle_compared_with_the_recorded_baseline_is_reported(applied):
    mapping, root = applied
    # dates reads a name from main at import time, and main imports dates: a real cycle.
    dates = root / "src/app/dates.py"
    dates.write_text("from app.main import run\n\n" + dates.read_text(), encoding="utf-8")
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "MIG010 new import cycle that fails at import time: app.dates → app.main → app.dates" in result.stdout
