"""`migrate init` for people: what it found, what it wrote, what to run next."""

from __future__ import annotations

from rich.markup import escape

from migrator.commands.init import ExampleMove, Layout

#: Names shown per cell before "and N more".
SHOWN = 8


def print_init(console, layout: Layout, *, wrote: str, example: ExampleMove | None, next_command: str) -> None:
    """The detected source roots as a table, the file written, and the next step."""
    from rich.table import Table

    table = Table(title="migrate init: what this project holds")
    for col in ("source root", "found by", "packages", "modules"):
        table.add_column(col)
    for root in layout.roots:
        table.add_row(escape(root.path), escape(root.origin), escape(_names(root.packages)), escape(_names(root.modules)))
    console.print(table)
    for note in layout.notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    console.print(f"wrote {escape(wrote)}: the source roots above, and no phase yet")
    if example is not None:
        console.print(f"example phase (commented out in it): move {escape(example.source)} to {escape(example.destination)}")
        console.print(f"next: uncomment it or write your own phases, then run `{escape(next_command)}`")
    else:
        console.print(f"next: write a phase under `phases:`, then run `{escape(next_command)}`")


def _names(names: tuple[str, ...]) -> str:
    if not names:
        return "-"
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
