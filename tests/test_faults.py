"""Every disk change of an apply and of a rollback, made to fail in turn, restores.

tests/faults.py makes the n-th call through the writer's disk seam raise ENOSPC or EACCES
(for n = 1 .. the number of calls of a clean run): each time the command exits 3 with
one message naming the cause and the path, no traceback, and the tree (bytes, modes,
folders) and the tool's state are exactly as before the command, or, for a rollback that
failed after it recorded the phase as undone, exactly the pre-phase tree with "run
`migrate rollback` again" (which then finishes).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from migrator.adapters.disk import DiskIO, using_disk
from migrator.adapters.state import read_state
from tests.faults import faulty_disk
from tests.helpers import run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree

ERRORS = [pytest.param(errno.ENOSPC, id="disk full"), pytest.param(errno.EACCES, id="permission denied")]


def _project(base: Path) -> tuple[Path, Path]:
    write_tree(base / "proj", FILES)
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping, base / "proj"


def _tool_state(root: Path) -> dict[str, bytes]:
    """Every file of `.migrator/` but the lock and the cache (which reading commands write)."""
    sdir = root / ".migrator"
    out = {}
    for p in sorted(sdir.rglob("*")) if sdir.exists() else []:
        rel = p.relative_to(sdir).as_posix()
        if p.is_file() and rel != "lock" and not rel.startswith("cache/"):
            out[rel] = p.read_bytes()
    return out


def _count_calls(tmp_path: Path, *args: str, prepare=None) -> list[tuple[str, str]]:
    mapping, root = _project(tmp_path / "count")
    if prepare:
        prepare(mapping)
    with faulty_disk() as disk:
        result = run_cli(*args, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    return disk.calls


def _assert_one_clear_message(result, error: int, failed: tuple[str, str]) -> None:
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert os.strerror(error) in result.output, (failed, result.output)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output


@pytest.mark.parametrize("error", ERRORS)
def test_a_fault_at_any_write_of_an_apply_restores_the_tree_and_the_state(tmp_path, error):
    calls = _count_calls(tmp_path, "apply", "--phase", "1")
    assert any(path.endswith("/.migrator/state.json") and op == "replace" for op, path in calls)
    mapping, root = _project(tmp_path / "faults")
    before, tool_before = tree_state(root), _tool_state(root)

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, error) as disk:
            result = run_cli("apply", "--phase", "1", "--mapping", str(mapping))
        assert disk.failed is not None, n
        _assert_one_clear_message(result, error, disk.failed)
        assert tree_state(root) == before, (n, disk.failed)
        assert _tool_state(root) == tool_before, (n, disk.failed)
        assert read_state(root).applied == ()

    assert run_cli("apply", "--phase", "1", "--mapping", str(mapping)).exit_code == 0


def _applied(mapping: Path) -> None:
    assert run_cli("apply", "--phase", "1", "--mapping", str(mapping)).exit_code == 0


@pytest.mark.parametrize("error", ERRORS)
def test_a_fault_at_any_write_of_a_rollback_puts_the_tree_back_or_finishes_on_the_next_run(tmp_path, error):
    calls = _count_calls(tmp_path, "rollback", prepare=_applied)
    mapping, root = _project(tmp_path / "faults")
    before = tree_state(root)
    _applied(mapping)
    after, tool_after = tree_state(root), _tool_state(root)
    put_back = finished_later = 0

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, error) as disk:
            result = run_cli("rollback", "--mapping", str(mapping))
        assert disk.failed is not None, n
        _assert_one_clear_message(result, error, disk.failed)
        if "the tree was put back as it was" in result.output:
            put_back += 1
            assert tree_state(root) == after, (n, disk.failed)
            assert _tool_state(root) == tool_after, (n, disk.failed)
            assert read_state(root).is_applied(1)
        else:
            finished_later += 1
            assert "run `migrate rollback` again to finish" in result.output
            assert tree_state(root) == before, (n, disk.failed)
            again = run_cli("rollback", "--mapping", str(mapping))
            assert again.exit_code == 0, again.output
            assert tree_state(root) == before and read_state(root).applied == ()
            assert _tool_state(root).keys() <= {"state.json", ".gitignore"}  # the record, and what git ignores beside it
            _applied(mapping)
            after, tool_after = tree_state(root), _tool_state(root)

    assert put_back >= len(calls) - 3  # only the clean-up after the state is written finishes later
    assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0
    assert tree_state(root) == before


class _ReadOnlyAfterFirstReplace(DiskIO):
    """A folder made read-only in the middle of an apply: once one file in it was
    replaced, every later change in it fails with EACCES (root ignores permission bits,
    so the fault is injected)."""

    def __init__(self, folder: Path):
        self.folder, self.replaced, self.refused = str(folder), 0, 0

    def _check(self, path) -> None:
        if self.replaced and str(path).startswith(self.folder + "/"):
            self.refused += 1
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def write(self, path, data, mode=None):
        self._check(path)
        super().write(path, data, mode)

    def replace(self, src, dst):
        self._check(dst)
        super().replace(src, dst)
        if str(dst).startswith(self.folder + "/"):
            self.replaced += 1

    def unlink(self, path):
        self._check(path)
        super().unlink(path)


def test_a_folder_that_stays_unwritable_keeps_the_journal_and_says_to_run_rollback(tmp_path):
    mapping, root = _project(tmp_path)
    before = tree_state(root)

    with using_disk(_ReadOnlyAfterFirstReplace(root / "src/app/utils")) as disk:
        result = run_cli("apply", "--phase", "1", "--mapping", str(mapping))

    assert disk.refused >= 2  # a write of the apply and one of the restore were refused
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "and so did restoring the tree (Permission denied" in result.output
    assert "run `migrate rollback`" in result.output
    assert (root / ".migrator/journal/journal.json").exists()
    rolled = run_cli("rollback", "--mapping", str(mapping))  # the folder is writable again: the real disk
    assert rolled.exit_code == 0, rolled.output
    assert tree_state(root) == before
