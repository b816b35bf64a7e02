"""`migrate status`: which phases are applied, when, whether the tree still matches, and
what made each edit since (a later phase, `check --fix`, `retire`, or the user).

Reads the state, the undo records and the writer lock; changes nothing. The report
(`report.status`) renders the result as a table or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrator.adapters.state import (
    RETIRE,
    AppliedPhase,
    Interruption,
    State,
    Step,
    interruption,
    lock_holder,
    modified_files,
    sha256,
    undo_dir,
)
from migrator.mapping.spec import Mapping

#: Who made an edit since a phase (`Status.edits[].by`).
BY_PHASE, BY_FIX, BY_RETIRE, BY_USER = "phase", "fix", "retire", "user"


@dataclass(frozen=True)
class Status:
    target: Path
    #: one per phase of the mapping: phase, title, applied, applied_at, tree_matches,
    #: modified_files, undo_record (the JSON form's keys)
    phases: tuple[dict, ...]
    running: str | None  # another process writing the target (`running_writer`)
    interruption: Interruption | None  # an apply or rollback that did not finish
    #: one per file edited since a phase wrote it: phase, path, by (BY_*), by_phase (the
    #: later phase, for BY_PHASE), step (the step's id, for BY_FIX and BY_RETIRE)
    edits: tuple[dict, ...] = ()
    #: one per recorded step that is not a phase: kind ("retire", "fix"), id, at,
    #: after_phase, phases (retire: whose facades), files (the paths it wrote or removed)
    steps: tuple[dict, ...] = ()


def running_writer(root: Path) -> str | None:
    """'a `migrate apply` (pid N) is running …' when another process writes the target."""
    holder = lock_holder(root)
    if holder is None:
        return None
    pid, op = holder
    who = f"`migrate {op}` (pid {pid})" if pid else "`migrate` process"
    return f"a {who} is running on this target — wait for it to finish, then run this again"


def run_status(mapping: Mapping, state: State) -> Status:
    """The status of every phase of the mapping; raises StateError when the journal or
    the rollback marker cannot be read (and no other process is writing)."""
    rows = []
    edits: list[dict] = []
    for p in mapping.spec.phases:
        a = state.get(p.phase)
        edited = modified_files(mapping.root, a) if a else []
        edits += [_attribute(mapping.root, state, a, path) for path in edited] if a else []
        rows.append({
            "phase": p.phase, "title": p.title, "applied": a is not None, "applied_at": a.applied_at if a else None,
            "tree_matches": (not edited) if a else None, "modified_files": edited,
            "undo_record": (undo_dir(mapping.root, p.phase) / "journal.json").exists() if a else None,
        })
    running = running_writer(mapping.root)
    what = interruption(mapping.root) if running is None else None
    steps = tuple(
        {"kind": s.kind, "id": s.id, "at": s.at, "after_phase": s.after, "phases": list(s.phases), "files": sorted(s.files)}
        for s in state.steps
    )
    return Status(mapping.root, tuple(rows), running, what, tuple(edits), steps)


def _attribute(root: Path, state: State, phase: AppliedPhase, path: str) -> dict:
    """What made the file's current content since `phase` wrote it: the last record
    after the phase that left exactly this content (a later phase, `check --fix`,
    `retire`), else the user (content no record of migrate wrote)."""
    p = root / path
    current = sha256(p.read_bytes()) if p.is_file() and not p.is_symlink() else None
    history = state.history()
    later = history[history.index(phase) + 1:]
    for record in reversed(later):
        if path in record.files and record.files[path] == current:
            if isinstance(record, Step):
                return {"phase": phase.phase, "path": path, "by": BY_RETIRE if record.kind == RETIRE else BY_FIX, "by_phase": None, "step": record.id}
            return {"phase": phase.phase, "path": path, "by": BY_PHASE, "by_phase": record.phase, "step": None}
    return {"phase": phase.phase, "path": path, "by": BY_USER, "by_phase": None, "step": None}
