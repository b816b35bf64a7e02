"""What users and machines read stays byte for byte what it was (golden files).

The restructuring of issue 13 (and any later one) must not change a single byte of
what `migrate` prints: the seed's whole plan as JSON, and the text of `plan`,
`audit`, `graph`, `status` and `check` that people read. The files live in
tests/golden/. A deliberate change of output regenerates them:

    MIGRATOR_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and the diff of tests/golden/ is then part of the change, for review.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import copy_fixture, run_cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MIGRATOR_UPDATE_GOLDEN") == "1"


def _normalize(text: str, base: Path) -> str:
    text = text.replace(str(base), "<tmp>")
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "<time>", text)


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with MIGRATOR_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    # A plain equality: pytest's diff of a long text points at the first changed lines.
    assert text == expected, f"output differs from {path.relative_to(Path(__file__).parents[1])}"


def _run(base: Path, *args: str, rc: int = 0) -> str:
    result = run_cli(*args)
    assert result.exit_code == rc, result.output
    return _normalize(result.output, base)


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("golden")
    copy_fixture(base)
    return base


def test_the_seed_plan_as_json_is_unchanged(seed):
    text = _run(seed, "plan", "--mapping", str(seed / "mapping.yaml"), "--format", "json", "--no-cache")
    _compare("seed-plan.json", text)


def test_the_seed_plan_summary_is_unchanged(seed):
    text = _run(seed, "plan", "--mapping", str(seed / "mapping.yaml"), "--format", "summary", "--no-cache")
    _compare("seed-plan-summary.txt", text)


def test_the_audit_report_is_unchanged(seed):
    text = _run(seed, "audit", "--mapping", str(seed / "mapping.yaml"), "--no-phases")
    _compare("seed-audit.txt", text)


def test_the_graph_report_is_unchanged(seed):
    text = _run(seed, "graph", "--mapping", str(seed / "mapping.yaml"), "--phase", "2", "--no-cache")
    _compare("seed-graph-phase2.txt", text)


def test_apply_status_and_check_output_is_unchanged(tmp_path, monkeypatch):
    mapping = copy_fixture(tmp_path)
    out = [_run(tmp_path, "apply", "--mapping", str(mapping), "--phase", "2")]
    stale = tmp_path / "target_repo_fixture" / "src" / "orchestration" / "stale_user.py"
    stale.write_text(
        "import orchestration.config_loader\n"
        "from orchestration.config_loader import load_experiment_config\n\n"
        "def test_patch(mocker):\n"
        '    mocker.patch("orchestration.config_loader.load_experiment_config")\n',
        encoding="utf-8",
    )
    out.append(_run(tmp_path, "status", "--mapping", str(mapping)))
    out.append(_run(tmp_path, "check", "--mapping", str(mapping), rc=1))
    out.append(_run(tmp_path, "check", "--mapping", str(mapping), "--format", "json", rc=1))
    monkeypatch.chdir(tmp_path)  # outside git, annotation paths are relative to the working directory
    out.append(_run(tmp_path, "check", "--mapping", str(mapping), "--format", "github", rc=1))
    _compare("seed-apply-status-check.txt", "\n---\n".join(out))
