"""Phases that flow in a git project: phase 2 right after phase 1 without a commit, a
stashed phase refused, `apply --to N` / `--all` one transaction per phase, `plan --to N`."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrator.adapters.state import modified_files, read_state, undo_dir
from tests.helpers import REPO, run_cli
from tests.test_safety_transactions import FILES, tree_state, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

#: Phase 2 rewrites src/app/main.py and tests/test_main.py, which phase 1 wrote too;
#: phase 3 is refused by the planner: its destination exists with other code.
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
  - phase: 3
    title: Words
    moves:
      - {from: app.common.utils.text, to: app.words}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A committed git repository holding the project in `proj/`, the mapping beside it."""
    repo = tmp_path / "repo"
    write_tree(repo / "proj", {**FILES, "src/app/words.py": b"X = 1\n"})
    (repo / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (repo / ".gitignore").write_text(".migrator/\n__pycache__/\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo, repo / "mapping.yaml", repo / "proj"


def listed(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.startswith("  ")]


def applied(root: Path) -> tuple[int, ...]:
    return read_state(root).applied_numbers


def test_phase_2_applies_right_after_phase_1_without_a_commit_in_between(repo):
    repo_dir, mapping, root = repo
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    assert "src/app/main.py" in git(repo_dir, "status", "--porcelain")  # phase 1's output is uncommitted

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 0, result.output
    assert "applied phase 2 (Entry point)" in result.stdout
    assert applied(root) == (1, 2)
    assert "from app.entry import run" in (root / "scripts/run.py").read_text()


def test_a_user_edit_on_top_of_phase_1s_output_in_a_file_phase_2_touches_still_refuses(repo):
    _, mapping, root = repo
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    main = root / "src/app/main.py"
    main.write_bytes(main.read_bytes() + b"# wip\n")
    before = tree_state(root)

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 3
    assert "refused phase 2: 1 file(s) it touches have uncommitted changes" in result.output
    # tests/test_main.py is phase 1's output, uncommitted too, and phase 2 touches it: not the user's work
    assert listed(result.output) == ["src/app/main.py"]
    assert "stash" not in result.output
    assert tree_state(root) == before
    assert applied(root) == (1,)


def test_an_edit_committed_after_phase_1_does_not_block_phase_2(repo):
    repo_dir, mapping, root = repo
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    main = root / "src/app/main.py"
    main.write_bytes(main.read_bytes() + b"\n\nVERSION = 2\n")
    git(repo_dir, "add", "proj/src/app/main.py")
    git(repo_dir, "commit", "-q", "-m", "the user's own work on top of phase 1")  # the rest of phase 1 stays uncommitted

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 0, result.output
    assert "VERSION = 2" in main.read_text()
    assert applied(root) == (1, 2)


def test_paths_phase_1_deleted_and_phase_2_writes_again_are_not_uncommitted_work(repo):
    repo_dir, mapping, root = repo
    # without facades phase 1 deletes app/utils/; phase 2 creates app/utils/text.py again
    mapping.write_text(
        MAPPING.replace("phases:", "facades: {style: none}\nphases:").replace('to: app.entry}', "to: app.utils.text}"), encoding="utf-8"
    )
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    git(repo_dir, "commit", "-q", "-m", "phase 1's edits", "--", "proj/src/app/main.py", "proj/tests/test_main.py")
    assert " D proj/src/app/utils/text.py" in git(repo_dir, "status", "--porcelain")  # the deletion is uncommitted

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 0, result.output
    assert "def run():" in (root / "src/app/utils/text.py").read_text()
    assert applied(root) == (1, 2)


@pytest.mark.parametrize("stash", [["stash"], ["stash", "--include-untracked"]], ids=["git stash", "git stash -u"])
@pytest.mark.parametrize("way_back", ["git stash pop", "migrate rollback"])
def test_after_git_stash_applying_phase_2_is_refused_and_the_way_back_it_names_works(repo, stash, way_back):
    repo_dir, mapping, root = repo
    original = tree_state(root)
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    after_phase_1 = tree_state(root)
    git(repo_dir, *stash)
    before = tree_state(root)
    state_before = (root / ".migrator/state.json").read_bytes()

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 3
    assert "refused phase 2: the tree no longer holds what phase 1 wrote" in result.output
    reverted = [
        "src/app/main.py: back to what it was before phase 1",
        "src/app/utils/__init__.py: back to what it was before phase 1",
        "src/app/utils/dates.py: back to what it was before phase 1",
        "src/app/utils/text.py: back to what it was before phase 1",
        "tests/test_main.py: back to what it was before phase 1",
    ]
    missing = [
        "src/app/common/__init__.py: written by phase 1, missing",
        "src/app/common/utils/__init__.py: written by phase 1, missing",
        "src/app/common/utils/dates.py: written by phase 1, missing",
        "src/app/common/utils/text.py: written by phase 1, missing",
    ]
    # a plain `git stash` leaves the untracked new files where they are
    assert listed(result.output) == sorted(reverted + (missing if "--include-untracked" in stash else []))
    assert "`git stash pop`" in result.output and "`migrate rollback`" in result.output
    assert tree_state(root) == before
    assert (root / ".migrator/state.json").read_bytes() == state_before
    assert not (undo_dir(root, 2)).exists()

    if way_back == "git stash pop":
        git(repo_dir, "stash", "pop")
        assert tree_state(root) == after_phase_1
        again = run_cli("apply", "-m", str(mapping), "--phase", "2")
        assert again.exit_code == 0, again.output
        assert applied(root) == (1, 2)
    else:
        undone = run_cli("rollback", "-m", str(mapping))
        assert undone.exit_code == 0, undone.output
        assert tree_state(root) == original
        assert applied(root) == ()
        assert run_cli("apply", "-m", str(mapping), "--to", "2").exit_code == 0
        assert applied(root) == (1, 2)


def test_a_file_put_back_to_its_content_before_phase_1_counts_as_phase_1_undone_even_when_committed(repo):
    repo_dir, mapping, root = repo
    original = (root / "scripts/run.py").read_bytes(), (root / "src/app/utils/dates.py").read_bytes()
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "-m", "phase 1")
    (root / "src/app/utils/dates.py").write_bytes(original[1])  # the facade replaced by the old module again
    git(repo_dir, "commit", "-q", "-am", "bring the old module back")

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 3
    assert listed(result.output) == ["src/app/utils/dates.py: back to what it was before phase 1"]
    assert (root / "scripts/run.py").read_bytes() == original[0]
    assert applied(root) == (1,)


def test_outside_git_a_file_phase_1_wrote_that_is_gone_refuses_phase_2(tmp_path):
    from migrator.adapters import vcs

    if vcs.work_tree(tmp_path) is not None:
        pytest.skip("the temporary folder lies inside a git work tree")
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    root = tmp_path / "proj"
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    (root / "src/app/common/utils/text.py").unlink()
    before = tree_state(root)

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 3
    assert listed(result.output) == ["src/app/common/utils/text.py: written by phase 1, missing"]
    assert "put those files back as the phase left them" in result.output and "stash" not in result.output
    assert tree_state(root) == before
    assert applied(root) == (1,)


def test_apply_all_applies_the_phases_in_order_and_stops_at_the_first_refusal(repo):
    _, mapping, root = repo
    words = (root / "src/app/words.py").read_bytes()

    result = run_cli("apply", "-m", str(mapping), "--all")

    assert result.exit_code == 3  # phase 3's own refusal: its destination exists
    out = result.output
    assert out.index("applied phase 1 (Common utils)") < out.index("applied phase 2 (Entry point)") < out.index("MIG301")
    assert "refused phase 3 was not applied; nothing changed" in out
    assert "stopped at phase 3; applied before it: phases 1, 2" in out
    assert applied(root) == (1, 2)
    assert (undo_dir(root, 1) / "journal.json").is_file() and (undo_dir(root, 2) / "journal.json").is_file()
    assert not undo_dir(root, 3).exists()
    assert (root / "src/app/words.py").read_bytes() == words
    # each phase is its own transaction: rollback undoes phase 2 alone
    assert run_cli("rollback", "-m", str(mapping)).exit_code == 0
    assert applied(root) == (1,)


def test_apply_to_n_applies_every_pending_phase_up_to_n_and_no_further(repo):
    _, mapping, root = repo
    assert run_cli("apply", "-m", str(mapping), "--to", "1").exit_code == 0
    assert applied(root) == (1,)

    result = run_cli("apply", "-m", str(mapping), "--to", "2")

    assert result.exit_code == 0, result.output
    assert "applied phase 1" not in result.output
    assert "applied phase 2 (Entry point)" in result.stdout
    assert applied(root) == (1, 2)
    again = run_cli("apply", "-m", str(mapping), "--to", "2")
    assert again.exit_code == 0
    assert "every phase up to 2 is applied; nothing changed" in again.stdout
    assert run_cli("apply", "-m", str(mapping), "--to", "7").exit_code == 2  # no such phase


def test_apply_to_n_stops_at_a_refused_phase_with_its_message_and_exit_code(repo):
    _, mapping, root = repo
    run_py = root / "scripts/run.py"  # phase 2 rewrites it; phase 1 does not
    run_py.write_bytes(run_py.read_bytes() + b"# wip\n")

    result = run_cli("apply", "-m", str(mapping), "--to", "3")

    assert result.exit_code == 3
    assert "applied phase 1 (Common utils)" in result.stdout
    assert "refused phase 2: 1 file(s) it touches have uncommitted changes" in result.output
    assert "stopped at phase 2; applied before it: phase 1 " in result.output
    assert listed(result.output) == ["scripts/run.py"]
    assert applied(root) == (1,)
    assert run_py.read_text().endswith("from app.main import run\nprint(run())\n# wip\n")


SMALL_PHASE_FIRST = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - phase: 1
    title: Entry point
    moves:
      - {from: "app.main:run", to: app.entry}
  - phase: 2
    title: Common utils
    moves:
      - {from: app.utils, to: app.common.utils}
"""


def test_ctrl_c_in_phase_2_of_a_run_restores_phase_2_and_keeps_phase_1_applied(repo):
    repo_dir, mapping, root = repo
    # phase 1 writes 4 files, phase 2 more than 6: the pause after the 6th write is in phase 2
    mapping.write_text(SMALL_PHASE_FIRST, encoding="utf-8")
    gate = repo_dir.parent / "gate"
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrator", "apply", "--to", "2", "--mapping", str(mapping)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "MIGRATOR_PAUSE_AFTER_WRITES": f"6:{gate}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while not Path(f"{gate}.paused").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    assert applied(root) == (1,)

    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert "applied phase 1 (Entry point)" in out
    assert "phase 2 was interrupted and not applied (nothing of it changed); applied before it: phase 1" in err
    assert applied(root) == (1,)
    assert (undo_dir(root, 1) / "journal.json").is_file() and not (root / ".migrator/journal").exists()
    # the tree is phase 1's: every file as phase 1 left it, and nothing else changed since the commit
    assert modified_files(root, read_state(root).applied[0]) == []
    changed = {line[3:].removeprefix("proj/") for line in git(repo_dir, "status", "--porcelain", "--untracked-files=all", "--", "proj").splitlines()}
    assert changed == set(read_state(root).applied[0].files)
    assert run_cli("apply", "-m", str(mapping), "--phase", "2").exit_code == 0  # phase 1's tree, as it left it


@pytest.mark.parametrize(
    "options",
    [[], ["--phase", "1", "--all"], ["--to", "2", "--all"], ["--phase", "1", "--to", "2"]],
    ids=["none", "--phase and --all", "--to and --all", "--phase and --to"],
)
def test_apply_takes_exactly_one_of_phase_to_and_all(repo, options):
    _, mapping, root = repo
    before = tree_state(root)

    result = run_cli("apply", "-m", str(mapping), *options)

    assert result.exit_code == 2
    assert "give exactly one of --phase N (one phase), --to N (every pending phase up to N) or --all" in result.output
    assert tree_state(root) == before
    assert not (root / ".migrator/state.json").exists()


def test_plan_to_n_plans_every_pending_phase_up_to_n(repo):
    _, mapping, root = repo

    result = run_cli("plan", "-m", str(mapping), "--to", "2", "--format", "json")

    assert result.exit_code == 0, result.output
    assert [p["phase"] for p in json.loads(result.stdout)["phases"]] == [1, 2]
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    after = run_cli("plan", "-m", str(mapping), "--to", "2", "--format", "json")
    assert [p["phase"] for p in json.loads(after.stdout)["phases"]] == [2]
    both = run_cli("plan", "-m", str(mapping), "--phase", "2", "--to", "2")
    assert both.exit_code == 2
    assert "not both" in both.output
    assert run_cli("plan", "-m", str(mapping), "--to", "9").exit_code == 2


def test_a_run_of_several_phases_asks_once_on_a_terminal_listing_them(repo):
    _, mapping, root = repo
    out = _on_a_terminal([sys.executable, "-m", "migrator", "apply", "-m", str(mapping), "--to", "2"], answer=b"y\n")

    assert "phase 1: Common utils" in out and "phase 2: Entry point" in out
    assert out.count("[y/N]") == 1
    assert "applied phases 1, 2" in out
    assert applied(root) == (1, 2)


def _on_a_terminal(argv: list[str], answer: bytes, timeout: float = 60) -> str:
    """Run argv with a pseudo-terminal as stdin/stdout/stderr, type `answer` at the first
    prompt, and return what it printed (up to a second prompt, if one comes)."""
    master, slave = os.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "TERM": "dumb"}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks, answered, deadline = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks += data
                if not answered and b"[y/N]" in chunks:
                    os.write(master, answer)
                    answered = True
                elif chunks.count(b"[y/N]") > 1:
                    break  # a second prompt: the caller's count fails the test
            elif proc.poll() is not None:
                break
        else:
            pytest.fail(f"still running after {timeout}s: {chunks.decode(errors='replace')}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return chunks.decode(errors="replace")


def test_facades_retired_after_phase_1_are_not_a_lost_phase_for_phase_2(repo):
    # retire's removals and check --fix's rewrites are recorded history, like a phase's
    repo_dir, mapping, root = repo
    assert run_cli("apply", "-m", str(mapping), "--phase", "1").exit_code == 0
    retired = run_cli("retire", "-m", str(mapping))
    assert retired.exit_code == 0, retired.output
    assert not (root / "src/app/utils/__init__.py").exists()

    result = run_cli("apply", "-m", str(mapping), "--phase", "2")

    assert result.exit_code == 0, result.output
    assert applied(root) == (1, 2)
