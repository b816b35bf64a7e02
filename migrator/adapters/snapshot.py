"""Reading the target: the one place its files are read into a `Snapshot`.

Which files exist for the tool (`listing`): in a git work tree, what git tracks or
would track (`git ls-files -co --exclude-standard`, through `vcs`); elsewhere every
file but those below `IGNORED_AT_TOP` folders at the top, `IGNORED_ANYWHERE` folders
and virtual environments (a folder with `pyvenv.cfg`). `.migrator/` is never read. The
snapshot's `Folders` (`DiskFolders`) answer, lazily, what the disk holds besides.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Collection, Iterable, Iterator

from migrator.adapters import vcs
from migrator.analysis.project import (
    CONFIG_SUFFIXES,
    DOC_SUFFIXES,
    NOTEBOOK_SUFFIX,
    PYTHON_SUFFIXES,
    STATE_DIR,
    FileEntry,
    Snapshot,
    is_command_file,
    is_requirements_file,
    matches_any,
)
from migrator.mapping.spec import Mapping

#: Outside a git work tree, folders at the top of the target that never hold its own
#: code (inside a source root a folder is read whatever its name).
IGNORED_AT_TOP = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist", "node_modules",
        ".mypy_cache", ".pytest_cache", ".ruff_cache",
    }
)
#: Folders never read wherever they are: bytecode, notebook checkpoints, the tool's state.
IGNORED_ANYWHERE = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", ".hg", ".svn"})
#: A folder holding this file is a virtual environment, never read wherever it is.
VENV_MARKER = "pyvenv.cfg"


def read_snapshot(mapping: Mapping) -> Snapshot:
    """The target of `mapping` as the commands plan on it: `read_tree` of its source
    roots and exclusions, without the mapping file itself."""
    t = mapping.spec.target
    snapshot = read_tree(mapping.root, t.source_roots, t.exclude)
    try:
        # The mapping may live inside the target: its dotted paths are the plan, not references.
        snapshot.files.pop(mapping.path.resolve().relative_to(mapping.root).as_posix(), None)
    except ValueError:
        pass
    return snapshot


def read_tree(root: Path, source_roots: Iterable[str], exclude: Iterable[str] = ()) -> Snapshot:
    """The files of the target at `root`, read once.

    Of the files `listing` gives, only those the tool cares about are loaded: every file
    inside a source root (so non-Python files inside packages can travel with them)
    and, elsewhere, Python files, notebooks, config files, documentation (.rst, .md),
    requirements files and
    command files (`is_command_file`: shell scripts, Makefiles, CI workflows). Files
    matched by `exclude` are kept apart (`Snapshot.excluded`: Python, notebook and
    config files only); symbolic links are never followed.
    """
    root = root.resolve()
    roots = [r.strip("/") for r in source_roots]
    exclude = tuple(exclude)
    files: dict[str, FileEntry] = {}
    outside: list[str] = []
    excluded: dict[str, bytes] = {}
    for rel in listing(root):
        path = os.path.join(root, rel)
        if exclude and matches_any(rel, exclude):
            if rel.endswith(PYTHON_SUFFIXES + CONFIG_SUFFIXES + (NOTEBOOK_SUFFIX,)) and os.path.isfile(path) and not os.path.islink(path):
                excluded[rel] = Path(path).read_bytes()
            continue
        in_source = any(rel == r or rel.startswith(r + "/") for r in roots if r)
        if not in_source and not rel.endswith(PYTHON_SUFFIXES + CONFIG_SUFFIXES + DOC_SUFFIXES + (NOTEBOOK_SUFFIX,)) and not is_requirements_file(rel) and not is_command_file(rel):
            continue
        if os.path.islink(path):
            # Never followed: a link out of the target is not ours to rewrite, and a
            # link inside it shows a file that is read (and rewritten) at its real path.
            if _points_outside(Path(path), root):
                outside.append(rel)
            continue
        read = _read_regular(path)
        if read is not None:
            files[rel] = FileEntry(*read)
    return Snapshot(
        root=root, files=dict(sorted(files.items())), outside_links=tuple(sorted(outside)), excluded=excluded, folders=DiskFolders(root)
    )


@dataclass(frozen=True)
class DiskFolders:
    """The `Folders` of a snapshot read from `root`: asked on the disk when needed."""

    root: Path

    def is_dir(self, rel_dir: str) -> bool:
        return (self.root / rel_dir).is_dir()

    def files_below(self, rel_dir: str) -> Iterator[str]:
        for dirpath, dirnames, filenames in os.walk(self.root / rel_dir):
            dirnames[:] = [d for d in dirnames if d != "__pycache__" or os.path.islink(os.path.join(dirpath, d))]
            base = PurePosixPath(Path(dirpath).relative_to(self.root).as_posix())
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                yield (base / name).as_posix()

    def folders_below(self, rel_dir: str) -> list[str]:
        out = []
        for dirpath, dirnames, _ in os.walk(self.root / rel_dir):
            dirnames[:] = [d for d in dirnames if d != "__pycache__" and not os.path.islink(os.path.join(dirpath, d))]
            out.extend((PurePosixPath(Path(dirpath).relative_to(self.root).as_posix()) / d).as_posix() for d in dirnames)
        return out


def listing(root: Path) -> list[str]:
    """Every file of the target the tool may read (see `read_tree`), sorted, posix relative."""
    root = root.resolve()
    tree = vcs.work_tree(root)
    if tree is not None:
        try:
            paths = vcs.listed_files(tree)
        except vcs.GitError:
            paths = None
        if paths is not None:
            return sorted(
                rel for rel in paths
                if not rel.startswith(STATE_DIR + "/") and not any(part in IGNORED_ANYWHERE for part in rel.split("/")[:-1])
            )
    return sorted(rel for rel, _ in _walk(root))


def unread_reason(root: Path, exclude: Iterable[str] = (), read: Collection[str] = ()) -> Callable[[str], str | None]:
    """A function telling why `read_tree` leaves out an existing file at `rel`
    (None when it reads it): `target.exclude`, git ignoring it, the default ignore
    list, a symbolic link. `read`: paths `read_tree` has just read (so it reads them:
    answered without the disk). Lists the target once, when first needed."""
    exclude = tuple(exclude)
    listed: set[str] | None = None

    def why(rel: str) -> str | None:
        nonlocal listed
        if rel in read:
            return None
        if exclude and matches_any(rel, exclude):
            return "it is listed in target.exclude"
        if os.path.islink(os.path.join(root, rel)):
            return "it is a symbolic link"
        if listed is None:
            listed = set(listing(root))
        if rel not in listed:
            return "git ignores it" if _in_git(root) else "it is below a folder the tool ignores (see README, Safety)"
        return None

    return why


def _in_git(root: Path) -> bool:
    return vcs.work_tree(root) is not None


def _points_outside(link: Path, root: Path) -> bool:
    """Whether the symlink `link` leads out of `root`. A link that leads nowhere (a
    loop, or a chain too long to follow) leads nowhere outside either: False."""
    try:
        return not _is_within(link.resolve(), root)
    except (RuntimeError, OSError):  # RuntimeError: "Symlink loop" (Python < 3.13)
        return False


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _walk(root: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every file below `root` outside a git work tree (links not followed, ignored
    folders left out: `IGNORED_AT_TOP` at the top only, `IGNORED_ANYWHERE` and virtual
    environments anywhere, `.migrator/`)."""
    stack = [(str(root), "")]
    while stack:
        dirpath, rel_base = stack.pop()
        try:
            entries = sorted(os.scandir(dirpath), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            rel = f"{rel_base}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if _ignored_dir(entry, top=not rel_base):
                    continue
                subdirs.append((entry.path, rel + "/"))
            else:
                yield rel, entry
        stack.extend(reversed(subdirs))


def _ignored_dir(entry: os.DirEntry, top: bool) -> bool:
    name = entry.name
    if name in IGNORED_ANYWHERE or (top and (name == STATE_DIR or name in IGNORED_AT_TOP or name.endswith(".egg-info"))):
        return True
    return os.path.isfile(os.path.join(entry.path, VENV_MARKER))


def _read_regular(path: str) -> tuple[bytes, int] | None:
    """The bytes and permission bits of a regular file (one open, one fstat); None for
    anything else (a FIFO, a socket) and for a file that is not there."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None  # listed by git, deleted from the disk
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(), stat.S_IMODE(st.st_mode)
    finally:
        os.close(fd)
