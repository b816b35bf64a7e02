"""`migrate retire` on disk: remove facades as a recorded step, and put them back.

A retirement is a transaction of the writer (`apply.write_step`, op "retire"): a journal
with every facade's pre-image (mode and sha256), atomic removal, the emptied folders
removed, and any error or Ctrl-C restores everything. The state records it as a `Step`
of kind "retire" (`state.json` `steps`), and the journal is kept as its undo record
(`.migrator/retired/<id>/`). `rollback_retire` (what `migrate rollback` runs when the
retirement is the last step) puts the facades back byte for byte, with the guarantees
of a phase's rollback: a damaged record or a file at a retired path refuses before
anything is touched; an interrupted one is finished by running it again. The caller
holds `writer_lock`.
"""

from __future__ import annotations

import json
from pathlib import Path

from migrator.adapters.apply import ApplyResult, new_step, write_step
from migrator.adapters.disk import DiskIO, current_disk, describe
from migrator.adapters.journal import damaged_record, write_state
from migrator.adapters.rollback import RollbackFailed, RollbackRefused, undo_journal
from migrator.adapters.state import (
    RETIRE,
    State,
    Step,
    pending_step_rollback,
    read_state,
    retired_dir,
    rollback_marker,
    sha256,
)
from migrator.model.plan import PhasePlan


def retire_facades(root: Path, plan: PhasePlan, phases: tuple[int, ...], *, io: DiskIO | None = None) -> ApplyResult:
    """Remove the facades `plan` deletes (those of `phases`) and record the retirement."""
    root = root.resolve()
    step = new_step(root, RETIRE, {c.path: None for c in plan.changes}, phases)
    return write_step(root, plan, "retire", step, io=io)


def pending_retire_rollback(state: State, root: Path) -> bool:
    """Whether `migrate rollback` undoes a retirement next: one is the last step, or the
    rollback of one was interrupted."""
    return pending_step_rollback(root) is not None or isinstance(state.last_undoable(), Step)


def rollback_retire(root: Path, *, io: DiskIO | None = None) -> Step | None:
    """Put back the facades of the last retirement; returns it (None: only the clean-up
    of an interrupted rollback was left). Refuses (RollbackRefused) before touching
    anything when its undo record is missing or damaged, or a file is at a retired path
    (someone put one there since: it is theirs)."""
    disk = current_disk(io)
    root = root.resolve()
    state = read_state(root)
    resuming = pending_step_rollback(root)
    if resuming is not None and state.get_step(resuming) is None:
        _finish(disk, root, state, resuming)
        return None
    step = state.get_step(resuming) if resuming is not None else state.last_undoable()
    if not isinstance(step, Step):
        raise RollbackRefused("the last step is not a retirement of facades", [])
    undo = retired_dir(root, step.id)
    what = f"the retirement of the facades of phase(s) {', '.join(map(str, step.phases))}"
    _refuse_untrusted(root, step, undo, what)
    undo_journal(disk, root, undo, {"step": step.id}, state.without_step(step.id), what, "the facades stay retired")
    try:
        _finish(disk, root, read_state(root), step.id)
    except Exception as exc:
        raise RollbackFailed(f"the facades were put back, but cleaning up the undo record failed ({describe(exc)}) — run `migrate rollback` again to finish") from None
    return step


def _refuse_untrusted(root: Path, step: Step, undo: Path, what: str) -> None:
    if not (undo / "journal.json").exists():
        raise RollbackRefused(f"the undo record of {what} is missing ({undo}); restore the facades from version control", [])
    damaged = damaged_record(root, undo)
    if damaged:
        raise RollbackRefused(
            f"the undo record of {what} ({undo}) is damaged, so rollback cannot put the facades back; nothing was changed — "
            "restore them from version control",
            damaged,
        )
    data = json.loads((undo / "journal.json").read_text(encoding="utf-8"))
    pre = {e["path"]: e.get("sha256") for e in data["entries"] if e.get("existed")}
    taken = []
    for rel in sorted(step.files):
        p = root / rel
        if p.is_symlink() or p.exists():
            current = sha256(p.read_bytes()) if p.is_file() and not p.is_symlink() else None
            if current is None or current != pre.get(rel):  # a facade already put back is fine (a rollback run again)
                taken.append(rel)
    if taken:
        raise RollbackRefused(
            f"{what} cannot be rolled back: {len(taken)} file(s) were written at retired facade paths since — "
            "move them out of the way (they are yours), then run rollback again",
            taken,
        )


def _finish(disk: DiskIO, root: Path, state: State, step_id: int) -> None:
    if state.get_step(step_id) is not None:
        write_state(disk, root, state.without_step(step_id))
    undo = retired_dir(root, step_id)
    if undo.exists():
        disk.rmtree(undo)
    if undo.parent.is_dir() and not any(undo.parent.iterdir()):
        disk.rmdir(undo.parent)
    if rollback_marker(root).exists():
        disk.unlink(rollback_marker(root))
