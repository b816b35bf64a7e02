"""The transactional apply of a phase: the driver of the writer.

The writer (the only code that changes the target or its state) is this module with
`lock` (the writer lock), `preflight` (the checks before anything moves), `journal`
(the pre-images and their replay), `rollback` (undo and recovery) and `disk` (the
`DiskIO` seam every change goes through). Apply of a phase:
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
back. A process killed half-way leaves the journal; `rollback.recover` (`migrate
rollback`) restores the pre-phase tree from it, and every other command refuses until
then. The caller holds `lock.writer_lock`.

Before a phase is planned for apply, `phases_not_in_tree` says whether the tree still
holds what the recorded phases wrote (a `git stash` takes it away), and
`uncommitted_touched` which files the phase touches hold the user's uncommitted work
(the recorded phases' own output does not count).
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from migrator.adapters import vcs
from migrator.adapters.disk import DiskIO, atomic_write, current_disk, describe, replace_durably
from migrator.adapters.journal import die, make_dirs, restore, write_journal, write_state
from migrator.adapters.lock import ensure_state_dir
from migrator.adapters.preflight import moved_verbatim, preflight, touched_paths
from migrator.adapters.state import (
    FIX,
    IGNORE_FILE,
    STATE_FILE,
    AppliedPhase,
    State,
    Step,
    journal_dir,
    pre_images,
    read_state,
    retired_dir,
    sha256,
    state_dir,
    undo_dir,
)
from migrator.model.plan import FileChange, PhasePlan

#: Test hook (used by tests/test_crash_recovery.py): the process kills itself with
#: SIGKILL (no cleanup at all) after this many file writes of an apply (a number above
#: the phase's file count: after the state is written, before the journal is filed as
#: the undo record).
CRASH_AFTER_WRITES_ENV = "MIGRATOR_CRASH_AFTER_WRITES"
#: Test hook (tests/test_lock.py): "K:PATH" makes an apply, after its K-th file write,
#: create PATH + ".paused" and wait (holding its lock) until PATH + ".go" exists.
PAUSE_AFTER_WRITES_ENV = "MIGRATOR_PAUSE_AFTER_WRITES"


class ApplyError(Exception):
    """The phase could not be applied; nothing was changed (or the tree was restored)."""


@dataclass(frozen=True)
class ApplyResult:
    phase: int
    written: int
    deleted: int
    git_moved: int = 0


def apply_phase(root: Path, plan: PhasePlan, *, git_mv: bool = False, io: DiskIO | None = None) -> ApplyResult:
    """Write the phase's changes transactionally and record it as applied.

    With `git_mv`, a moved file that git tracks is moved with `git mv` (so `git log
    --follow` finds its history) before its new content is written. Every change goes
    through `io` (default: the context's disk, see `disk.using_disk`). The caller holds
    `writer_lock`.
    """
    root = root.resolve()
    tree = vcs.work_tree(root) if git_mv else None
    if git_mv and tree is None:
        raise ApplyError(f"{root}: --git-mv needs a git work tree, and this target is not inside one")
    return _transaction(current_disk(io), root, plan, "apply", tree)


def write_changes(root: Path, plan: PhasePlan, *, io: DiskIO | None = None) -> ApplyResult:
    """Write changes that are not a phase (`check --fix`), with the same guarantees, and
    record what they wrote as a step of the state (for `status`; `rollback` does not undo it)."""
    root = root.resolve()
    files = {c.path: sha256(c.after) for c in plan.changes}
    return _transaction(current_disk(io), root, plan, "fix", None, new_step(root, FIX, files))


def write_step(root: Path, plan: PhasePlan, op: str, step: Step, *, io: DiskIO | None = None) -> ApplyResult:
    """Write changes recorded as `step` (`op`: "retire"), with the same guarantees as a
    phase; the journal becomes the step's undo record (`state.retired_dir`)."""
    return _transaction(current_disk(io), root.resolve(), plan, op, None, step)


def new_step(root: Path, kind: str, files: dict[str, str | None], phases: tuple[int, ...] = ()) -> Step:
    """The next step of the target's state: recorded now, after its last applied phase."""
    state = read_state(root)
    return Step(kind, state.next_step_id(), _now(), state.last_phase(), files, phases)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def uncommitted_touched(root: Path, plan: PhasePlan, state: State | None = None) -> list[str] | None:
    """Files the phase touches that have uncommitted changes of the user's; None outside
    a git work tree.

    A file whose content is exactly what the recorded phases of `state` left at its path
    (`recorded_contents`; a path a phase deleted that is still absent too) is the tool's
    own uncommitted output, not the user's work: phase 2 applies right after phase 1
    without a commit in between. A file edited on top of a phase's output still counts.
    """
    root = root.resolve()
    tree = vcs.work_tree(root)
    if tree is None:
        return None
    dirty = vcs.uncommitted(tree, touched_paths(plan))
    recorded = recorded_contents(state) if state is not None else {}
    return [rel for rel in dirty if rel not in recorded or _digest_on_disk(root, rel) != recorded[rel][1]]


def recorded_contents(state: State) -> dict[str, tuple[int, str | None]]:
    """path → (phase, sha256 or None for absent) of what the recorded history left at each
    path it wrote: phases and the steps between them (`retire`, `check --fix`), in the
    order they happened (`State.history`); the last record that wrote a path wins. A
    step counts under the phase it followed."""
    out: dict[str, tuple[int, str | None]] = {}
    for record in state.history():
        phase = record.phase if isinstance(record, AppliedPhase) else (record.after or 0)
        for rel, digest in record.files.items():
            out[rel] = (phase, digest)
    return out


@dataclass(frozen=True)
class LostWrite:
    """A file where the tree no longer holds what a recorded phase wrote."""

    path: str
    #: the last phase that wrote the path
    phase: int
    #: the phase whose pre-image the file is back to (None: the file is missing)
    reverted_to_before: int | None

    def __str__(self) -> str:
        if self.reverted_to_before is None:
            return f"{self.path}: written by phase {self.phase}, missing"
        return f"{self.path}: back to what it was before phase {self.reverted_to_before}"


def phases_not_in_tree(root: Path, state: State) -> list[LostWrite]:
    """The files showing that recorded phases are no longer in the tree, sorted by path.

    For each path the recorded phases wrote (the latest phase that wrote it wins, as in
    `recorded_contents`), the file on disk is compared with what that phase left: equal
    (present with that content, or absent when the phase deleted it) is fine; missing
    when the phase left content there, or back to the content it had before one of the
    phases that wrote it (their undo records' pre-images), is a lost write — what
    `git stash` or a checkout of an older commit does. Any other content is an edit
    made since (committed or not): legitimate work, not a lost phase (`migrate status`
    shows it).
    """
    root = root.resolve()
    before = {a.phase: _pre_images_or_none(root, a.phase) for a in state.applied}
    lost = []
    for rel, (phase, digest) in sorted(recorded_contents(state).items()):
        current = _digest_on_disk(root, rel)
        if current == digest:
            continue
        if current is None:
            lost.append(LostWrite(rel, phase, None))
            continue
        for a in sorted(state.applied, key=lambda a: a.phase):
            pre = before[a.phase]
            if rel in a.files and rel in pre and pre[rel] == current:
                lost.append(LostWrite(rel, phase, a.phase))
                break
    return lost


def _pre_images_or_none(root: Path, phase: int) -> dict[str, str | None]:
    """The phase's pre-images; none for a missing or damaged undo record (rollback and
    `status` report those)."""
    try:
        return pre_images(root, phase)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _digest_on_disk(root: Path, rel: str) -> str | None:
    p = root / rel
    try:
        return sha256(p.read_bytes()) if p.is_file() else None
    except OSError:
        return None


#: What a transaction of each op does, for its error messages.
_WHAT = {"apply": "writing the phase", "retire": "removing the facades", "fix": "writing the fixes"}


@dataclass(frozen=True)
class _Run:
    """One transaction: where it writes and how (what every step below needs)."""

    io: DiskIO
    root: Path
    jdir: Path
    plan: PhasePlan
    op: str  # "apply" records a phase; "retire" and "fix" record `step`
    tree: vcs.WorkTree | None  # git moves, with --git-mv
    git_moved: dict[str, str]  # new path → old path, for the moves `git mv` makes
    step: Step | None = None


def _transaction(io: DiskIO, root: Path, plan: PhasePlan, op: str, tree: vcs.WorkTree | None, step: Step | None = None) -> ApplyResult:
    """Journal, write, verify, record; any error puts back every file and the state."""
    jdir = journal_dir(root)
    if (jdir / "journal.json").exists():
        raise ApplyError(f"an earlier run did not finish ({jdir}) — run `migrate rollback` first")
    problems = preflight(root, plan, io=io)
    if problems:
        rel, why = problems[0]
        raise ApplyError(f"{rel}: {why}; nothing was changed")
    changes = _ordered(plan.changes)
    git_moves = _git_moves(root, changes, tree) if tree is not None else []
    run = _Run(io, root, jdir, plan, op, tree, {new: old for old, new in git_moves}, step)
    state_path = state_dir(root) / STATE_FILE
    state_before = state_path.read_bytes() if state_path.is_file() else None
    ignore_before = state_path.with_name(IGNORE_FILE).exists()
    journal_started = False
    try:
        ensure_state_dir(root)
        journal_started = True
        write_journal(io, root, jdir, plan, op, _git_record(tree, git_moves), step.id if step else None)
        written, deleted = _write_all(run, changes)
        _remove_dirs(run)
        _verify_python(root, plan)
        _record(run, crash_after=_crash_after(), files=len(changes))
    except BaseException as exc:  # KeyboardInterrupt and SystemExit restore too
        if journal_started:
            try:
                _abort(run, state_path, state_before, ignore_before)
            except Exception as again:
                raise ApplyError(
                    f"{_WHAT[op]} failed ({describe(exc)}) and so did restoring the tree ({describe(again)}); "
                    f"the journal is kept ({jdir}) — fix the cause, then run `migrate rollback` to restore the tree"
                ) from None
        if isinstance(exc, ApplyError) or not isinstance(exc, Exception):
            raise
        raise ApplyError(f"{_WHAT[op]} failed: {describe(exc)}; every file was restored — nothing changed") from None
    return ApplyResult(plan.phase, written, deleted, len(git_moves))


def _git_record(tree: vcs.WorkTree | None, git_moves: list[tuple[str, str]]) -> dict | None:
    """What the journal keeps of git's index to put the `git mv` moves back."""
    if not git_moves or tree is None:
        return None
    paths = sorted({p for pair in git_moves for p in pair})
    return {"paths": paths, "index": vcs.index_entries(tree, paths)}


def _crash_after() -> int:
    return int(os.environ.get(CRASH_AFTER_WRITES_ENV, "0") or 0)


def _write_all(run: _Run, changes: list[FileChange]) -> tuple[int, int]:
    """Write and delete the phase's files in order; (written, deleted)."""
    written = deleted = 0
    crash_after = _crash_after()
    pause = os.environ.get(PAUSE_AFTER_WRITES_ENV, "")
    for n, change in enumerate(changes, start=1):
        target = run.root / change.path
        if change.after is None:
            if target.exists() or target.is_symlink():
                run.io.unlink(target)
                deleted += 1
        else:
            make_dirs(run.io, run.root, run.jdir, target.parent)
            old = run.git_moved.get(change.path)
            if run.tree is not None and old is not None and (run.root / old).is_file():
                vcs.move(run.tree, old, change.path, io=run.io)
            atomic_write(run.io, target, change.after, change.mode)
            written += 1
        if crash_after and n >= crash_after:
            die()
        if pause and n == int(pause.partition(":")[0]):
            _pause(pause.partition(":")[2])
    return written, deleted


def _record(run: _Run, *, crash_after: int, files: int) -> None:
    """Record the phase (an apply) or the step (a retire, a fix) in the state and file
    the journal as its undo record, or drop it (a fix: not undone)."""
    if run.step is not None:
        state = read_state(run.root)
        write_state(run.io, run.root, state.without_step(run.step.id).with_step(run.step))
        if run.op != "retire":
            run.io.rmtree(run.jdir)
            return
        undo = retired_dir(run.root, run.step.id)
    elif run.op == "apply":
        _mark_applied(run.io, run.root, run.plan)
        undo = undo_dir(run.root, run.plan.phase)
    else:
        run.io.rmtree(run.jdir)
        return
    if crash_after > files:
        die()  # after the state is written, before the journal becomes the undo record
    if undo.exists():
        run.io.rmtree(undo)
    if not undo.parent.is_dir():
        run.io.mkdir(undo.parent, 0o700)
    run.io.replace(run.jdir, undo)


def _pause(path: str) -> None:
    Path(path + ".paused").write_text(str(os.getpid()))
    while not Path(path + ".go").exists():
        time.sleep(0.02)


def _abort(run: _Run, state_path: Path, state_before: bytes | None, ignore_before: bool) -> None:
    """Put the tree and the state (with the `.gitignore` the first state brings) back as
    they were before the transaction began."""
    restore(run.io, run.root, run.jdir)
    ignore = state_path.with_name(IGNORE_FILE)
    if not ignore_before and ignore.is_file():
        run.io.unlink(ignore)
    current = state_path.read_bytes() if state_path.is_file() else None
    if current != state_before:
        if state_before is None:
            run.io.unlink(state_path)
        else:
            replace_durably(run.io, state_path, state_before)
    if run.jdir.exists():
        run.io.rmtree(run.jdir)


def _ordered(changes: tuple[FileChange, ...]) -> list[FileChange]:
    # Write new locations before facades replace the old files.
    return sorted(changes, key=lambda c: (c.after is None, c.renamed_from is None, c.path))


def _git_moves(root: Path, changes: list[FileChange], tree: vcs.WorkTree) -> list[tuple[str, str]]:
    """(old, new) of every moved file git tracks whose new path is free."""
    out = []
    for c in changes:
        if c.renamed_from and c.after is not None and not (root / c.path).exists() and vcs.is_tracked(tree, c.renamed_from):
            out.append((c.renamed_from, c.path))
    return out


def _remove_dirs(run: _Run) -> None:
    """Remove the folders the phase emptied (deepest first; the journal lists them, so a
    restore recreates them). A folder that is not empty now (a file appeared since
    the plan) fails the apply, which restores everything."""
    for rel in run.plan.removed_dirs:
        d = run.root / rel
        if not d.is_dir() or d.is_symlink():
            continue
        cache = d / "__pycache__"
        if cache.is_dir() and not cache.is_symlink():
            run.io.rmtree(cache)
        try:
            run.io.rmdir(d)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            left = sorted(p.relative_to(run.root).as_posix() for p in d.iterdir())
            raise ApplyError(f"{rel}/ is not empty after the phase moved everything out of it ({', '.join(left[:5])}) — move or delete those files, then apply again; every file was restored — nothing changed") from None


def _verify_python(root: Path, plan: PhasePlan) -> None:
    for change in plan.changes:
        if change.after is None or not change.path.endswith((".py", ".pyi")):
            continue
        data = (root / change.path).read_bytes()
        if data != change.after:
            raise ApplyError(f"{change.path}: content on disk differs from the plan after writing; every file was restored — nothing changed")
        if moved_verbatim(change):
            continue
        try:
            ast.parse(data, filename=change.path)
        except (SyntaxError, ValueError) as exc:
            raise ApplyError(
                f"{change.path}:{getattr(exc, 'lineno', None)}:{getattr(exc, 'offset', None)}: the rewritten file does not parse ({exc}); "
                "every file was restored — nothing changed; please report this with the file"
            ) from None


def _mark_applied(io: DiskIO, root: Path, plan: PhasePlan) -> None:
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
        _now(),
        plan.digest(),
        files,
        roles,
        {m.old: m.new for m in plan.moves},
        {src.replace(":", "."): f"{dest}.{src.partition(':')[2]}" for src, dest in plan.symbol_moves},
        plan.cycle_baseline,
    )
    applied = tuple(a for a in state.applied if a.phase != plan.phase) + (entry,)
    write_state(io, root, dataclasses.replace(state, applied=tuple(sorted(applied, key=lambda a: a.phase))))
