"""The mapping's optional `format` command (issue 15): it runs on every Python file a phase
writes or edits (a file moved unchanged stays a pure rename), inside the plan, so `plan`
shows what `apply` writes; a formatter that fails refuses the phase with MIG121 and
nothing changes."""

from __future__ import annotations

import json
import sys

from tests.helpers import run_cli, tree_digest, write_project

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today( ):\n    return '2026-12-03'\n",
    "src/app/report.py": "from app.utils.dates import today\n\ndef banner( ):\n    return 'Report of ' + today()\n",
    "src/app/untouched.py": "x = {'a':1}\n",
}


def _mapping(format_line: str) -> str:
    return (
        "version: 1\n"
        "target: {root: proj, source_roots: [src]}\n"
        f"{format_line}\n"
        "phases:\n"
        "  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}\n"
    )


RUFF = json.dumps([sys.executable, "-m", "ruff", "format", "--no-cache", "--stdin-filename", "{path}", "-"])


def test_the_formatter_runs_on_every_file_the_phase_writes_and_plan_shows_it(tmp_path):
    mapping = write_project(tmp_path, FILES, _mapping(f"format: {RUFF}"))
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "diff")
    assert plan.exit_code == 0, plan.output
    assert '+from app.dates import today\n' in plan.stdout
    assert '+def banner():\n+    return "Report of " + today()\n' in plan.stdout  # formatted in the diff
    applied = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert applied.exit_code == 0, applied.output
    root = tmp_path / "proj/src/app"
    assert (root / "report.py").read_text() == 'from app.dates import today\n\n\ndef banner():\n    return "Report of " + today()\n'
    # moved unchanged: a pure rename stays one (its history follows it; the phase did not touch its code)
    assert (root / "dates.py").read_text() == FILES["src/app/utils/dates.py"]
    assert (root / "untouched.py").read_text() == "x = {'a':1}\n"  # not written by the phase: not formatted


def test_a_formatter_that_fails_refuses_the_phase_and_nothing_changes(tmp_path):
    failing = json.dumps([sys.executable, "-c", "import sys; sys.stderr.write('cannot parse\\n'); sys.exit(2)"])
    mapping = write_project(tmp_path, FILES, _mapping(f"format: {failing}"))
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 3
    assert "MIG121" in result.stderr and "exited 2: cannot parse" in result.stderr
    assert tree_digest(tmp_path / "proj") == before


def test_a_formatter_that_is_not_installed_says_so(tmp_path):
    mapping = write_project(tmp_path, FILES, _mapping('format: ["no-such-formatter-xyz", "-"]'))
    result = run_cli("plan", "--mapping", str(mapping))
    assert result.exit_code == 3
    assert "`no-such-formatter-xyz` was not found" in result.stderr


def test_a_formatter_that_prints_nothing_is_refused(tmp_path):
    silent = json.dumps([sys.executable, "-c", "import sys; sys.stdin.read()"])
    mapping = write_project(tmp_path, FILES, _mapping(f"format: {silent}"))
    result = run_cli("plan", "--mapping", str(mapping))
    assert result.exit_code == 3
    assert "printed nothing" in result.stderr


def test_an_empty_format_command_is_a_mapping_error(tmp_path):
    mapping = write_project(tmp_path, FILES, _mapping("format: []"))
    result = run_cli("plan", "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "format" in result.output
