"""Fault injection for the suite: make the n-th disk change of migrator/adapters/apply.py fail.

`apply.py` changes the disk only through its `_io` seam (`DiskIO`: write, replace,
chmod, mkdir, unlink, rmdir, rmtree). `FaultyDisk(fail_at=n, error=errno.ENOSPC)`
counts those calls and makes the n-th raise `OSError(error)` naming the path, exactly
as the real call would; every other call goes to the disk. `fail_at=None` only counts,
so a first clean run says how many faults there are to inject.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Iterator

from migrator.adapters import apply as applier


class FaultyDisk(applier.DiskIO):
    def __init__(self, fail_at: int | None = None, error: int = errno.ENOSPC):
        self.fail_at = fail_at
        self.error = error
        self.calls: list[tuple[str, str]] = []

    @property
    def failed(self) -> tuple[str, str] | None:
        """(operation, path) of the call that was made to fail, once it was."""
        if self.fail_at is None or len(self.calls) < self.fail_at:
            return None
        return self.calls[self.fail_at - 1]

    def _step(self, op: str, path: Path) -> None:
        self.calls.append((op, str(path)))
        if len(self.calls) == self.fail_at:
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


@contextlib.contextmanager
def faulty_disk(fail_at: int | None = None, error: int = errno.ENOSPC) -> Iterator[FaultyDisk]:
    """Route apply.py's disk changes through a FaultyDisk for the body."""
    disk = FaultyDisk(fail_at, error)
    saved = applier._io
    applier._io = disk
    try:
        yield disk
    finally:
        applier._io = saved
