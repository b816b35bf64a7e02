"""The only module that writes to the target: transactional apply, rollback, recovery.

Apply of a phase:
1. checks every path it will write on the real file system (`preflight`: inside the
   target, no symlink on the way, no folder where a file goes, names within limits,
   folders writable, every written Python file compiles);
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
mode), puts `state.json` back, removes what it created and puts git's index entries
back. A process killed
half-way leaves the journal; `recover` (`migrate rollback`) restores the pre-phase tree
from it, and every other command refuses until then.

Rollback of a phase restores the undo record the same way. It first checks every
pre-image against the sha256 the journal recorded and every path for a symbolic link on
the way (refusing, before touching anything, when one fails), then writes a marker, so a
rollback that is itself killed is finished by running it again; files already put back
to their pre-image are not mistaken for edits. A rollback that fails with an error
(disk full, permission denied) before it records the phase as undone puts the tree back
as it was before the rollback (the phase stays applied); after that point it finishes.

Every command that writes the target or its state holds `writer_lock` (an exclusive
`flock` on `.migrator/lock`, released by the kernel when the process dies); every call
that changes the disk goes through `_io` (`DiskIO`), the seam tests/faults.py injects
faults into.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from migrator.adapters import vcs
from migrator.model.plan import FileChange, PhasePlan
from migrator.adapters.state import (
    STATE_FILE,
    AppliedPhase,
    State,
    journal_dir,
    lock_file,
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
#: Test hook (tests/test_lock.py): "K:PATH" makes an apply, after its K-th file write,
#: create PATH + ".paused" and wait (holding its lock) until PATH + ".go" exists.
PAUSE_AFTER_WRITES_ENV = "MIGRATOR_PAUSE_AFTER_WRITES"


class DiskIO:
    """Every call by which this module changes the disk (the seam tests/faults.py patches).

    `write` creates or truncates `path` with `mode` (0600 when None), writes and fsyncs it.
    """

    def write(self, path: Path, data: bytes, mode: int | None = None) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600 if mode is None else mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def chmod(self, path: Path, mode: int) -> None:
        os.chmod(path, mode)

    def mkdir(self, path: Path, mode: int = 0o777) -> None:
        os.mkdir(path, mode)

    def unlink(self, path: Path) -> None:
        os.unlink(path)

    def rmdir(self, path: Path) -> None:
        os.rmdir(path)

    def rmtree(self, path: Path) -> None:
        shutil.rmtree(path)


_io = DiskIO()


def _tmp_path(target: Path) -> Path:
    """The temporary name `target` is written under before `os.replace`: short and
    fixed-length whatever the target's name (so it fits any name the folder holds),
    derived from the name so a leftover is found again."""
    return target.with_name(f".mig-{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]}.tmp")


class LockHeld(Exception):
    """Another `migrate` process holds the target's writer lock."""


@contextlib.contextmanager
def writer_lock(root: Path, op: str) -> Iterator[None]:
    """Hold the exclusive writer lock of the target for the body (`op` names the command).

    The lock is an `flock` on `.migrator/lock`, so the kernel releases it when the process
    dies, however it dies; the file carries the holder's pid and command for the message
    a second writer and the reading commands print. Raises LockHeld at once (after half
    a second, to let a reader's probe pass) when another process holds it. On release
    the file is removed, and so is `.migrator/` when the lock created it and it is empty.
    """
    import fcntl

    root = root.resolve()
    created = not state_dir(root).is_dir()
    path = lock_file(root)
    fd = -1
    for attempt in range(20):
        ensure_state_dir(root)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # another process removed an empty `.migrator/` meanwhile
            time.sleep(0.02)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            fd = -1
            if attempt >= 9:
                from migrator.adapters.state import lock_holder

                holder = lock_holder(root)
                who = f"`migrate {holder[1]}` (pid {holder[0]})" if holder and holder[0] else "another `migrate` process"
                raise LockHeld(f"{root}: {who} is writing this target — wait for it to finish, then run this again; nothing changed") from None
            time.sleep(0.05)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed this file as it let go: lock the new one
        fd = -1
    if fd < 0:
        raise LockHeld(f"{root}: could not take the writer lock ({path}); nothing changed")
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "op": op}).encode())
        yield
    finally:
        # Removed while still held: a process that opened it meanwhile sees another inode
        # at the path once it gets the lock, and starts again.
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(state_dir(root))  # a refused command leaves the disk as it was


def ensure_state_dir(root: Path) -> Path:
    """`.migrator/` of the target, created 0700 (it holds copies of the target's files)."""
    sdir = state_dir(root)
    if not sdir.is_dir():
        sdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(sdir, 0o700)
    return sdir


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
    --follow` finds its history) before its new content is written. The caller holds
    `writer_lock`.
    """
    root = root.resolve()
    tree = vcs.work_tree(root) if git_mv else None
    if git_mv and tree is None:
        raise ApplyError(f"{root}: --git-mv needs a git work tree, and this target is not inside one")
    return _transaction(root, plan, "apply", tree)


def write_changes(root: Path, plan: PhasePlan) -> ApplyResult:
    """Write changes that are not a phase (`check --fix`), with the same guarantees."""
    root = root.resolve()
    return _transaction(root, plan, "fix", None)


def uncommitted_touched(root: Path, plan: PhasePlan) -> list[str] | None:
    """Files the phase touches that have uncommitted changes; None outside a git work tree."""
    tree = vcs.work_tree(root.resolve())
    if tree is None:
        return None
    return vcs.uncommitted(tree, _touched_paths(plan))


# --------------------------------------------------------------------------- preflight


def preflight(root: Path, plan: PhasePlan, *, unseen: Callable[[str], str | None] = lambda rel: None, ignore: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, why) for every path the phase would write or delete that it cannot
    (`path:line:col` for a file that would not parse).

    Checked against the real file system, whatever the planner read: a path outside the
    target, a symbolic link or a file on the way, a folder where a file goes, a file
    the planner did not read at a path it creates (`unseen(rel)` says why it was not
    read, e.g. excluded), a name longer than NAME_MAX or a path longer than PATH_MAX, a
    folder that is not writable, and a Python file that would not compile. Paths in
    `ignore` (written by earlier phases of the same plan) are not checked against the
    disk. `plan` and `apply` both call it, so they refuse the same phases.
    """
    root = root.resolve()
    ignore = set(ignore)
    problems: list[tuple[str, str]] = []
    name_max = _pathconf(root, "PC_NAME_MAX", 255)
    path_max = _pathconf(root, "PC_PATH_MAX", 4096)
    writes = {c.path: c for c in plan.changes}
    moved = {c.renamed_from for c in plan.changes if c.renamed_from}
    for rel in _touched_paths(plan):
        why = _path_problem(root, rel, writes.get(rel), name_max, path_max, unseen, rel in ignore, rel in moved)
        if why is not None:
            problems.append((rel, why))
    for c in plan.changes:
        if c.after is not None and c.path.endswith((".py", ".pyi")) and not _moved_verbatim(c):
            try:
                compile(c.after, c.path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
            except SyntaxError as exc:
                where = c.path if exc.lineno is None else f"{c.path}:{exc.lineno}:{exc.offset}"
                problems.append((where, f"the rewritten file does not parse ({exc.msg}); please report this with the file"))
            except ValueError as exc:  # a NUL byte (Python 3.11)
                problems.append((c.path, f"the rewritten file does not parse ({exc}); please report this with the file"))
    return problems


def _pathconf(root: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(root, name)
    except (OSError, ValueError, AttributeError):
        return default


def _path_problem(
    root: Path, rel: str, change: FileChange | None, name_max: int, path_max: int,
    unseen: Callable[[str], str | None], planned: bool, moved_away: bool = False,
) -> str | None:
    parts = rel.split("/")
    if rel.startswith("/") or ".." in parts or "" in parts or "\0" in rel:
        return "not a path inside the target"
    for part in parts:
        if len(os.fsencode(part)) > name_max:
            return f"the name {part[:40]!r}… is {len(os.fsencode(part))} bytes long, more than this file system allows ({name_max})"
    if len(os.fsencode(str(root / rel))) >= path_max:
        return f"the path is longer than this file system allows ({path_max} bytes)"
    if planned:
        return None
    p = root
    for i, part in enumerate(parts):
        p = p / part
        if p.is_symlink():
            return (f"{p.relative_to(root).as_posix()} is a symbolic link; migrator does not write through links (they may lead "
                    "out of the target) — replace the link by the real folder or file, or exclude it")
        if not p.exists():
            break
        last = i == len(parts) - 1
        if not last and not p.is_dir():
            return f"{p.relative_to(root).as_posix()} is a file where the phase needs a folder"
        if last and p.is_dir():
            return "a folder is there where the phase writes a file — rename or remove the folder"
    writing = change is not None and change.after is not None
    # An excluded module that moves (byte for byte) leaves its facade where it was: that
    # file is not overwritten, it moved away first.
    if writing and (root / rel).is_file() and not moved_away:
        why = unseen(rel)
        if why is not None:
            return f"a file is there that the tool does not read ({why}); the phase would overwrite it — move it away or change the mapping"
    existing = (root / rel).parent
    while not existing.exists():
        existing = existing.parent
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing.relative_to(root).as_posix() or '.'} is not writable"
    return None


# --------------------------------------------------------------------------- transaction


def _transaction(root: Path, plan: PhasePlan, op: str, tree: vcs.WorkTree | None) -> ApplyResult:
    """Journal, write, verify, record; any error puts back every file and the state."""
    jdir = journal_dir(root)
    if (jdir / "journal.json").exists():
        raise ApplyError(f"an earlier run did not finish ({jdir}) — run `migrate rollback` first")
    problems = preflight(root, plan)
    if problems:
        rel, why = problems[0]
        raise ApplyError(f"{rel}: {why}; nothing was changed")
    changes = _ordered(plan.changes)
    git_moves = _git_moves(root, changes, tree) if tree is not None else []
    state_path = state_dir(root) / STATE_FILE
    state_before = state_path.read_bytes() if state_path.is_file() else None
    written = deleted = 0
    crash_after = int(os.environ.get(CRASH_AFTER_WRITES_ENV, "0") or 0)
    pause = os.environ.get(PAUSE_AFTER_WRITES_ENV, "")
    git_moved = {new: old for old, new in git_moves}
    journal_started = False
    try:
        ensure_state_dir(root)
        journal_started = True
        _write_journal(root, jdir, plan, op, tree, git_moves)
        for n, change in enumerate(changes, start=1):
            target = root / change.path
            if change.after is None:
                if target.exists() or target.is_symlink():
                    _io.unlink(target)
                    deleted += 1
            else:
                _make_dirs(root, jdir, target.parent)
                if tree is not None and change.path in git_moved and (root / git_moved[change.path]).is_file():
                    vcs.move(tree, git_moved[change.path], change.path)
                _atomic_write(target, change.after, change.mode)
                written += 1
            if crash_after and n >= crash_after:
                _die()
            if pause and n == int(pause.partition(":")[0]):
                _pause(pause.partition(":")[2])
        _remove_dirs(root, jdir, plan.removed_dirs)
        _verify_python(root, plan)
        if op == "apply":
            _mark_applied(root, plan)
            if crash_after > len(changes):
                _die()  # after the state is written, before the journal becomes the undo record
            undo = undo_dir(root, plan.phase)
            if undo.exists():
                _io.rmtree(undo)
            if not undo.parent.is_dir():
                _io.mkdir(undo.parent, 0o700)
            _io.replace(jdir, undo)
        else:
            _io.rmtree(jdir)
    except BaseException as exc:  # KeyboardInterrupt and SystemExit restore too
        if journal_started:
            try:
                _abort(root, jdir, state_path, state_before)
            except Exception as again:
                raise ApplyError(
                    f"writing the phase failed ({_describe(exc)}) and so did restoring the tree ({_describe(again)}); "
                    f"the journal is kept ({jdir}) — fix the cause, then run `migrate rollback` to restore the tree"
                ) from None
        if isinstance(exc, ApplyError) or not isinstance(exc, Exception):
            raise
        raise ApplyError(f"writing the phase failed: {_describe(exc)}; every file was restored — nothing changed") from None
    return ApplyResult(plan.phase, written, deleted, len(git_moves))


def _describe(exc: BaseException) -> str:
    """`cause (path)` for an OSError, `Type: message` for anything else."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {exc}"


def _pause(path: str) -> None:
    Path(path + ".paused").write_text(str(os.getpid()))
    while not Path(path + ".go").exists():
        time.sleep(0.02)


def _abort(root: Path, jdir: Path, state_path: Path, state_before: bytes | None) -> None:
    """Put the tree and the state back as they were before the transaction began."""
    _restore(root, jdir)
    current = state_path.read_bytes() if state_path.is_file() else None
    if current != state_before:
        if state_before is None:
            _io.unlink(state_path)
        else:
            _replace_durably(state_path, state_before)
    if jdir.exists():
        _io.rmtree(jdir)


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


def _git_moves(root: Path, changes: list[FileChange], tree: vcs.WorkTree) -> list[tuple[str, str]]:
    """(old, new) of every moved file git tracks whose new path is free."""
    out = []
    for c in changes:
        if c.renamed_from and c.after is not None and not (root / c.path).exists() and vcs.is_tracked(tree, c.renamed_from):
            out.append((c.renamed_from, c.path))
    return out


def _write_journal(root: Path, jdir: Path, plan: PhasePlan, op: str, tree: vcs.WorkTree | None, git_moves: list[tuple[str, str]]) -> None:
    if jdir.exists():
        _io.rmtree(jdir)  # a journal whose writing was itself interrupted: nothing was touched
    _io.mkdir(jdir, 0o700)
    _io.mkdir(jdir / "pre", 0o700)
    entries = []
    for i, rel in enumerate(_touched_paths(plan)):
        p = root / rel
        entry: dict = {"path": rel, "existed": p.is_file()}
        if p.is_file():
            data = p.read_bytes()
            mode = stat.S_IMODE(p.stat().st_mode)
            name = f"pre/{i:06d}"
            _io.write(jdir / name, data, mode)
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
    if git_moves and tree is not None:
        paths = sorted({p for pair in git_moves for p in pair})
        journal["git"] = {"paths": paths, "index": vcs.index_entries(tree, paths)}
    _write_json_durably(jdir / "journal.json", journal)


def _write_json_durably(path: Path, data: dict) -> None:
    _replace_durably(path, json.dumps(data, indent=2).encode("utf-8"))


def _replace_durably(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` (with `mode`, when given) to a temporary name beside `path`, then
    rename it over `path`; on an error the temporary file is removed (when it can be)
    and the error re-raised, naming `path`."""
    tmp = _tmp_path(path)
    try:
        _io.write(tmp, data, mode)
        _io.replace(tmp, path)
    except OSError as exc:
        if tmp.is_file():
            with contextlib.suppress(OSError):
                _io.unlink(tmp)
        raise OSError(exc.errno, exc.strerror, str(path)) from None  # name the file, not its temporary name


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
        _io.mkdir(d)


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
            _io.rmtree(cache)
        try:
            _io.rmdir(d)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            left = sorted(p.relative_to(root).as_posix() for p in d.iterdir())
            raise ApplyError(f"{rel}/ is not empty after the phase moved everything out of it ({', '.join(left[:5])}) — move or delete those files, then apply again; every file was restored — nothing changed") from None


def _atomic_write(target: Path, data: bytes, mode: int | None) -> None:
    """`_replace_durably` with the mode the file should have: `mode`, else the existing
    file's, else what the umask gives a new file."""
    if mode is None:
        mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666 & ~_umask()
    _replace_durably(target, data, mode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _moved_verbatim(change: FileChange) -> bool:
    """A file moved byte for byte (--skip-unparsable, target.exclude): it parses exactly
    as well as it did, so it is not held to parsing now."""
    return change.renamed_from is not None and change.after == change.before


def _verify_python(root: Path, plan: PhasePlan) -> None:
    for change in plan.changes:
        if change.after is None or not change.path.endswith((".py", ".pyi")):
            continue
        data = (root / change.path).read_bytes()
        if data != change.after:
            raise ApplyError(f"{change.path}: content on disk differs from the plan after writing; every file was restored — nothing changed")
        if _moved_verbatim(change):
            continue
        try:
            ast.parse(data, filename=change.path)
        except (SyntaxError, ValueError) as exc:
            raise ApplyError(
                f"{change.path}:{getattr(exc, 'lineno', None)}:{getattr(exc, 'offset', None)}: the rewritten file does not parse ({exc}); "
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
    _replace_durably(ensure_state_dir(root) / STATE_FILE, state_json(state).encode("utf-8"))


# --------------------------------------------------------------------------- restore


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
        _make_parents(root, root / rel)
    for entry in data["entries"]:
        target = root / entry["path"]
        changed = False
        if entry["existed"]:
            pre = (jdir / entry["pre"]).read_bytes()
            if target.is_symlink() or not target.is_file() or target.read_bytes() != pre:
                _make_parents(root, target.parent)
                if target.is_symlink() or target.is_dir():
                    _remove(target)
                _atomic_write(target, pre, entry.get("mode"))
                changed = True
            elif entry.get("mode") is not None and stat.S_IMODE(target.stat().st_mode) != entry["mode"]:
                _io.chmod(target, entry["mode"])
                changed = True
        elif target.is_file() or target.is_symlink():
            _io.unlink(target)
            changed = True
        tmp = _tmp_path(target)
        if tmp.is_file() and not tmp.is_symlink():
            _io.unlink(tmp)
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


def _make_parents(root: Path, directory: Path) -> None:
    missing = []
    d = directory
    while not d.exists() and d != root:
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        _io.mkdir(d)


def _remove(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        _io.unlink(p)
    elif p.is_dir():
        _io.rmtree(p)


def _remove_empty_tree(d: Path) -> None:
    if not d.is_dir() or d.is_symlink():
        return
    cache = d / "__pycache__"
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache, ignore_errors=True)
    try:
        _io.rmdir(d)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        # someone put a file there since: leave it


def restore_from_journal(root: Path, jdir: Path) -> list[str]:
    """Restore the pre-images of the journal in `jdir`, then remove the journal."""
    restored = _restore(root, jdir)
    if jdir.exists():
        _io.rmtree(jdir)
    return restored


def recover(root: Path) -> list[str] | None:
    """Undo an interrupted apply: restore its pre-phase tree. None if nothing to do.

    If the apply was killed after it recorded the phase but before it filed the journal
    as the undo record, the phase is taken out of the state again: the tree is back to
    what it was before the phase, and the state says so. Refuses (RollbackRefused) when
    the journal is damaged, before touching anything.
    """
    root = root.resolve()
    jdir = journal_dir(root)
    path = jdir / "journal.json"
    if not path.exists():
        if jdir.exists():
            _io.rmtree(jdir)  # the journal itself was being written: nothing was touched
        return None
    damaged = damaged_record(root, jdir)
    if damaged:
        raise RollbackRefused(f"the journal of the interrupted apply ({jdir}) is damaged; nothing was changed — restore the tree from version control", damaged)
    data = json.loads(path.read_text(encoding="utf-8"))
    restored = _restore(root, jdir)
    if data.get("op") == "apply":
        state = read_state(root)
        recorded = state.get(data["phase"])
        if recorded is not None and recorded.plan_digest == data["plan_digest"]:
            _write_state(root, State(root, tuple(a for a in state.applied if a.phase != data["phase"])))
    _io.rmtree(jdir)
    return restored


class RollbackFailed(Exception):
    """A rollback hit an error; the message says what state the tree is in and what to run."""


def rollback_phase(root: Path, phase: int | None = None) -> int:
    """Undo the last applied phase (or check that `phase` is the last). Returns its number.

    Refuses, before touching anything, when a file the phase wrote was edited since
    (neither what the phase wrote nor what was there before it) and when the undo record
    is damaged (a pre-image missing or not matching its recorded sha256, a symbolic link
    on a path it restores). An interrupted rollback is finished first. An error while
    restoring (RollbackFailed) puts back the tree as it was before the rollback began,
    unless the state already records the rollback, in which case running it again
    finishes. The caller holds `writer_lock`.
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
    before = _current_images(root, undo)
    state_path = state_dir(root) / STATE_FILE
    state_before = state_path.read_bytes() if state_path.is_file() else None
    try:
        _write_json_durably(rollback_marker(root), {"phase": last.phase})
        _restore(root, undo)
        _write_state(root, State(root, tuple(a for a in state.applied if a.phase != last.phase)))
    except Exception as exc:
        try:
            _put_back(root, before)
            if (state_path.read_bytes() if state_path.is_file() else None) != state_before and state_before is not None:
                _replace_durably(state_path, state_before)
            if rollback_marker(root).exists():
                _io.unlink(rollback_marker(root))
        except Exception as again:
            raise RollbackFailed(
                f"rolling back phase {last.phase} failed ({_describe(exc)}) and so did putting the tree back ({_describe(again)}); "
                "the tree is half rolled back — fix the cause, then run `migrate rollback` again to finish"
            ) from None
        raise RollbackFailed(f"rolling back phase {last.phase} failed: {_describe(exc)}; the tree was put back as it was — phase {last.phase} is still applied") from None
    try:
        _finish_rollback(root, read_state(root), last.phase)
    except Exception as exc:
        raise RollbackFailed(
            f"phase {last.phase} was rolled back, but cleaning up its undo record failed ({_describe(exc)}) — run `migrate rollback` again to finish"
        ) from None
    return last.phase


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


def _put_back(root: Path, images: list[tuple[str, bytes | None, int | None]]) -> None:
    for rel, data, mode in images:
        target = root / rel
        current = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        if data is None:
            if current is not None:
                _io.unlink(target)
        elif current != data or stat.S_IMODE(target.stat().st_mode) != mode:
            _make_parents(root, target.parent)
            _atomic_write(target, data, mode)
        tmp = _tmp_path(target)
        if tmp.is_file() and not tmp.is_symlink():
            _io.unlink(tmp)


def _finish_rollback(root: Path, state: State, phase: int) -> None:
    if state.get(phase) is not None:
        _write_state(root, State(root, tuple(a for a in state.applied if a.phase != phase)))
    undo = undo_dir(root, phase)
    if undo.exists():
        _io.rmtree(undo)
    if rollback_marker(root).exists():
        _io.unlink(rollback_marker(root))
