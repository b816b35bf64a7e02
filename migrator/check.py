"""`migrate check`: find what points at old paths after phases were applied. Pure.

The moves of every applied phase (recorded in the target's state) are composed into one
`MoveSet` (a module moved twice resolves to its last home), and every file outside the
facades and the kept globs is run through the same rules `apply` uses: each rewrite a
rule would make is a stale reference. The state also lets `check` notice a facade that
no longer matches what was written, and a phase whose moved files are gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.facades import is_generated_facade
from migrator.mapping import Mapping
from migrator.model import ChangeRole, Edit, FileChange, FileContext, MoveSet, PhasePlan, RefKind
from migrator.planner import FileRewriteError, prefilter, read_snapshot, rewrite_file, _with_reexports
from migrator.project import ProjectIndex, Snapshot, matches_any
from migrator.pyast import absolute_module
from migrator.state import State, sha256

#: Finding codes: what kind of stale reference, or what else is wrong.
CODES = {
    RefKind.IMPORT: "MIG001",
    RefKind.IMPORT_FROM: "MIG001",
    RefKind.RELATIVE: "MIG001",
    RefKind.DOTTED_USE: "MIG002",
    RefKind.STRING: "MIG003",
    RefKind.CONFIG: "MIG004",
    RefKind.NOTEBOOK: "MIG005",
}
WHAT = {
    "MIG001": "import of",
    "MIG002": "use of",
    "MIG003": "string target",
    "MIG004": "config value",
    "MIG005": "notebook import of",
}
FACADE_EDITED = "MIG011"
MOVED_FILE_MISSING = "MIG012"
PARSE_ERROR = "MIG013"
NEW_CYCLE = "MIG010"

_DOTTED = re.compile(r"\.*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    message: str
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


def applied_moves(state: State, index: ProjectIndex) -> MoveSet:
    """Compose the module and symbol moves of every applied phase, in order."""
    modules: dict[str, str] = {}
    symbols: dict[str, str] = {}
    for phase in state.applied:
        step = MoveSet(phase.moves, phase.symbols)
        modules = {old: step.resolve(new) or new for old, new in modules.items()}
        symbols = {old: step.resolve(new) or new for old, new in symbols.items()}
        for old, new in phase.moves.items():
            modules.setdefault(old, new)
        for old, new in phase.symbols.items():
            symbols.setdefault(old, new)
    # A name that exists again as real code (a facade, or re-created) is not stale on its
    # own; only names whose module now is a generated facade or is gone count.
    return MoveSet(modules, symbols, index.names())


def stale_references(mapping: Mapping, snapshot: Snapshot, state: State) -> list[Finding]:
    target = mapping.spec.target
    index = ProjectIndex.build(snapshot, target.source_roots)
    moves = applied_moves(state, index)
    if not moves:
        return []
    moves = _with_reexports(moves, index, snapshot)
    pattern = prefilter(moves)
    findings: list[Finding] = []
    for path in snapshot.paths():
        if matches_any(path, target.keep_on_facades):
            continue
        data = snapshot.get(path) or b""
        if not path.endswith((".py", ".pyi", ".ipynb", ".yaml", ".yml", ".toml", ".ini", ".cfg")):
            continue
        text = data.decode("utf-8", "replace")
        if not pattern.may_refer(text):
            continue
        if path.endswith((".py", ".pyi")) and is_generated_facade(text):
            continue
        info = index.module_of(path)
        module = info.name if info else None
        ctx = FileContext(path, module, module, bool(info and info.is_package))
        try:
            _, edits, _ = rewrite_file(path, data, ctx, moves)
        except FileRewriteError as exc:
            d = exc.diagnostic
            findings.append(Finding(path, d.line or 1, d.col or 1, PARSE_ERROR, d.message))
            continue
        findings.extend(_finding(path, e, ctx, moves) for e in edits)
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code))


def _finding(path: str, edit: Edit, ctx: FileContext, moves: MoveSet) -> Finding:
    code = CODES[edit.kind]
    old, new = _names(edit, ctx, moves)
    if old is not None:
        message = f"{WHAT[code]} {old!r} — moved to {new!r}"
    else:
        message = f"{WHAT[code]} an old path: `{edit.old.strip()}` — now `{edit.new.strip()}`"
    return Finding(path, edit.line, edit.col, code, message, old, new)


def _names(edit: Edit, ctx: FileContext, moves: MoveSet) -> tuple[str | None, str | None]:
    """The old dotted name an edit replaces, and its new name."""
    for token in _DOTTED.findall(edit.old):
        name = token
        if token.startswith("."):
            level = len(token) - len(token.lstrip("."))
            name = absolute_module(token.lstrip(".") or None, level, ctx.package) if ctx.package else None
            if name is None:
                continue
        new = moves.resolve(name)
        if new is not None:
            return name, new
    # `from pkg import name`: the moved thing is pkg.name
    m = re.match(r"\s*from\s+(\.*[\w.]*)\s+import\s+\(?\s*([\w]+)", edit.old)
    if m:
        base = m.group(1)
        if base.startswith(".") and ctx.package:
            level = len(base) - len(base.lstrip("."))
            base = absolute_module(base.lstrip(".") or None, level, ctx.package) or base
        name = f"{base}.{m.group(2)}"
        new = moves.resolve(name) or moves.reexports.get(name)
        if new is not None:
            return name, new
    return None, None


def state_findings(mapping: Mapping, snapshot: Snapshot, state: State) -> list[Finding]:
    """Facades edited since they were written; moved files that are gone."""
    latest: dict[str, tuple[int, str | None, str]] = {}
    for phase in state.applied:
        for path, digest in phase.files.items():
            role = phase.roles.get(path, "edited")
            latest[path] = (phase.phase, digest, role)
    findings = []
    root = mapping.root
    for path, (phase, digest, role) in sorted(latest.items()):
        if digest is None:
            continue
        full = root / path
        if role == "facade":
            current = full.read_bytes() if full.is_file() else None
            if current is None:
                findings.append(Finding(path, 1, 1, MOVED_FILE_MISSING, f"the facade written by phase {phase} is missing — old imports of this path now fail; run `migrate rollback` or restore it from version control"))
            elif sha256(current) != digest:
                findings.append(Finding(path, 1, 1, FACADE_EDITED, f"the facade written by phase {phase} was edited — it no longer matches its target; restore it (facades hold no code) or re-apply the phase"))
        elif role == "moved" and not full.is_file():
            findings.append(Finding(path, 1, 1, MOVED_FILE_MISSING, f"phase {phase} moved a module here, but the file is missing — restore it from version control"))
    return findings


def new_cycle_findings(mapping: Mapping, snapshot: Snapshot, state: State, imports=None, progress=None) -> list[Finding]:
    """Import cycles that fail at import time and were not there when the last phase was
    applied (its recorded baseline): someone added an import that closes one."""
    if not state.applied:
        return []
    from migrator import graph

    baseline = [frozenset(c) for c in state.applied[-1].cycles]
    g = graph.build_graph(snapshot, ProjectIndex.build(snapshot, mapping.spec.target.source_roots), cache=imports, progress=progress)
    out = []
    for scc in g.sccs():
        cycle = g.failing_cycle(scc)
        if cycle is None or any(set(scc) <= b for b in baseline):
            continue
        first = next((e for e in cycle.edges if not e.implicit), cycle.edges[0])
        out.append(
            Finding(
                first.path, first.line or 1, 1, NEW_CYCLE,
                f"new import cycle that fails at import time: {cycle} — move one of these imports into the function "
                f"that needs it (edges: {'; '.join(e.location() + ' ' + e.source + ' → ' + e.target for e in cycle.edges)})",
            )
        )
    return out


def run_check(mapping: Mapping, state: State, snapshot: Snapshot | None = None, *, cache: bool = True, progress=None) -> list[Finding]:
    """Every finding. `cache`: use and update the import cache in the target's state
    folder (the result never depends on it). `progress` is told how parsing goes."""
    from migrator.graph import ImportCache

    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    imports = ImportCache.load(mapping.root) if cache else ImportCache()
    findings = stale_references(mapping, snapshot, state) + state_findings(mapping, snapshot, state)
    findings += new_cycle_findings(mapping, snapshot, state, imports, progress)
    imports.save(limit=3 * len(snapshot.files))
    return findings


def fix_plan(mapping: Mapping, state: State, snapshot: Snapshot | None = None) -> PhasePlan:
    """The edits `check --fix` writes: every stale reference rewritten, as a plan."""
    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    target = mapping.spec.target
    index = ProjectIndex.build(snapshot, target.source_roots)
    moves = _with_reexports(applied_moves(state, index), index, snapshot)
    pattern = prefilter(moves)
    changes: list[FileChange] = []
    for path in snapshot.paths():
        if matches_any(path, target.keep_on_facades):
            continue
        entry = snapshot.files[path]
        text = entry.data.decode("utf-8", "replace")
        if not pattern.may_refer(text) or (path.endswith((".py", ".pyi")) and is_generated_facade(text)):
            continue
        info = index.module_of(path)
        module = info.name if info else None
        ctx = FileContext(path, module, module, bool(info and info.is_package))
        try:
            data, edits, _ = rewrite_file(path, entry.data, ctx, moves)
        except FileRewriteError:
            continue  # reported by `check` as MIG013
        if data != entry.data:
            changes.append(FileChange(path, ChangeRole.EDITED, entry.data, data, None, edits, entry.mode))
    return PhasePlan(0, "check --fix", tuple(changes), (), (), ())
