"""`migrate status`: which phases are applied, when, and whether the tree still matches.

Reads the state, the undo records and the writer lock; changes nothing. The report
(`report.status`) renders the result as a table or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrator.adapters.state import Interruption, State, interruption, lock_holder, modified_files, undo_dir
from migrator.mapping.spec import Mapping


@dataclass(frozen=True)
class Status:
    target: Path
    #: one per phase of the mapping: phase, title, applied, applied_at, tree_matches,
    #: modified_files, undo_record (the JSON form's keys)
    phases: tuple[dict, ...]
    running: str | None  # another process writing the target (`running_writer`)
    interruption: Interruption | None  # an apply or rollback that did not finish


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
    for p in mapping.spec.phases:
        a = state.get(p.phase)
        edited = modified_files(mapping.root, a) if a else []
        rows.append({
            "phase": p.phase, "title": p.title, "applied": a is not None, "applied_at": a.applied_at if a else None,
            "tree_matches": (not edited) if a else None, "modified_files": edited,
            "undo_record": (undo_dir(mapping.root, p.phase) / "journal.json").exists() if a else None,
        })
    running = running_writer(mapping.root)
    what = interruption(mapping.root) if running is None else None
    return Status(mapping.root, tuple(rows), running, what)
