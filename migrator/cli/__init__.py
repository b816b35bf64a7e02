"""`migrate`: the command line. Thin: parse options, call the commands, the engine and
the adapters, hand their data to `report` (the only renderer), exit with one of the
`EXIT_*` codes below.
"""

from __future__ import annotations

import sys

# Each module registers its command on the app; the order here is the order of `--help`.
# isort: off
from migrator.cli import init, plan, apply, status, rollback, retire, graph, check, audit, verify, schema  # noqa: F401
# isort: on
from migrator.cli._common import _TARGET, EXIT_INTERRUPTED, app

__all__ = ["app", "main"]


def main() -> None:
    """Run the app; Ctrl-C prints one line (what changed, what to run) and exits 130."""
    try:
        app()
    except KeyboardInterrupt:  # raised outside the command (typer turns one inside into exit 130)
        _interrupted()
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            _interrupted()
        raise


def _interrupted() -> None:
    from migrator.adapters.state import interruption

    what = interruption(_TARGET[0]) if _TARGET else None
    sys.stderr.write((f"interrupted; {what}" if what is not None else "interrupted; nothing changed") + "\n")
    sys.exit(EXIT_INTERRUPTED)
