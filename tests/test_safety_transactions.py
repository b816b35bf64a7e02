"""`apply` is a transaction: any failure restores every byte; `rollback` and `status`."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from migrator.adapters import apply as applier
from migrator.adapters.disk import DiskIO, tmp_path, using_disk
from migrator.adapters.planning import plan_target
from migrator.adapters.rollback import rollback_phase
from migrator.mapping.spec import load_mapping
from migrator.adapters.state import read_state
from tests.faults import FaultyDisk, target_writes
from tests.helpers import run_cli

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - phase: 1
    title: Common utils
    moves:
      - {from: app.utils, to: app.common.utils}
  - phase: 2
    title: Entry point
    moves:
      - {from: "app.main:run", to: app.entry}
"""

FILES: dict[str, bytes | tuple[bytes, int]] = {
    "src/app/__init__.py": b"",
    "src/app/utils/__init__.py": b"from app.utils.dates import today\n",
    "src/app/utils/dates.py": b"def today():\n    return '2026-11-26'\n",
    "src/app/utils/text.py": b"def shout(s):\r\n    return s.upper()\r\n",
    "src/app/main.py": b"from app.utils.dates import today\nfrom app.utils import text\n\n\ndef run():\n    return text.shout(today())\n",
    "scripts/run.py": (b"#!/usr/bin/env python\nfrom app.main import run\nprint(run())\n", 0o755),
    "tests/test_main.py": (
        b"from unittest import mock\n\nfrom app.main import run\n\n\n"
        b"def test_run():\n    with mock.patch('app.utils.dates.today', return_value='x'):\n        assert run() == 'X'\n"
    ),
}


def write_tree(root: Path, files: dict[str, bytes | tuple[bytes, int]]) -> None:
    for rel, content in files.items():
        data, mode = content if isinstance(content, tuple) else (content, 0o644)
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.chmod(p, mode)


def tree_state(root: Path) -> dict[str, object]:
    """Every folder, file (bytes + mode) and link below root, without caches and tool state."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", ".migrator"))
        base = Path(dirpath)
        for d in dirnames:
            out[(base / d).relative_to(root).as_posix() + "/"] = "dir"
        for f in sorted(filenames):
            p = base / f
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            else:
                out[rel] = (p.read_bytes(), oct(p.stat().st_mode & 0o7777))
    return out


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping, tmp_path / "proj"


def _phase_plan(mapping: Path, phase: int):
    m = load_mapping(mapping)
    return plan_target(m, [phase]).phases[0]


def _failing_at(n: int, exc: BaseException) -> FaultyDisk:
    """A disk whose n-th write of a target file (not of `.migrator/`) raises `exc`."""
    return FaultyDisk(n, exception=exc, counts=target_writes)


# --------------------------------------------------------------------------- apply


@pytest.mark.parametrize("fail_at", [1, 3, "last"])
def test_an_exception_mid_apply_restores_every_byte_and_removes_created_folders(project, fail_at):
    mapping, root = project
    before = tree_state(root)
    writes = sum(1 for c in _phase_plan(mapping, 1).changes if c.after is not None)
    assert writes >= 4
    n = writes if fail_at == "last" else fail_at
    with using_disk(_failing_at(n, OSError(28, "No space left on device"))) as disk:
        result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert disk.failed is not None
    assert result.exit_code == 3, result.output
    assert "No space left on device" in result.output and "every file was restored" in result.output
    assert tree_state(root) == before
    assert not (root / "src/app/common").exists()
    assert not (root / ".migrator/journal").exists()
    assert read_state(root).applied == ()


def test_ctrl_c_mid_apply_restores_every_byte(project):
    mapping, root = project
    before = tree_state(root)
    plan = _phase_plan(mapping, 1)
    disk = _failing_at(2, KeyboardInterrupt())

    with pytest.raises(KeyboardInterrupt):
        applier.apply_phase(root, plan, io=disk)

    assert disk.failed is not None

    assert tree_state(root) == before
    assert not (root / ".migrator/journal").exists()
    assert read_state(root).applied == ()


def test_a_written_file_that_does_not_parse_restores_the_tree(project):
    mapping, root = project
    before = tree_state(root)
    plan = _phase_plan(mapping, 1)
    broken = [c for c in plan.changes if c.path.endswith(".py") and c.after is not None][-1]
    changes = tuple(
        dataclasses.replace(c, after=b"def run(:\n    pass\n") if c is broken else c for c in plan.changes
    )

    with pytest.raises(applier.ApplyError, match=rf"{broken.path}:1:\d+: the rewritten file does not parse"):
        applier.apply_phase(root, dataclasses.replace(plan, changes=changes))

    assert tree_state(root) == before
    assert read_state(root).applied == ()


class _SloppyDisk(DiskIO):
    """The first write of every `main.py` lands with CRLF line ends instead of its bytes."""

    def __init__(self):
        self.seen: set[Path] = set()
        self.sloppy = 0

    def write(self, path, data, mode=None):
        first = path.name == tmp_path(Path("main.py")).name and path not in self.seen
        self.seen.add(path)
        if first:
            self.sloppy += 1
        super().write(path, data.replace(b"\n", b"\r\n") if first else data, mode)


def test_a_write_that_lands_different_bytes_is_caught_and_restored(project):
    mapping, root = project
    before = tree_state(root)

    with using_disk(_SloppyDisk()) as disk:
        result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert disk.sloppy >= 1
    assert result.exit_code == 3
    assert "src/app/main.py: content on disk differs from the plan" in result.output
    assert tree_state(root) == before


def test_apply_writes_exactly_the_plan_and_records_it(project):
    mapping, root = project
    plan = _phase_plan(mapping, 1)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    for change in plan.changes:
        p = root / change.path
        if change.after is None:
            assert not p.exists()
        else:
            assert p.read_bytes() == change.after
    state = read_state(root)
    assert state.applied_numbers == (1,)
    assert state.applied[0].plan_digest == plan.digest()
    assert (root / ".migrator/applied/1/journal.json").exists()
    assert not (root / ".migrator/journal").exists()


def test_a_path_through_a_symlink_is_refused_before_anything_is_written(project, tmp_path):
    mapping, root = project
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "src/app/common").symlink_to(outside, target_is_directory=True)
    before = tree_state(root)
    plan = _phase_plan(mapping, 1)

    with pytest.raises(applier.ApplyError, match=r"src/app/common is a symbolic link"):
        applier.apply_phase(root, plan)

    assert tree_state(root) == before
    assert list(outside.iterdir()) == []
    assert not (root / ".migrator/journal").exists()


# --------------------------------------------------------------------------- rollback


def test_phases_roll_back_in_reverse_order_to_the_original_tree(project):
    mapping, root = project
    original = tree_state(root)
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    after_one = tree_state(root)
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "2").exit_code == 0

    refused = run_cli("rollback", "--mapping", str(mapping), "--phase", "1")
    assert refused.exit_code == 3
    assert "phase 1 is not the last applied phase (that is 2)" in refused.output

    two = run_cli("rollback", "--mapping", str(mapping), "--phase", "2")
    assert two.exit_code == 0, two.output
    assert tree_state(root) == after_one
    assert read_state(root).applied_numbers == (1,)

    one = run_cli("rollback", "--mapping", str(mapping))
    assert one.exit_code == 0, one.output
    assert "rolled back phase 1" in one.stdout
    assert tree_state(root) == original
    assert read_state(root).applied == ()
    assert not (root / ".migrator/applied/1").exists()

    nothing = run_cli("rollback", "--mapping", str(mapping))
    assert nothing.exit_code == 3 and "no phase is applied" in nothing.output


def test_rollback_refuses_and_lists_files_edited_since_the_phase(project):
    mapping, root = project
    original = tree_state(root)
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    main = root / "src/app/main.py"
    applied_text = main.read_bytes()
    main.write_bytes(applied_text + b"\n# my own work\n")
    facade = root / "src/app/utils/dates.py"
    facade_text = facade.read_bytes()
    facade.unlink()
    edited = tree_state(root)

    result = run_cli("rollback", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 3
    assert "phase 1 cannot be rolled back: 2 file(s) changed since it was applied" in result.output
    assert "  src/app/main.py" in result.output and "  src/app/utils/dates.py" in result.output
    assert tree_state(root) == edited  # nothing of the user's work was lost
    assert read_state(root).applied_numbers == (1,)

    main.write_bytes(applied_text)
    facade.write_bytes(facade_text)
    run_cli("check", "--mapping", str(mapping))  # reading is harmless
    result = run_cli("rollback", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert tree_state(root) == original


def test_an_interrupted_rollback_is_finished_by_running_it_again(project):
    mapping, root = project
    original = tree_state(root)
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    disk = _failing_at(3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        rollback_phase(root, io=disk)
    assert disk.failed is not None
    assert tree_state(root) != original  # half restored

    for command in ("plan", "check"):
        refused = run_cli(command, "--mapping", str(mapping))
        assert refused.exit_code == 3
        assert "`migrate rollback` of phase 1 was interrupted" in refused.output
        assert "run `migrate rollback` again" in refused.output
    status = run_cli("status", "--mapping", str(mapping))
    assert status.exit_code == 0
    assert "run `migrate rollback` again" in status.stdout

    result = run_cli("rollback", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert tree_state(root) == original
    assert read_state(root).applied == ()
    assert not (root / ".migrator/rollback.json").exists()
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0


def test_a_file_put_back_by_hand_to_its_pre_image_does_not_block_rollback(project):
    mapping, root = project
    original = tree_state(root)
    main_before = (root / "src/app/main.py").read_bytes()
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    (root / "src/app/main.py").write_bytes(main_before)
    result = run_cli("rollback", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert tree_state(root) == original


# --------------------------------------------------------------------------- status


def test_status_shows_applied_phases_when_and_whether_the_tree_matches(project):
    mapping, root = project
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0

    data = json.loads(run_cli("status", "--mapping", str(mapping), "--format", "json").stdout)
    assert data["interrupted"] is False and data["interruption"] is None
    one, two = data["phases"]
    assert one["applied"] is True and one["tree_matches"] is True and one["modified_files"] == []
    assert one["undo_record"] is True
    assert one["applied_at"] == read_state(root).get(1).applied_at
    assert two == {"phase": 2, "title": "Entry point", "applied": False, "applied_at": None, "tree_matches": None, "modified_files": [], "undo_record": None}

    (root / "src/app/main.py").write_text("# edited\n", encoding="utf-8")
    data = json.loads(run_cli("status", "--mapping", str(mapping), "--format", "json").stdout)
    assert data["phases"][0]["tree_matches"] is False
    assert data["phases"][0]["modified_files"] == ["src/app/main.py"]

    text = run_cli("status", "--mapping", str(mapping))
    assert text.exit_code == 0
    assert "1 file(s) edited since" in text.stdout
    assert "phase 1: src/app/main.py edited since it was applied" in text.stdout
    assert read_state(root).get(1).applied_at[:4] in text.stdout
