"""The pre-commit hook, run by pre-commit itself: `pre-commit try-repo` on a sample.

    .venv/bin/python bench/pre_commit_try_repo.py [PRE_COMMIT]     (default: `pre-commit` on PATH)

Not part of the suite: pre-commit is not a dependency, and `try-repo` builds the hook's
own virtualenv (this repository and its dependencies, from the package index), which
takes about a minute. tests/test_readme_ci.py checks the manifest and runs its entry
directly; this runs the real thing. It builds a git repository with the target in a
subfolder, applies phase 1 (through this checkout's `migrate`), commits, stages a stale
import, then runs `PRE_COMMIT try-repo <this repository> migrate-check --all-files`,
which must fail (exit 1) naming the stale import. Exits 0 when it did, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILES = {
    "services/api/src/app/__init__.py": "",
    "services/api/src/app/utils/__init__.py": "",
    "services/api/src/app/utils/dates.py": "def today():\n    return 'today'\n",
    "services/api/src/app/main.py": "from app.utils.dates import today\n",
    "mapping.yaml": "version: 1\ntarget: {root: services/api, source_roots: [src]}\nphases:\n  - {phase: 1, title: Dates, moves: [{from: app.utils.dates, to: app.dates}]}\n",
}


def _run(argv: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _git(repo: Path, *args: str) -> None:
    proc = _run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], repo)
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {proc.stderr}")


def main(pre_commit: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample"
        for rel, text in FILES.items():
            (sample / rel).parent.mkdir(parents=True, exist_ok=True)
            (sample / rel).write_text(text, encoding="utf-8")
        _git(sample, "init", "-q")
        _git(sample, "add", "-A")
        _git(sample, "commit", "-q", "-m", "initial")
        applied = _run([sys.executable, "-m", "migrator", "apply", "--phase", "1", "--mapping", "mapping.yaml"], sample)
        if applied.returncode != 0:
            raise SystemExit(f"apply failed: {applied.stdout}{applied.stderr}")
        _git(sample, "add", "-A")
        _git(sample, "commit", "-q", "-m", "migrate: phase 1")
        (sample / "services/api/src/app/late.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
        _git(sample, "add", "-A")
        env = dict(os.environ, PRE_COMMIT_HOME=str(Path(tmp) / "pre-commit-home"))
        proc = _run([pre_commit, "try-repo", str(REPO), "migrate-check", "--all-files", "--verbose"], sample, env)
    print(proc.stdout + proc.stderr)
    ok = proc.returncode == 1 and "src/app/late.py:1:1: MIG001" in proc.stdout
    print("pre-commit try-repo: the hook failed on the stale import, as it should" if ok else "pre-commit try-repo: UNEXPECTED result")
    return 0 if ok else 1


if __name__ == "__main__":
    exe = sys.argv[1] if len(sys.argv) > 1 else shutil.which("pre-commit")
    if exe is None:
        raise SystemExit("pre-commit not found: pip install pre-commit, or pass its path")
    raise SystemExit(main(exe))
