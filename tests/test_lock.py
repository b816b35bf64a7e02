"""One writer at a time: real `migrate` processes on one target.

The first `migrate apply` is held in the middle of its writes by the test hook
`MIGRATOR_PAUSE_AFTER_WRITES=K:PATH` (migrator/adapters/apply.py): after its K-th file write it
creates PATH.paused and waits, holding the writer lock, until PATH.go exists.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from migrator.adapters.state import read_state
from tests.helpers import REPO, run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree


def _project(base: Path) -> tuple[Path, Path]:
    write_tree(base / "proj", FILES)
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping, base / "proj"


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **(extra or {})}


def _migrate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)


def _paused_apply(mapping: Path, gate: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrator", "apply", "--phase", "1", "--yes", "--mapping", str(mapping)],
        cwd=REPO, env=_env({"MIGRATOR_PAUSE_AFTER_WRITES": f"2:{gate}"}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 90
    while not Path(f"{gate}.paused").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first apply never reached its pause"
        time.sleep(0.05)
    return proc


def test_a_second_writer_refuses_at_once_naming_the_apply_that_holds_the_lock(tmp_path):
    mapping, root = _project(tmp_path)
    before = tree_state(root)
    first = _paused_apply(mapping, tmp_path / "gate")
    half = tree_state(root)
    assert half != before

    for args in (("apply", "--phase", "1", "--yes"), ("rollback",), ("check", "--fix")):
        started = time.monotonic()
        second = _migrate(*args, "--mapping", str(mapping))
        assert second.returncode == 3, (args, second.stdout, second.stderr)
        assert f"`migrate apply` (pid {first.pid}) is writing this target" in second.stderr, second.stderr
        assert "Traceback" not in second.stderr
        assert time.monotonic() - started < 30
        assert tree_state(root) == half  # the second writer touched nothing

    for args in (("plan",), ("check",)):
        reader = run_cli(*args, "--mapping", str(mapping))
        assert reader.exit_code == 3, reader.output
        assert f"a `migrate apply` (pid {first.pid}) is running on this target" in reader.output
        assert "interrupted" not in reader.output
    status = run_cli("status", "--mapping", str(mapping))
    assert status.exit_code == 0
    assert f"`migrate apply` (pid {first.pid}) is running" in status.stdout and "interrupted" not in status.stdout

    Path(f"{tmp_path / 'gate'}.go").touch()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert read_state(root).is_applied(1)
    rolled = _migrate("rollback", "--mapping", str(mapping))
    assert rolled.returncode == 0, rolled.stderr
    assert tree_state(root) == before


def test_the_lock_of_a_killed_apply_is_released_by_the_kernel(tmp_path):
    mapping, root = _project(tmp_path)
    before = tree_state(root)
    first = _paused_apply(mapping, tmp_path / "gate")
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)

    refused = run_cli("plan", "--mapping", str(mapping))
    assert refused.exit_code == 3 and "was interrupted" in refused.output and "running" not in refused.output
    rolled = _migrate("rollback", "--mapping", str(mapping))
    assert rolled.returncode == 0, rolled.stderr
    assert tree_state(root) == before


def test_two_applies_started_at_the_same_instant_apply_the_phase_once(tmp_path):
    mapping, root = _project(tmp_path)
    before = tree_state(root)
    cmd = [sys.executable, "-m", "migrator", "apply", "--phase", "1", "--yes", "--mapping", str(mapping)]
    procs = [subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=120), *p.communicate()) for p in procs)

    assert [code for code, _, _ in outcomes] in ([0, 0], [0, 3]), outcomes
    applied = [o for o in outcomes if o[1].startswith("applied phase 1")]
    assert len(applied) == 1, outcomes
    other = [o for o in outcomes if o is not applied[0]][0]
    assert "is writing this target" in other[2] or "phase 1 is already applied" in other[1], other
    assert read_state(root).is_applied(1)
    rolled = _migrate("rollback", "--mapping", str(mapping))
    assert rolled.returncode == 0, rolled.stderr
    assert tree_state(root) == before  # the undo record is the one of the apply that wrote
