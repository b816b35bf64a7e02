"""A `migrate apply` killed with SIGKILL at any point is recovered byte for byte.

The kill is real: a `python -m migrator apply` subprocess runs with the test hook
`MIGRATOR_CRASH_AFTER_WRITES=k` (see migrator/adapters/apply.py; journal.py for restores), which makes the process send
itself SIGKILL after its k-th file write — no `finally`, no `except`, no cleanup runs,
exactly as if the machine's OOM killer or a `kill -9` hit it there. The hook makes the
kill point deterministic; `MIGRATOR_CRASH_AFTER_RESTORES` does the same for rollback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.adapters.planning import plan_target
from migrator.mapping.spec import load_mapping
from migrator.adapters.state import read_state
from tests.helpers import REPO, run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree

EXTRA: dict[str, bytes | tuple[bytes, int]] = {
    "src/app/utils/clock.py": (b"#!/usr/bin/env python\nfrom app.utils.dates import today\n\nNOW = today()\n", 0o755),
    "src/app/utils/data.json": b'{"handler": "app.utils.dates.today"}\n',
    "config/jobs.yaml": b"nightly:\n  handler: app.utils.text.shout\n",
}


def _project(base: Path) -> Path:
    write_tree(base / "proj", {**FILES, **EXTRA})
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping


def _migrate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "migrator", *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """The tree before and after phase 1 applied normally, and the phase's write count."""
    base = tmp_path_factory.mktemp("reference")
    mapping = _project(base)
    root = base / "proj"
    before = tree_state(root)
    plan = plan_target(load_mapping(mapping), [1]).phases[0]
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    return {"before": before, "after": tree_state(root), "steps": len(plan.changes)}


def _assert_every_command_points_to_rollback(mapping: Path, what: str) -> None:
    for args in (("plan",), ("apply", "--phase", "1"), ("apply", "--phase", "2"), ("check",)):
        result = run_cli(*args, "--mapping", str(mapping))
        assert result.exit_code == 3, (args, result.output)
        assert f"an earlier `migrate {what}` of phase 1 was interrupted" in result.output
        assert "run `migrate rollback`" in result.output
    status = run_cli("status", "--mapping", str(mapping))
    assert status.exit_code == 0
    assert "interrupted" in status.stdout and "run `migrate rollback`" in status.stdout
    data = json.loads(run_cli("status", "--mapping", str(mapping), "--format", "json").stdout)
    assert data["interrupted"] is True
    assert data["interruption"]["op"] == what and data["interruption"]["phase"] == 1
    assert data["interruption"]["fix"] == "migrate rollback"


@pytest.mark.parametrize("point", ["first", "middle", "last", "after-state"])
def test_a_killed_apply_is_detected_and_rollback_restores_the_exact_tree(tmp_path, reference, point):
    mapping = _project(tmp_path)
    root = tmp_path / "proj"
    assert tree_state(root) == reference["before"]
    steps = reference["steps"]
    k = {"first": 1, "middle": steps // 2, "last": steps, "after-state": steps + 1}[point]

    killed = _migrate("apply", "--mapping", str(mapping), "--phase", "1", "--yes", env={"MIGRATOR_CRASH_AFTER_WRITES": str(k)})

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    half = tree_state(root)
    assert half != reference["before"]
    if k < steps:
        assert half != reference["after"]  # really half-written
    else:
        assert half == reference["after"]  # every write landed, the transaction did not close
    assert (root / ".migrator/journal/journal.json").exists()

    _assert_every_command_points_to_rollback(mapping, "apply")

    rolled = _migrate("rollback", "--mapping", str(mapping))
    assert rolled.returncode == 0, rolled.stderr
    assert "restored the tree from an interrupted apply" in rolled.stdout
    assert tree_state(root) == reference["before"]  # bytes, modes, and no folder left behind
    assert read_state(root).applied == ()
    assert not (root / ".migrator/journal").exists()

    again = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert again.exit_code == 0, again.output
    assert tree_state(root) == reference["after"]


def test_a_killed_rollback_is_finished_by_running_rollback_again(tmp_path, reference):
    mapping = _project(tmp_path)
    root = tmp_path / "proj"
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0

    killed = _migrate("rollback", "--mapping", str(mapping), env={"MIGRATOR_CRASH_AFTER_RESTORES": "2"})

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    half = tree_state(root)
    assert half not in (reference["before"], reference["after"])
    _assert_every_command_points_to_rollback(mapping, "rollback")

    finished = _migrate("rollback", "--mapping", str(mapping))
    assert finished.returncode == 0, finished.stderr
    assert tree_state(root) == reference["before"]
    assert read_state(root).applied == ()
    again = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert again.exit_code == 0, again.output
    assert tree_state(root) == reference["after"]
