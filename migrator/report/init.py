"""`migrate init` for people: what it found (in the project, and in a plan with
`--from-plan`), what it wrote, what to run next."""

from __future__ import annotations

from rich.markup import escape

from migrator.commands.init import ExampleMove, Layout
from migrator.commands.init_plan import FromPlan

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


#: how the table names each kind of row
_KINDS = {"taken": "[green]taken[/]", "decide": "[yellow]to decide[/]", "unread": "[red]not read[/]"}


def print_init_from_plan(console, result: FromPlan, *, wrote: str, next_command: str, notes: tuple[str, ...] = ()) -> None:
    """What `init --from-plan` took from the plan, what it left for a decision and what
    it could not read, one row per plan line; then the file written and the next step."""
    from rich.table import Table

    name = result.reading.name
    table = Table(title=f"migrate init --from-plan: what {escape(name)} gives")
    for col, width in (("line", None), ("phase", None), ("", None), ("move", 48), ("why", 64)):
        table.add_column(col, justify="right" if col in ("line", "phase") else "left", max_width=width)
    rows: list[tuple[int, int, tuple[str, ...]]] = []
    order = {"taken": 0, "decide": 1, "unread": 2}
    for phase, entry in result.entries():
        moves = _moves(entry.moves) if entry.moves else escape(" ".join(entry.row.words.split()[:12]))
        why = _why(entry)
        shown_phase = str(phase.number) if phase is not None else "-"
        rows.append((order[entry.kind], entry.row.line, (str(entry.row.line), shown_phase, _KINDS[entry.kind], moves, escape(why or "-"))))
    for resolved in result.phases:
        if resolved.problem is not None:
            phase = resolved.phase
            rows.append((1, phase.line, (str(phase.line), str(phase.number), _KINDS["decide"], escape(f"phase {phase.number}: {phase.title}"), escape(resolved.problem))))
    for _, _, cells in sorted(rows, key=lambda r: (r[0], r[1])):
        table.add_row(*cells)
    console.print(table)
    for note in notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    written = [p for p in result.phases if p.problem is None]
    taken, decide, unread = result.count("taken"), result.count("decide"), result.count("unread")
    decide += len(result.phases) - len(written)
    console.print(
        f"wrote {escape(wrote)}: {taken} move{'s' if taken != 1 else ''} in {len(written)} phase{'s' if len(written) != 1 else ''}; "
        f"{decide} left for you to decide and {unread} not read, commented out in it with the plan's words and line"
    )
    if decide or unread:
        console.print(f"next: decide the TO DECIDE comments (uncomment the move you choose), then run `{escape(next_command)}`")
    else:
        console.print(f"next: run `{escape(next_command)}`")


def _moves(moves) -> str:
    """`a → b`, or `a → b | c` for alternatives of one module."""
    sources = list(dict.fromkeys(m.source for m in moves))
    if len(sources) == 1:
        return escape(f"{sources[0]} → " + " | ".join(m.destination for m in moves))
    return escape("; ".join(f"{m.source} → {m.destination}" for m in moves))


def _why(entry) -> str:
    """The reason, and the other rows it refers to by line."""
    if not entry.others:
        return entry.reason
    lines = ", ".join(str(o.line) for o in entry.others)
    label = "line" if len(entry.others) == 1 else "lines"
    return f"{entry.reason} {label} {lines}" if entry.reason.endswith(":") else f"{entry.reason}; see {label} {lines}"
