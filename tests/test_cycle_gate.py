"""The cycle gate: a phase that creates an import-time cycle is refused, and it is real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import run_cli, tree_digest, write_project

FILES = {
    # report computes a value at import time with a helper from util ...
    "src/util.py": "def helper():\n    return 41\n",
    "src/report.py": "from util import helper\n\nVALUE = helper() + 1\n",
    # ... and the app package re-exports that value.
    "src/app/__init__.py": "from report import VALUE\n\n__all__ = [\"VALUE\"]\n",
}

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
cycles: {policy}
phases:
  - phase: 1
    title: Move util into app
    moves:
      - {{from: util, to: app.util}}
"""


def _project(tmp_path: Path, policy: str) -> Path:
    return write_project(tmp_path, FILES, MAPPING.format(policy=policy))


def test_moving_a_module_into_a_package_whose_init_imports_back_is_refused(tmp_path):
    mapping = _project(tmp_path, "forbid-new")
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    assert "MIG401 this phase creates an import cycle that fails at import time: app → report → app.util → app" in result.stderr
    assert "src/app/__init__.py:1: app → report (top import)" in result.stderr
    assert "src/report.py:1: report → app.util (top import)" in result.stderr
    assert "app.util → app (parent package)" in result.stderr
    assert tree_digest(tmp_path / "proj") == before, "a refused phase writes nothing"


def test_plan_shows_the_refusal_with_exit_code_3(tmp_path):
    mapping = _project(tmp_path, "forbid-new")
    result = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [d["code"] for d in data["phases"][0]["diagnostics"]] == ["MIG401"]


def test_the_refused_cycle_is_one_the_interpreter_really_hits(tmp_path):
    mapping = _project(tmp_path, "warn")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert "MIG401" in result.stderr, "warn policy still reports the cycle"
    run = subprocess.run(
        [sys.executable, "-c", "import report"], cwd=tmp_path / "proj" / "src", capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "partially initialized module" in run.stderr


def test_the_seed_phases_create_no_import_time_cycle():
    result = run_cli("plan", "--format", "json", "--mapping", str(Path(__file__).resolve().parents[1] / "mapping.yaml"))
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    codes = [d["code"] for p in data["phases"] for d in p["diagnostics"]]
    assert "MIG401" not in codes


def test_graph_command_lists_cycles_and_renders_dot(tmp_path):
    mapping = _project(tmp_path, "warn")
    text = run_cli("graph", "--mapping", str(mapping), "--phase", "1")
    assert text.exit_code == 0, text.output
    assert "after phase 1" in text.stdout
    assert "app → report → app.util → app" in text.stdout
    dot = run_cli("graph", "--mapping", str(mapping), "--phase", "1", "--format", "dot")
    assert dot.stdout.startswith("digraph imports {")
    assert '"report" -> "app.util"' in dot.stdout


def test_eager_reexports_in_the_seed_plan_would_close_a_real_cycle(tmp_path):
    """Without lazy package exports, phase 2 makes `import config.loader` fail: refused."""
    from tests.helpers import REPO, copy_fixture

    text = (REPO / "mapping.yaml").read_text(encoding="utf-8").replace("package_exports: lazy", "package_exports: eager")
    mapping = copy_fixture(tmp_path, text)
    result = run_cli("plan", "--mapping", str(mapping), "--phase", "2", "--format", "summary")
    assert result.exit_code == 3
    assert "MIG401" in result.stderr and "config.loader" in result.stderr
    assert "src/orchestration/__init__.py" in result.stderr
