"""The state one phase is planned in, handed from step to step (migrator/engine/plan.py).

`PhaseWork` holds what the phase starts from (mapping, snapshot, index, expansion), the
`WorkingTree` of files as the steps leave them, and what the steps found on the way
(diagnostics, references kept on facades, files left alone, moved files held for a
comparison). A step mutates it and returns a `Refusal` to stop the phase, or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from migrator.analysis.scans import ScanCache
from migrator.analysis.project import CONFIG_SUFFIXES, NOTEBOOK_SUFFIX, FileEntry, ProjectIndex, Snapshot, matches_any
from migrator.engine.expand import Expansion, expand
from migrator.engine.reexports import with_reexports
from migrator.engine.shadowing import InstalledNames
from migrator.mapping.spec import Mapping, PhaseSpec
from migrator.model.plan import ChangeRole, Diagnostic, Edit, FileChange, FileContext, MoveSet, Progress, Severity


@dataclass(frozen=True)
class PhaseOptions:
    """How a phase is planned; none of these changes the plan, except `skip_unparsable`.

    `imports`: the import scans known so far (learns the others); `baseline`: also work
    out the failing cycles of the whole tree after the phase; `statements_alone`: the
    statement fast path of `rewrite` (off only to compare both ways)."""

    skip_unparsable: bool = False
    jobs: int | None = None
    imports: ScanCache | None = None
    baseline: bool = False
    progress: Progress | None = None
    statements_alone: bool = True
    #: the mapping's `format` command as a function (path, bytes) → bytes; raises
    #: `FormatterError` (the adapters run the process; the engine only calls it)
    formatter: "Formatter | None" = None
    #: the import names of an installed distribution, for the shadowing gate (the
    #: adapters read the environment; without it, names come from distribution names)
    installed: "InstalledNames | None" = None


class FormatterError(Exception):
    """The formatter could not format a file: the message says why, for MIG121."""


#: (path relative to the target root, file bytes) → the formatted bytes.
Formatter = Callable[[str, bytes], bytes]


@dataclass(frozen=True)
class Refusal:
    """A phase that cannot go ahead: every diagnostic found up to the step that refused."""

    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Held:
    """A moved module rewritten for a move onto an existing module: its bytes and edits
    wait for the comparison with the existing copy, which decides where they go."""

    data: bytes
    edits: tuple[Edit, ...]


def before_bytes(before: Snapshot, path: str) -> bytes | None:
    """A file's bytes before the phase, excluded files included (they can move, and
    the facade at an excluded module's old path replaces it)."""
    data = before.get(path)
    return data if data is not None else before.excluded.get(path)


@dataclass
class WorkingTree:
    """The files of one phase as the steps leave them: path → entry (None: deleted)."""

    before: Snapshot
    after: dict[str, FileEntry | None] = field(default_factory=dict)
    roles: dict[str, ChangeRole] = field(default_factory=dict)
    renamed_from: dict[str, str] = field(default_factory=dict)
    edits: dict[str, list[Edit]] = field(default_factory=dict)

    def current(self, path: str) -> bytes | None:
        if path in self.after:
            entry = self.after[path]
            return entry.data if entry else None
        return self.before.get(path)

    def put(self, path: str, data: bytes | None, role: ChangeRole, mode: int | None = None) -> None:
        if data is None:
            self.after[path] = None
        else:
            if mode is None:
                old = self.after.get(path) or self.before.files.get(path)
                mode = old.mode if old else 0o644
            self.after[path] = FileEntry(data, mode)
        self.roles[path] = role

    def move(self, old_path: str, new_path: str, data: bytes, mode: int | None) -> None:
        """`old_path` lands at `new_path` with `data`."""
        self.put(new_path, data, ChangeRole.MOVED, mode)
        self.renamed_from[new_path] = old_path

    def changes(self) -> tuple[FileChange, ...]:
        """What the phase does to each file, in path order (files it leaves as they were omitted)."""
        out: list[FileChange] = []
        for path in sorted(self.after):
            entry = self.after[path]
            role = self.roles[path]
            renamed = self.renamed_from.get(path)
            if renamed is not None:
                old = before_bytes(self.before, renamed)
                new = entry.data if entry else None
                kept = self.after[renamed] is not None if renamed in self.after else before_bytes(self.before, renamed) is not None
                out.append(FileChange(path, ChangeRole.MOVED, old, new, renamed, tuple(self.edits.get(path, ())), entry.mode if entry else None, kept))
                continue
            old = before_bytes(self.before, path)
            new = entry.data if entry else None
            if old == new:
                continue
            if old is None:
                role = ChangeRole.CREATED if role is not ChangeRole.FACADE else role
            out.append(FileChange(path, role, old, new, None, tuple(self.edits.get(path, ())), entry.mode if entry else None))
        return tuple(out)

    def snapshot_after(self, exclude: Sequence[str]) -> Snapshot:
        """The snapshot the next phase is planned on: as `adapters.snapshot.read_tree` will see the
        tree once this phase is applied (files matching `exclude` are excluded ones)."""
        after = self.before.copy()
        for path, entry in self.after.items():
            after.files.pop(path, None)
            after.excluded.pop(path, None)
            if entry is None:
                continue
            if exclude and matches_any(path, exclude):  # as adapters.snapshot.read_tree will see it
                if path.endswith((".py", ".pyi", NOTEBOOK_SUFFIX) + CONFIG_SUFFIXES):
                    after.excluded[path] = entry.data
            else:
                after.files[path] = entry
        after.files = dict(sorted(after.files.items()))
        after.removed = self.before.removed | {p for p, e in self.after.items() if e is None}
        return after


@dataclass
class PhaseWork:
    """One phase while it is planned: its inputs, its working tree, and what the steps found."""

    mapping: Mapping
    phase: PhaseSpec
    before: Snapshot
    index: ProjectIndex
    exp: Expansion
    options: PhaseOptions
    tree: WorkingTree
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: INFO notes of references left on facades (files in target.keep_on_facades).
    kept: list[Diagnostic] = field(default_factory=list)
    #: Files left as they are (--skip-unparsable, unreadable notebooks, non-UTF-8 configs): path → why.
    skipped: dict[str, Diagnostic] = field(default_factory=dict)
    #: Files moved byte for byte (unparsable with --skip-unparsable, or excluded): old path → (new path, new package).
    verbatim: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: Files that must parse whatever the options: path → what the phase does with them.
    compared: dict[str, str] = field(default_factory=dict)
    #: Moved modules rewritten for a move onto an existing module: old path → bytes and edits.
    held: dict[str, Held] = field(default_factory=dict)
    #: Set once the tree is final: the changes, the snapshot after, the folders left empty.
    changes: tuple[FileChange, ...] = ()
    after: Snapshot | None = None
    removed_dirs: tuple[str, ...] = ()
    #: With `options.baseline`: the failing cycles of the whole tree after the phase.
    cycles_after: tuple[tuple[str, ...], ...] = ()

    @property
    def moves(self) -> MoveSet:
        return self.exp.moveset

    def context(self, path: str) -> FileContext:
        """What the rules know of the file at `path`: its module before and after, and
        whether it keeps old references (keep_on_facades) or exports lazily."""
        info = self.index.module_of(path)
        module = info.name if info else None
        new_module = self.moves.modules.get(module, module) if module else None
        kept_here = matches_any(path, self.mapping.spec.target.keep_on_facades)
        lazy_exports = self.mapping.spec.facades.package_exports == "lazy"
        lazy = lazy_exports and bool(info and info.is_package) and module not in self.moves.modules
        target = self.mapping.spec.target
        docs, prose = matches_any(path, target.docs), matches_any(path, target.prose)
        return FileContext(path, module, new_module, bool(info and info.is_package), kept_here, lazy, docs=docs, prose=prose)

    def move_verbatim(self, path: str, data: bytes, mode: int | None) -> None:
        """A file the phase relocates without rewriting it: moved byte for byte, and
        (for a module) remembered with the package it lands in, for its mentions."""
        reloc = self.exp.relocations[path]
        self.tree.move(path, reloc.new_path, data, mode)
        if reloc.module is not None:
            new = self.moves.modules[reloc.module]
            self.verbatim[path] = (reloc.new_path, new if reloc.is_package else new.rpartition(".")[0])

    def refusal(self) -> Refusal | None:
        """A refusal with every diagnostic so far if any of them is an error, else None."""
        if any(d.severity is Severity.ERROR for d in self.diagnostics):
            return Refusal(tuple(self.diagnostics))
        return None


def start_phase(mapping: Mapping, phase: PhaseSpec, snapshot: Snapshot, options: PhaseOptions) -> PhaseWork | Refusal:
    """Expand the phase's moves on `snapshot`: the work to plan, or the expansion's errors.

    Excluded modules are known (importers of them are rewritten, moves of them go ahead)
    but never read or rewritten: they move byte for byte."""
    index = ProjectIndex.build(snapshot, mapping.spec.target.source_roots, with_excluded=True)
    exp = expand(mapping, phase, index, snapshot, options.installed)
    if exp.errors:
        return Refusal(tuple(exp.errors))
    exp.moveset = with_reexports(exp.moveset, index, snapshot, options.imports)
    compared = {index.modules[o].path: "onto the existing module it must be compared with" for o in exp.onto_existing}
    compared.update({src: "into an existing package, merging its code" for src, _, _, _ in exp.init_merges})
    return PhaseWork(mapping, phase, snapshot, index, exp, options, WorkingTree(before=snapshot), compared=compared)
