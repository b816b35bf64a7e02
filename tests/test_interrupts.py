"""A killed or interrupted command leaves no worker behind and prints one line.

Real processes and real signals: SIGKILL of a parent whose pool workers are busy, and
Ctrl-C (SIGINT to the whole process group, as a terminal sends it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import REPO
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree

POOL_SCRIPT = """
import sys, time
from migrator.analysis.workers import pool

def work(_):
    import os
    os.write(1, f"{os.getpid()}\\n".encode())  # one write: two workers' lines never interleave
    time.sleep(60)

with pool(2) as p:
    try:
        list(p.map(work, range(2)))
    except KeyboardInterrupt:
        sys.stderr.write("parent interrupted\\n")
        import os
        os._exit(130)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its (dead) parent's reaper is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _start_pool(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", POOL_SCRIPT], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    pids = [int(proc.stdout.readline()) for _ in range(2)]
    return proc, pids


def test_workers_of_a_killed_parent_die_with_it(tmp_path):
    proc, workers = _start_pool(tmp_path)
    assert all(_alive(pid) for pid in workers)

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_ctrl_c_reaches_the_parent_alone_and_no_worker_prints_a_traceback(tmp_path):
    proc, workers = _start_pool(tmp_path)

    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)

    assert proc.returncode == 130
    assert err == "parent interrupted\n"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_ctrl_c_during_an_apply_restores_and_prints_one_line(tmp_path):
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    root = tmp_path / "proj"
    before = tree_state(root)
    gate = tmp_path / "gate"
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrator", "apply", "--phase", "1", "--yes", "--mapping", str(mapping)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "MIGRATOR_PAUSE_AFTER_WRITES": f"2:{gate}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while not Path(f"{gate}.paused").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    assert tree_state(root) != before

    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert out == ""
    assert err == "interrupted; nothing changed\n"
    assert tree_state(root) == before
    assert not (root / ".migrator/journal").exists()
