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
from typing import Callable, Iterable, Iterator, Mapping

from migrator.analysis.pyast import module_attributes

STATE_DIR = ".migrator"

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


@dataclass
class Snapshot:
    """Files of the target keyed by posix path relative to its root.

    Which files exist for the tool (`listing`): in a git work tree, what git tracks or
    would track (`git ls-files -co --exclude-standard`); elsewhere every file but those
    below `IGNORED_AT_TOP` folders at the top, `IGNORED_ANYWHERE` folders and virtual
    environments (a folder with `pyvenv.cfg`). `.migrator/` is never read. Of those,
    only files the tool cares about are loaded: every file inside a source root (so
    non-Python files inside packages can travel with them) and, elsewhere, Python
    files, notebooks, config files, requirements files and command files
    (`is_command_file`: shell scripts, Makefiles, CI workflows).
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

    @classmethod
    def read(cls, root: Path, source_roots: Iterable[str], exclude: Iterable[str] = ()) -> "Snapshot":
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
            if not in_source and not rel.endswith(PYTHON_SUFFIXES + CONFIG_SUFFIXES + (NOTEBOOK_SUFFIX,)) and not is_requirements_file(rel) and not is_command_file(rel):
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
        return cls(root=root, files=dict(sorted(files.items())), outside_links=tuple(sorted(outside)), excluded=excluded)

    def copy(self) -> "Snapshot":
        return Snapshot(self.root, dict(self.files), self.outside_links, dict(self.excluded), self.removed)

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

    def holds_unread(self, rel_dir: str) -> bool:
        """Whether the folder on disk holds something this snapshot did not read (an
        untracked kind of file, a link, a skipped folder's content); `__pycache__`
        folders do not count. A folder that does not exist on disk holds nothing."""
        top = self.root / rel_dir
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d != "__pycache__" or os.path.islink(os.path.join(dirpath, d))]
            base = PurePosixPath(Path(dirpath).relative_to(self.root).as_posix())
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                rel = (base / name).as_posix()
                if rel not in self.files and rel not in self.excluded and rel not in self.removed:
                    return True
        return False

    def folders_below(self, rel_dir: str) -> list[str]:
        """The folders on disk below `rel_dir` (relative paths), `__pycache__` and links left out."""
        out = []
        for dirpath, dirnames, _ in os.walk(self.root / rel_dir):
            dirnames[:] = [d for d in dirnames if d != "__pycache__" and not os.path.islink(os.path.join(dirpath, d))]
            out.extend((PurePosixPath(Path(dirpath).relative_to(self.root).as_posix()) / d).as_posix() for d in dirnames)
        return out


def listing(root: Path) -> list[str]:
    """Every file of the target the tool may read (see `Snapshot`), sorted, posix relative."""
    from migrator.adapters import vcs

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


def unread_reason(root: Path, exclude: Iterable[str] = ()) -> Callable[[str], str | None]:
    """A function telling why `Snapshot.read` leaves out an existing file at `rel`
    (None when it reads it): `target.exclude`, git ignoring it, the default ignore
    list, a symbolic link. Lists the target once."""
    exclude = tuple(exclude)
    listed = set(listing(root))
    in_git = _in_git(root)

    def why(rel: str) -> str | None:
        if exclude and matches_any(rel, exclude):
            return "it is listed in target.exclude"
        if os.path.islink(os.path.join(root, rel)):
            return "it is a symbolic link"
        if rel not in listed:
            return "git ignores it" if in_git else "it is below a folder the tool ignores (see README, Safety)"
        return None

    return why


def _in_git(root: Path) -> bool:
    from migrator.adapters import vcs

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
