"""Worker processes that die with the command that started them.

`pool(workers)` is a ProcessPoolExecutor whose workers ignore Ctrl-C (the parent alone
reports it, once) and are killed by the kernel when the parent dies, however it dies
(Linux: `PR_SET_PDEATHSIG`; elsewhere a thread watching the parent's pid), so a killed
`migrate` never leaves workers blocked on their pipes.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def pool(workers: int, mp_context=None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context, initializer=_init_worker, initargs=(os.getpid(),))


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            _watch(parent)
    else:
        _watch(parent)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _watch(parent: int) -> None:
    def run() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=run, daemon=True, name="migrator-parent-watch").start()
