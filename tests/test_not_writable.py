"""A folder the phase writes into that is not writable refuses the phase before anything
moves: `plan` shows MIG120 and `apply` refuses with it (exit 3), nothing changed.

The preflight asks the writer's disk seam (`DiskIO.writable`, `os.access` on the real
disk) rather than the file system directly, so the suite can make a folder answer "not
writable" even when it runs as root (root is allowed to write whatever the mode bits
say, so a chmod alone proves nothing there); the last test checks the real answer with
the mode bits, for a user that is not root.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from migrator.adapters.disk import DiskIO, using_disk
from tests.faults import NotWritable
from tests.helpers import run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree


def _project(tmp_path: Path) -> tuple[Path, Path]:
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping, tmp_path / "proj"


def _assert_refused(result, folder: str) -> None:
    assert result.exit_code == 3, result.output
    assert "MIG120" in result.output, result.output
    assert f"the folder {folder} is not writable" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("folder", ["src/app", "src/app/utils"])
def test_plan_and_apply_refuse_a_phase_that_writes_into_a_folder_that_is_not_writable(tmp_path, folder):
    mapping, root = _project(tmp_path)
    before = tree_state(root)
    disk = NotWritable([root / folder])

    with using_disk(disk):
        plan = run_cli("plan", "--phase", "1", "--mapping", str(mapping))
        apply = run_cli("apply", "--phase", "1", "--yes", "--mapping", str(mapping))

    assert any(Path(p).resolve() == (root / folder).resolve() for p in disk.asked)
    _assert_refused(plan, folder)
    _assert_refused(apply, folder)
    assert tree_state(root) == before
    assert not (root / ".migrator/journal").exists()
    assert not (root / ".migrator/state.json").exists()
    # The same phase applies once the folder is writable again.
    with using_disk(DiskIO()):
        assert run_cli("apply", "--phase", "1", "--yes", "--mapping", str(mapping)).exit_code == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write into any folder")
def test_the_real_disk_answers_with_the_folder_mode_bits(tmp_path):
    mapping, root = _project(tmp_path)
    app = root / "src/app"
    mode = stat.S_IMODE(app.stat().st_mode)
    app.chmod(0o555)
    try:
        before = tree_state(root)
        _assert_refused(run_cli("plan", "--phase", "1", "--mapping", str(mapping)), "src/app")
        _assert_refused(run_cli("apply", "--phase", "1", "--yes", "--mapping", str(mapping)), "src/app")
        assert tree_state(root) == before
    finally:
        app.chmod(mode)
