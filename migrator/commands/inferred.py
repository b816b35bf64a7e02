"""Which phases a tree shows as applied, when `.migrator/state.json` records none.

`check` compares the tree with the moves of the applied phases. A clone where
`.migrator/` was never committed has no record of them, but its tree shows them: a
phase is applied when every move it makes is done — the destination exists (or, when
a later phase of the mapping moved it on, where that phase put it) and the source is a
generated facade or gone (for a symbol, the source module no longer defines it and the
destination does). Phases are read in the mapping's order up to the first that is not
applied; one that is done in part (some moves done, others not) is a finding (MIG015),
never a silent stop, so a tree whose moves are visibly done cannot pass as clean.

The result is a `State` of `AppliedPhase`s (`InferredState`), so `commands.check` runs
on it unchanged. Its moves are expanded from the tree as it is now: every module below
a moved package's destination stands for the old module of the same name below its
source. Nothing here knows what the phases wrote (no digests, no baseline of import
cycles), so `check` compares only references.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from enum import Enum

from migrator.adapters.state import STATE_FILE, AppliedPhase, State
from migrator.analysis.project import STATE_DIR, ModuleInfo, ProjectIndex, Snapshot
from migrator.engine.facades import is_generated_facade
from migrator.mapping.spec import Mapping, MoveSpec, PhaseSpec
from migrator.model.names import longest_prefix
from migrator.model.plan import Diagnostic, MoveSet, Severity

#: Where the record would be, as the messages name it.
STATE_PATH = f"{STATE_DIR}/{STATE_FILE}"


@dataclass(frozen=True)
class InferredState(State):
    """Applied phases read from the tree, not from a record (see the module docstring).

    `half_applied` holds a MIG015 finding for the first phase the tree shows done in
    part, if any (inference stops there).
    """

    half_applied: tuple[Diagnostic, ...] = ()
    #: the phase `half_applied` is about
    half_applied_phase: int | None = None


class Verdict(Enum):
    DONE = "done"            # the destination has it, the source holds no code of it
    NOT_DONE = "not done"    # the source still holds real code of it
    MISSING = "missing"      # neither: no real code at the source, no destination


def infer_state(mapping: Mapping, snapshot: Snapshot, index: ProjectIndex | None = None) -> InferredState:
    """The phases of `mapping` the tree of `snapshot` shows as applied, in order."""
    index = index if index is not None else ProjectIndex.build(snapshot, mapping.spec.target.source_roots)
    phases = mapping.spec.phases
    applied: list[AppliedPhase] = []
    pending: list[AppliedPhase] = []  # phases without moves: applied only if a later one is
    for i, phase in enumerate(phases):
        if not phase.moves:
            pending.append(AppliedPhase(phase=phase.phase, title=phase.title, applied_at="", plan_digest="", files={}))
            continue
        later = [_module_moves(p) for p in phases[i + 1:]]
        verdicts = [(spec, _verdict(spec, index, snapshot, later)) for spec in phase.moves]
        done = [spec for spec, v in verdicts if v is Verdict.DONE]
        if len(done) == len(verdicts):
            applied += pending + [_applied(phase, index)]
            pending = []
            continue
        if done:
            finding = _half_applied(mapping, phase, verdicts)
            return InferredState(mapping.root, tuple(applied), half_applied=(finding,), half_applied_phase=phase.phase)
        break
    return InferredState(mapping.root, tuple(applied))


def _module_moves(phase: PhaseSpec) -> dict[str, str]:
    return {m.source: m.to for m in phase.moves if not m.is_symbol}


def _verdict(spec: MoveSpec, index: ProjectIndex, snapshot: Snapshot, later: list[dict[str, str]]) -> Verdict:
    if spec.is_symbol:
        source = index.get(spec.source_module)
        if source is not None and _holds_definition(snapshot, source, spec.symbol or ""):
            return Verdict.NOT_DONE
        dest = _where_now(spec.to, index, snapshot, later)
        return Verdict.DONE if dest is not None and _holds_definition(snapshot, dest, spec.symbol or "") else Verdict.MISSING
    if any(_is_code(snapshot, m) for m in index.submodules(spec.source)):
        return Verdict.NOT_DONE
    return Verdict.DONE if _where_now(spec.to, index, snapshot, later) is not None else Verdict.MISSING


def _where_now(name: str, index: ProjectIndex, snapshot: Snapshot, later: list[dict[str, str]]) -> ModuleInfo | None:
    """The module `name` is now: itself, or where the later phases' moves took it (the
    first that holds real code, else the first that exists, e.g. a facade)."""
    found: list[ModuleInfo] = []
    info = index.get(name)
    if info is not None:
        found.append(info)
    for moves in later:
        new = MoveSet(moves).resolve(name)
        if new is None:
            continue
        name = new
        info = index.get(name)
        if info is not None:
            found.append(info)
    real = [m for m in found if _is_code(snapshot, m)]
    return (real or found or [None])[0]


def _is_code(snapshot: Snapshot, info: ModuleInfo) -> bool:
    """The module's file is code of its own, not a facade migrate wrote."""
    data = snapshot.get(info.path)
    return data is not None and not is_generated_facade(data.decode("utf-8", "replace"))


def _holds_definition(snapshot: Snapshot, info: ModuleInfo, name: str) -> bool:
    """`name` is defined (not imported) at the top level of the module's code."""
    if not _is_code(snapshot, info):
        return False
    try:
        tree = ast.parse(snapshot.get(info.path) or b"")
    except (SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
        if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
            return True
    return False


def _applied(phase: PhaseSpec, index: ProjectIndex) -> AppliedPhase:
    """The phase as `check` reads an applied one: module moves with every module below a
    destination standing for the one below its source, and symbol moves."""
    explicit = _module_moves(phase)
    moves: dict[str, str] = {}
    for source, dest in explicit.items():
        for info in index.submodules(dest):
            old = source + info.name[len(dest):]
            if longest_prefix(old, explicit) == source:
                moves[old] = info.name
    moves.update(explicit)
    symbols = {
        f"{m.source_module}.{m.symbol}": f"{m.to}.{m.symbol}" for m in phase.moves if m.is_symbol
    }
    return AppliedPhase(
        phase=phase.phase, title=phase.title, applied_at="", plan_digest="", files={},
        moves=dict(sorted(moves.items())), symbols=symbols,
    )


def _half_applied(mapping: Mapping, phase: PhaseSpec, verdicts: list[tuple[MoveSpec, Verdict]]) -> Diagnostic:
    """MIG015 at the mapping line of the first move that is not done."""
    spec = next(s for s, v in verdicts if v is not Verdict.DONE)
    line, col = mapping.location(spec)
    done = [s for s, v in verdicts if v is Verdict.DONE]
    rest = [(s, v) for s, v in verdicts if v is not Verdict.DONE]
    named = ", ".join(f"{s.source} → {s.to} ({v.value})" for s, v in rest[:3]) + (f" and {len(rest) - 3} more" if len(rest) > 3 else "")
    message = (
        f"phase {phase.phase} ({phase.title}) looks half-applied: {len(done)} of {len(verdicts)} moves are done, "
        f"not {named} — and no migration is recorded in {STATE_PATH}, so check cannot tell what was applied. "
        f"If the phase was applied and moves were added to it since, move them to a new phase; otherwise restore "
        f"the tree the phase wrote from version control (or undo it: `git revert` the commit that applied it). "
        f"Then commit {STATE_PATH} so that check reads what was applied"
    )
    path = os.path.relpath(mapping.path.resolve(), mapping.root)
    return Diagnostic(Severity.ERROR, "MIG015", message, path.replace(os.sep, "/"), line or 1, col or 1)
