"""The only module that writes to the target: transactional apply, rollback, recovery.

Apply of a phase:
1. checks every path it will write stays inside the target (no symlink on the way);
2. writes a journal (`.migrator/journal/`): the pre-image and mode of every file the
   phase will change, delete or create, and the plan's digest; fsynced before anything
   else moves;
3. replaces files atomically (temporary file in the same folder + `os.replace`),
   keeping permissions (with `git_mv`, moves tracked files with `git mv` first), and
   removes the folders the phase emptied (`__pycache__` in them included);
4. re-parses every Python file it wrote (not those it moved byte for byte);
5. records the phase in `state.json` and keeps the journal as the phase's undo record
   (`.migrator/applied/<N>/`).
Any exception, failed parse or Ctrl-C restores every file byte for byte (content and
mode), removes what it created and puts git's index entries back. A process killed
half-way leaves the journal; `recover` (`migrate rollback`) restores the pre-phase tree
from it, and every other command refuses until then.

Rollback of a phase restores the undo record the same way. It writes a marker first, so
a rollback that is itself interrupted is finished by running it again; files already
put back to their pre-image are not mistaken for edits.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from migrator import vcs
from migrator.model import FileChange, PhasePlan
from migrator.state import (
    STATE_FILE,
    AppliedPhase,
    State,
    journal_dir,
    modified_files,
    pending_rollback,
    pre_images,
    read_state,
    rollback_marker,
    sha256,
    state_dir,
    state_json,
    undo_dir,
)

#: Test hooks (used by tests/test_crash_recovery.py): the process kills itself with
#: SIGKILL (no cleanup at all) after this many file writes of an apply (a number above
#: the phase's file count: after the state is written, before the journal is filed as
#: the undo record), or after this many files restored by a rollback.
CRASH_AFTER_WRITES_ENV = "MIGRATOR_CRASH_AFTER_WRITES"
CRASH_AFTER_RESTORES_ENV = "MIGRATOR_CRASH_AFTER_RESTORES"

_TMP_SUFFIX = ".migrator-tmp"


class ApplyError(Exception):
    """The phase could not be applied; nothing was changed (or the tree was restored)."""


class RollbackRefused(Exception):
    def __init__(self, message: str, files: list[str]):
        self.files = files
        super().__init__(message)


@dataclass(frozen=True)
class ApplyResult:
    phase: int
    written: int
    deleted: int
    git_moved: int = 0


def apply_phase(root: Path, plan: PhasePlan, *, git_mv: bool = False) -> ApplyResult:
    """Write the phase's changes transactionally and record it as applied.

    With `git_mv`, a moved file that git tracks is moved with `git mv` (so `git log
    --follow` finds its history) before its new content is written.
    """
    root = root.resolve()
    tree = vcs.work_tree(root) if git_mv else None
    if git_mv and tree is None:
        raise ApplyError(f"{root}: --git-mv needs a git work tree, and this target is not inside one")
    result = _transaction(root, plan, "apply", lambda: _mark_applied(root, plan), tree)
    # Keep the journal as the undo record of this phase.
    undo = undo_dir(root, plan.phase)
    if undo.exists():
        shutil.rmtree(undo)
    undo.parent.mkdir(parents=True, exist_ok=True)
    os.replace(journal_dir(root), undo)
    return result


def write_changes(root: Path, plan: PhasePlan) -> ApplyResult:
    """Write changes that are not a phase (`check --fix`), with the same guarantees."""
    root = root.resolve()
    result = _transaction(root, plan, "fix", lambda: None, None)
    shutil.rmtree(journal_dir(root))
    return result


def uncommitted_touched(root: Path, plan: PhasePlan) -> list[str] | None:
    """Files the phase touches that have uncommitted changes; None outside a git work tree."""
    tree = vcs.work_tree(root.resolve())
    if tree is None:
        return None
    return vcs.uncommitted(tree, _touched_paths(plan))


# --------------------------------------------------------------------------- transaction


def _transaction(root: Path, plan: PhasePlan, op: str, on_success: Callable[[], None], tree: vcs.WorkTree | None) -> ApplyResult:
    jdir = journal_dir(root)
    if (jdir / "journal.json").exists():
        raise ApplyError(f"an earlier run did not finish ({jdir}) — run `migrate rollback` first")
    _check_paths(root, plan)
    changes = _ordered(plan.changes)
    git_moves = _git_moves(root, changes, tree) if tree is not None else []
    _write_journal(root, jdir, plan, op, tree, git_moves)
    written = deleted = 0
    crash_after = int(os.environ.get(CRASH_AFTER_WRITES_ENV, "0") or 0)
    git_moved = {new: old for old, new in git_moves}
    try:
        for n, change in enumerate(changes, start=1):
            target = root / change.path
            if change.after is None:
                if target.exists() or target.is_symlink():
                    target.unlink()
                    deleted += 1
            else:
                _make_dirs(root, jdir, target.parent)
                if tree is not None and change.path in git_moved and (root / git_moved[change.path]).is_file():
                    vcs.move(tree, git_moved[change.path], change.path)
                _atomic_write(target, change.after, change.mode)
                written += 1
            if crash_after and n >= crash_after:
                _die()
        _remove_dirs(root, jdir, plan.removed_dirs)
        _verify_python(root, plan)
        on_success()
        if crash_after > len(changes):
            _die()  # after the state is written, before the journal becomes the undo record
    except ApplyError:
        _abort(root, jdir)
        raise
    except Exception as exc:
        _abort(root, jdir)
        raise ApplyError(f"writing the phase failed ({type(exc).__name__}: {exc}); every file was restored — nothing changed") from exc
    except BaseException:  # KeyboardInterrupt, SystemExit
        _abort(root, jdir)
        raise
    return ApplyResult(plan.phase, written, deleted, len(git_moves))


def _abort(root: Path, jdir: Path) -> None:
    _restore(root, jdir)
    shutil.rmtree(jdir)


def _die() -> None:
    """What a SIGKILL does: stop now, no `finally`, no `except`, no flush."""
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    os._exit(137)  # pragma: no cover - not reached where SIGKILL exists


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


def _check_paths(root: Path, plan: PhasePlan) -> None:
    """Refuse (before writing anything) a path outside the target or through a symlink."""
    for rel in _touched_paths(plan):
        parts = rel.split("/")
        if rel.startswith("/") or ".." in parts or "" in parts:
            raise ApplyError(f"{rel}: not a path inside the target; nothing was changed")
        p = root
        for part in parts:
            p = p / part
            if p.is_symlink():
                raise ApplyError(
                    f"{rel}: {p.relative_to(root).as_posix()} is a symbolic link; migrator does not write through links "
                    "(they may lead out of the target) — replace the link by the real folder or file, or exclude it; nothing was changed"
                )
            if not p.exists():
                break


def _git_moves(root: Path, changes: list[FileChange], tree: vcs.WorkTree) -> list[tuple[str, str]]:
    """(old, new) of every moved file git tracks whose new path is free."""
    out = []
    for c in changes:
        if c.renamed_from and c.after is not None and not (root / c.path).exists() and vcs.is_tracked(tree, c.renamed_from):
            out.append((c.renamed_from, c.path))
    return out


def _write_journal(root: Path, jdir: Path, plan: PhasePlan, op: str, tree: vcs.WorkTree | None, git_moves: list[tuple[str, str]]) -> None:
    if jdir.exists():
        shutil.rmtree(jdir)  # a journal whose writing was itself interrupted: nothing was touched
    (jdir / "pre").mkdir(parents=True)
    entries = []
    for i, rel in enumerate(_touched_paths(plan)):
        p = root / rel
        entry: dict = {"path": rel, "existed": p.is_file()}
        if p.is_file():
            data = p.read_bytes()
            name = f"pre/{i:06d}"
            _write_durably(jdir / name, data)
            entry["pre"] = name
            entry["mode"] = stat.S_IMODE(p.stat().st_mode)
            entry["sha256"] = sha256(data)
        entries.append(entry)
    journal = {
        "op": op,
        "phase": plan.phase,
        "title": plan.title,
        "plan_digest": plan.digest(),
        "entries": entries,
        "created_dirs": [],
        "removed_dirs": list(plan.removed_dirs),
    }
    if git_moves and tree is not None:
        paths = sorted({p for pair in git_moves for p in pair})
        journal["git"] = {"paths": paths, "index": vcs.index_entries(tree, paths)}
    _write_json_durably(jdir / "journal.json", journal)


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_json_durably(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    _write_durably(tmp, json.dumps(data, indent=2).encode("utf-8"))
    os.replace(tmp, path)


def _make_dirs(root: Path, jdir: Path, directory: Path) -> None:
    """Create `directory` and its missing parents, journaling them before they exist."""
    missing = []
    d = directory
    while not d.exists():
        missing.append(d)
        d = d.parent
    if not missing:
        return
    path = jdir / "journal.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["created_dirs"] = sorted(set(data["created_dirs"]) | {m.relative_to(root).as_posix() for m in missing})
    _write_json_durably(path, data)
    for d in reversed(missing):
        d.mkdir()


def _remove_dirs(root: Path, jdir: Path, dirs: tuple[str, ...]) -> None:
    """Remove the folders the phase emptied (deepest first; the journal lists them, so a
    restore recreates them). A folder that is not empty now (a file appeared since
    the plan) fails the apply, which restores everything."""
    for rel in dirs:
        d = root / rel
        if not d.is_dir() or d.is_symlink():
            continue
        cache = d / "__pycache__"
        if cache.is_dir() and not cache.is_symlink():
            shutil.rmtree(cache)
        try:
            d.rmdir()
        except OSError:
            left = sorted(p.relative_to(root).as_posix() for p in d.iterdir())
            raise ApplyError(f"{rel}/ is not empty after the phase moved everything out of it ({', '.join(left[:5])}) — move or delete those files, then apply again; every file was restored — nothing changed") from None


def _atomic_write(target: Path, data: bytes, mode: int | None) -> None:
    tmp = target.with_name(f".{target.name}{_TMP_SUFFIX}")
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
        if change.after is None or not change.path.endswith((".py", ".pyi")):
            continue
        data = (root / change.path).read_bytes()
        if data != change.after:
            raise ApplyError(f"{change.path}: content on disk differs from the plan after writing; every file was restored — nothing changed")
        if change.renamed_from is not None and change.after == change.before:
            continue  # moved byte for byte: it parses exactly as well as it did (--skip-unparsable, target.exclude)
        try:
            ast.parse(data, filename=change.path)
        except SyntaxError as exc:
            raise ApplyError(
                f"{change.path}:{exc.lineno}:{exc.offset}: the rewritten file does not parse ({exc.msg}); "
                "every file was restored — nothing changed; please report this with the file"
            ) from None


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
        plan.cycle_baseline,
    )
    applied = tuple(a for a in state.applied if a.phase != plan.phase) + (entry,)
    _write_state(root, State(root, tuple(sorted(applied, key=lambda a: a.phase))))


def _write_state(root: Path, state: State) -> None:
    sdir = state_dir(root)
    sdir.mkdir(parents=True, exist_ok=True)
    tmp = sdir / (STATE_FILE + ".tmp")
    _write_durably(tmp, state_json(state).encode("utf-8"))
    os.replace(tmp, sdir / STATE_FILE)


# --------------------------------------------------------------------------- restore


def _restore(root: Path, jdir: Path) -> list[str]:
    """Put back every pre-image of the journal in `jdir` and remove what was created.

    Idempotent: a file already equal to its pre-image (content and mode) is left alone,
    so running it again after it was itself interrupted finishes the job. The journal
    folder is left in place; the caller removes it once the state is consistent.
    """
    path = jdir / "journal.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    restored = []
    crash_after = int(os.environ.get(CRASH_AFTER_RESTORES_ENV, "0") or 0)
    for rel in data.get("removed_dirs", []):
        (root / rel).mkdir(parents=True, exist_ok=True)
    for entry in data["entries"]:
        target = root / entry["path"]
        changed = False
        if entry["existed"]:
            pre = (jdir / entry["pre"]).read_bytes()
            if target.is_symlink() or not target.is_file() or target.read_bytes() != pre:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink() or target.is_dir():
                    _remove(target)
                _atomic_write(target, pre, entry.get("mode"))
                changed = True
            elif entry.get("mode") is not None and stat.S_IMODE(target.stat().st_mode) != entry["mode"]:
                os.chmod(target, entry["mode"])
                changed = True
        elif target.is_file() or target.is_symlink():
            target.unlink()
            changed = True
        tmp = target.with_name(f".{target.name}{_TMP_SUFFIX}")
        if tmp.exists():
            tmp.unlink()
        if changed:
            restored.append(entry["path"])
            if crash_after and len(restored) >= crash_after:
                _die()
    git = data.get("git")
    if git:
        tree = vcs.work_tree(root)
        if tree is not None:
            vcs.restore_index(tree, git["index"], git["paths"])
    for rel in sorted(data.get("created_dirs", []), key=lambda d: -d.count("/")):
        _remove_empty_tree(root / rel)
    return restored


def _remove(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        p.unlink()
    elif p.is_dir():
        shutil.rmtree(p)


def _remove_empty_tree(d: Path) -> None:
    if not d.is_dir() or d.is_symlink():
        return
    cache = d / "__pycache__"
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache, ignore_errors=True)
    try:
        d.rmdir()
    except OSError:
        pass  # someone put a file there since: leave it


def restore_from_journal(root: Path, jdir: Path) -> list[str]:
    """Restore the pre-images of the journal in `jdir`, then remove the journal."""
    restored = _restore(root, jdir)
    if jdir.exists():
        shutil.rmtree(jdir)
    return restored


def recover(root: Path) -> list[str] | None:
    """Undo an interrupted apply: restore its pre-phase tree. None if nothing to do.

    If the apply was killed after it recorded the phase but before it filed the journal
    as the undo record, the phase is taken out of the state again: the tree is back to
    what it was before the phase, and the state says so.
    """
    root = root.resolve()
    jdir = journal_dir(root)
    path = jdir / "journal.json"
    if not path.exists():
        if jdir.exists():
            shutil.rmtree(jdir)  # the journal itself was being written: nothing was touched
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    restored = _restore(root, jdir)
    if data.get("op") == "apply":
        state = read_state(root)
        recorded = state.get(data["phase"])
        if recorded is not None and recorded.plan_digest == data["plan_digest"]:
            _write_state(root, State(root, tuple(a for a in state.applied if a.phase != data["phase"])))
    shutil.rmtree(jdir)
    return restored


def rollback_phase(root: Path, phase: int | None = None) -> int:
    """Undo the last applied phase (or check that `phase` is the last). Returns its number.

    Refuses when a file the phase wrote was edited since (neither what the phase wrote
    nor what was there before it). An interrupted rollback is finished first.
    """
    root = root.resolve()
    state = read_state(root)
    resuming = pending_rollback(root)
    if resuming is not None:
        last = state.get(resuming)
        if last is None:  # the state was written; only the clean-up was missing
            _finish_rollback(root, state, resuming)
            return resuming
        if phase is not None and phase != resuming:
            raise RollbackRefused(f"the rollback of phase {resuming} was interrupted — run `migrate rollback --phase {resuming}` to finish it first", [])
    else:
        if not state.applied:
            raise RollbackRefused("no phase is applied; nothing to roll back", [])
        last = state.applied[-1]
        if phase is not None and phase != last.phase:
            if state.is_applied(phase):
                raise RollbackRefused(f"phase {phase} is not the last applied phase (that is {last.phase}) — phases undo in reverse order: roll back phase {last.phase} first", [])
            raise RollbackRefused(f"phase {phase} is not applied — the last applied phase is {last.phase}", [])
    undo = undo_dir(root, last.phase)
    if not (undo / "journal.json").exists():
        raise RollbackRefused(f"the undo record of phase {last.phase} is missing ({undo}); restore from version control", [])
    edited = modified_files(root, last, also_accept=pre_images(root, last.phase))
    if edited:
        raise RollbackRefused(
            f"phase {last.phase} cannot be rolled back: {len(edited)} file(s) changed since it was applied — "
            "undo your edits to them (or commit them and move them out of the way), then run rollback again",
            edited,
        )
    _write_json_durably(rollback_marker(root), {"phase": last.phase})
    _restore(root, undo)
    _finish_rollback(root, state, last.phase)
    return last.phase


def _finish_rollback(root: Path, state: State, phase: int) -> None:
    _write_state(root, State(root, tuple(a for a in state.applied if a.phase != phase)))
    undo = undo_dir(root, phase)
    if undo.exists():
        shutil.rmtree(undo)
    rollback_marker(root).unlink(missing_ok=True)
