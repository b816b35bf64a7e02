"""Git, behind a few small functions: is the target in a work tree, what is uncommitted,
move a file so its history follows, and put index entries back on rollback.

Everything runs `git` as a subprocess (no library), from the work tree's top level, with
paths given relative to the target root by the callers. The two commands that change
git's index (`move`, `restore_index`) run through the writer's disk seam
(`DiskIO.git`), like every other change the writer makes, so a fault injected there
is restored like any other. Outside a git work tree (or without a `git` executable)
`work_tree` returns None and nothing else is called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from migrator.adapters.disk import DiskIO

#: Variables that would point git at another repository than the target's.
_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")
_NO_ENTRY = "0 " + "0" * 40


class GitError(Exception):
    """A git command failed; the message carries git's own words."""


@dataclass(frozen=True)
class WorkTree:
    """The git work tree that holds a target: its top level and the target's place in it."""

    top: Path
    #: The target root relative to `top`, posix, "" when the target is the top level.
    prefix: str

    def to_git(self, rel: str) -> str:
        """A target-relative path as a top-level-relative path."""
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def from_git(self, path: str) -> str | None:
        """A top-level-relative path as a target-relative path (None: outside the target)."""
        if not self.prefix:
            return path
        if path.startswith(self.prefix + "/"):
            return path[len(self.prefix) + 1 :]
        return None

    def run(self, *args: str, stdin: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
        proc = subprocess.run(
            ["git", *args], cwd=self.top, input=stdin, capture_output=True, text=True, env=env
        )
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args[:2])}: {proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout


def work_tree(root: Path) -> WorkTree | None:
    """The git work tree that contains `root`, or None (no repository, or no git)."""
    if shutil.which("git") is None:
        return None
    root = root.resolve()
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
    proc = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree", "--show-toplevel"],
        cwd=root, capture_output=True, text=True, env=env,
    )
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) < 2 or lines[0] != "true":
        return None
    top = Path(lines[1]).resolve()
    prefix = root.relative_to(top).as_posix()
    return WorkTree(top, "" if prefix == "." else prefix)


def uncommitted(tree: WorkTree, paths: Iterable[str]) -> list[str]:
    """Which of `paths` (target-relative) differ from HEAD: staged, unstaged or untracked."""
    paths = sorted(set(paths))
    if not paths:
        return []
    out: set[str] = set()
    for chunk in _chunks(paths):
        status = tree.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *(":(literal)" + tree.to_git(p) for p in chunk))
        fields = status.split("\0")
        i = 0
        while i < len(fields):
            entry = fields[i]
            i += 1
            if len(entry) < 4:
                continue
            code, named = entry[:2], [entry[3:]]
            if code[0] in "RC" and i < len(fields):
                named.append(fields[i])  # the next field is the rename's source
                i += 1
            for path in named:
                rel = tree.from_git(path)
                if rel is not None:
                    out.add(rel)
    wanted = set(paths)
    return sorted(p for p in out if p in wanted)


def is_tracked(tree: WorkTree, rel: str) -> bool:
    return bool(tree.run("ls-files", "-z", "--", ":(literal)" + tree.to_git(rel)).strip("\0"))


def index_entries(tree: WorkTree, paths: Iterable[str]) -> dict[str, str]:
    """The index entries (`mode sha stage`) of `paths` now, keyed by target-relative path."""
    out: dict[str, str] = {}
    paths = sorted(set(paths))
    for chunk in _chunks(paths):
        listing = tree.run("ls-files", "-s", "-z", "--full-name", "--", *(":(literal)" + tree.to_git(p) for p in chunk))
        for record in listing.split("\0"):
            if not record:
                continue
            info, _, path = record.partition("\t")
            rel = tree.from_git(path)
            if rel is not None:
                out[rel] = info
    return out


def restore_index(tree: WorkTree, saved: dict[str, str], paths: Sequence[str], *, io: DiskIO) -> None:
    """Put the index entries of `paths` back as `saved` (paths absent from it are removed),
    through `io`."""
    if not paths:
        return
    lines = []
    for rel in paths:
        # Remove every stage first, then add the saved entry back.
        lines.append(f"{_NO_ENTRY}\t{tree.to_git(rel)}")
        if rel in saved:
            lines.append(f"{saved[rel]}\t{tree.to_git(rel)}")
    io.git(tree, ("update-index", "--index-info"), tree.top / tree.to_git(paths[0]), stdin="\n".join(lines) + "\n")


def move(tree: WorkTree, old: str, new: str, *, io: DiskIO) -> None:
    """`git mv old new` (target-relative paths) through `io`; the new folder must exist."""
    io.git(tree, ("mv", "--", tree.to_git(old), tree.to_git(new)), tree.top / tree.to_git(new))


def _chunks(paths: Sequence[str], size: int = 200) -> Iterable[Sequence[str]]:
    for i in range(0, len(paths), size):
        yield paths[i : i + size]


def listed_files(tree: WorkTree) -> list[str]:
    """Target-relative paths of every file git tracks or would track (untracked but not
    ignored): `git ls-files -co --exclude-standard`. Nested repositories are left out."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
    args = ["git", "ls-files", "-co", "--exclude-standard", "-z", "--full-name", "--", f":(literal){tree.prefix}" if tree.prefix else "."]
    proc = subprocess.run(args, cwd=tree.top, capture_output=True, env=env)
    if proc.returncode != 0:
        raise GitError(f"git ls-files: {os.fsdecode(proc.stderr).strip()}")
    out = []
    for raw in proc.stdout.split(b"\0"):
        if not raw or raw.endswith(b"/"):
            continue
        rel = tree.from_git(os.fsdecode(raw))
        if rel is not None:
            out.append(rel)
    return out
