"""The mapping's `format` command as a function the engine calls on each file it writes.

The engine stays free of processes: it gets `(path, bytes) → bytes` and calls it on
every Python file a phase writes (engine/import_order.format_files). Here that function
runs the command from the target root, the file on stdin, the formatted file on stdout
(`ruff format -`, `black -q -`; `{path}` in an argument is the file's path, for
`--stdin-filename`). Anything else refuses the phase with MIG121: the command not
found, a non-zero exit (its first line of stderr quoted), no output, or more than
`TIMEOUT` seconds.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Sequence

from migrator.engine.phase_work import Formatter, FormatterError

TIMEOUT = 60


def command_formatter(argv: Sequence[str], root: Path) -> Formatter:
    """The formatter that runs `argv` from `root`."""
    argv = tuple(argv)

    def run(path: str, data: bytes) -> bytes:
        args = [a.replace("{path}", path) for a in argv]
        shown = shlex.join(args)
        try:
            proc = subprocess.run(args, input=data, capture_output=True, cwd=root, timeout=TIMEOUT)
        except FileNotFoundError:
            raise FormatterError(f"`{args[0]}` was not found (install it, or give its full path)") from None
        except PermissionError:
            raise FormatterError(f"`{args[0]}` cannot be run (permission denied)") from None
        except subprocess.TimeoutExpired:
            raise FormatterError(f"`{shown}` did not finish within {TIMEOUT} s") from None
        if proc.returncode != 0:
            why = next((line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()), "no message")
            raise FormatterError(f"`{shown}` exited {proc.returncode}: {why}")
        if not proc.stdout and data.strip():
            raise FormatterError(f"`{shown}` printed nothing: the command must read the file on stdin and print it formatted (e.g. `ruff format -`)")
        return proc.stdout

    return run
