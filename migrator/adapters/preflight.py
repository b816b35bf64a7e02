"""Preflight: every path a phase would write, checked on the real file system first.

`plan` (to show the refusals) and `apply` (to refuse before the journal) both call
`preflight`, so they refuse the same phases.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Callable, Iterable

from migrator.adapters.disk import DiskIO, current_disk
from migrator.analysis.scans import known_to_parse, mark_parses
from migrator.model.plan import FileChange, PhasePlan


def preflight(
    root: Path, plan: PhasePlan, *, unseen: Callable[[str], str | None] = lambda rel: None, ignore: Iterable[str] = (),
    io: DiskIO | None = None,
) -> list[tuple[str, str]]:
    """(path, why) for every path the phase would write or delete that it cannot
    (`path:line:col` for a file that would not parse).

    Checked against the real file system, whatever the planner read: a path outside the
    target, a symbolic link or a file on the way, a folder where a file goes, a file
    the planner did not read at a path it creates (`unseen(rel)` says why it was not
    read, e.g. excluded), a name longer than NAME_MAX or a path longer than PATH_MAX, a
    folder that is not writable, and a Python file that would not compile. Paths in
    `ignore` (written by earlier phases of the same plan) are not checked against the
    disk. `plan` and `apply` both call it, so they refuse the same phases. Whether a
    folder is writable is asked of `io` (default: the context's disk, `disk.using_disk`),
    the seam through which apply will write there. A file whose exact bytes were seen
    to parse in this process (the cycle gate scans every Python file a phase writes in
    a source root) is not compiled again.
    """
    root = root.resolve()
    disk = current_disk(io)
    ignore = set(ignore)
    problems: list[tuple[str, str]] = []
    name_max = _pathconf(root, "PC_NAME_MAX", 255)
    path_max = _pathconf(root, "PC_PATH_MAX", 4096)
    writes = {c.path: c for c in plan.changes}
    moved = {c.renamed_from for c in plan.changes if c.renamed_from}
    for rel in touched_paths(plan):
        why = _path_problem(
            root, rel, writes.get(rel), name_max=name_max, path_max=path_max, unseen=unseen, planned=rel in ignore,
            moved_away=rel in moved, disk=disk,
        )
        if why is not None:
            problems.append((rel, why))
    for c in plan.changes:
        if c.after is not None and c.path.endswith((".py", ".pyi")) and not moved_verbatim(c) and not known_to_parse(c.after):
            try:
                compile(c.after, c.path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
                mark_parses(c.after)  # apply's own preflight, after plan's, need not compile it again
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
    root: Path, rel: str, change: FileChange | None, *, name_max: int, path_max: int,
    unseen: Callable[[str], str | None], planned: bool, moved_away: bool = False, disk: DiskIO,
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
    if existing.is_dir() and not disk.writable(existing):
        return f"the folder {existing.relative_to(root).as_posix() or '.'} is not writable"
    return None


def touched_paths(plan: PhasePlan) -> list[str]:
    """Every path the phase writes, deletes or moves away from, sorted."""
    paths = set()
    for c in plan.changes:
        paths.add(c.path)
        if c.renamed_from:
            paths.add(c.renamed_from)
    return sorted(paths)


def moved_verbatim(change: FileChange) -> bool:
    """A file moved byte for byte (--skip-unparsable, target.exclude): it parses exactly
    as well as it did, so it is not held to parsing now."""
    return change.renamed_from is not None and change.after == change.before
