"""`migrate graph`: a summary table per graph and its failing cycles, or the JSON form."""

from __future__ import annotations

from migrator.report.schemas import dump, schema_id
from migrator.report.schemas.graph import GraphOutput

GRAPH_JSON_SCHEMA = schema_id(GraphOutput)


def print_graphs(console, views) -> None:
    """Summary of each labelled import graph, then the cycles its fresh imports fail on
    (graph.ImportGraph.failing_cycles), edge by edge, with the modules that fail.

    The summary counts the import-time components too, and of them those that are only
    a package whose ``__init__`` imports its own submodules (which Python runs fine);
    the cycles of the others that run fine are not listed."""
    from rich.markup import escape
    from rich.table import Table

    from migrator.commands.audit import is_package_init_cycle

    table = Table(title="migrate graph")
    for col in ("graph", "modules", "edges (top / lazy / typing)", "failing import cycles", "import-time cycles (package __init__ only)", "lazy/typing-only cycles"):
        table.add_column(col)
    for label, g in views:
        edges = [e for e in g.edges() if not e.implicit]
        kinds = [sum(1 for e in edges if e.kind == k) for k in ("top", "lazy", "typing")]
        cycles = g.import_time_cycles()
        own = sum(1 for c in cycles if is_package_init_cycle(c))
        table.add_row(label, str(len(g.modules())), " / ".join(map(str, kinds)), str(len(g.failing_cycles())), f"{len(cycles)} ({own})", str(len(g.lazy_and_typing_cycles())))
    console.print(table)
    for label, g in views:
        failing = g.failing_cycles()
        if not failing:
            continue
        console.print(f"\n[bold]{escape(label)}: import cycles a fresh import fails on[/]")
        for cycle, modules in failing:
            console.print(escape(cycle.describe()), highlight=False)
            console.print(f"  fails: {escape(', '.join('import ' + m for m in modules))}", highlight=False)


def graph_json(views) -> dict:
    """Every labelled graph (`ImportGraph.to_json` without its own `format`: the output
    has one `schema`), for `--format json`; its schema is `schemas.graph.GraphOutput`."""
    graphs = [{"label": label, **{k: v for k, v in g.to_json().items() if k != "format"}} for label, g in views]
    return dump(GraphOutput, {"schema": GRAPH_JSON_SCHEMA, "graphs": graphs})
