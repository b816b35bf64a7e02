"""The target repository as data: its files (read once) and its modules.

`Snapshot` holds the bytes and modes of every file the tool may read or rewrite; a
phase plan turns one snapshot into the next, so later phases are planned on the
simulated result of earlier ones without touching the disk (reading the target is
`migrator.adapters.snapshot`; what the disk holds besides, the snapshot asks its
`Folders`). `ProjectIndex` maps dotted
module names to files for the snapshot's source roots.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Mapping, Protocol

from migrator.analysis.pyast import module_attributes
from migrator.model.names import package_of

STATE_DIR = ".migrator"

PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg")
NOTEBOOK_SUFFIX = ".ipynb"
#: Documentation that can name modules (Sphinx reST, Markdown with mkdocstrings/MyST).
DOC_SUFFIXES = (".rst", ".md")


def matches_any(path: str, globs: Iterable[str]) -> bool:
    """True when the posix relative `path` matches one of the globs (`**` spans folders)."""
    for pattern in globs:
        if _glob_match(path, pattern):
            return True
    return False


def _glob_match(path: str, pattern: str) -> bool:
    if _is_literal(pattern) and _is_clean(path):
        # No wildcard and no empty or `.` part on either side: the three tests below
        # come down to `pattern` being the path or its last parts (a listing's paths
        # against an exclude list of files, thousands of times a command).
        return path == pattern or path.endswith("/" + pattern)
    return _general_match(path, pattern)


@lru_cache(maxsize=256)
def _is_literal(pattern: str) -> bool:
    """A relative pattern without wildcards whose parts are all names (no `.`, no empty part)."""
    return not any(c in pattern for c in "*?[") and _is_clean(pattern)


def _is_clean(path: str) -> bool:
    """Relative, and no part of it is empty or `.` (what a listing gives; `.hidden` parts
    are left to the general test too)."""
    return bool(path) and not path.startswith(("/", ".")) and "//" not in path and "/." not in path and not path.endswith("/")


def _general_match(path: str, pattern: str) -> bool:
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


_COMMAND_FILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "noxfile.py", "pyproject.toml", ".gitlab-ci.yml"})


def is_command_file(path: str) -> bool:
    """A file that runs the project's modules by name (`python -m ...`): shell scripts,
    Makefiles, CI workflows, nox, `pyproject.toml` task tables (see `commands`). Not
    `tox.ini`/`setup.cfg`: INI values are words, which `configfiles` rewrites itself."""
    name = path.rsplit("/", 1)[-1]
    if name in _COMMAND_FILE_NAMES or name.endswith((".sh", ".bash", ".mk")):
        return True
    return path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml"))


@dataclass(frozen=True)
class FileEntry:
    data: bytes
    mode: int


class Folders(Protocol):
    """The folders on disk where a snapshot's files came from, asked lazily: whether a
    package folder exists, what a folder holds that the snapshot did not read. The
    adapter that reads the target gives its snapshots one (`adapters.snapshot`)."""

    def is_dir(self, rel_dir: str) -> bool: ...

    def files_below(self, rel_dir: str) -> Iterator[str]:
        """Every file below `rel_dir` (relative posix paths), and every link to a
        folder; what `__pycache__` folders hold left out."""
        ...

    def folders_below(self, rel_dir: str) -> list[str]:
        """The folders below `rel_dir` (relative paths), `__pycache__` and links left out."""
        ...


class _NoFolders:
    """`Folders` of a snapshot made in memory: no folder holds anything."""

    def is_dir(self, rel_dir: str) -> bool:
        return False

    def files_below(self, rel_dir: str) -> Iterator[str]:
        return iter(())

    def folders_below(self, rel_dir: str) -> list[str]:
        return []


NO_FOLDERS: Folders = _NoFolders()


@dataclass
class Snapshot:
    """Files of the target keyed by posix path relative to its root.

    Read once from the disk by `migrator.adapters.snapshot.read_tree` (which files it
    holds is said there); every phase plan turns one snapshot into the next in memory.
    """

    root: Path
    files: dict[str, FileEntry] = field(default_factory=dict)
    #: Paths that were skipped as symlinks pointing outside the target (links inside it
    #: are skipped too: the file they show is read at its real path).
    outside_links: tuple[str, ...] = ()
    #: Python, notebook and config files matched by `target.exclude`: never rewritten,
    #: only searched for textual mentions of moved paths (so none is missed silently).
    excluded: dict[str, bytes] = field(default_factory=dict)
    #: Files still on disk that the phases planned so far removed (in memory only).
    removed: frozenset[str] = frozenset()
    #: The folders on disk around the files (none for a snapshot made in memory).
    folders: Folders = NO_FOLDERS

    def copy(self) -> "Snapshot":
        return Snapshot(self.root, dict(self.files), self.outside_links, dict(self.excluded), self.removed, self.folders)

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
        return any(p.startswith(prefix) for p in self.files) or self.folders.is_dir(rel_dir)

    def holds_unread(self, rel_dir: str) -> bool:
        """Whether the folder on disk holds something this snapshot did not read (an
        untracked kind of file, a link, a skipped folder's content); `__pycache__`
        folders do not count. A folder that does not exist on disk holds nothing."""
        return any(
            rel not in self.files and rel not in self.excluded and rel not in self.removed
            for rel in self.folders.files_below(rel_dir)
        )

    def folders_below(self, rel_dir: str) -> list[str]:
        """The folders on disk below `rel_dir` (relative paths), `__pycache__` and links left out."""
        return self.folders.folders_below(rel_dir)


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
        return package_of(self.name, is_package=self.is_package) or ""

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
    def build(cls, snapshot: Snapshot, source_roots: Iterable[str], *, with_excluded: bool = False) -> "ProjectIndex":
        """`with_excluded`: excluded Python files count as modules too (the planner moves them)."""
        roots = tuple(r.strip("/") for r in source_roots)
        modules: dict[str, ModuleInfo] = {}
        paths = sorted({*snapshot.paths(), *snapshot.excluded}) if with_excluded and snapshot.excluded else snapshot.paths()
        for rel in paths:
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

    def attributes(self, snapshot: "Snapshot", names: Mapping[str, str]) -> dict[str, frozenset[str]]:
        """For each `key: module` of `names`, the top-level names of `module`'s code
        (`pyast.module_attributes`), keyed by `key`; modules without a file here, or
        whose names cannot be known, are left out."""
        out: dict[str, frozenset[str]] = {}
        for key, module in names.items():
            info = self.modules.get(module)
            data = snapshot.get(info.path) if info is not None else None
            found = module_attributes(data) if data is not None else None
            if found is not None:
                out[key] = found
        return out

    def path_for(self, name: str, source_root: str, is_package: bool) -> str:
        prefix = "" if source_root in ("", ".") else source_root + "/"
        rel = name.replace(".", "/")
        return f"{prefix}{rel}/__init__.py" if is_package else f"{prefix}{rel}.py"
