"""`migrate retire`: which facades can go, and what still needs them. Reads, writes nothing.

A facade is retired when nothing refers to its old path any more: `check`'s analysis
(`stale_references`) finds no reference to an old path below it outside the facades
and the kept globs, no file in `target.keep_on_facades` uses one (those keep the old
path on purpose; with the facade gone they would fail), and no excluded file mentions
one (migrate never rewrites those). Each facade must still be byte for byte what the
phases wrote: an edited or missing facade is the user's file now, never deleted
silently. The result is a plan of deletions (and of the folders they leave empty) that
`adapters.retire` writes as one recorded, rollback-able step.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.adapters.snapshot import read_snapshot
from migrator.adapters.state import State, sha256
from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.commands.check import (
    applied_moves,
    facade_modules,
    is_about,
    kept_references,
    stale_references,
)
from migrator.engine.layout import emptied_dirs
from migrator.engine.prefilter import mentions
from migrator.mapping.spec import Mapping
from migrator.model.plan import ChangeRole, Diagnostic, FileChange, PhasePlan, Severity


@dataclass(frozen=True)
class Facade:
    """A facade a phase wrote at an old path, as the state records it."""

    path: str
    #: the phase that wrote the facade (a later phase may have rewritten it since)
    phase: int
    #: sha256 of what the last phase that wrote the path left there
    digest: str


@dataclass(frozen=True)
class RetirePlan:
    """What `retire` would do, and everything that stops it (all empty: it may run)."""

    phases: tuple[int, ...]
    facades: tuple[Facade, ...]
    #: references to the old paths that `check --fix` rewrites (MIG001-MIG006, MIG203)
    references: tuple[Diagnostic, ...]
    #: references in `keep_on_facades` files (MIG014), and mentions in excluded files (MIG203)
    kept: tuple[Diagnostic, ...]
    #: (path, why) of facades that are not what the phases wrote (edited, or missing)
    edited: tuple[tuple[str, str], ...]
    changes: PhasePlan

    @property
    def blocked(self) -> bool:
        return bool(self.references or self.kept or self.edited)


def recorded_facades(state: State, phase: int | None = None) -> list[Facade]:
    """Every facade the applied phases wrote that is still recorded (not retired), or
    only those `phase` wrote. A facade a later phase rewrote (role "edited": it points
    at the module's newest home) is still that facade."""
    found: dict[str, Facade] = {}
    for applied in state.applied:
        for path, digest in applied.files.items():
            role = applied.roles.get(path, "edited")
            if role == "facade" and digest is not None:
                found[path] = Facade(path, applied.phase, digest)
            elif role == "edited" and path in found and digest is not None:
                found[path] = Facade(path, found[path].phase, digest)
            else:
                found.pop(path, None)
    retired = state.retired()
    out = []
    for path, facade in sorted(found.items()):
        step = retired.get(path)
        if step is not None and (step.after or 0) >= facade.phase:
            continue
        if phase is None or facade.phase == phase:
            out.append(facade)
    return out


def plan_retire(mapping: Mapping, state: State, phase: int | None = None, snapshot: Snapshot | None = None) -> RetirePlan:
    """The facades to retire (every applied phase's, or `phase`'s) and what stops it."""
    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    facades = recorded_facades(state, phase)
    roots = mapping.spec.target.source_roots
    index = ProjectIndex.build(snapshot, roots)
    served = facade_modules([f.path for f in facades], roots)
    modules = set(served.values())
    references = tuple(f for f in stale_references(mapping, snapshot, state, index) if is_about(f, modules)) if modules else ()
    kept = kept_references(mapping, snapshot, state, index, served, retired=False) + _excluded_mentions(snapshot, state, index, modules)
    edited = tuple(why for why in (_not_as_written(snapshot, f) for f in facades) if why is not None)
    return RetirePlan(
        tuple(sorted({f.phase for f in facades})), tuple(facades), references, tuple(kept), edited,
        _deletions(mapping, snapshot, facades),
    )


def _not_as_written(snapshot: Snapshot, facade: Facade) -> tuple[str, str] | None:
    data = snapshot.get(facade.path)
    if data is None:
        return (facade.path, f"the facade phase {facade.phase} wrote is missing — restore it from version control (or with `migrate rollback`), then retire")
    if sha256(data) != facade.digest:
        return (facade.path, f"the facade phase {facade.phase} wrote was edited since — retire removes only facades exactly as the phases wrote them: undo the edit, or delete the file yourself")
    return None


def _excluded_mentions(snapshot: Snapshot, state: State, index: ProjectIndex, modules: set[str]) -> list[Diagnostic]:
    """Mentions of the old paths in files of `target.exclude` (migrate never rewrites them)."""
    if not modules or not snapshot.excluded:
        return []
    moves = applied_moves(state, index, snapshot)
    out = []
    for path, data in sorted(snapshot.excluded.items()):
        for line, col, old, new in mentions(path, data, moves):
            d = Diagnostic(Severity.ERROR, "MIG203", f"mentions {old!r} — moved to {new!r} (an excluded file: update it by hand)", path, line, col, old, new)
            if is_about(d, modules):
                out.append(d)
    return out


def _deletions(mapping: Mapping, snapshot: Snapshot, facades: list[Facade]) -> PhasePlan:
    """The facades' removal as a plan (and the folders it empties, as `apply` removes them)."""
    changes = tuple(
        FileChange(f.path, ChangeRole.DELETED, snapshot.get(f.path), None, mode=snapshot.mode(f.path))
        for f in facades if f.path in snapshot
    )
    after = snapshot.copy()
    for c in changes:
        del after.files[c.path]
    after.removed = snapshot.removed | {c.path for c in changes}
    removed_dirs = emptied_dirs(changes, snapshot, after, mapping.spec.target.source_roots)
    return PhasePlan(0, "retire facades", changes, (), (), (), removed_dirs=removed_dirs)
