"""Fault injection for the suite: make the n-th disk change of the writer fail.

The writer (migrator/adapters/apply.py, journal.py, rollback.py) changes the disk only
through its seam, `disk.DiskIO` (write, replace, chmod, mkdir, unlink, rmdir, rmtree,
and `git`: the `git mv` and `git update-index` of `--git-mv`, op "git mv" / "git
update-index"):
passed in as `io=`, or put in place for a command run through the CLI with
`disk.using_disk`. `FaultyDisk(fail_at=n, error=errno.ENOSPC)` counts those calls and
makes the n-th raise `OSError(error)` naming the path, exactly as the real call would
(or `exception`, e.g. KeyboardInterrupt, when given); every other call goes to the disk.
`counts` picks the calls that count (default: all; `target_writes`: the writes of the
target's files, not of the tool's state). `fail_at=None` only counts, so a first clean
run says how many faults there are to inject. `failed` says which call was made to
fail, so a test can assert that its fault was hit.

`NotWritable(folders)` answers the preflight's question (`DiskIO.writable`) with "no"
for the given folders, as `os.access` does for a user without write permission, even
when the suite runs as root (whom `os.access` always tells yes); `asked` lists the
folders it was asked about.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Callable, Iterator

from migrator.adapters.disk import DiskIO, using_disk


def every_call(op: str, path: Path) -> bool:
    return True


def target_writes(op: str, path: Path) -> bool:
    """A file of the target being written (its temporary file), not one of `.migrator/`."""
    return op == "write" and ".migrator" not in Path(path).parts


class FaultyDisk(DiskIO):
    def __init__(
        self,
        fail_at: int | None = None,
        error: int = errno.ENOSPC,
        *,
        exception: BaseException | None = None,
        counts: Callable[[str, Path], bool] = every_call,
    ):
        self.fail_at = fail_at
        self.error = error
        self.exception = exception
        self.counts = counts
        self.calls: list[tuple[str, str]] = []
        #: (operation, path) of the call that was made to fail, once it was.
        self.failed: tuple[str, str] | None = None

    def _step(self, op: str, path: Path) -> None:
        if not self.counts(op, path):
            return
        self.calls.append((op, str(path)))
        if len(self.calls) == self.fail_at:
            self.failed = (op, str(path))
            if self.exception is not None:
                raise self.exception
            raise OSError(self.error, os.strerror(self.error), str(path))

    def write(self, path, data, mode=None):
        self._step("write", path)
        super().write(path, data, mode)

    def replace(self, src, dst):
        self._step("replace", dst)
        super().replace(src, dst)

    def chmod(self, path, mode):
        self._step("chmod", path)
        super().chmod(path, mode)

    def mkdir(self, path, mode=0o777):
        self._step("mkdir", path)
        super().mkdir(path, mode)

    def unlink(self, path):
        self._step("unlink", path)
        super().unlink(path)

    def rmdir(self, path):
        self._step("rmdir", path)
        super().rmdir(path)

    def rmtree(self, path):
        self._step("rmtree", path)
        super().rmtree(path)

    def git(self, tree, args, path, stdin=None):
        self._step(f"git {args[0]}", path)
        super().git(tree, args, path, stdin)


class NotWritable(DiskIO):
    def __init__(self, folders):
        self.folders = {Path(f).resolve() for f in folders}
        self.asked: list[Path] = []

    def writable(self, folder):
        self.asked.append(Path(folder))
        return Path(folder).resolve() not in self.folders and super().writable(folder)


@contextlib.contextmanager
def faulty_disk(fail_at: int | None = None, error: int = errno.ENOSPC, **options) -> Iterator[FaultyDisk]:
    """Route the writer's disk changes through a FaultyDisk for the body (CLI included)."""
    with using_disk(FaultyDisk(fail_at, error, **options)) as disk:
        yield disk
