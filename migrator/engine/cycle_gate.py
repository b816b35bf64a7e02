"""The cycle gate: the imports a phase breaks, refused (`cycles: forbid-new`) or warned (MIG401).

The question is exactly: is there a module whose fresh import succeeded before the
phase and fails after it (a moved module compared under its new name)?
`phase_failures` answers it, for the gate and for `migrate audit` alike;
`cycle_gate` turns the answer into diagnostics.
"""

from __future__ import annotations

from typing import Iterable

from migrator.analysis import graph
from migrator.analysis.cycles import NewFailure, new_import_failures, old_names
from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.analysis.scans import MemoryCache, ScanCache, content_key, files_key, learn_rewritten, note_parses, result_key
from migrator.mapping.spec import Mapping
from migrator.model.plan import Diagnostic, Progress, Severity
from migrator.model.stored import diagnostic_json, diagnostic_of


def phase_failures(
    before: Snapshot,
    after: Snapshot,
    renames: dict[str, str],
    changed: Iterable[str],
    *,
    source_roots: Iterable[str],
    imports: ScanCache | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> list[NewFailure]:
    """The modules whose fresh import works in `before` and fails in `after`, by cycle.

    `cycles.new_import_failures` answers it by replaying Python's import order on the
    graphs before and after (graph.ImportGraph.import_failure: names bound by the line
    where a module is paused, guarded imports never the cause of a failure, lazy and
    TYPE_CHECKING imports never run).

    Only modules whose import can run a changed file can change verdict: the modules
    the changed ones (`changed`: paths written, moved or deleted) reach through
    import-time edges are replayed, in graphs closed under those edges (parents
    included), so every replay's load order is the whole tree's. The graph before holds
    what the same modules, under their old names (`renames`: old → new module), reach.
    """
    roots = tuple(source_roots)
    changed = set(changed)
    imports = imports if imports is not None else MemoryCache()
    index_before, index_after = ProjectIndex.build(before, roots), ProjectIndex.build(after, roots)
    learn_rewritten(before, after, changed, imports)  # most rewritten files need no parse
    start_before = {m.name for m in index_before.modules.values() if m.path in changed}
    start_after = {m.name for m in index_after.modules.values() if m.path in changed}
    g_after = graph.build_graph(after, index_after, cache=imports, reach_from=start_after, workers=jobs, progress=progress)
    start_before |= old_names(renames, g_after.modules())
    g_before = graph.build_graph(before, index_before, cache=imports, reach_from=start_before, workers=jobs, progress=progress)
    return new_import_failures(g_before, g_after, renames)


def cycle_gate(
    mapping: Mapping,
    before: Snapshot,
    after: Snapshot,
    renames: dict[str, str],
    changed: set[str],
    *,
    imports: ScanCache | None = None,
    jobs: int | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Diagnostic], tuple[tuple[str, ...], ...]]:
    """Imports the phase breaks (`phase_failures`): refused (`forbid-new`) or warned
    (MIG401), each shown as its cycle, with the file:line of every edge.

    With `baseline`, also returns the failing components of the whole of `after`: the
    baseline `check` compares with once the phase is applied (else an empty tuple).

    The verdict is a pure function of both trees' files, the renames, the changed
    paths and the policy: it is kept in `imports` under a key of all of them, so the
    same phase planned again on the same bytes is not replayed again.
    """
    roots = mapping.spec.target.source_roots
    imports = imports if imports is not None else MemoryCache()
    severity = Severity.ERROR if mapping.spec.cycles == "forbid-new" else Severity.WARNING
    after_key = files_key(after.files)
    key = result_key("cycle-gate", 1, files_key(before.files), after_key, sorted(renames.items()), sorted(changed), list(roots), severity.value)
    out = _decode(imports.result(key))
    if out is not None:
        _note_rewritten_parse(after, changed, imports)
    else:
        failures = phase_failures(before, after, renames, changed, source_roots=roots, imports=imports, jobs=jobs, progress=progress)
        out = [_diagnostic(failure, severity) for failure in failures]
        imports.put_result(key, [diagnostic_json(d) for d in out])
    if not baseline:
        return out, ()
    # The failing components of the whole tree after: a function of its files alone
    # (kept apart from the verdict, so `apply` after `plan` replays nothing again).
    key = result_key("failing-components", 1, after_key, list(roots))
    cycles = _decode_components(imports.result(key))
    if cycles is None:
        whole = graph.build_graph(after, ProjectIndex.build(after, roots), cache=imports, workers=jobs, progress=progress)
        cycles = tuple(tuple(scc) for scc in whole.sccs() if whole.failing_cycle(scc) is not None)
        imports.put_result(key, [list(scc) for scc in cycles])
    return out, cycles


def _decode(value: object) -> list[Diagnostic] | None:
    """A stored verdict of the gate; None for anything that is not one (a miss)."""
    if not isinstance(value, list):
        return None
    try:
        return [diagnostic_of(d) for d in value]
    except ValueError:
        return None


def _decode_components(value: object) -> tuple[tuple[str, ...], ...] | None:
    """Stored failing components; None for anything that is not such a list (a miss)."""
    if isinstance(value, list) and all(isinstance(c, list) and all(type(m) is str for m in c) for c in value):
        return tuple(tuple(c) for c in value)
    return None


def _note_rewritten_parse(after: Snapshot, changed: Iterable[str], imports: ScanCache) -> None:
    """What replaying the graphs would have noted on the way: which of the written
    files parse (their scans, in the cache), so the preflight need not compile them."""
    for path in changed:
        data = after.get(path)
        if data is not None and path.endswith((".py", ".pyi")):
            key = content_key(data)
            scan = imports.get(key)
            if scan is not None:
                note_parses(key, scan)


def _diagnostic(failure: NewFailure, severity: Severity) -> Diagnostic:
    cycle = failure.cycle
    first = next((e for e in cycle.edges if not e.implicit), cycle.edges[0])
    fix = (
        "move the import inside the function that needs it, or change the mapping; "
        "`cycles: warn` in the mapping reports instead of refusing"
    )
    note = " (a conditional import is part of the cycle; the import fails without it too)" if failure.conditional else ""
    return Diagnostic(
        severity,
        "MIG401",
        f"this phase creates an import cycle that fails at import time: {cycle}{note} — "
        f"`import {failure.modules[0]}` worked before and fails now"
        f"{f' (and {len(failure.modules) - 1} more modules)' if len(failure.modules) > 1 else ''}; "
        f"{fix}\n{cycle.describe()}",
        first.path,
        first.line or None,
    )
