"""Git awareness: no apply onto uncommitted work; `--git-mv` moves files so history follows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migrator.adapters import vcs
from tests.faults import faulty_disk, target_writes
from tests.helpers import run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A committed git repository holding the project in a sub-folder (`proj/`)."""
    repo = tmp_path / "repo"
    write_tree(repo / "proj", FILES)
    (repo / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (repo / ".gitignore").write_text(".migrator/\n__pycache__/\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo, repo / "mapping.yaml", repo / "proj"


def test_apply_refuses_uncommitted_changes_to_files_the_phase_touches(repo):
    repo_dir, mapping, root = repo
    (root / "src/app/main.py").write_bytes((root / "src/app/main.py").read_bytes() + b"# wip\n")
    (root / "src/app/utils/text.py").write_bytes(b"def shout(s):\n    return s.upper() + '!'\n")
    git(repo_dir, "add", "proj/src/app/utils/text.py")  # staged counts too
    (root / "src/app/extra.py").write_text("from app.utils import text\n", encoding="utf-8")  # untracked
    before = tree_state(root)

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 3
    assert "refused phase 1: 3 file(s) it touches have uncommitted changes" in result.output
    assert "--allow-dirty" in result.output
    listed = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert listed == ["src/app/extra.py", "src/app/main.py", "src/app/utils/text.py"]
    assert tree_state(root) == before

    forced = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--allow-dirty")
    assert forced.exit_code == 0, forced.output
    assert "# wip" in (root / "src/app/main.py").read_text()


def test_uncommitted_changes_elsewhere_do_not_block_apply(repo):
    repo_dir, mapping, root = repo
    (root / "README.md").write_text("notes\n", encoding="utf-8")
    (root / "tests/test_main.py").write_text("# not touched by phase 1\n", encoding="utf-8")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output


def test_a_target_outside_git_is_applied_without_the_check_and_refuses_git_mv(tmp_path):
    if vcs.work_tree(tmp_path) is not None:
        pytest.skip("the temporary folder lies inside a git work tree")
    write_tree(tmp_path / "proj", FILES)
    (tmp_path / "proj/src/app/main.py").write_text("from app.utils import text\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    refused = run_cli("apply", "--mapping", str(tmp_path / "mapping.yaml"), "--phase", "1", "--git-mv")
    assert refused.exit_code == 2
    assert "--git-mv needs a git work tree" in refused.output
    assert run_cli("apply", "--mapping", str(tmp_path / "mapping.yaml"), "--phase", "1").exit_code == 0


def test_git_mv_stages_renames_so_history_follows_the_moved_files(repo):
    repo_dir, mapping, root = repo
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--git-mv")
    assert result.exit_code == 0, result.output
    assert "moved with git mv" in result.stdout

    staged = git(repo_dir, "diff", "--cached", "--name-status", "-M").splitlines()
    assert "R100\tproj/src/app/utils/dates.py\tproj/src/app/common/utils/dates.py" in staged
    assert "R100\tproj/src/app/utils/text.py\tproj/src/app/common/utils/text.py" in staged
    # The new content and the facades are in the work tree, ready for a second commit.
    assert (root / "src/app/utils/dates.py").read_text().startswith('"""Deprecated: `app.utils.dates` moved')

    git(repo_dir, "commit", "-q", "-m", "move files")
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "-m", "rewrite references, add facades")
    history = git(repo_dir, "log", "--follow", "--format=%s", "--", "proj/src/app/common/utils/dates.py").splitlines()
    assert history == ["move files", "initial"]


def test_rollback_after_git_mv_restores_the_files_and_the_index(repo):
    repo_dir, mapping, root = repo
    before = tree_state(root)
    assert git(repo_dir, "status", "--porcelain") == ""
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--git-mv").exit_code == 0
    assert git(repo_dir, "status", "--porcelain") != ""

    result = run_cli("rollback", "--mapping", str(mapping))

    assert result.exit_code == 0, result.output
    assert tree_state(root) == before
    assert git(repo_dir, "status", "--porcelain") == ""


def test_a_failed_git_mv_apply_restores_the_index_too(repo):
    repo_dir, mapping, root = repo
    before = tree_state(root)

    with faulty_disk(3, exception=OSError("disk full"), counts=target_writes) as disk:  # the third file written
        result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--git-mv")
    assert disk.failed is not None
    assert result.exit_code == 3
    assert tree_state(root) == before
    assert git(repo_dir, "status", "--porcelain") == ""


def test_a_staged_rename_of_a_touched_file_counts_as_uncommitted_even_in_a_folder_with_spaces(tmp_path):
    repo_dir = tmp_path / "my repo"
    write_tree(repo_dir / "proj", FILES)
    (repo_dir / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    git(repo_dir, "init", "-q", "-b", "main")
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "-m", "initial")
    git(repo_dir, "mv", "proj/tests/test_main.py", "proj/tests/test_renamed.py")
    (repo_dir / "proj/src/app/utils/dates.py").write_text("def today():\n    return 'later'\n", encoding="utf-8")

    tree = vcs.work_tree(repo_dir / "proj")
    assert tree is not None and tree.prefix == "proj"
    assert vcs.uncommitted(tree, ["tests/test_main.py", "src/app/utils/dates.py", "src/app/main.py"]) == [
        "src/app/utils/dates.py",
        "tests/test_main.py",
    ]
