"""The writer lock of a target: one `migrate` process writes it at a time.

Every command that writes the target or its state holds `writer_lock` (an exclusive
`flock` on `.migrator/lock`, released by the kernel when the process dies); the reading
commands look at the holder (`state.lock_holder`) to say who is writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Iterator

from migrator.adapters.state import lock_file, lock_holder, state_dir


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
