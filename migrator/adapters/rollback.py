"""Undo: the rollback of the last applied phase, and the recovery of an interrupted apply.

Rollback of a phase restores its undo record (`.migrator/applied/<N>/`, a journal). It
first checks every pre-image against the sha256 the journal recorded and every path for
a symbolic link on the way (refusing, before touching anything, when one fails), then
writes a marker, so a rollback that is itself killed is finished by running it again;
files already put back to their pre-image are not mistaken for edits. A rollback that
fails with an error (disk full, permission denied) before it records the phase as undone
puts the tree back as it was before the rollback (the phase stays applied), git's index
entries of the paths a `--git-mv` apply moved included; after that point it finishes.
`recover` restores the pre-phase tree from the journal a killed apply left. Both take
`io` (the disk seam, see `disk`); the caller holds `writer_lock`.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from migrator.adapters import vcs
from migrator.adapters.disk import DiskIO, atomic_write, current_disk, describe, remove_tmp, replace_durably, write_json_durably
from migrator.adapters.journal import damaged_record, make_parents, remove_empty_tree, restore, write_state
from migrator.adapters.state import (
    STATE_FILE,
    AppliedPhase,
    State,
    Step,
    journal_dir,
    modified_files,
    pending_rollback,
    pre_images,
    read_state,
    rollback_marker,
    state_dir,
    undo_dir,
)


class RollbackRefused(Exception):
    """Rollback will not run (nothing to undo, a damaged record, files edited since);
    nothing was changed. `files` lists the paths at fault."""

    def __init__(self, message: str, files: list[str]):
        self.files = files
        super().__init__(message)


class RollbackFailed(Exception):
    """A rollback hit an error; the message says what state the tree is in and what to run."""


def recover(root: Path, *, io: DiskIO | None = None) -> list[str] | None:
    """Undo an interrupted apply: restore its pre-phase tree. None if nothing to do.

    If the apply was killed after it recorded the phase but before it filed the journal
    as the undo record, the phase is taken out of the state again: the tree is back to
    what it was before the phase, and the state says so. Refuses (RollbackRefused) when
    the journal is damaged, before touching anything.
    """
    disk = current_disk(io)
    root = root.resolve()
    jdir = journal_dir(root)
    path = jdir / "journal.json"
    if not path.exists():
        if jdir.exists():
            disk.rmtree(jdir)  # the journal itself was being written: nothing was touched
        return None
    damaged = damaged_record(root, jdir)
    if damaged:
        raise RollbackRefused(f"the journal of the interrupted apply ({jdir}) is damaged; nothing was changed — restore the tree from version control", damaged)
    data = json.loads(path.read_text(encoding="utf-8"))
    restored = restore(disk, root, jdir)
    if data.get("op") == "apply":
        state = read_state(root)
        recorded = state.get(data["phase"])
        if recorded is not None and recorded.plan_digest == data["plan_digest"]:
            write_state(disk, root, state.without_phase(data["phase"]))
    elif isinstance(data.get("step"), int):  # a retire or check --fix killed after recording its step
        state = read_state(root)
        if state.get_step(data["step"]) is not None:
            write_state(disk, root, state.without_step(data["step"]))
    disk.rmtree(jdir)
    return restored


def rollback_phase(root: Path, phase: int | None = None, *, io: DiskIO | None = None) -> int:
    """Undo the last applied phase (or check that `phase` is the last). Returns its number.

    Refuses, before touching anything, when a file the phase wrote was edited since
    (neither what the phase wrote nor what was there before it) and when the undo record
    is damaged (a pre-image missing or not matching its recorded sha256, a symbolic link
    on a path it restores). An interrupted rollback is finished first. An error while
    restoring (RollbackFailed) puts back the tree as it was before the rollback began,
    unless the state already records the rollback, in which case running it again
    finishes. The caller holds `writer_lock`.
    """
    disk = current_disk(io)
    root = root.resolve()
    state = read_state(root)
    resuming = pending_rollback(root)
    if resuming is not None and state.get(resuming) is None:  # the state was written; only the clean-up was missing
        _finish_rollback(disk, root, state, resuming)
        return resuming
    last = _phase_to_undo(state, phase=phase, resuming=resuming)
    _refuse_later_step(state, last)
    undo = undo_dir(root, last.phase)
    _refuse_untrusted(root, last, undo)
    undo_journal(disk, root, undo, {"phase": last.phase}, state.without_phase(last.phase), f"phase {last.phase}", f"phase {last.phase} is still applied")
    try:
        _finish_rollback(disk, root, read_state(root), last.phase)
    except Exception as exc:
        raise RollbackFailed(
            f"phase {last.phase} was rolled back, but cleaning up its undo record failed ({describe(exc)}) — run `migrate rollback` again to finish"
        ) from None
    return last.phase


def _phase_to_undo(state: State, *, phase: int | None, resuming: int | None) -> AppliedPhase:
    """The applied phase to roll back: the one whose rollback was interrupted
    (`resuming`), else the last; refuses when `phase` is given and is not that one."""
    last = state.get(resuming) if resuming is not None else None
    if last is not None:
        if phase is not None and phase != resuming:
            raise RollbackRefused(f"the rollback of phase {resuming} was interrupted — run `migrate rollback --phase {resuming}` to finish it first", [])
        return last
    if not state.applied:
        raise RollbackRefused("no phase is applied; nothing to roll back", [])
    last = state.applied[-1]
    if phase is not None and phase != last.phase:
        if state.is_applied(phase):
            raise RollbackRefused(f"phase {phase} is not the last applied phase (that is {last.phase}) — phases undo in reverse order: roll back phase {last.phase} first", [])
        raise RollbackRefused(f"phase {phase} is not applied — the last applied phase is {last.phase}", [])
    return last


def _refuse_later_step(state: State, last: AppliedPhase) -> None:
    """A retirement recorded after the phase is undone first (the last step first)."""
    step = state.last_undoable()
    if isinstance(step, Step):
        raise RollbackRefused(
            f"phase {last.phase} cannot be rolled back before the facades retired after it: "
            f"run `migrate rollback` without --phase to put back the facades of phase(s) {', '.join(map(str, step.phases))} first",
            [],
        )


def _refuse_untrusted(root: Path, last: AppliedPhase, undo: Path) -> None:
    """Refuse (before touching anything) a missing or damaged undo record, and files
    edited since the phase."""
    if not (undo / "journal.json").exists():
        raise RollbackRefused(
            f"phase {last.phase} cannot be rolled back here: its undo record ({undo}) is not in this clone — undo records stay "
            "local to the clone that applied the phase (git ignores them; state.json is what is committed), so nothing was changed; "
            "undo the phase with git instead: `git revert` the commit that applied it (or check out the commit before it)",
            [],
        )
    damaged = damaged_record(root, undo)
    if damaged:
        raise RollbackRefused(
            f"the undo record of phase {last.phase} ({undo}) is damaged, so rollback cannot restore the tree; nothing was changed — "
            "restore the damaged pre-images from a backup, or restore the tree from version control",
            damaged,
        )
    edited = modified_files(root, last, also_accept=pre_images(root, last.phase))
    if edited:
        raise RollbackRefused(
            f"phase {last.phase} cannot be rolled back: {len(edited)} file(s) changed since it was applied — "
            "undo your edits to them (or commit them and move them out of the way), then run rollback again",
            edited,
        )


def undo_journal(disk: DiskIO, root: Path, undo: Path, marker: dict, after: State, what: str, still: str) -> None:
    """Mark (`marker`), restore the undo record and record the state `after` the undo;
    an error puts the tree, the state and the marker back as they were (RollbackFailed
    says so: "rolling back `what` failed … — `still`")."""
    before = _current_images(root, undo)
    index_before = _current_index(root, undo)
    absent_dirs = _absent_dirs(root, undo)
    state_path = state_dir(root) / STATE_FILE
    state_before = state_path.read_bytes() if state_path.is_file() else None
    try:
        write_json_durably(disk, rollback_marker(root), marker)
        restore(disk, root, undo)
        write_state(disk, root, after)
    except Exception as exc:
        try:
            _put_back(disk, root, before)
            if index_before is not None:
                vcs.restore_index(*index_before, io=disk)
            for d in absent_dirs:  # the folders the restore recreated, deepest first
                remove_empty_tree(disk, root / d)
            if (state_path.read_bytes() if state_path.is_file() else None) != state_before and state_before is not None:
                replace_durably(disk, state_path, state_before)
            if rollback_marker(root).exists():
                disk.unlink(rollback_marker(root))
        except Exception as again:
            raise RollbackFailed(
                f"rolling back {what} failed ({describe(exc)}) and so did putting the tree back ({describe(again)}); "
                "the tree is half rolled back — fix the cause, then run `migrate rollback` again to finish"
            ) from None
        raise RollbackFailed(f"rolling back {what} failed: {describe(exc)}; the tree was put back as it was — {still}") from None


def _absent_dirs(root: Path, undo: Path) -> list[str]:
    """The folders the undo record recreates (it removed them) that are absent now, deepest first."""
    data = json.loads((undo / "journal.json").read_text(encoding="utf-8"))
    return sorted((d for d in data.get("removed_dirs", []) if not (root / d).exists()), key=lambda d: (-d.count("/"), d))


def _current_images(root: Path, undo: Path) -> list[tuple[str, bytes | None, int | None]]:
    """(path, bytes or None when absent, mode) of every path the undo record restores."""
    data = json.loads((undo / "journal.json").read_text(encoding="utf-8"))
    out = []
    for entry in data["entries"]:
        p = root / entry["path"]
        if p.is_file() and not p.is_symlink():
            out.append((entry["path"], p.read_bytes(), stat.S_IMODE(p.stat().st_mode)))
        else:
            out.append((entry["path"], None, None))
    return out


def _current_index(root: Path, undo: Path) -> tuple[vcs.WorkTree, dict[str, str], list[str]] | None:
    """git's index entries now of the paths the undo record puts back in the index (those
    a `--git-mv` apply moved), to put them back if the rollback fails; None without any."""
    git = json.loads((undo / "journal.json").read_text(encoding="utf-8")).get("git")
    tree = vcs.work_tree(root) if git else None
    if tree is None:
        return None
    return tree, vcs.index_entries(tree, git["paths"]), list(git["paths"])


def _put_back(disk: DiskIO, root: Path, images: list[tuple[str, bytes | None, int | None]]) -> None:
    for rel, data, mode in images:
        target = root / rel
        current = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        if data is None:
            if current is not None:
                disk.unlink(target)
        elif current != data or stat.S_IMODE(target.stat().st_mode) != mode:
            make_parents(disk, root, target.parent)
            atomic_write(disk, target, data, mode)
        remove_tmp(disk, target)


def _finish_rollback(disk: DiskIO, root: Path, state: State, phase: int) -> None:
    if state.get(phase) is not None:
        write_state(disk, root, state.without_phase(phase))
    undo = undo_dir(root, phase)
    if undo.exists():
        disk.rmtree(undo)
    if rollback_marker(root).exists():
        disk.unlink(rollback_marker(root))
