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

from migrator.analysis.project import Snapshot
from migrator.analysis.scans import MemoryCache, ScanCache
from migrator.engine.cycle_gate import cycle_gate
from migrator.engine.import_order import format_files, order_imports
from migrator.engine.consolidation import consolidate_onto_existing, merge_package_inits
from migrator.engine.layout import create_packages, settle, write_facades
from migrator.engine.phase_work import Formatter, PhaseOptions, PhaseWork, Refusal, start_phase
from migrator.engine.references import report_left_alone, rewrite_references
from migrator.engine.shadowing import InstalledNames
from migrator.mapping.spec import Mapping, PhaseSpec
from migrator.model.plan import Diagnostic, PhasePlan, Plan, Progress


def plan(
    mapping: Mapping,
    snapshot: Snapshot,
    phases: Iterable[int] | None = None,
    *,
    imports: ScanCache | None = None,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
    statements_alone: bool = True,
    formatter: Formatter | None = None,
    installed: InstalledNames | None = None,
) -> Plan:
    """Plan the given phases (default: all) in order on `snapshot`, each on the result
    of the last; a refused phase ends the plan.

    With `skip_unparsable`, files that do not parse or decode are left as they are (a
    warning each, plus one per textual mention of a moved path) instead of refusing.
    `imports`: the scan cache the phases read and teach (never changes the result;
    default: one in memory; the commands pass the target's on-disk cache and save it
    unless the plan is refused). `baseline`: also work out each phase's
    `cycle_baseline` (the failing cycles of the whole tree after it), which `apply`
    records and `check` compares with; it needs the import graph of every module.
    `progress` is told how the long steps go. `statements_alone=False` rewrites every
    file whole with every rule (tests compare both ways). `formatter`: the mapping's
    `format` command, run by the caller's adapter on every Python file a phase writes.
    `installed`: the import names of installed distributions, for the shadowing gate.
    """
    numbers = list(phases) if phases is not None else list(mapping.phase_numbers)
    imports = imports if imports is not None else MemoryCache()
    out: list[PhasePlan] = []
    for number in numbers:
        phase_plan, snapshot = plan_phase(
            mapping, mapping.phase(number), snapshot, skip_unparsable=skip_unparsable, jobs=jobs, imports=imports, baseline=baseline, progress=progress,
            statements_alone=statements_alone, formatter=formatter, installed=installed,
        )
        out.append(phase_plan)
        if phase_plan.errors:
            break
    return Plan(tuple(out), str(mapping.path), str(mapping.root))


def plan_phase(
    mapping: Mapping,
    phase: PhaseSpec,
    snapshot: Snapshot,
    *,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    imports: ScanCache | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
    statements_alone: bool = True,
    formatter: Formatter | None = None,
    installed: InstalledNames | None = None,
) -> tuple[PhasePlan, Snapshot]:
    """Plan one phase on `snapshot`; returns the plan and the snapshot after it (the
    same snapshot when the phase is refused). The options are `PhaseOptions`."""
    options = PhaseOptions(
        skip_unparsable=skip_unparsable, jobs=jobs, imports=imports, baseline=baseline, progress=progress, statements_alone=statements_alone,
        formatter=formatter, installed=installed,
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


def move_symbols(work: PhaseWork) -> Refusal | None:
    """Step 5 (migrator/engine/symbol_moves.py), loaded only for a phase that moves
    symbols: its libcst transforms cost a fifth of a second to import."""
    if not work.exp.symbol_moves:
        return work.refusal()
    from migrator.engine import symbol_moves

    return symbol_moves.move_symbols(work)


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
    order_imports,  # sorted import blocks stay sorted, in the project's own order
    format_files,  # the mapping's `format` command over every Python file written
    settle,  # the changes, the snapshot after, emptied folders
    gate_cycles,  # imports the phase breaks
)


def _refused(phase: PhaseSpec, diagnostics: Iterable[Diagnostic]) -> PhasePlan:
    return PhasePlan(phase.phase, phase.title, (), (), (), tuple(diagnostics))
