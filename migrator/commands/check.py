"""`migrate check`: find what points at old paths after phases were applied. Pure.

The moves of every applied phase (recorded in the target's state) are composed into one
`MoveSet` (a module moved twice resolves to its last home), and every file outside the
facades and the kept globs is run through the same rules `apply` uses: each rewrite a
rule would make is a stale reference. The state also lets `check` notice a facade that
no longer matches what was written, and a phase whose moved files are gone.
"""

from __future__ import annotations

import re
from pathlib import Path

from migrator.engine import command_lines as commands
from migrator.engine.facades import is_generated_facade
from migrator.mapping.spec import Mapping
from migrator.model.plan import ChangeRole, Diagnostic, Edit, FileChange, FileContext, MoveSet, PhasePlan, RefKind, Severity
from migrator.adapters.snapshot import read_snapshot
from migrator.engine.prefilter import MENTION, mentions, prefilter
from migrator.engine.reexports import with_reexports
from migrator.engine.rewrite import FileRewriteError, moves_inputs, rewrite_file
from migrator.analysis.scans import ScanCache, files_key, result_key
from migrator.model.stored import diagnostic_json, diagnostic_of
from migrator.analysis.project import FileEntry, ProjectIndex, Snapshot, matches_any
from migrator.model.names import absolute_module, is_within
from migrator.adapters.state import State, sha256
from migrator.commands.inferred import InferredState, infer_state

#: Codes of check's findings: what kind of stale reference, or what else is wrong.
CODES = {
    RefKind.IMPORT: "MIG001",
    RefKind.IMPORT_FROM: "MIG001",
    RefKind.RELATIVE: "MIG001",
    RefKind.DOTTED_USE: "MIG002",
    RefKind.STRING: "MIG003",
    RefKind.CONFIG: "MIG004",
    RefKind.NOTEBOOK: "MIG005",
    RefKind.DOCS: "MIG007",
    RefKind.PROSE: "MIG008",
}
WHAT = {
    "MIG001": "import of",
    "MIG002": "use of",
    "MIG003": "string target",
    "MIG004": "config value",
    "MIG005": "notebook import of",
    "MIG007": "docs reference to",
    "MIG008": "comment or docstring naming",
}
FACADE_EDITED = "MIG011"
MOVED_FILE_MISSING = "MIG012"
PARSE_ERROR = "MIG013"
KEPT_ON_RETIRED = "MIG014"
NEW_CYCLE = "MIG010"

_DOTTED = re.compile(r"\.*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _finding(*, path: str, line: int, col: int, code: str, message: str, old: str | None = None, new: str | None = None) -> Diagnostic:
    """A finding of `check`: an error at path:line:col (every finding fails the check),
    with the old dotted name and its new one when it is about a stale reference."""
    return Diagnostic(Severity.ERROR, code, message, path, line, col, old, new)


def applied_moves(state: State, index: ProjectIndex, snapshot: Snapshot | None = None) -> MoveSet:
    """Compose the module and symbol moves of every applied phase, in order.

    With `snapshot`, each moved module's attributes are those of its code at its last
    home, so a string naming something the module does not have is not stale.
    """
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
    attributes = index.attributes(snapshot, modules) if snapshot is not None else {}
    return MoveSet(modules, symbols, index.names(), attributes=attributes)


def stale_references(mapping: Mapping, snapshot: Snapshot, state: State, index: ProjectIndex | None = None, imports: ScanCache | None = None) -> list[Diagnostic]:
    """Every reference to an old path of an applied move, in every file `check` reads.

    A pure function of the files, the applied moves and the mapping's globs: with
    `imports`, kept there under a key of all of them (a stored result), so `check`
    again on the same tree reads no file's references again."""
    target = mapping.spec.target
    index = index if index is not None else ProjectIndex.build(snapshot, target.source_roots)
    moves = applied_moves(state, index, snapshot)
    if not moves:
        return []
    moves = with_reexports(moves, index, snapshot, imports)
    if imports is None:
        return _stale_references(target, snapshot, index, moves)
    key = result_key(
        "stale-references", 1, files_key(snapshot.files), result_key("moves", moves_inputs(moves)),
        list(target.source_roots), list(target.keep_on_facades), list(target.docs), list(target.prose),
    )
    found = imports.result(key)
    if isinstance(found, list):
        try:
            return [diagnostic_of(d) for d in found]
        except ValueError:
            pass
    findings = _stale_references(target, snapshot, index, moves)
    imports.put_result(key, [diagnostic_json(d) for d in findings])
    return findings


def _stale_references(target, snapshot: Snapshot, index: ProjectIndex, moves: MoveSet) -> list[Diagnostic]:
    pattern = prefilter(moves)
    findings: list[Diagnostic] = [
        _finding(path=ref.path, line=ref.line, col=ref.col, code=commands.CODE, message=ref.message("moved to"), old=ref.old, new=ref.new)
        for ref in commands.in_snapshot(snapshot, moves.modules, target.keep_on_facades)
    ]
    for path in snapshot.paths():
        if matches_any(path, target.keep_on_facades):
            continue
        data = snapshot.get(path) or b""
        docs = matches_any(path, target.docs)  # only docs the mapping keeps current are checked
        if not path.endswith((".py", ".pyi", ".ipynb", ".yaml", ".yml", ".toml", ".ini", ".cfg")) and not docs:
            continue
        text = data.decode("utf-8", "replace")
        info = index.module_of(path)
        if not pattern.may_refer(text, info.package if info else None):
            continue
        if path.endswith((".py", ".pyi")) and is_generated_facade(text):
            continue
        module = info.name if info else None
        ctx = FileContext(path, module, module, bool(info and info.is_package), docs=docs, prose=matches_any(path, target.prose))
        try:
            _, edits, _ = rewrite_file(path, data, ctx, moves)
        except FileRewriteError as exc:
            d = exc.diagnostic
            why = d.message.split(" — ")[0]
            found = mentions(path, data, moves, info.package if info else None)
            findings.append(_finding(path=path, line=d.line or 1, col=d.col or 1, code=PARSE_ERROR, message=f"{why} — fix the syntax; {len(found)} mention(s) of old paths in it are listed to update by hand"))
            findings.extend(_finding(path=path, line=line, col=col, code=MENTION, message=f"mentions {old!r} — moved to {new!r} (the file does not parse: update it by hand)", old=old, new=new) for line, col, old, new in found)
            continue
        findings.extend(_edit_finding(path, e, ctx, moves) for e in edits)
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code))


def _edit_finding(path: str, edit: Edit, ctx: FileContext, moves: MoveSet) -> Diagnostic:
    code = CODES[edit.kind]
    old, new = _names(edit, ctx, moves)
    if old is not None:
        message = f"{WHAT[code]} {old!r} — moved to {new!r}"
    else:
        message = f"{WHAT[code]} an old path: `{edit.old.strip()}` — now `{edit.new.strip()}`"
    return _finding(path=path, line=edit.line, col=edit.col, code=code, message=message, old=old, new=new)


def _names(edit: Edit, ctx: FileContext, moves: MoveSet) -> tuple[str | None, str | None]:
    """The old dotted name an edit replaces, and its new name."""
    for token in _DOTTED.findall(edit.old):
        name = token
        if token.startswith("."):
            level = len(token) - len(token.lstrip("."))
            name = absolute_module(token.lstrip(".") or None, level=level, package=ctx.package) if ctx.package else None
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
            base = absolute_module(base.lstrip(".") or None, level=level, package=ctx.package) or base
        name = f"{base}.{m.group(2)}"
        new = moves.resolve(name) or moves.reexports.get(name)
        if new is not None:
            return name, new
    return None, None


def state_findings(mapping: Mapping, snapshot: Snapshot, state: State) -> list[Diagnostic]:
    """Facades edited since they were written; moved files that are gone; files kept on
    the old paths (`keep_on_facades`) whose facades were retired. A facade that `migrate
    retire` removed is gone on purpose: not a finding (references to its old path are
    stale references, which now fail at import time)."""
    latest: dict[str, tuple[int, str | None, str]] = {}
    for phase in state.applied:
        for path, digest in phase.files.items():
            role = phase.roles.get(path, "edited")
            latest[path] = (phase.phase, digest, role)
    retired = state.retired()
    findings = []
    root = mapping.root
    for path, (phase, digest, role) in sorted(latest.items()):
        if digest is None or (path in retired and (retired[path].after or 0) >= phase):
            continue
        full = root / path
        if role == "facade":
            current = full.read_bytes() if full.is_file() else None
            if current is None:
                findings.append(_finding(path=path, line=1, col=1, code=MOVED_FILE_MISSING, message=f"the facade written by phase {phase} is missing — old imports of this path now fail; run `migrate rollback` or restore it from version control"))
            elif sha256(current) != digest:
                findings.append(_finding(path=path, line=1, col=1, code=FACADE_EDITED, message=f"the facade written by phase {phase} was edited — it no longer matches its target; restore it (facades hold no code) or re-apply the phase"))
        elif role == "moved" and not full.is_file():
            findings.append(_finding(path=path, line=1, col=1, code=MOVED_FILE_MISSING, message=f"phase {phase} moved a module here, but the file is missing — restore it from version control"))
    if retired:
        index = ProjectIndex.build(snapshot, mapping.spec.target.source_roots)
        findings += kept_references(mapping, snapshot, state, index, facade_modules(retired, mapping.spec.target.source_roots), retired=True)
    return findings


def facade_modules(paths, source_roots) -> dict[str, str]:
    """The old dotted module each facade path serves (path → module), from the path alone
    (the file may be gone)."""
    index = ProjectIndex.build(Snapshot(Path("."), {p: FileEntry(b"", 0o644) for p in paths}), source_roots)
    return {p: index.module_of(p).name for p in paths if index.module_of(p) is not None}


def is_about(finding: Diagnostic, modules) -> bool:
    """Whether a stale reference is (or may be) to an old path below one of `modules`:
    a reference whose old name is unknown counts, so nothing is let through unseen."""
    if finding.old is None:
        return finding.code in WHAT
    return any(is_within(finding.old, m) for m in modules)


def kept_references(mapping: Mapping, snapshot: Snapshot, state: State, index: ProjectIndex, facades: dict[str, str], *, retired: bool) -> list[Diagnostic]:
    """References in `keep_on_facades` files to old paths whose facades (path → module)
    are `retired`, or about to be: they stay on the old path on purpose, and no facade
    would serve them any more (MIG014)."""
    keep = mapping.spec.target.keep_on_facades
    modules = set(facades.values())
    if not keep or not modules:
        return []
    moves = with_reexports(applied_moves(state, index, snapshot), index, snapshot)
    pattern = prefilter(moves)
    out = []
    for path in snapshot.paths():
        if not matches_any(path, keep) or not path.endswith((".py", ".pyi", ".ipynb", ".yaml", ".yml", ".toml", ".ini", ".cfg")):
            continue
        data = snapshot.get(path) or b""
        info = index.module_of(path)
        if not pattern.may_refer(data.decode("utf-8", "replace"), info.package if info else None):
            continue
        module = info.name if info else None
        ctx = FileContext(path, module, module, bool(info and info.is_package))
        try:
            found = [_edit_finding(path, e, ctx, moves) for e in rewrite_file(path, data, ctx, moves)[1]]
        except FileRewriteError:
            found = [_finding(path=path, line=line, col=col, code=MENTION, message="", old=old, new=new) for line, col, old, new in mentions(path, data, moves, info.package if info else None)]
        why = "its facade was retired, so this fails at import time" if retired else "retiring its facade would break it"
        for f in found:
            if not is_about(f, modules):
                continue
            what = repr(f.old) if f.old else "an old path"
            by_hand = f", or write {f.new!r} by hand" if f.new else ""
            message = f"keeps {what} on purpose (target.keep_on_facades), but {why} — take the file out of keep_on_facades and run `migrate check --fix`{by_hand}"
            out.append(_finding(path=path, line=f.line or 1, col=f.col or 1, code=KEPT_ON_RETIRED, message=message, old=f.old, new=f.new))
    return out


def new_cycle_findings(mapping: Mapping, snapshot: Snapshot, state: State, imports=None, progress=None, index: ProjectIndex | None = None) -> list[Diagnostic]:
    """Import cycles that fail at import time and were not there when the last phase was
    applied (its recorded baseline): someone added an import that closes one."""
    if not state.applied:
        return []
    baseline = [frozenset(c) for c in state.applied[-1].cycles]
    out = []
    for members, failure in cycle_components(mapping, snapshot, imports, progress, index):
        if failure is None or any(set(members) <= b for b in baseline):
            continue
        path, line, message = failure
        out.append(_finding(path=path, line=line, col=1, code=NEW_CYCLE, message=message))
    return out


#: The name of `cycle_components`' memo in the import cache, and its layout.
CYCLES_MEMO = "check-cycles/2"


def cycle_components(
    mapping: Mapping, snapshot: Snapshot, imports=None, progress=None, index: ProjectIndex | None = None
) -> list[tuple[tuple[str, ...], tuple[str, int, str] | None]]:
    """Every import-time cycle component of the tree, sorted, each with where and how it
    fails at import time (path, line, message) or None when it runs fine.

    With the import cache, the previous run's components are kept in it (a memo, with a
    key per module: its content hash and whether it is a package). Only modules whose
    key changed, appeared or went, and the members of old components that held one or
    sat in a package where a module appeared or went, are looked at again, through the
    graph of what they reach (`build_graph(reach_from=...)`: closed under import-time
    edges and parent packages, so every component through one of them lies in it and
    every replay of a fresh import from one of them loads what the whole tree would). Every other
    component has the same edges and members as before, so it stands. A run without a
    usable memo builds the whole graph. Either way the result is the same.
    """
    from migrator.analysis import graph
    from migrator.analysis.scans import MemoryCache, content_key

    imports = imports if imports is not None else MemoryCache()
    roots = mapping.spec.target.source_roots
    index = index if index is not None else ProjectIndex.build(snapshot, roots)
    keys = {
        name: content_key(snapshot.get(info.path) or b"") + (":p" if info.is_package else ":m")
        for name, info in index.modules.items()
    }
    config = list(roots)
    memo = imports.memo(CYCLES_MEMO)
    if memo is not None and memo.get("config") == config:
        old_keys: dict[str, str] = memo["modules"]
        old = [(tuple(members), tuple(failure) if failure else None) for members, failure in memo["components"]]
        changed = {m for m, k in keys.items() if old_keys.get(m) != k} | (set(old_keys) - set(keys))
        if not changed:
            components = old
        else:
            # A module that appears or goes changes how importers of its packages resolve
            # (`from pkg import name` reads a name or loads a submodule).
            appeared_or_gone = set(keys) ^ set(old_keys)
            touched = changed | {".".join(m.split(".")[:i]) for m in appeared_or_gone for i in range(1, m.count(".") + 1)}
            start = {m for m in changed if m in keys}
            start |= {x for members, _ in old if touched.intersection(members) for x in members if x in keys}
            g = graph.build_graph(snapshot, index, cache=imports, reach_from=start, progress=progress)
            redone = set(g.modules())
            components = [c for c in old if redone.isdisjoint(c[0])] + _components(g)
    else:
        components = _components(graph.build_graph(snapshot, index, cache=imports, progress=progress))
    components.sort()
    imports.set_memo(CYCLES_MEMO, {"config": config, "modules": keys, "components": [[list(m), list(f) if f else None] for m, f in components]})
    return components


def _components(g) -> list[tuple[tuple[str, ...], tuple[str, int, str] | None]]:
    out = []
    for scc in g.sccs():
        cycle = g.failing_cycle(scc)
        if cycle is None:
            out.append((tuple(scc), None))
            continue
        first = next((e for e in cycle.edges if not e.implicit), cycle.edges[0])
        message = (
            f"new import cycle that fails at import time: {cycle} — move one of these imports into the function "
            f"that needs it (edges: {'; '.join(e.location() + ' ' + e.source + ' → ' + e.target for e in cycle.edges)})"
        )
        out.append((tuple(scc), (first.path, first.line or 1, message)))
    return out


def run_check(mapping: Mapping, state: State, snapshot: Snapshot | None = None, *, cache: bool = True, progress=None) -> list[Diagnostic]:
    """Every finding. `cache`: use and update the import cache in the target's state
    folder (the result never depends on it). `progress` is told how parsing goes. With
    an `InferredState` (no record), only references are compared, and a phase the tree
    shows half-applied is a finding."""
    from migrator.adapters.cache import ImportCache

    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    imports = ImportCache.load(mapping.root) if cache else ImportCache()
    index = ProjectIndex.build(snapshot, mapping.spec.target.source_roots)
    findings = stale_references(mapping, snapshot, state, index, imports)
    if isinstance(state, InferredState):
        # Read from the tree: no digests to compare facades with, no baseline of cycles.
        findings = list(state.half_applied) + findings
    else:
        findings += state_findings(mapping, snapshot, state)
        findings += new_cycle_findings(mapping, snapshot, state, imports, progress, index)
    imports.save(limit=3 * len(snapshot.files))
    return findings


def state_to_check(mapping: Mapping, state: State, snapshot: Snapshot, *, recorded: bool) -> State:
    """What `check` compares the tree with: the recorded state, or, when nothing is
    recorded (`recorded` False: no state.json), the phases the tree shows as applied
    (`inferred.infer_state`)."""
    return state if recorded else infer_state(mapping, snapshot)


def fix_plan(mapping: Mapping, state: State, snapshot: Snapshot | None = None) -> PhasePlan:
    """The edits `check --fix` writes: every stale reference rewritten, as a plan."""
    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    target = mapping.spec.target
    index = ProjectIndex.build(snapshot, target.source_roots)
    moves = with_reexports(applied_moves(state, index, snapshot), index, snapshot)
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
        ctx = FileContext(path, module, module, bool(info and info.is_package), docs=matches_any(path, target.docs), prose=matches_any(path, target.prose))
        try:
            data, edits, _ = rewrite_file(path, entry.data, ctx, moves)
        except FileRewriteError:
            continue  # reported by `check` as MIG013
        if data != entry.data:
            changes.append(FileChange(path, ChangeRole.EDITED, entry.data, data, None, edits, entry.mode))
    return PhasePlan(0, "check --fix", tuple(changes), (), (), ())
