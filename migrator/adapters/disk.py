"""The disk seam of the writer: every call by which migrator changes the target's disk.

`DiskIO` holds the primitive changes (write, replace, chmod, mkdir, unlink, rmdir,
rmtree, and `git`: a git command that changes the index, `git mv` the work tree too)
and the one question the writer asks the disk before it starts (`writable`: may this
process create and rename files in a folder); `apply`, `journal`, `rollback` and
`preflight` go through one of them, and
the durable helpers here (`replace_durably`, `atomic_write`, `write_json_durably`) are
built on them. The writer's entry points take an `io: DiskIO | None` argument; None is
the disk of the current context, the real one unless a caller put another in place with
`using_disk` (how tests/faults.py reaches a command run through the CLI). A fake is a
subclass of `DiskIO` that fails, counts or alters calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator, Sequence

from migrator.adapters.vcs import GitError, WorkTree


class DiskIO:
    """Every primitive change of the disk the writer makes (the seam fakes subclass).

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

    def git(self, tree: WorkTree, args: Sequence[str], path: Path, stdin: str | None = None) -> None:
        """Run `git ARGS` in `tree`, a command that changes git's index (`update-index`)
        and, for `git mv`, the work tree; `path` is the file it changes (what a fault names)."""
        tree.run(*args, stdin=stdin)

    def writable(self, folder: Path) -> bool:
        """Whether this process may create, rename and remove files in `folder` (the
        preflight's question; `os.access`, so root is told yes whatever the mode bits)."""
        return os.access(folder, os.W_OK | os.X_OK)


_CURRENT: ContextVar[DiskIO] = ContextVar("migrator_disk", default=DiskIO())


def current_disk(io: DiskIO | None = None) -> DiskIO:
    """`io` when given, else the disk of the current context (see `using_disk`)."""
    return io if io is not None else _CURRENT.get()


@contextlib.contextmanager
def using_disk(io: DiskIO) -> Iterator[DiskIO]:
    """Make `io` the disk every writer call without an explicit `io` uses, for the body."""
    token = _CURRENT.set(io)
    try:
        yield io
    finally:
        _CURRENT.reset(token)


def tmp_path(target: Path) -> Path:
    """The temporary name `target` is written under before `os.replace`: short and
    fixed-length whatever the target's name (so it fits any name the folder holds),
    derived from the name so a leftover is found again."""
    return target.with_name(f".mig-{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]}.tmp")


def replace_durably(io: DiskIO, path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` (with `mode`, when given) to a temporary name beside `path`, then
    rename it over `path`; on an error the temporary file is removed (when it can be)
    and the error re-raised, naming `path`."""
    tmp = tmp_path(path)
    try:
        io.write(tmp, data, mode)
        io.replace(tmp, path)
    except OSError as exc:
        if tmp.is_file():
            with contextlib.suppress(OSError):
                io.unlink(tmp)
        raise OSError(exc.errno, exc.strerror, str(path)) from None  # name the file, not its temporary name


def write_json_durably(io: DiskIO, path: Path, data: dict) -> None:
    replace_durably(io, path, json.dumps(data, indent=2).encode("utf-8"))


def atomic_write(io: DiskIO, target: Path, data: bytes, mode: int | None) -> None:
    """`replace_durably` with the mode the file should have: `mode`, else the existing
    file's, else what the umask gives a new file."""
    if mode is None:
        mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666 & ~_umask()
    replace_durably(io, target, data, mode)


def remove_tmp(io: DiskIO, target: Path) -> None:
    """Remove the temporary file an interrupted write of `target` left, if any."""
    tmp = tmp_path(target)
    if tmp.is_file() and not tmp.is_symlink():
        io.unlink(tmp)


def describe(exc: BaseException) -> str:
    """`cause (path)` for an OSError, `Type: message` for anything else (the messages of
    a failed apply or rollback); git's own words for a git command that failed."""
    if isinstance(exc, GitError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {exc}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
