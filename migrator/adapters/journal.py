"""The journal: what a transaction needs to put the tree back, and the replay of it.

A journal (`.migrator/journal/` while a transaction runs, `.migrator/applied/<N>/` once
it is a phase's undo record) holds `journal.json` (the op, the phase, the plan's digest,
one entry per path: whether it existed, its pre-image's name, mode and sha256; the
folders created and removed; git's index entries of the paths `git mv` moved) and the
pre-images under `pre/`. It is fsynced before anything else moves. `restore` replays it
(idempotently, so an interrupted replay is finished by running it again);
`damaged_record` says whether it can be trusted before anything is touched. Every
change goes through the `DiskIO` passed in.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
from pathlib import Path

from migrator.adapters import vcs
from migrator.adapters.disk import DiskIO, atomic_write, current_disk, remove_tmp, replace_durably, write_json_durably
from migrator.adapters.lock import ensure_state_dir
from migrator.adapters.preflight import touched_paths
from migrator.adapters.state import IGNORE_FILE, STATE_FILE, STATE_GITIGNORE, State, sha256, state_json
from migrator.model.plan import PhasePlan

#: Test hook (used by tests/test_crash_recovery.py): the process kills itself with
#: SIGKILL (no cleanup at all) after this many files restored by a rollback.
CRASH_AFTER_RESTORES_ENV = "MIGRATOR_CRASH_AFTER_RESTORES"


def write_journal(io: DiskIO, root: Path, jdir: Path, plan: PhasePlan, op: str, git: dict | None, step: int | None = None) -> None:
    """Journal the pre-image of every path the phase touches, before any of them changes
    (`git`: the index entries of the paths `git mv` will move, to put back; `step`: the
    id of the step a `retire` or `check --fix` records, so a recovery can take it out)."""
    if jdir.exists():
        io.rmtree(jdir)  # a journal whose writing was itself interrupted: nothing was touched
    io.mkdir(jdir, 0o700)
    io.mkdir(jdir / "pre", 0o700)
    entries = []
    for i, rel in enumerate(touched_paths(plan)):
        p = root / rel
        entry: dict = {"path": rel, "existed": p.is_file()}
        if p.is_file():
            data = p.read_bytes()
            mode = stat.S_IMODE(p.stat().st_mode)
            name = f"pre/{i:06d}"
            io.write(jdir / name, data, mode)
            entry["pre"] = name
            entry["mode"] = mode
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
    if git is not None:
        journal["git"] = git
    if step is not None:
        journal["step"] = step
    write_json_durably(io, jdir / "journal.json", journal)


def make_dirs(io: DiskIO, root: Path, jdir: Path, directory: Path) -> None:
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
    write_json_durably(io, path, data)
    for d in reversed(missing):
        io.mkdir(d)


def write_state(io: DiskIO, root: Path, state: State) -> None:
    """Replace `.migrator/state.json` durably (the writer is the only one that does).

    The first state.json comes with `.migrator/.gitignore` (unless one exists): the state
    is committed, the rest of `.migrator/` is local to this clone (`STATE_GITIGNORE`).
    """
    sdir = ensure_state_dir(root)
    ignore = sdir / IGNORE_FILE
    if not ignore.exists() and not ignore.is_symlink():
        replace_durably(io, ignore, STATE_GITIGNORE.encode("utf-8"), 0o644)
    replace_durably(io, sdir / STATE_FILE, state_json(state).encode("utf-8"))


def damaged_record(root: Path, jdir: Path) -> list[str]:
    """What is wrong with the undo record (journal) in `jdir`, one line per bad entry.

    Every pre-image must exist and hash to the sha256 the journal recorded, and no path
    it restores or removes may pass through a symbolic link (which could lead out of the
    target). Empty when the record can be trusted.
    """
    try:
        data = json.loads((jdir / "journal.json").read_text(encoding="utf-8"))
        entries = list(data["entries"])
        dirs = list(data.get("created_dirs", []))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{jdir / 'journal.json'}: unreadable ({exc})"]
    out = []
    for entry in entries:
        try:
            rel = entry["path"]
            parts = rel.split("/")
            if rel.startswith("/") or ".." in parts or "" in parts:
                out.append(f"{rel}: not a path inside the target")
                continue
            if entry["existed"]:
                pre = jdir / entry["pre"]
                if not pre.is_file() or pre.is_symlink():
                    out.append(f"{rel}: its pre-image {pre} is missing")
                elif sha256(pre.read_bytes()) != entry["sha256"]:
                    out.append(f"{rel}: its pre-image {pre} does not match the sha256 the journal recorded")
        except (KeyError, TypeError, AttributeError, OSError) as exc:
            out.append(f"{entry!r}: malformed entry ({exc})")
            continue
        link = _link_on_the_way(root, rel)
        if link is not None and link != rel:
            out.append(f"{rel}: {link} is a symbolic link now; migrator does not write or delete through links")
    for rel in dirs:
        link = _link_on_the_way(root, str(rel))
        if link is not None:
            out.append(f"{rel}/: {link} is a symbolic link now; migrator does not delete through links")
    return out


def _link_on_the_way(root: Path, rel: str) -> str | None:
    """The first part of `rel` (below root) that is a symbolic link, if any."""
    p = root
    for part in rel.split("/"):
        p = p / part
        if p.is_symlink():
            return p.relative_to(root).as_posix()
        if not p.exists():
            return None
    return None


def restore(io: DiskIO, root: Path, jdir: Path) -> list[str]:
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
        make_parents(io, root, root / rel)
    for entry in data["entries"]:
        if _restore_entry(io, root, jdir, entry):
            restored.append(entry["path"])
            if crash_after and len(restored) >= crash_after:
                die()
    git = data.get("git")
    if git:
        tree = vcs.work_tree(root)
        if tree is not None:
            vcs.restore_index(tree, git["index"], git["paths"], io=io)
    for rel in sorted(data.get("created_dirs", []), key=lambda d: -d.count("/")):
        remove_empty_tree(io, root / rel)
    return restored


def _restore_entry(io: DiskIO, root: Path, jdir: Path, entry: dict) -> bool:
    """Put one journal entry's path back as it was; True when that changed the disk."""
    target = root / entry["path"]
    changed = False
    if entry["existed"]:
        pre = (jdir / entry["pre"]).read_bytes()
        if target.is_symlink() or not target.is_file() or target.read_bytes() != pre:
            make_parents(io, root, target.parent)
            if target.is_symlink() or target.is_dir():
                _remove(io, target)
            atomic_write(io, target, pre, entry.get("mode"))
            changed = True
        elif entry.get("mode") is not None and stat.S_IMODE(target.stat().st_mode) != entry["mode"]:
            io.chmod(target, entry["mode"])
            changed = True
    elif target.is_file() or target.is_symlink():
        io.unlink(target)
        changed = True
    remove_tmp(io, target)
    return changed


def restore_from_journal(root: Path, jdir: Path, *, io: DiskIO | None = None) -> list[str]:
    """Restore the pre-images of the journal in `jdir`, then remove the journal."""
    disk = current_disk(io)
    restored = restore(disk, root, jdir)
    if jdir.exists():
        disk.rmtree(jdir)
    return restored


def make_parents(io: DiskIO, root: Path, directory: Path) -> None:
    """Create `directory` and its missing parents below `root` (not journaled: a restore)."""
    missing = []
    d = directory
    while not d.exists() and d != root:
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        io.mkdir(d)


def _remove(io: DiskIO, p: Path) -> None:
    if p.is_symlink() or p.is_file():
        io.unlink(p)
    elif p.is_dir():
        io.rmtree(p)


def remove_empty_tree(io: DiskIO, d: Path) -> None:
    if not d.is_dir() or d.is_symlink():
        return
    cache = d / "__pycache__"
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache, ignore_errors=True)
    try:
        io.rmdir(d)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        # someone put a file there since: leave it


def die() -> None:
    """What a SIGKILL does: stop now, no `finally`, no `except`, no flush (the crash
    test hooks)."""
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    os._exit(137)  # pragma: no cover - not reached where SIGKILL exists
