"""The target repository as data: its files (read once) and its modules.

`Snapshot` holds the bytes and modes of every file the tool may read or rewrite; a
phase plan turns one snapshot into the next, so later phases are planned on the
simulated result of earlier ones without touching the disk. `ProjectIndex` maps dotted
module names to files for the snapshot's source roots.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Mapping

STATE_DIR = ".migrator"

#: Folders that never hold the target's own code.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", STATE_DIR, "__pycache__", ".venv", "venv", "env", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist",
        ".ipynb_checkpoints", ".eggs",
    }
)

PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg")
NOTEBOOK_SUFFIX = ".ipynb"


def matches_any(path: str, globs: Iterable[str]) -> bool:
    """True when the posix relative `path` matches one of the globs (`**` spans folders)."""
    for pattern in globs:
        if _glob_match(path, pattern):
            return True
    return False


def _glob_match(path: str, pattern: str) -> bool:
    if pattern.endswith("/**"):
        base = pattern[:-3]
        if path == base or path.startswith(base + "/"):
            return True
    if _suffix_match(path, pattern):
        return True
    return fnmatch.fnmatchcase(path, pattern.replace("**/", "*").replace("**", "*"))


def _suffix_match(path: str, pattern: str) -> bool:
    """`PurePosixPath(path).match(pattern)` for a relative path, without building paths:
    the pattern's parts match the path's last parts, one `fnmatch` each."""
    if pattern.startswith("/"):
        return False  # an absolute pattern never matches a relative path
    wanted = [p for p in pattern.split("/") if p and p != "."]
    parts = [p for p in path.split("/") if p and p != "."]
    if not wanted or len(wanted) > len(parts):
        return False
    return all(fnmatch.fnmatchcase(part, want) for part, want in zip(parts[-len(wanted):], wanted))


def is_requirements_file(path: str) -> bool:
    """`requirements*.txt` anywhere, or a `.txt` inside a `requirements/` folder: read by the shadowing gate."""
    name = path.rsplit("/", 1)[-1]
    return bool(re.fullmatch(r"requirements[\w.-]*\.txt", name)) or (name.endswith(".txt") and "/requirements/" in "/" + path)


@dataclass(frozen=True)
class FileEntry:
    data: bytes
    mode: int


@dataclass
class Snapshot:
    """Files of the target keyed by posix path relative to its root.

    Only files the tool cares about are loaded: every file inside a source root (so
    non-Python files inside packages can travel with them) and, elsewhere, Python
    files, notebooks and config files.
    """

    root: Path
    files: dict[str, FileEntry] = field(default_factory=dict)
    #: Paths that were skipped as symlinks pointing outside the target (links inside it
    #: are skipped too: the file they show is read at its real path).
    outside_links: tuple[str, ...] = ()
    #: Python, notebook and config files matched by `target.exclude`: never rewritten,
    #: only searched for textual mentions of moved paths (so none is missed silently).
    excluded: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, source_roots: Iterable[str], exclude: Iterable[str] = ()) -> "Snapshot":
        root = root.resolve()
        roots = [r.strip("/") for r in source_roots]
        exclude = tuple(exclude)
        files: dict[str, FileEntry] = {}
        outside: list[str] = []
        excluded: dict[str, bytes] = {}
        for rel, entry in _walk(root):
            if exclude and matches_any(rel, exclude):
                if rel.endswith(PYTHON_SUFFIXES + CONFIG_SUFFIXES + (NOTEBOOK_SUFFIX,)) and entry.is_file(follow_symlinks=False):
                    excluded[rel] = Path(entry.path).read_bytes()
                continue
            in_source = any(rel == r or rel.startswith(r + "/") for r in roots if r)
            if not in_source and not rel.endswith(PYTHON_SUFFIXES + CONFIG_SUFFIXES + (NOTEBOOK_SUFFIX,)) and not is_requirements_file(rel):
                continue
            if entry.is_symlink():
                # Never followed: a link out of the target is not ours to rewrite, and a
                # link inside it shows a file that is read (and rewritten) at its real path.
                if _points_outside(Path(entry.path), root):
                    outside.append(rel)
                continue
            read = _read_regular(entry.path)
            if read is not None:
                files[rel] = FileEntry(*read)
        return cls(root=root, files=dict(sorted(files.items())), outside_links=tuple(sorted(outside)), excluded=excluded)

    def copy(self) -> "Snapshot":
        return Snapshot(self.root, dict(self.files), self.outside_links, dict(self.excluded))

    def get(self, path: str) -> bytes | None:
        entry = self.files.get(path)
        return entry.data if entry else None

    def mode(self, path: str) -> int | None:
        entry = self.files.get(path)
        return entry.mode if entry else None

    def __contains__(self, path: str) -> bool:
        return path in self.files

    def paths(self) -> list[str]:
        return list(self.files)

    def dir_exists(self, rel_dir: str) -> bool:
        prefix = rel_dir.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in self.files) or (self.root / rel_dir).is_dir()


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
    """Every file below `root` (links not followed, skipped folders left out), sorted by
    relative path within each folder; the directory entry saves a `stat` per file."""
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
                if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    subdirs.append((entry.path, rel + "/"))
            else:
                yield rel, entry
        stack.extend(reversed(subdirs))


def _read_regular(path: str) -> tuple[bytes, int] | None:
    """The bytes and permission bits of a regular file (one open, one fstat); None for
    anything else (a FIFO, a socket)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(), stat.S_IMODE(st.st_mode)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ModuleInfo:
    """A module of the target: its dotted name, file, and source root."""

    name: str
    path: str
    source_root: str
    is_package: bool

    @property
    def package(self) -> str:
        """The package its relative imports start from: itself for a package's
        `__init__`, else the package it lies in ("" at the top)."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def directory(self) -> str:
        """For a package, its folder; for a module, the folder it lies in."""
        return str(PurePosixPath(self.path).parent)


@dataclass(frozen=True)
class ProjectIndex:
    """Module name ↔ file for every Python file under the source roots."""

    modules: Mapping[str, ModuleInfo]
    by_path: Mapping[str, ModuleInfo]
    source_roots: tuple[str, ...]

    @classmethod
    def build(cls, snapshot: Snapshot, source_roots: Iterable[str]) -> "ProjectIndex":
        roots = tuple(r.strip("/") for r in source_roots)
        modules: dict[str, ModuleInfo] = {}
        for rel in snapshot.paths():
            if not rel.endswith(".py"):
                continue
            for root in roots:
                prefix = "" if root in ("", ".") else root + "/"
                if not rel.startswith(prefix):
                    continue
                parts = rel[len(prefix):][:-3].split("/")
                is_package = parts[-1] == "__init__"
                if is_package:
                    parts = parts[:-1]
                if not parts or not all(p.isidentifier() for p in parts):
                    break
                name = ".".join(parts)
                if name not in modules or is_package:
                    modules[name] = ModuleInfo(name, rel, root, is_package)
                break
        by_path = {m.path: m for m in modules.values()}
        return cls(modules=dict(sorted(modules.items())), by_path=by_path, source_roots=roots)

    def get(self, name: str) -> ModuleInfo | None:
        return self.modules.get(name)

    def module_of(self, path: str) -> ModuleInfo | None:
        return self.by_path.get(path)

    def submodules(self, package: str) -> list[ModuleInfo]:
        """The package itself and every module below it."""
        prefix = package + "."
        return [m for n, m in self.modules.items() if n == package or n.startswith(prefix)]

    def names(self) -> frozenset[str]:
        """Every module name, with implicit parents (namespace packages) included."""
        out = set(self.modules)
        for name in self.modules:
            parts = name.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(out)

    def path_for(self, name: str, source_root: str, is_package: bool) -> str:
        prefix = "" if source_root in ("", ".") else source_root + "/"
        rel = name.replace(".", "/")
        return f"{prefix}{rel}/__init__.py" if is_package else f"{prefix}{rel}.py"
