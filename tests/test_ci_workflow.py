"""From a migrated repository to a green (and a red) CI: `check` holds in a fresh clone.

A small git project gets its mapping from `migrate init`, two phases written into it and
applied one right after the other (no commit between), and is committed as the README
says; a fresh `git clone` of it gains a stale import, and `migrate check --format
github` fails with the annotation on the file's path from the repository root — with `.migrator/state.json`
committed (the record) and with `.migrator/` not committed at all (the phases inferred
from the tree), with the target at the top of the repository or in a subfolder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import git, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
    "src/app/utils/text.py": "def shout(s):\n    return s.upper() + '!'\n",
    "src/app/main.py": "from app.utils.dates import today\nfrom app.utils.text import shout\n\n\ndef run():\n    return shout(today())\n",
    "tests/test_main.py": "from app.main import run\n\n\ndef test_run():\n    assert run() == '2026-11-26!'\n",
}

PHASES = """\
phases:
  - phase: 1
    title: Dates to the top
    moves:
      - {from: app.utils.dates, to: app.dates}
  - phase: 2
    title: Text to the top
    moves:
      - {from: app.utils.text, to: app.text}
  - phase: 3
    title: Main into cli
    moves:
      - {from: app.main, to: app.cli.main}
"""


def _repo(base: Path, *, subfolder: str, commit_state: bool) -> tuple[Path, str]:
    """A git repository holding the project at `subfolder` ("" for the top): `migrate
    init` writes the mapping at the repository root, two phases are written into it,
    phases 1 and 2 are applied one right after the other (no commit between), and the
    whole is committed once with `git add -A` (as the README says). Returns
    (repository, mapping's target root)."""
    repo = base / "origin"
    target = repo / subfolder if subfolder else repo
    for rel, text in FILES.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root = subfolder or "."
    # A team that does not commit the tool's folder at all ignores it itself.
    (repo / ".gitignore").write_text("__pycache__/\n" + ("" if commit_state else ".migrator/\n"), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    mapping = repo / "mapping.yaml"
    init = run_cli("init", "--target", str(target), "--mapping", str(mapping))
    assert init.exit_code == 0, init.output
    written = mapping.read_text(encoding="utf-8")
    assert f"  root: {root}\n" in written and "  source_roots: [src]\n" in written
    # the user writes the phases under `phases:` (where init left a commented example)
    mapping.write_text(written[: written.index("\nphases:")] + "\n" + PHASES, encoding="utf-8")
    for phase in ("1", "2"):
        result = run_cli("apply", "--mapping", str(mapping), "--phase", phase)
        assert result.exit_code == 0, result.output
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "migrate: phases 1 and 2")
    return repo, root


def _clone(repo: Path, base: Path) -> Path:
    clone = base / "clone"
    git(base, "clone", "-q", str(repo), str(clone))
    return clone


@pytest.mark.parametrize("subfolder", ["", "services/api"], ids=["target at the top", "target in a subfolder"])
@pytest.mark.parametrize("commit_state", [True, False], ids=["state committed", ".migrator not committed"])
def test_check_in_a_fresh_clone_fails_on_a_stale_import_with_the_annotation_at_its_repository_path(tmp_path, subfolder, commit_state):
    repo, _ = _repo(tmp_path, subfolder=subfolder, commit_state=commit_state)
    tracked = set(git(repo, "ls-files").split())
    prefix = f"{subfolder}/" if subfolder else ""
    state_files = {p for p in tracked if ".migrator/" in p}
    assert state_files == ({f"{prefix}.migrator/.gitignore", f"{prefix}.migrator/state.json"} if commit_state else set())

    clone = _clone(repo, tmp_path)
    mapping = str(clone / "mapping.yaml")
    clean = run_cli("check", "--mapping", mapping, "--format", "github")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.endswith("::notice title=migrate check::no stale references\n")

    stale = clone / prefix / "src/app/report.py"
    stale.write_text("from app.utils.text import shout\n\n\ndef banner():\n    return shout('hi')\n", encoding="utf-8")
    result = run_cli("check", "--mapping", mapping, "--format", "github")

    assert result.exit_code == 1, result.output
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors == [f"::error file={prefix}src/app/report.py,line=1,col=1,title=MIG001::import of 'app.utils.text' — moved to 'app.text'"]
    inferred = "::notice title=migrate check::no migration recorded in .migrator/state.json; phases 1, 2 inferred as applied from the tree"
    assert (inferred in result.stdout.splitlines()) is (not commit_state)
    data = json.loads(run_cli("check", "--mapping", mapping, "--format", "json").stdout)
    assert data["applied_phases"] == [1, 2] and data["applied_phases_inferred"] is (not commit_state)
    assert [f["path"] for f in data["findings"]] == ["src/app/report.py"]  # JSON stays relative to the target


def test_a_clone_with_the_committed_state_goes_on_with_the_next_phase_and_rolls_back_only_its_own(tmp_path):
    repo, _ = _repo(tmp_path, subfolder="", commit_state=True)
    clone = _clone(repo, tmp_path)
    mapping = str(clone / "mapping.yaml")
    assert not (clone / ".migrator/applied").exists()  # the undo records stayed in the first clone

    status = run_cli("status", "--mapping", mapping, "--format", "json")
    assert status.exit_code == 0, status.output
    rows = json.loads(status.stdout)["phases"]
    assert [(r["phase"], r["applied"], r["undo_record"]) for r in rows] == [(1, True, False), (2, True, False), (3, False, None)]
    assert run_cli("plan", "--mapping", mapping, "--phase", "3").exit_code == 0
    applied = run_cli("apply", "--mapping", mapping, "--phase", "3")
    assert applied.exit_code == 0, applied.output
    assert (clone / "src/app/cli/main.py").is_file()

    assert run_cli("rollback", "--mapping", mapping).exit_code == 0  # phase 3 was applied here
    assert not (clone / "src/app/cli/main.py").exists()
    before = git(clone, "status", "--porcelain")
    refused = run_cli("rollback", "--mapping", mapping)
    assert refused.exit_code == 3
    message = " ".join(refused.output.split())
    assert "phase 2 cannot be rolled back here" in message
    assert "undo records stay local to the clone that applied the phase" in message
    assert "`git revert` the commit that applied it" in message
    assert git(clone, "status", "--porcelain") == before  # nothing changed
    assert run_cli("check", "--mapping", mapping).exit_code == 0


def test_git_sees_only_the_state_and_its_gitignore_in_the_tools_folder(tmp_path):
    repo, _ = _repo(tmp_path, subfolder="", commit_state=True)
    assert (repo / ".migrator/applied/1/journal.json").is_file()  # the undo records are there, ignored
    assert git(repo, "status", "--porcelain", "--ignored", ".migrator").split("\n")[0] == "!! .migrator/applied/"
    ignore = (repo / ".migrator/.gitignore").read_text(encoding="utf-8")
    assert [line for line in ignore.splitlines() if not line.startswith("#")] == ["cache/", "lock", "journal/", "applied/", "retired/", "rollback.json"]


def test_an_existing_gitignore_of_the_tools_folder_is_never_overwritten(tmp_path):
    base = tmp_path / "proj"
    for rel, text in FILES.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    (base / "mapping.yaml").write_text("version: 1\ntarget: {root: ., source_roots: [src]}\n" + PHASES, encoding="utf-8")
    (base / ".migrator").mkdir()
    (base / ".migrator/.gitignore").write_text("cache/\n", encoding="utf-8")  # this team commits its undo records
    assert run_cli("apply", "--mapping", str(base / "mapping.yaml"), "--phase", "1").exit_code == 0
    assert (base / ".migrator/.gitignore").read_text(encoding="utf-8") == "cache/\n"


def test_a_refused_apply_leaves_no_tools_folder_behind(tmp_path):
    base = tmp_path / "proj"
    for rel, text in FILES.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    (base / "mapping.yaml").write_text("version: 1\ntarget: {root: ., source_roots: [src]}\n" + PHASES, encoding="utf-8")
    refused = run_cli("apply", "--mapping", str(base / "mapping.yaml"), "--phase", "2")  # phase 1 first
    assert refused.exit_code != 0
    assert not (base / ".migrator").exists()


def test_a_clone_without_the_record_refuses_to_plan_or_fix_instead_of_moving_the_phases_output_again(tmp_path):
    repo, _ = _repo(tmp_path, subfolder="", commit_state=False)
    clone = _clone(repo, tmp_path)
    mapping = str(clone / "mapping.yaml")
    before = git(clone, "status", "--porcelain")
    for args in (["plan"], ["apply", "--phase", "3"], ["apply", "--all"], ["check", "--fix"]):
        result = run_cli(*args, "--mapping", mapping)
        assert result.exit_code == 3, (args, result.output)
        message = " ".join(result.output.split())
        assert "no migration is recorded in .migrator/state.json" in message or "needs the record of the applied phases" in message
    assert "phase(s) 1, 2 applied" in " ".join(run_cli("plan", "--mapping", mapping).output.split())
    assert git(clone, "status", "--porcelain") == before
    assert not (clone / ".migrator/state.json").exists()
