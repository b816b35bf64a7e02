"""The planning engine: mapping × snapshot → Plan. Pure: reads a snapshot, writes nothing.

`plan` stacks the phases, each planned on the snapshot the last one leaves. `plan_phase`
runs one phase as a sequence of steps over a `PhaseWork` (migrator/engine/phase_work.py)
and stops at the first that refuses: expand the moves; rewrite every file that can refer
to a moved name (a text prefilter decides which files are parsed at all) and relocate
moved files (references.py); consolidate moves onto existing modules and merge package
`__init__`s (consolidation.py); move symbols (symbol_moves.py); write facades at the old
paths and create new packages (layout.py); then the cycle gate. The result is a
`PhasePlan` plus the snapshot after it, on which the next phase is planned.
"""

from __future__ import annotations

from typing import Callable, Iterable

from migrator.analysis import graph
from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.engine.consolidation import consolidate_onto_existing, merge_package_inits
from migrator.engine.layout import create_packages, settle, write_facades
from migrator.engine.phase_work import PhaseOptions, PhaseWork, Refusal, start_phase
from migrator.engine.references import report_left_alone, rewrite_references
from migrator.engine.symbol_moves import move_symbols
from migrator.mapping.spec import Mapping, PhaseSpec
from migrator.model.plan import Diagnostic, PhasePlan, Plan, Progress, Severity


def plan(
    mapping: Mapping,
    phases: Iterable[int] | None = None,
    snapshot: Snapshot | None = None,
    *,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    baseline: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Plan the given phases (default: all) in order, each on the result of the last.

    With `skip_unparsable`, files that do not parse or decode are left as they are (a
    warning each, plus one per textual mention of a moved path) instead of refusing.
    `cache`: read and update the import cache in the target's state folder (never
    changes the result; not written when a phase is refused). `baseline`: also work out each phase's `cycle_baseline` (the
    failing cycles of the whole tree after it), which `apply` records and `check`
    compares with; it needs the import graph of every module. `progress` is told how
    the long steps go.
    """
    numbers = list(phases) if phases is not None else list(mapping.phase_numbers)
    if snapshot is None:
        snapshot = read_snapshot(mapping)
    imports = graph.ImportCache.load(mapping.root) if cache else graph.ImportCache()
    out: list[PhasePlan] = []
    for number in numbers:
        phase_plan, snapshot = plan_phase(
            mapping, mapping.phase(number), snapshot, skip_unparsable=skip_unparsable, jobs=jobs, imports=imports, baseline=baseline, progress=progress
        )
        out.append(phase_plan)
        if phase_plan.errors:
            break
    if not any(p.errors for p in out):  # a refused plan leaves the disk exactly as it was
        imports.save(limit=3 * len(snapshot.files))
    return Plan(tuple(out), str(mapping.path), str(mapping.root))


def read_snapshot(mapping: Mapping) -> Snapshot:
    t = mapping.spec.target
    snapshot = Snapshot.read(mapping.root, t.source_roots, t.exclude)
    try:
        # The mapping may live inside the target: its dotted paths are the plan, not references.
        snapshot.files.pop(mapping.path.resolve().relative_to(mapping.root).as_posix(), None)
    except ValueError:
        pass
    return snapshot


def plan_phase(
    mapping: Mapping,
    phase: PhaseSpec,
    snapshot: Snapshot,
    *,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    imports: graph.ImportCache | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
    statements_alone: bool = True,
) -> tuple[PhasePlan, Snapshot]:
    """Plan one phase on `snapshot`; returns the plan and the snapshot after it (the
    same snapshot when the phase is refused). The options are `PhaseOptions`."""
    options = PhaseOptions(
        skip_unparsable=skip_unparsable, jobs=jobs, imports=imports, baseline=baseline, progress=progress, statements_alone=statements_alone
    )
    work = start_phase(mapping, phase, snapshot, options)
    if isinstance(work, Refusal):
        return _refused(phase, work.diagnostics), snapshot
    for step in STEPS:
        refusal = step(work)
        if refusal is not None:
            return _refused(phase, refusal.diagnostics), snapshot
    phase_plan = PhasePlan(
        phase=phase.phase,
        title=phase.title,
        changes=work.changes,
        moves=tuple(work.exp.records),
        symbol_moves=tuple((f"{s.module}:{s.name}", s.dest_module) for s in work.exp.symbol_moves),
        diagnostics=tuple(work.diagnostics),
        kept_references=tuple(work.kept),
        cycle_baseline=work.cycles_after,
        removed_dirs=work.removed_dirs,
    )
    return phase_plan, work.after


def gate_cycles(work: PhaseWork) -> Refusal | None:
    """The last step: imports the phase breaks (`cycle_gate`), refused with `cycles: forbid-new`."""
    changed = {c.path for c in work.changes} | {c.renamed_from for c in work.changes if c.renamed_from}
    renames = {r.old: r.new for r in work.exp.records}
    o = work.options
    gate, work.cycles_after = cycle_gate(
        work.mapping, work.before, work.after, renames, changed, imports=o.imports, jobs=o.jobs, baseline=o.baseline, progress=o.progress
    )
    work.diagnostics.extend(gate)
    return work.refusal()


#: The steps of a phase after its expansion, in order. Each mutates the `PhaseWork`
#: (a step hands on large dicts of file bytes; copying them per step would cost and
#: buy nothing) and returns a `Refusal` to stop the phase, or None to go on.
STEPS: tuple[Callable[[PhaseWork], Refusal | None], ...] = (
    rewrite_references,  # every reference rewritten, relocated files at their new paths
    report_left_alone,  # warnings: skipped and excluded files' mentions, `python -m` lines, `__all__`
    consolidate_onto_existing,  # moves onto existing modules
    merge_package_inits,  # packages merged into existing packages (refused with the next step)
    move_symbols,  # symbol moves and their consolidations
    write_facades,  # facades at every old module path
    create_packages,  # new packages the destinations need
    settle,  # the changes, the snapshot after, emptied folders
    gate_cycles,  # imports the phase breaks
)


def cycle_gate(
    mapping: Mapping,
    before: Snapshot,
    after: Snapshot,
    renames: dict[str, str],
    changed: set[str],
    *,
    imports: graph.ImportCache | None = None,
    jobs: int | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Diagnostic], tuple[tuple[str, ...], ...]]:
    """Imports the phase breaks: refused (`forbid-new`) or warned (MIG401).

    The question is exactly: is there a module whose fresh import succeeded before the
    phase and fails after it (a moved module compared under its new name)?
    `graph.new_import_failures` answers it by replaying Python's import order on the
    graphs before and after (graph.ImportGraph.import_failure: names bound by the line
    where a module is paused, guarded imports never the cause of a failure, lazy and
    TYPE_CHECKING imports never run). Each failure is shown as its cycle, with the
    file:line of every edge.

    Only modules whose import can run a changed file can change verdict: the modules
    the changed ones (`changed`: paths written, moved or deleted) reach through
    import-time edges are replayed, in graphs closed under those edges (parents
    included), so every replay's load order is the whole tree's. The graph before holds
    what the same modules, under their old names, reach.

    With `baseline`, also returns the failing components of the whole of `after`: the
    baseline `check` compares with once the phase is applied (else an empty tuple).
    """
    roots = mapping.spec.target.source_roots
    imports = imports if imports is not None else graph.ImportCache()
    index_before, index_after = ProjectIndex.build(before, roots), ProjectIndex.build(after, roots)
    start_before = {m.name for m in index_before.modules.values() if m.path in changed}
    start_after = {m.name for m in index_after.modules.values() if m.path in changed}
    g_after = graph.build_graph(after, index_after, cache=imports, reach_from=start_after, workers=jobs, progress=progress)
    start_before |= graph.old_names(renames, g_after.modules())
    g_before = graph.build_graph(before, index_before, cache=imports, reach_from=start_before, workers=jobs, progress=progress)
    severity = Severity.ERROR if mapping.spec.cycles == "forbid-new" else Severity.WARNING
    out = []
    for failure in graph.new_import_failures(g_before, g_after, renames):
        cycle = failure.cycle
        first = next((e for e in cycle.edges if not e.implicit), cycle.edges[0])
        fix = (
            "move the import inside the function that needs it, or change the mapping; "
            "`cycles: warn` in the mapping reports instead of refusing"
        )
        note = " (a conditional import is part of the cycle; the import fails without it too)" if failure.conditional else ""
        out.append(
            Diagnostic(
                severity,
                "MIG401",
                f"this phase creates an import cycle that fails at import time: {cycle}{note} — "
                f"`import {failure.modules[0]}` worked before and fails now"
                f"{f' (and {len(failure.modules) - 1} more modules)' if len(failure.modules) > 1 else ''}; "
                f"{fix}\n{cycle.describe()}",
                first.path,
                first.line or None,
            )
        )
    if not baseline:
        return out, ()
    whole = graph.build_graph(after, index_after, cache=imports, workers=jobs, progress=progress)
    return out, tuple(tuple(scc) for scc in whole.sccs() if whole.failing_cycle(scc) is not None)


def _refused(phase: PhaseSpec, diagnostics: Iterable[Diagnostic]) -> PhasePlan:
    return PhasePlan(phase.phase, phase.title, (), (), (), tuple(diagnostics))
