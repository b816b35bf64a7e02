"""`migrate graph`: the import graph now and after a phase."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_REFUSED,
    CacheOpt,
    JobsOpt,
    MappingOpt,
    _check_phase,
    _console,
    _load,
    _read_state,
    _recover_if_needed,
    app,
)


class GraphFormat(str, Enum):
    text = "text"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    mapping: Path = MappingOpt,
    phase: Optional[int] = typer.Option(None, "--phase", "-p", help="Also show the graph after this phase (earlier unapplied phases simulated)."),
    format: GraphFormat = typer.Option(GraphFormat.text, "--format", "-f", help="text, dot (Graphviz) or json."),
    jobs: Optional[int] = JobsOpt,
    cache: bool = CacheOpt,
) -> None:
    """The target's import graph (before and after a phase): cycles with file:line."""
    import json

    from migrator import report
    from migrator.adapters.cache import ImportCache
    from migrator.adapters.snapshot import read_snapshot
    from migrator.analysis import graph as graphs
    from migrator.analysis.project import ProjectIndex
    from migrator.adapters.environment import installed_import_names
    from migrator.engine import plan as planner

    m = _load(mapping)
    _recover_if_needed(m)
    roots = m.spec.target.source_roots
    snapshot = read_snapshot(m)
    if phase is not None:
        _check_phase(m, phase)
    imports = ImportCache.load(m.root) if cache else ImportCache()
    with report.progress(_console(stderr=True)) as progress:
        views = [("now", graphs.build_graph(snapshot, ProjectIndex.build(snapshot, roots), cache=imports, workers=jobs, progress=progress))]
        if phase is not None:
            state = _read_state(m)
            numbers = [n for n in m.phase_numbers if n <= phase and not state.is_applied(n)]
            after = snapshot
            for n in numbers:
                phase_plan, after = planner.plan_phase(m, m.phase(n), after, jobs=jobs, imports=imports, progress=progress, installed=installed_import_names)
                if phase_plan.errors:
                    report.print_diagnostics(_console(stderr=True), phase_plan.errors)
                    raise typer.Exit(EXIT_REFUSED)
            views.append((f"after phase {phase}", graphs.build_graph(after, ProjectIndex.build(after, roots), cache=imports, workers=jobs, progress=progress)))
    imports.save(limit=3 * len(snapshot.files))
    if format is GraphFormat.json:
        sys.stdout.write(json.dumps(report.graph_json(views), indent=2) + "\n")
    elif format is GraphFormat.dot:
        sys.stdout.write(views[-1][1].to_dot())
    else:
        report.print_graphs(_console(), views)
