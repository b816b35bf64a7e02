"""Shared test helpers: copies of the fixture, tree digests, the CLI in-process."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "target_repo_fixture"
_IGNORE = shutil.ignore_patterns("__pycache__", ".migrator", ".pytest_cache", "*.pyc")


def copy_fixture(base: Path, mapping_text: str | None = None) -> Path:
    """Copy the fixture to `base/target_repo_fixture` and a mapping beside it; returns the mapping path."""
    shutil.copytree(FIXTURE, base / "target_repo_fixture", ignore=_IGNORE, symlinks=True)
    mapping = base / "mapping.yaml"
    mapping.write_text(mapping_text if mapping_text is not None else (REPO / "mapping.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return mapping


def write_project(base: Path, files: dict[str, str], mapping_text: str) -> Path:
    """Write `files` (posix relative path → text) under `base/proj` and the mapping beside
    it; returns the mapping path."""
    for rel, text in files.items():
        path = base / "proj" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    mapping = base / "mapping.yaml"
    mapping.write_text(mapping_text, encoding="utf-8")
    return mapping


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file below root (posix relative path → bytes), without caches and tool state."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if any(part in ("__pycache__", ".migrator", ".pytest_cache") for part in rel.split("/")):
            continue
        if p.is_file():
            out[rel] = p.read_bytes()
    return out


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for rel, data in tree_files(root).items():
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    for p in sorted(root.rglob("*")):
        # The import cache (.migrator/cache/) is written by reading commands too: by design
        # it is not part of the tree (safe to delete, ignored by git).
        if p.is_file() and "__pycache__" not in p.parts and "/.migrator/cache/" not in "/" + p.relative_to(root).as_posix():
            h.update(p.relative_to(root).as_posix().encode() + oct(p.stat().st_mode).encode())
    return h.hexdigest()


def run_cli(*args: str):
    """Run `migrate ARGS` in-process; the result has .exit_code, .stdout, .output."""
    from typer.testing import CliRunner

    from migrator.cli import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity (and no user config); returns stdout."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout
