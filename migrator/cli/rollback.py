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
    """Undo the last applied phase or retirement, or finish undoing an interrupted apply."""
    from migrator.adapters import retire as retirer
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
            if retirer.pending_retire_rollback(_read_state(m), m.root):
                _rollback_retire(m, phase)
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


def _rollback_retire(m, phase: Optional[int]) -> None:
    """Put back the facades of the last retirement (the last step undoes first)."""
    from migrator.adapters import retire as retirer
    from migrator.adapters import rollback as undoer

    if phase is not None:
        raise undoer.RollbackRefused(
            f"the last step is `migrate retire`, not phase {phase} — run `migrate rollback` without --phase to put the retired facades back first", []
        )
    step = retirer.rollback_retire(m.root)
    if step is None:
        _console().print("finished the interrupted rollback of a retirement")
    else:
        _console().print(f"put back the {len(step.files)} facade(s) of phase(s) {', '.join(map(str, step.phases))} retired at {step.at}")
