"""What has been applied to a target: `.migrator/state.json` inside the target (read side).

Only `apply.py` writes the state; everything else reads it through this module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from migrator.project import STATE_DIR

STATE_FILE = "state.json"
JOURNAL_DIR = "journal"
APPLIED_DIR = "applied"
ROLLBACK_FILE = "rollback.json"
LOCK_FILE = "lock"


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class AppliedPhase:
    phase: int
    title: str
    applied_at: str
    plan_digest: str
    #: path → sha256 of the content the phase wrote (None: the phase deleted it)
    files: dict[str, str | None]
    #: path → role of the change ("moved", "edited", "facade", "created", "deleted")
    roles: dict[str, str] = field(default_factory=dict)
    #: old module → new module, for every module the phase moved (packages expanded)
    moves: dict[str, str] = field(default_factory=dict)
    #: old `module.Name` → new `module.Name`, for every symbol the phase moved
    symbols: dict[str, str] = field(default_factory=dict)
    #: import cycles that could fail at import time right after the phase (module lists)
    cycles: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class State:
    root: Path
    applied: tuple[AppliedPhase, ...]

    @property
    def applied_numbers(self) -> tuple[int, ...]:
        return tuple(a.phase for a in self.applied)

    def is_applied(self, phase: int) -> bool:
        return phase in self.applied_numbers

    def get(self, phase: int) -> AppliedPhase | None:
        for a in self.applied:
            if a.phase == phase:
                return a
        return None


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def journal_dir(root: Path) -> Path:
    return state_dir(root) / JOURNAL_DIR


def read_state(root: Path) -> State:
    path = state_dir(root) / STATE_FILE
    if not path.exists():
        return State(root, ())
    data = json.loads(path.read_text(encoding="utf-8"))
    applied = tuple(
        AppliedPhase(
            a["phase"], a["title"], a["applied_at"], a["plan_digest"], dict(a["files"]),
            dict(a.get("roles", {})), dict(a.get("moves", {})), dict(a.get("symbols", {})),
            tuple(tuple(c) for c in a.get("cycles", [])),
        )
        for a in data.get("applied", [])
    )
    return State(root, applied)


def state_json(state: State) -> str:
    return json.dumps(
        {
            "version": 1,
            "applied": [
                {
                    "phase": a.phase,
                    "title": a.title,
                    "applied_at": a.applied_at,
                    "plan_digest": a.plan_digest,
                    "files": dict(sorted(a.files.items())),
                    "roles": dict(sorted(a.roles.items())),
                    "moves": dict(sorted(a.moves.items())),
                    "symbols": dict(sorted(a.symbols.items())),
                    "cycles": [list(c) for c in a.cycles],
                }
                for a in state.applied
            ],
        },
        indent=2,
    ) + "\n"


def undo_dir(root: Path, phase: int) -> Path:
    """Where the journal of an applied phase is kept as its undo record."""
    return state_dir(root) / APPLIED_DIR / str(phase)


def rollback_marker(root: Path) -> Path:
    """Present while `migrate rollback` restores a phase; names the phase."""
    return state_dir(root) / ROLLBACK_FILE


def lock_file(root: Path) -> Path:
    """The writer lock (`apply.writer_lock`): flocked by the one process writing the target."""
    return state_dir(root) / LOCK_FILE


def lock_holder(root: Path) -> tuple[int, str] | None:
    """(pid, command) of the process holding the writer lock of the target, if any.

    Probes with a shared, non-blocking flock (released at once); the process itself
    is never reported as a holder.
    """
    import fcntl
    import os

    try:
        fd = os.open(lock_file(root), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return None
        except BlockingIOError:
            pass
        try:
            data = json.loads(os.pread(fd, 4096, 0) or b"{}")
            pid, op = int(data["pid"]), str(data["op"])
        except (ValueError, KeyError, TypeError):
            return (0, "migrate")
        return None if pid == os.getpid() else (pid, op)
    finally:
        os.close(fd)


def pending_journal(root: Path) -> Path | None:
    """The journal of an apply (or `check --fix`) that did not finish, if any."""
    j = journal_dir(root) / "journal.json"
    return j if j.exists() else None


def pending_rollback(root: Path) -> int | None:
    """The phase a `migrate rollback` was restoring when it was interrupted, if any."""
    marker = rollback_marker(root)
    if not marker.exists():
        return None
    return int(json.loads(marker.read_text(encoding="utf-8"))["phase"])


@dataclass(frozen=True)
class Interruption:
    """An apply or rollback that did not finish: the tree may be half-written."""

    op: str          # "apply" or "rollback"
    phase: int | None

    def __str__(self) -> str:
        what = f"`migrate {self.op}`" + (f" of phase {self.phase}" if self.phase is not None else "")
        again = " again" if self.op == "rollback" else ""
        return f"an earlier {what} was interrupted; the tree may be half-written — run `migrate rollback`{again} to restore it"


def interruption(root: Path) -> Interruption | None:
    """What was interrupted in this target, if anything (an apply wins over a rollback)."""
    journal = pending_journal(root)
    if journal is not None:
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            phase = data.get("phase") if data.get("op") == "apply" else None
        except (OSError, ValueError):
            phase = None
        return Interruption("apply", phase)
    phase = pending_rollback(root)
    if phase is not None:
        return Interruption("rollback", phase)
    return None


def pre_images(root: Path, phase: int) -> dict[str, str | None]:
    """sha256 of every file as it was before `phase` was applied (None: it did not exist)."""
    path = undo_dir(root, phase) / "journal.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {e["path"]: (e.get("sha256") if e["existed"] else None) for e in data["entries"]}


def modified_files(root: Path, applied: AppliedPhase, also_accept: dict[str, str | None] | None = None) -> list[str]:
    """Files the phase wrote that differ on disk now (edited by someone since).

    A file equal to its `also_accept` digest (None: absent) does not count: rollback
    passes the pre-images, so a rollback interrupted half-way can be run again.
    """
    out = []
    for rel, digest in sorted(applied.files.items()):
        p = root / rel
        current = sha256(p.read_bytes()) if p.is_file() else None
        if current == digest:
            continue
        if also_accept is not None and rel in also_accept and current == also_accept[rel]:
            continue
        out.append(rel)
    return out
