"""`apply --git-mv` changes git's index (`git mv`; `git update-index` to put it back)
through the writer's disk seam like every other change, so a fault at any step of it,
`git mv` included, puts back the tree byte for byte and git's index as it was (nothing
staged, the same entries), with real git; and so does a fault at any step of the
rollback of a `--git-mv` phase, or git itself refusing to touch its index.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from migrator.adapters.state import read_state
from tests.faults import faulty_disk
from tests.helpers import git, run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _repo(base: Path) -> tuple[Path, Path, Path]:
    """A committed git repository holding the project in `proj/`: (repo, mapping, root)."""
    repo = base / "repo"
    write_tree(repo / "proj", FILES)
    (repo / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (repo / ".gitignore").write_text(".migrator/\n__pycache__/\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo, repo / "mapping.yaml", repo / "proj"


def _git_state(repo: Path) -> tuple[str, str, str]:
    """What git says of the index and the work tree: every index entry, what is staged,
    and the status."""
    return (
        git(repo, "ls-files", "-s"),
        git(repo, "diff", "--cached", "--name-status"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
    )


def _apply(mapping: Path):
    return run_cli("apply", "--phase", "1", "--git-mv", "--mapping", str(mapping))


def _count_calls(base: Path, *args: str, prepare=None) -> list[tuple[str, str]]:
    _, mapping, _ = _repo(base)
    if prepare:
        prepare(mapping)
    with faulty_disk() as disk:
        result = run_cli(*args, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    return disk.calls


def test_a_fault_at_any_step_of_a_git_mv_apply_restores_the_tree_and_the_index(tmp_path):
    calls = _count_calls(tmp_path / "count", "apply", "--phase", "1", "--git-mv")
    git_moved = sorted(Path(path).name for op, path in calls if op == "git mv")
    assert git_moved == ["__init__.py", "dates.py", "text.py"], calls  # app/utils/* moves with git mv
    repo, mapping, root = _repo(tmp_path / "faults")
    before, git_before = tree_state(root), _git_state(repo)
    assert git_before[1] == "" and git_before[2] == ""

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, errno.ENOSPC) as disk:
            result = _apply(mapping)
        assert disk.failed is not None, n
        assert result.exit_code == 3, (n, disk.failed, result.output)
        assert "Traceback" not in result.output
        assert os.strerror(errno.ENOSPC) in result.output and "nothing changed" in result.output, result.output
        assert tree_state(root) == before, (n, disk.failed)
        assert _git_state(repo) == git_before, (n, disk.failed)
        assert read_state(root).applied == ()

    applied = _apply(mapping)
    assert applied.exit_code == 0, applied.output
    assert "R100\tproj/src/app/utils/dates.py\tproj/src/app/common/utils/dates.py" in git(repo, "diff", "--cached", "--name-status", "-M")


def test_a_fault_at_a_later_git_mv_puts_back_the_move_git_already_made(tmp_path):
    """The second `git mv` fails after the first one moved a file and staged the rename:
    both the file and its index entries go back."""
    calls = _count_calls(tmp_path / "count", "apply", "--phase", "1", "--git-mv")
    second = [n for n, (op, _) in enumerate(calls, start=1) if op == "git mv"][1]
    repo, mapping, root = _repo(tmp_path / "faults")
    before, git_before = tree_state(root), _git_state(repo)

    with faulty_disk(second, errno.ENOSPC) as disk:
        result = _apply(mapping)

    assert disk.failed is not None and disk.failed[0] == "git mv", disk.failed
    assert result.exit_code == 3, result.output
    assert tree_state(root) == before
    assert _git_state(repo) == git_before


def test_a_fault_at_any_step_of_the_rollback_of_a_git_mv_phase_restores_the_index(tmp_path):
    def applied(mapping: Path) -> None:
        assert _apply(mapping).exit_code == 0

    calls = _count_calls(tmp_path / "count", "rollback", prepare=applied)
    assert any(op == "git update-index" for op, _ in calls), calls
    repo, mapping, root = _repo(tmp_path / "faults")
    before, git_before = tree_state(root), _git_state(repo)
    applied(mapping)
    after, git_after = tree_state(root), _git_state(repo)
    hit_git = False

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, errno.ENOSPC) as disk:
            result = run_cli("rollback", "--mapping", str(mapping))
        assert disk.failed is not None, n
        hit_git = hit_git or disk.failed[0].startswith("git ")
        assert result.exit_code == 3, (n, disk.failed, result.output)
        assert "Traceback" not in result.output
        if "the tree was put back as it was" in result.output:
            assert tree_state(root) == after, (n, disk.failed)
            assert _git_state(repo) == git_after, (n, disk.failed)
            assert read_state(root).is_applied(1)
        else:
            assert "run `migrate rollback` again to finish" in result.output, result.output
            again = run_cli("rollback", "--mapping", str(mapping))
            assert again.exit_code == 0, again.output
            assert tree_state(root) == before and _git_state(repo) == git_before, (n, disk.failed)
            applied(mapping)
            after, git_after = tree_state(root), _git_state(repo)

    assert hit_git
    assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0
    assert tree_state(root) == before
    assert _git_state(repo) == git_before


def test_git_refusing_its_index_keeps_the_journal_and_rollback_restores_the_index(tmp_path):
    """Another git process holds the index (`.git/index.lock`): `git mv` fails, and so does
    putting the index back; the journal is kept, and once the lock is gone `migrate
    rollback` restores the tree and the index."""
    repo, mapping, root = _repo(tmp_path)
    before, git_before = tree_state(root), _git_state(repo)
    lock = repo / ".git/index.lock"
    lock.write_bytes(b"")

    result = _apply(mapping)

    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "index.lock" in result.output and "run `migrate rollback`" in result.output, result.output
    assert "GitError" not in result.output  # git's words, not the name of an exception class
    assert (root / ".migrator/journal/journal.json").exists()
    refused = run_cli("plan", "--phase", "1", "--mapping", str(mapping))
    assert refused.exit_code == 3, refused.output  # nothing else runs on a half-restored tree
    lock.unlink()
    rolled = run_cli("rollback", "--mapping", str(mapping))
    assert rolled.exit_code == 0, rolled.output
    assert tree_state(root) == before
    assert _git_state(repo) == git_before
    assert _apply(mapping).exit_code == 0
