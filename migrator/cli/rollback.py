"""`migrate rollback`: undo the last applied phase, or finish an interrupted apply."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_OK,
    EXIT_REFUSED,
    MappingOpt,
    _console,
    _escape,
    _load,
    _read_state,
    _refuse_state,
    _writing,
    app,
)


@app.command()
def rollback(
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="The phase to undo (must be the last applied)."),
    mapping: Path = MappingOpt,
) -> None:
    """Undo the last applied phase, or finish undoing an interrupted apply."""
    from migrator.adapters import rollback as undoer
    from migrator.adapters.state import StateError

    m = _load(mapping)
    out = _console()
    err = _console(stderr=True)
    with _writing(m, "rollback"):
        _read_state(m)  # a state that cannot be trusted refuses before any file is touched
        try:
            recovered = undoer.recover(m.root)
            if recovered is not None:
                out.print(f"restored the tree from an interrupted apply ({len(recovered)} files put back)")
                raise typer.Exit(EXIT_OK)
            undone = undoer.rollback_phase(m.root, phase)
        except StateError as exc:
            _refuse_state(exc)
        except undoer.RollbackRefused as exc:
            err.print(f"[bold red]refused[/] {_escape(str(exc))}")
            for f in exc.files:
                err.print(f"  {_escape(f)}")
            raise typer.Exit(EXIT_REFUSED)
        except undoer.RollbackFailed as exc:
            err.print(f"[bold red]error[/] {_escape(str(exc))}")
            raise typer.Exit(EXIT_REFUSED)
        except OSError as exc:
            err.print(f"[bold red]error[/] restoring the interrupted apply failed ({_escape(exc.strerror or str(exc))}: {_escape(str(exc.filename))}) — fix the cause, then run `migrate rollback` again")
            raise typer.Exit(EXIT_REFUSED)
    out.print(f"rolled back phase {undone}")
