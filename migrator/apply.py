"""The only module that writes to the target: transactional apply, rollback, recovery.

Apply of a phase:
1. writes a journal (`.migrator/journal/`): the pre-image of every file the phase will
   change, delete or create, and the plan's digest; fsynced before anything else moves;
2. replaces files atomically (temporary file in the same folder + `os.replace`),
   keeping permissions;
3. re-parses every Python file it wrote;
4. records the phase in `state.json` and keeps the journal as the phase's undo record
   (`.migrator/applied/<N>/`).
Any exception, failed parse or Ctrl-C restores every file byte for byte and removes what
it created. A process killed half-way leaves the journal; `recover` (run by the CLI
before any command) restores the pre-phase tree from it.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from migrator.model import FileChange, PhasePlan
from migrator.state import (
    APPLIED_DIR,
    AppliedPhase,
    State,
    journal_dir,
    modified_files,
    read_state,
    sha256,
    state_dir,
    state_json,
)
from migrator.state import STATE_FILE

#: Test hook: stop (SIGKILL-like, no cleanup) after this many file writes.
_CRASH_AFTER_ENV = "MIGRATOR_CRASH_AFTER_WRITES"


class ApplyError(Exception):
    """The phase could not be applied; the tree was restored."""


class RollbackRefused(Exception):
    def __init__(self, message: str, files: list[str]):
        self.files = files
        super().__init__(message)


@dataclass(frozen=True)
class ApplyResult:
    phase: int
    written: int
    deleted: int


def apply_phase(root: Path, plan: PhasePlan) -> ApplyResult:
    """Write the phase's changes transactionally and record it as applied."""
    root = root.resolve()
    written, deleted = _transaction(root, plan, lambda: _mark_applied(root, plan))
    # Keep the journal as the undo record of this phase.
    jdir = journal_dir(root)
    undo = state_dir(root) / APPLIED_DIR / str(plan.phase)
    if undo.exists():
        shutil.rmtree(undo)
    undo.parent.mkdir(parents=True, exist_ok=True)
    os.replace(jdir, undo)
    return ApplyResult(plan.phase, written, deleted)


def write_changes(root: Path, plan: PhasePlan) -> ApplyResult:
    """Write changes that are not a phase (`check --fix`), with the same guarantees."""
    root = root.resolve()
    written, deleted = _transaction(root, plan, lambda: None)
    shutil.rmtree(journal_dir(root))
    return ApplyResult(plan.phase, written, deleted)


def _transaction(root: Path, plan: PhasePlan, on_success) -> tuple[int, int]:
    jdir = journal_dir(root)
    if (jdir / "journal.json").exists():
        raise ApplyError(f"an earlier run did not finish ({jdir}) — run `migrate rollback` first")
    _write_journal(root, jdir, plan)
    written = deleted = 0
    created_dirs: list[str] = []
    crash_after = int(os.environ.get(_CRASH_AFTER_ENV, "0") or 0)
    try:
        for n, change in enumerate(_ordered(plan.changes), start=1):
            target = root / change.path
            if change.after is None:
                if target.exists() or target.is_symlink():
                    target.unlink()
                    deleted += 1
            else:
                made = _ensure_dir(root, target.parent)
                if made:
                    created_dirs.extend(made)
                    _record_dirs(jdir, created_dirs)  # before anything is written inside
                _atomic_write(target, change.after, change.mode)
                written += 1
            if crash_after and n >= crash_after:
                os._exit(137)
        _verify_python(root, plan)
        on_success()
    except BaseException:
        restore_from_journal(root, jdir)
        raise
    return written, deleted


def _ordered(changes: tuple[FileChange, ...]) -> list[FileChange]:
    # Write new locations before facades replace the old files.
    return sorted(changes, key=lambda c: (c.after is None, c.renamed_from is None, c.path))


def _touched_paths(plan: PhasePlan) -> list[str]:
    paths = set()
    for c in plan.changes:
        paths.add(c.path)
        if c.renamed_from:
            paths.add(c.renamed_from)
    return sorted(paths)


def _write_journal(root: Path, jdir: Path, plan: PhasePlan) -> None:
    if jdir.exists():
        shutil.rmtree(jdir)
    (jdir / "pre").mkdir(parents=True)
    entries = []
    for i, rel in enumerate(_touched_paths(plan)):
        p = root / rel
        entry = {"path": rel, "existed": p.is_file()}
        if p.is_file():
            name = f"pre/{i:06d}"
            shutil.copyfile(p, jdir / name)
            entry["pre"] = name
            entry["mode"] = stat.S_IMODE(p.stat().st_mode)
            entry["sha256"] = sha256(p.read_bytes())
        entries.append(entry)
    journal = {
        "op": "apply",
        "phase": plan.phase,
        "title": plan.title,
        "plan_digest": plan.digest(),
        "entries": entries,
        "created_dirs": [],
    }
    _write_json_durably(jdir / "journal.json", journal)


def _record_dirs(jdir: Path, dirs: list[str]) -> None:
    path = jdir / "journal.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["created_dirs"] = sorted(set(data["created_dirs"]) | set(dirs))
    _write_json_durably(path, data)


def _write_json_durably(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _ensure_dir(root: Path, directory: Path) -> list[str]:
    created = []
    missing = []
    d = directory
    while not d.exists():
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        d.mkdir()
        created.append(d.relative_to(root).as_posix())
    return created


def _atomic_write(target: Path, data: bytes, mode: int | None) -> None:
    tmp = target.with_name(f".{target.name}.migrator-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if mode is not None:
        os.chmod(tmp, mode)
    elif target.exists():
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    os.replace(tmp, target)


def _verify_python(root: Path, plan: PhasePlan) -> None:
    for change in plan.changes:
        if change.after is None or not change.path.endswith(".py"):
            continue
        data = (root / change.path).read_bytes()
        if data != change.after:
            raise ApplyError(f"{change.path}: content on disk differs from the plan after writing")
        try:
            ast.parse(data, filename=change.path)
        except SyntaxError as exc:
            raise ApplyError(f"{change.path}:{exc.lineno}:{exc.offset}: the rewritten file does not parse ({exc.msg}); nothing was changed") from None


def _mark_applied(root: Path, plan: PhasePlan) -> None:
    state = read_state(root)
    files: dict[str, str | None] = {}
    roles: dict[str, str] = {}
    for c in plan.changes:
        files[c.path] = sha256(c.after)
        roles[c.path] = c.role.value
        if c.renamed_from and c.renamed_from not in files and not any(x.path == c.renamed_from for x in plan.changes):
            files[c.renamed_from] = None
            roles[c.renamed_from] = "deleted"
    entry = AppliedPhase(
        plan.phase,
        plan.title,
        datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        plan.digest(),
        files,
        roles,
        {m.old: m.new for m in plan.moves},
        {src.replace(":", "."): f"{dest}.{src.partition(':')[2]}" for src, dest in plan.symbol_moves},
    )
    applied = tuple(a for a in state.applied if a.phase != plan.phase) + (entry,)
    new = State(root, tuple(sorted(applied, key=lambda a: a.phase)))
    sdir = state_dir(root)
    sdir.mkdir(parents=True, exist_ok=True)
    tmp = sdir / (STATE_FILE + ".tmp")
    tmp.write_text(state_json(new), encoding="utf-8")
    os.replace(tmp, sdir / STATE_FILE)


def restore_from_journal(root: Path, jdir: Path) -> list[str]:
    """Put back every pre-image in the journal and remove what the phase created.

    Idempotent: safe to run again after being interrupted itself.
    """
    path = jdir / "journal.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    restored = []
    for entry in data["entries"]:
        target = root / entry["path"]
        if entry["existed"]:
            pre = (jdir / entry["pre"]).read_bytes()
            if not target.is_file() or target.read_bytes() != pre:
                target.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(target, pre, entry.get("mode"))
                restored.append(entry["path"])
            elif entry.get("mode") is not None and stat.S_IMODE(target.stat().st_mode) != entry["mode"]:
                os.chmod(target, entry["mode"])
        elif target.exists():
            target.unlink()
            restored.append(entry["path"])
        tmp = target.with_name(f".{target.name}.migrator-tmp")
        if tmp.exists():
            tmp.unlink()
    for rel in sorted(data.get("created_dirs", []), key=lambda d: -d.count("/")):
        d = root / rel
        _remove_empty_tree(d)
    if data.get("op") == "rollback":
        pass
    shutil.rmtree(jdir)
    return restored


def _remove_empty_tree(d: Path) -> None:
    if not d.is_dir():
        return
    for cache in d.glob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    try:
        d.rmdir()
    except OSError:
        pass


def recover(root: Path) -> list[str] | None:
    """Finish an interrupted apply by restoring its pre-phase tree. None if nothing to do."""
    jdir = journal_dir(root.resolve())
    if not (jdir / "journal.json").exists():
        return None
    return restore_from_journal(root.resolve(), jdir)


def rollback_phase(root: Path, phase: int | None = None) -> int:
    """Undo the last applied phase (or check that `phase` is the last). Returns its number."""
    root = root.resolve()
    state = read_state(root)
    if not state.applied:
        raise RollbackRefused("no phase is applied; nothing to roll back", [])
    last = state.applied[-1]
    if phase is not None and phase != last.phase:
        raise RollbackRefused(f"phase {phase} is not the last applied phase (that is {last.phase}) — roll back phase {last.phase} first", [])
    undo = state_dir(root) / APPLIED_DIR / str(last.phase)
    if not (undo / "journal.json").exists():
        raise RollbackRefused(f"the undo record of phase {last.phase} is missing ({undo}); restore from version control", [])
    edited = modified_files(root, last)
    if edited:
        raise RollbackRefused(
            f"phase {last.phase} cannot be rolled back: {len(edited)} file(s) changed since it was applied — "
            "commit or move your edits away, then run rollback again",
            edited,
        )
    restore_from_journal(root, undo)
    new = State(root, state.applied[:-1])
    (state_dir(root) / STATE_FILE).write_text(state_json(new), encoding="utf-8")
    return last.phase
