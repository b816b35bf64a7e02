"""The README's CI step and pre-commit hooks work as written, on a sample git project.

The command lines are taken from README.md and `.pre-commit-hooks.yaml`, never retyped
here: the `migrate check` line of the GitHub Actions step, the hook's `entry` with the
README's `args`, and the `repo: local` variant, each run in the sample repository (as a
workflow or pre-commit runs them, from its top level) against the installed `migrate`.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, git, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: The keys pre-commit requires of every hook of a `.pre-commit-hooks.yaml`, and the
#: languages it knows (pre-commit's clientlib.MANIFEST_HOOK_DICT / languages).
REQUIRED_HOOK_KEYS = {"id", "name", "entry", "language"}
LANGUAGES = {
    "conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell", "julia",
    "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust", "script", "swift", "system", "unsupported",
    "unsupported_script",
}


def _blocks() -> list[object]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## In CI and pre-commit")
    section = text[start : text.index("\n## ", start + 1)]
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)]


def _step() -> dict:
    (step,) = [b for b in _blocks() if isinstance(b, list) and "run" in b[0]]
    return step[0]


def _pre_commit_configs() -> tuple[dict, dict]:
    configs = [b["repos"][0] for b in _blocks() if isinstance(b, dict) and "repos" in b]
    remote = next(c for c in configs if c["repo"] != "local")
    local = next(c for c in configs if c["repo"] == "local")
    return remote, local


def _migrate(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`argv` as a shell runs it, with `migrate` the console script installed beside this Python."""
    assert argv[0] == "migrate", argv
    script = Path(sys.executable).parent / "migrate"
    return subprocess.run([str(script), *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A git repository with `mapping.yaml` at its top, the project in `services/api`,
    phase 1 applied and committed."""
    repo = tmp_path / "repo"
    files = {
        "services/api/src/app/__init__.py": "",
        "services/api/src/app/utils/__init__.py": "",
        "services/api/src/app/utils/dates.py": "def today():\n    return 'today'\n",
        "services/api/src/app/main.py": "from app.utils.dates import today\n",
        "mapping.yaml": "version: 1\ntarget: {root: services/api, source_roots: [src]}\nphases:\n  - {phase: 1, title: Dates, moves: [{from: app.utils.dates, to: app.dates}]}\n",
        ".gitignore": "__pycache__/\n",
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    assert run_cli("apply", "--mapping", str(repo / "mapping.yaml"), "--phase", "1").exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "migrate: phase 1")
    return repo


def _add_stale_import(repo: Path) -> None:
    (repo / "services/api/src/app/late.py").write_text("from app.utils.dates import today\n", encoding="utf-8")


def test_the_ci_step_installs_this_distribution_and_its_check_fails_on_a_stale_import(sample):
    lines = [line.strip() for line in _step()["run"].strip().splitlines()]
    install = [shlex.split(line) for line in lines if line.startswith("pip install")]
    assert install == [["pip", "install", PYPROJECT["name"]]]
    (check_line,) = [shlex.split(line) for line in lines if line.startswith("migrate ")]

    clean = _migrate(check_line, sample)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    _add_stale_import(sample)
    stale = _migrate(check_line, sample)

    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert stale.stdout.startswith("::error file=services/api/src/app/late.py,line=1,col=1,title=MIG001::")


def test_the_pre_commit_hook_is_a_valid_manifest_whose_entry_runs_with_the_readme_args(sample):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks
    for hook in hooks:
        assert REQUIRED_HOOK_KEYS <= set(hook), hook
        assert hook["language"] in LANGUAGES
        assert all(isinstance(hook[k], str) and hook[k] for k in REQUIRED_HOOK_KEYS)
    remote, _ = _pre_commit_configs()
    assert remote["rev"] == f"v{PYPROJECT['version']}"  # the release tag of this version
    (used,) = remote["hooks"]
    hook = next(h for h in hooks if h["id"] == used["id"])
    entry = shlex.split(hook["entry"])
    assert entry[0] in PYPROJECT["scripts"]  # `language: python` installs this package: its scripts exist
    assert hook.get("pass_filenames") is False  # the check reads the whole tree, not the staged files

    assert _migrate(entry + used["args"], sample).returncode == 0
    _add_stale_import(sample)
    found = _migrate(entry + used["args"], sample)
    assert found.returncode == 1
    assert "services/api/src/app/late.py" not in found.stdout  # text output: paths from the target root
    assert "src/app/late.py:1:1: MIG001" in found.stdout


def test_the_local_pre_commit_variant_runs_the_installed_migrate(sample):
    _, local = _pre_commit_configs()
    (hook,) = local["hooks"]
    assert REQUIRED_HOOK_KEYS <= set(hook) and hook["language"] == "system" and hook["pass_filenames"] is False
    argv = shlex.split(hook["entry"]) + hook["args"]
    assert _migrate(argv, sample).returncode == 0
    _add_stale_import(sample)
    assert _migrate(argv, sample).returncode == 1
