"""What has been applied to a target: `.migrator/state.json` inside the target (read side).

Only the writer (`apply`, `journal`, `rollback`, through the `disk` seam) writes the state;
everything else reads it through this module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrator.analysis.project import STATE_DIR

STATE_FILE = "state.json"
JOURNAL_DIR = "journal"
APPLIED_DIR = "applied"
RETIRED_DIR = "retired"
ROLLBACK_FILE = "rollback.json"
LOCK_FILE = "lock"
CACHE_DIR = "cache"
IGNORE_FILE = ".gitignore"
#: `.migrator/.gitignore`, written with state.json whenever it is missing (never over an
#: existing one: edit it to commit more): state.json is the record of the migration and
#: is committed; the rest is local to the clone that made it.
STATE_GITIGNORE = (
    "# Written by migrate. Commit state.json (the record of the applied phases) and this\n"
    "# file. The rest is local to this clone: the import cache, the writer lock, the journal\n"
    "# of an unfinished apply, the undo records of phases and retirements (pre-images git\n"
    "# already holds) and the marker of an unfinished rollback.\n"
    f"{CACHE_DIR}/\n{LOCK_FILE}\n{JOURNAL_DIR}/\n{APPLIED_DIR}/\n{RETIRED_DIR}/\n{ROLLBACK_FILE}\n"
)


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


#: The kinds of steps that are not phases (`Step.kind`).
RETIRE = "retire"
FIX = "fix"


@dataclass(frozen=True)
class Step:
    """A recorded change of the tree that is not a phase: `migrate retire` (the facades
    it removed; undone by `migrate rollback` from its undo record `.migrator/retired/<id>/`)
    or `migrate check --fix` (the files it rewrote; a record for `status`, not undone)."""

    kind: str  # RETIRE or FIX
    #: Increasing with time within one state file (never reused while the step is recorded).
    id: int
    at: str
    #: The last applied phase when the step was recorded (None: no phase was applied).
    #: A step comes after that phase and before the next one.
    after: int | None
    #: path → sha256 of the content the step wrote (None: the step removed the file)
    files: dict[str, str | None]
    #: RETIRE: the phases whose facades it removed
    phases: tuple[int, ...] = ()


@dataclass(frozen=True)
class State:
    root: Path
    applied: tuple[AppliedPhase, ...]
    #: Steps that are not phases, in the order they were recorded (`state.json` `steps`;
    #: absent in files written before retire and `check --fix` were recorded).
    steps: tuple[Step, ...] = ()

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

    def history(self) -> list[AppliedPhase | Step]:
        """Every record in the order it happened: phases in order, each followed by the
        steps recorded after it (phases apply in order and undo from the last, so a
        step recorded after phase N and before phase N+1 sits between them)."""
        def key(r: AppliedPhase | Step) -> tuple[int, int, int]:
            return (r.phase, 0, 0) if isinstance(r, AppliedPhase) else (r.after or 0, 1, r.id)
        return sorted([*self.applied, *self.steps], key=key)

    def last_undoable(self) -> AppliedPhase | Step | None:
        """What `migrate rollback` undoes next: the last phase or retirement (a
        `check --fix` record is not undone; it is dropped with the phase it followed)."""
        undoable = [r for r in self.history() if isinstance(r, AppliedPhase) or r.kind == RETIRE]
        return undoable[-1] if undoable else None

    def get_step(self, step_id: int) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def next_step_id(self) -> int:
        return max((s.id for s in self.steps), default=0) + 1

    def last_phase(self) -> int | None:
        return self.applied[-1].phase if self.applied else None

    def with_step(self, step: Step) -> State:
        return replace(self, steps=self.steps + (step,))

    def without_step(self, step_id: int) -> State:
        return replace(self, steps=tuple(s for s in self.steps if s.id != step_id))

    def without_phase(self, phase: int) -> State:
        """The state once `phase` is undone: the `check --fix` records made on top of it
        go with it (what they rewrote pointed at the phase's new paths)."""
        return replace(
            self,
            applied=tuple(a for a in self.applied if a.phase != phase),
            steps=tuple(s for s in self.steps if s.after != phase),
        )

    def retired(self) -> dict[str, Step]:
        """Every facade path a recorded retirement removed → that retirement."""
        return {path: s for s in self.steps if s.kind == RETIRE for path in s.files}



def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def journal_dir(root: Path) -> Path:
    return state_dir(root) / JOURNAL_DIR


class StateError(Exception):
    """`.migrator/state.json` cannot be trusted (unreadable, not the tool's format, or
    missing while undo records say phases were applied). The message says what is wrong
    and how to recover; commands refuse (exit 3) rather than guess what was applied."""


def is_recorded(root: Path) -> bool:
    """A state file exists (whatever it holds): the target records what was applied. A
    tree without one may still show applied phases (`commands.inferred`)."""
    path = state_dir(root) / STATE_FILE
    return path.exists() or path.is_symlink()


def read_state(root: Path) -> State:
    """The applied phases recorded in `<root>/.migrator/state.json`.

    No state file and no undo record: nothing applied. Raises StateError when the file
    is not valid UTF-8 JSON of the shape `state_json` writes, or when it is missing
    while `.migrator/applied/` still holds undo records.

    The reverse is fine: phases state.json lists without an undo record are what a fresh
    clone holds (state.json is committed, `applied/` is local to the clone that applied
    them). Every command works on them; only `migrate rollback` of such a phase refuses,
    saying to undo it with git.
    """
    path = state_dir(root) / STATE_FILE
    if not path.exists() and not path.is_symlink():
        phases = undo_record_phases(root)
        if phases:
            raise StateError(
                f"{path}: missing, but {_records_text(root, phases)}, so phases were applied"
                f" — {_recovery(root, phases)}"
            )
        return State(root, ())
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        if _field(data, "version", int, "") != 1:
            raise _Shape(f"version is {data['version']!r}; this migrate reads version 1 (written by another release?)")
        applied = tuple(_applied_phase(a, f"applied[{i}]") for i, a in enumerate(_field(data, "applied", list, "")))
        steps = tuple(_step(s, f"steps[{i}]") for i, s in enumerate(_field(data, "steps", list, ""))) if "steps" in data else ()
    except (OSError, UnicodeDecodeError, ValueError, _Shape) as exc:
        raise StateError(f"{path}: {_why(exc)} — {_recovery(root, undo_record_phases(root))}") from None
    return State(root, applied, steps)


class _Shape(Exception):
    """A state file value of the wrong type or a missing key (the message names it)."""


def _why(exc: Exception) -> str:
    if isinstance(exc, _Shape):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start}: {exc.reason}), so not the state migrate writes"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    return f"cannot be read ({exc})"


def _field(obj, key: str, kind, where: str):
    label = f"{where}.{key}" if where else key
    if not isinstance(obj, dict):
        raise _Shape(f"{where or 'the top level'} is {type(obj).__name__}, expected an object")
    if key not in obj:
        raise _Shape(f"{label} is missing")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Shape(f"{label} is {value!r}, expected {_kind_name(kind)}")
    return value


def _kind_name(kind) -> str:
    return {int: "a whole number", str: "a string", list: "a list", dict: "an object"}.get(kind, str(kind))


def _applied_phase(a, where: str) -> AppliedPhase:
    """One `applied[]` entry, every key and value checked (the optional keys too)."""
    files = _field(a, "files", dict, where)
    for rel, digest in files.items():
        if digest is not None and not isinstance(digest, str):
            raise _Shape(f"{where}.files[{rel!r}] is {digest!r}, expected a sha256 string or null")
    optional = {k: _field(a, k, dict, where) if k in a else {} for k in ("roles", "moves", "symbols")}
    for key, table in optional.items():
        for k, v in table.items():
            if not isinstance(v, str):
                raise _Shape(f"{where}.{key}[{k!r}] is {v!r}, expected a string")
    cycles = _field(a, "cycles", list, where) if "cycles" in a else []
    for c in cycles:
        if not isinstance(c, list) or not all(isinstance(m, str) for m in c):
            raise _Shape(f"{where}.cycles holds {c!r}, expected a list of module names")
    return AppliedPhase(
        _field(a, "phase", int, where), _field(a, "title", str, where), _field(a, "applied_at", str, where),
        _field(a, "plan_digest", str, where), dict(files),
        dict(optional["roles"]), dict(optional["moves"]), dict(optional["symbols"]),
        tuple(tuple(c) for c in cycles),
    )


def _step(s, where: str) -> Step:
    """One `steps[]` entry (a retirement or a `check --fix`), every key and value checked."""
    kind = _field(s, "kind", str, where)
    if kind not in (RETIRE, FIX):
        raise _Shape(f"{where}.kind is {kind!r}, expected {RETIRE!r} or {FIX!r}")
    files = _field(s, "files", dict, where)
    for rel, digest in files.items():
        if digest is not None and not isinstance(digest, str):
            raise _Shape(f"{where}.files[{rel!r}] is {digest!r}, expected a sha256 string or null")
    after = s.get("after_phase") if isinstance(s, dict) else None
    if after is not None:
        after = _field(s, "after_phase", int, where)
    phases = _field(s, "phases", list, where) if "phases" in s else []
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in phases):
        raise _Shape(f"{where}.phases is {phases!r}, expected a list of phase numbers")
    return Step(kind, _field(s, "id", int, where), _field(s, "at", str, where), after, dict(files), tuple(phases))


def undo_record_phases(root: Path) -> tuple[int, ...]:
    """Phases whose undo record (`.migrator/applied/<N>/journal.json`) exists, ascending."""
    folder = state_dir(root) / APPLIED_DIR
    try:
        names = [p.name for p in folder.iterdir() if (p / "journal.json").is_file()]
    except OSError:
        return ()
    return tuple(sorted(int(n) for n in names if n.isdigit()))


def _records_text(root: Path, phases: tuple[int, ...]) -> str:
    folder = state_dir(root) / APPLIED_DIR
    return f"undo records of phase(s) {', '.join(map(str, phases))} are in {folder}"


def _recovery(root: Path, phases: tuple[int, ...]) -> str:
    """How to get back to a trusted state; nothing is changed until the user acts."""
    head = "nothing was changed; put back state.json from a backup if you have one"
    if not phases:
        return f"{head}, or delete it if no phase was ever applied to this tree"
    folder = state_dir(root) / APPLIED_DIR
    return (
        f"{head}. Otherwise the undo records still describe what was applied: "
        f"{folder}/<N>/journal.json lists every file phase N touched with its pre-image "
        f"(`pre` names the copy in {folder}/<N>/, `existed: false` means the phase created "
        f"the file). To undo by hand, for phase {', then '.join(map(str, reversed(phases)))}: "
        "copy each pre-image back to its path and delete each file the phase created; then "
        f"delete {state_dir(root)}. Or check out the pre-migration commit and delete {state_dir(root)}"
    )


def state_json(state: State) -> str:
    data: dict = {
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
    }
    if state.steps:  # absent until the first step: a state without steps is written as before
        data["steps"] = [
            {
                "kind": s.kind,
                "id": s.id,
                "at": s.at,
                "after_phase": s.after,
                "phases": list(s.phases),
                "files": dict(sorted(s.files.items())),
            }
            for s in state.steps
        ]
    return json.dumps(data, indent=2) + "\n"


def undo_dir(root: Path, phase: int) -> Path:
    """Where the journal of an applied phase is kept as its undo record."""
    return state_dir(root) / APPLIED_DIR / str(phase)


def retired_dir(root: Path, step_id: int) -> Path:
    """Where the journal of a `migrate retire` is kept as its undo record."""
    return state_dir(root) / RETIRED_DIR / str(step_id)


def rollback_marker(root: Path) -> Path:
    """Present while `migrate rollback` restores a phase; names the phase."""
    return state_dir(root) / ROLLBACK_FILE


def lock_file(root: Path) -> Path:
    """The writer lock (`lock.writer_lock`): flocked by the one process writing the target."""
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
    try:
        data = json.loads(marker.read_bytes().decode("utf-8"))
        if isinstance(data, dict) and "step" in data and "phase" not in data:
            return None  # the rollback of a retirement (`pending_step_rollback`)
        return _field(data, "phase", int, "")
    except (OSError, UnicodeDecodeError, ValueError, _Shape) as exc:
        raise StateError(
            f"{marker}: {_why(exc)} — a `migrate rollback` was interrupted; its phase is the "
            f"highest number in {state_dir(root) / APPLIED_DIR} that state.json lists: write "
            '{"phase": N} into this file and run `migrate rollback` again (' + _MARKER_FIX + ")"
        ) from None


_MARKER_FIX = 'if it was putting back retired facades, write {"step": ID} instead, ID: the id of the last `retire` step in state.json'



def pending_step_rollback(root: Path) -> int | None:
    """The id of the retirement a `migrate rollback` was putting back when it was
    interrupted, if any (its marker holds `{"step": id}`)."""
    marker = rollback_marker(root)
    if not marker.exists():
        return None
    pending_rollback(root)  # a marker that cannot be read refuses, with the way out
    try:
        data = json.loads(marker.read_bytes().decode("utf-8"))
        return _field(data, "step", int, "") if "step" in data and "phase" not in data else None
    except (OSError, UnicodeDecodeError, ValueError, _Shape) as exc:
        raise StateError(f"{marker}: {_why(exc)} — {_MARKER_FIX}") from None


#: The command that writes a journal of each op, for the message of an interruption.
_OP_COMMANDS = {"apply": "apply", "retire": "retire", "fix": "check --fix"}


@dataclass(frozen=True)
class Interruption:
    """An apply or rollback that did not finish: the tree may be half-written."""

    op: str          # "apply", "retire", "check --fix" or "rollback"
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
            op = _OP_COMMANDS.get(data.get("op"), "apply")
            phase = data.get("phase") if op == "apply" else None
        except (OSError, ValueError, AttributeError):
            op, phase = "apply", None
        return Interruption(op, phase)
    phase = pending_rollback(root)
    if phase is not None:
        return Interruption("rollback", phase)
    if pending_step_rollback(root) is not None:
        return Interruption("rollback", None)
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
