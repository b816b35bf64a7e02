"""The data the engine passes between its layers: frozen, I/O free, easy to compare.

Everything from the expanded move set to the finished plan is described here. Rules
(`rules/`) depend on this module and libcst only; the CLI and the renderers consume
`Plan` objects; `apply` turns a `Plan` into bytes on disk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable, Mapping

from migrator.model.names import package_of, prefixes


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """Something a person must read: where (path:line:col), what, and how to fix it.

    The engine's warnings and refusals and `check`'s findings alike; every code is
    listed in `migrator.model.diagnostics`. `old` and `new` name the dotted path a
    diagnostic about one reference is about, and where it moved (`check` reports them).
    """

    severity: Severity
    code: str
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    old: str | None = None
    new: str | None = None

    def location(self) -> str:
        if self.path is None:
            return ""
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


class RefKind(str, Enum):
    """Kinds of references a rewrite can touch; the summary counts them per kind."""

    IMPORT = "import"
    IMPORT_FROM = "import-from"
    RELATIVE = "relative-import"
    DOTTED_USE = "dotted-use"
    STRING = "string"
    CONFIG = "config-value"
    NOTEBOOK = "notebook"
    DOCS = "docs"
    PROSE = "comment"


@dataclass(frozen=True)
class Edit:
    """One rewritten reference, as reported by a rule."""

    kind: RefKind
    line: int
    old: str
    new: str
    col: int = 1


@dataclass(frozen=True)
class FileContext:
    """What a rule knows about the file it rewrites.

    `module` is the file's dotted module name where it lies now (before the phase) and
    `new_module` where it lies after the phase (equal when the file does not move).
    Both are None for files outside the source roots (tests, scripts, notebooks):
    relative imports there cannot be resolved and are left alone.
    """

    path: str
    module: str | None = None
    new_module: str | None = None
    is_package: bool = False
    #: The file is in a `keep_on_facades` glob: its references stay on the old paths,
    #: except those no facade can serve (writes to `sys.modules` under an old name).
    keep_on_facades: bool = False
    #: The mapping asks staying packages to re-export moved names lazily (PEP 562).
    lazy_exports: bool = False
    #: The source is statements cut out of a function body (the statement fast path):
    #: its imports are lazy, as they are in the file.
    in_function: bool = False
    #: A documentation file in the mapping's `target.docs` globs: its references to
    #: moved paths are rewritten (elsewhere a docs file's are only listed, MIG917).
    docs: bool = False
    #: A file in the mapping's `target.prose` globs: old paths in its comments and
    #: docstrings are rewritten (elsewhere they are only listed, MIG918).
    prose: bool = False

    @property
    def package(self) -> str | None:
        """The package that relative imports in this file start from (before the move)."""
        return package_of(self.module, is_package=self.is_package)

    @property
    def new_package(self) -> str | None:
        return package_of(self.new_module, is_package=self.is_package)


@dataclass(frozen=True)
class MoveSet:
    """Every old dotted name of one phase mapped to its new dotted name.

    `modules` maps each moved module (packages expanded to every submodule, the package
    itself included) to its new name. `symbols` maps `old.module.Name` to
    `new.module.Name` for symbol moves. `known_modules` is every module of the project
    before the phase, so a rule can tell `from pkg import submodule` from
    `from pkg import attribute`. `reexports` maps a name that a package that stays put
    re-exports from a moved module (`orchestration.load_experiment_config`) to the new
    home of its definition (`config.loader.load_experiment_config`): `from pkg import
    name` may follow it, since it binds the very same object. `attributes` maps a moved
    module (old name) to every name its code binds at the top level; a module missing
    there may have any attribute (its text says nothing certain).
    """

    modules: Mapping[str, str] = field(default_factory=dict)
    symbols: Mapping[str, str] = field(default_factory=dict)
    known_modules: frozenset[str] = frozenset()
    reexports: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Old file path → new file path (relative to the target root, `/`), for every
    #: file the phase relocates, and each moved package's folder → its new folder:
    #: config values that name files (`per-file-ignores`, coverage `omit`) follow them.
    paths: Mapping[str, str] = field(default_factory=dict)

    def resolve_path(self, path: str) -> str | None:
        """The new path of a file or folder (relative to the target root) this phase
        relocates, or of one below a relocated folder; None when it stays."""
        if path in self.paths:
            return self.paths[path]
        parent = path
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            if parent in self.paths:
                return self.paths[parent] + path[len(parent) :]
        return None

    def module_target(self, old: str) -> str | None:
        """The new name of module `old` if this phase moves it, else None."""
        return self.modules.get(old)

    def is_module(self, dotted: str) -> bool:
        return dotted in self.known_modules or dotted in self.modules

    def has_attribute(self, module: str, name: str) -> bool:
        """True when `module.name` may exist: a submodule, a dunder every module has, a
        name the module binds, or anything when its names are not known."""
        if self.is_module(f"{module}.{name}") or (name.startswith("__") and name.endswith("__")):
            return True
        names = self.attributes.get(module)
        return names is None or name in names

    def resolve(self, dotted: str) -> str | None:
        """Map a dotted name (module, or attribute path below a module) to its new name.

        The longest moved prefix wins, symbols before modules. Returns None when nothing
        in `dotted` moves. `a.b.c` with `a.b` moved to `x.y` resolves to `x.y.c`.
        """
        for prefix in prefixes(dotted):
            target = self.symbols.get(prefix)
            if target is None:
                target = self.modules.get(prefix)
            if target is not None:
                return target + dotted[len(prefix) :]
        return None

    def old_names(self) -> Iterable[str]:
        yield from self.modules
        yield from self.symbols

    def __bool__(self) -> bool:
        return bool(self.modules or self.symbols)


class ChangeRole(str, Enum):
    MOVED = "moved"          # file content now lives at a new path (maybe rewritten)
    EDITED = "edited"        # references rewritten in place
    FACADE = "facade"        # the old path now holds a facade
    CREATED = "created"      # a new package __init__.py
    DELETED = "deleted"      # removed (facade style "none", or a consolidated copy)


@dataclass(frozen=True)
class FileChange:
    """One file's before and after. `before is None` creates, `after is None` deletes.

    A moved file is a change at its new path with `renamed_from` set to the old path and
    `before` holding the old path's content, so a diff shows it as a rename (or as a
    copy, when a facade stays at the old path).
    """

    path: str
    role: ChangeRole
    before: bytes | None
    after: bytes | None
    renamed_from: str | None = None
    edits: tuple[Edit, ...] = ()
    mode: int | None = None
    #: For a moved file: the old path still holds a file (a facade), so the move reads
    #: as a copy plus an edit of the old file rather than a rename.
    source_kept: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.renamed_from is not None


@dataclass(frozen=True)
class ModuleMoveRecord:
    """A module the phase moves (after package expansion), for summaries and facades."""

    old: str
    new: str
    old_path: str
    new_path: str
    consolidated: bool = False


@dataclass(frozen=True)
class PhasePlan:
    """Everything one phase does, as data. `apply` writes exactly `changes`."""

    phase: int
    title: str
    changes: tuple[FileChange, ...]
    moves: tuple[ModuleMoveRecord, ...]
    symbol_moves: tuple[tuple[str, str], ...]
    diagnostics: tuple[Diagnostic, ...]
    kept_references: tuple[Diagnostic, ...] = ()
    #: The import cycles that can fail at import time after the phase (module lists):
    #: recorded when it is applied, so `check` can tell a new one.
    cycle_baseline: tuple[tuple[str, ...], ...] = ()
    #: Folders the phase empties (every file below them moved or was deleted; a
    #: `__pycache__` does not count): `apply` removes them, deepest first, so no empty
    #: folder is left for Python to import as a namespace package.
    removed_dirs: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def digest(self) -> str:
        """A hash of what the phase writes: the same plan twice gives the same digest."""
        h = hashlib.sha256()
        for ch in sorted(self.changes, key=lambda c: c.path):
            h.update(ch.path.encode())
            h.update(b"\0")
            h.update(ch.role.value.encode())
            h.update(b"\0")
            h.update(hashlib.sha256(ch.before or b"").digest() if ch.before is not None else b"-")
            h.update(hashlib.sha256(ch.after).digest() if ch.after is not None else b"-")
        for d in self.removed_dirs:
            h.update(b"rmdir\0" + d.encode() + b"\0")
        return h.hexdigest()

    def edit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for ch in self.changes:
            for e in ch.edits:
                counts[e.kind.value] = counts.get(e.kind.value, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Plan:
    """The plan for one or more phases, in order."""

    phases: tuple[PhasePlan, ...]
    mapping_path: str
    target_root: str

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for p in self.phases for d in p.errors)


#: Told how a long step goes: (what, done, total). Engines call it; only the CLI shows it.
Progress = Callable[[str, int, int], None]
