"""`migrate audit`, the seed's Phase 1: what to know before anything moves. Pure.

For the modules a mapping moves (module moves expanded to every module below a moved
package, and the modules symbol moves take names from), the audit reports:

- **overlaps**: top-level functions and classes of a moved module that also exist
  elsewhere in the target, found by name and by normalized body (docstrings, comments,
  formatting and local names ignored: `equivalence.normal_form` with
  `ignore_local_names`). Each pair is `identical` (equal normal forms; the names may
  differ), `near-identical` (same name, token similarity ≥ `NEAR_IDENTICAL`) or
  `same-name-different-body`, with the similarity figure. Modules that are copies of
  each other (the mapping moves one onto the other, or half or more of their
  definitions overlap) are compared as wholes too (`MODULE_NEAR_IDENTICAL`), after
  rewriting their imports as the mapping's moves would; facades are left to their own
  section.
- **usage**: for each moved module, every import site (file:line, from the import
  graph for the source roots, and from tests, scripts and notebook cells outside
  them) and a classification from its importers: `generic` (imported from two or more
  areas), `job-specific` (only from one job package, `<pkg>.jobs.<name>`),
  `package-internal` (only from one other area) or `unused` (no code imports it), with
  the evidence. An importer's area is its job package when it lies inside one, else its
  top-level package; re-exports by the module's own parent packages, facades and files
  outside the source roots are evidence but not areas.
- **cycles**: the import cycles a fresh import fails on now
  (`graph.ImportGraph.failing_cycles`) and, for every phase not applied yet, the
  cycles of the imports it would break, answered by the cycle gate's own function
  (`engine.cycle_gate.phase_failures`), each phase planned in memory on the result of
  the previous one.
- **facades**: modules that only re-export other modules of the target (docstring,
  imports, `__all__`, a deprecation warning; no definitions), hand-made or generated
  by migrator, with the modules they forward to and what the mapping does with them,
  so a mapping does not move a facade as if it were code.

Everything is computed from a `Snapshot`; nothing touches the disk.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from migrator.analysis import equivalence, graph as graphs
from migrator.analysis.scans import MemoryCache
from migrator.commands.audit_facades import Facade, find_facades
from migrator.engine.cycle_gate import phase_failures
from migrator.engine.expand import expand
from migrator.mapping.spec import Mapping, MoveSpec, PhaseSpec
from migrator.model.names import is_within, longest_prefix
from migrator.model.plan import Diagnostic, MoveSet
from migrator.engine.plan import plan_phase
from migrator.adapters.environment import installed_import_names
from migrator.analysis.project import NOTEBOOK_SUFFIX, FileEntry, ModuleInfo, ProjectIndex, Snapshot
from migrator.adapters.state import State

#: Token similarity from which two same-name definitions count as near-identical.
NEAR_IDENTICAL = 0.7
#: Copies with different names count only from this many tokens: `class E(Exception):
#: pass` under two names is a coincidence, not a duplicate.
MIN_RENAMED_TOKENS = 25
#: Whole modules need more: one shared function should not make two modules "copies".
MODULE_NEAR_IDENTICAL = 0.85
#: Package names whose subpackages are job packages (`orchestration.jobs.<job>`).
JOB_CONTAINERS = ("jobs",)

OverlapKind = str  # "identical" | "near-identical" | "same-name-different-body"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DefinitionRef:
    """A top-level function or class: where it is."""

    module: str
    name: str
    path: str
    line: int
    kind: str  # "function" | "class"

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Overlap:
    """A definition of a moved module (`subject`) and another copy of it (`other`)."""

    subject: DefinitionRef
    other: DefinitionRef
    kind: OverlapKind
    similarity: float
    #: What the mapping does about it ("phase 9 consolidates it into paths.validation"),
    #: or None when no move addresses this pair.
    planned: str | None = None


@dataclass(frozen=True)
class ModuleOverlap:
    """Two modules that are copies of each other, compared as wholes."""

    subject: str
    subject_path: str
    other: str
    other_path: str
    kind: str  # "identical" | "near-identical" | "different"
    similarity: float
    shared: int  # definitions of `subject` with an identical or near-identical copy in `other`
    planned: str | None = None


@dataclass(frozen=True)
class ImportSite:
    """One statement that imports a moved module."""

    path: str
    line: int
    importer: str | None  # the importing module; None outside the source roots
    kind: str  # "top" | "lazy" | "typing"
    role: str  # "code" | "reexport" | "facade" | "outside"
    area: str
    cell: int | None = None  # notebooks: the 1-based index of the cell; `line` is inside it

    def location(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}"
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class SymbolMovePlan:
    name: str
    destination: str
    phase: int


@dataclass(frozen=True)
class ModuleUsage:
    """A module the mapping moves (or takes symbols from), and who imports it."""

    module: str
    path: str
    destination: str | None  # None when only symbols move
    phase: int | None
    symbols: tuple[SymbolMovePlan, ...]
    sites: tuple[ImportSite, ...]
    classification: str  # "generic" | "job-specific" | "package-internal" | "unused"
    evidence: str
    areas: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PhaseCycles:
    phase: int
    title: str
    status: str  # "ok" | "new-cycles" | "refused" | "not-simulated"
    new_cycles: tuple[graphs.Cycle, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditReport:
    mapping: str
    target: str
    #: The packages the seed checks overlaps against (default: the existing top-level
    #: packages the mapping moves code into), with overlap counts per kind.
    packages: tuple[tuple[str, dict[str, int]], ...]
    modules: tuple[ModuleUsage, ...]
    overlaps: tuple[Overlap, ...]
    module_overlaps: tuple[ModuleOverlap, ...]
    facades: tuple[Facade, ...]
    existing_cycles: tuple[graphs.Cycle, ...]
    phases: tuple[PhaseCycles, ...]
    unparsable: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- entry point


def run_audit(
    mapping: Mapping,
    snapshot: Snapshot,
    state: State | None = None,
    *,
    packages: Sequence[str] | None = None,
    simulate_phases: bool = True,
) -> AuditReport:
    """Audit the moves of every phase `state` does not record as applied."""
    roots = mapping.spec.target.source_roots
    index = ProjectIndex.build(snapshot, roots)
    pending = [p for p in mapping.spec.phases if state is None or not state.is_applied(p.phase)]
    notes: list[str] = []

    plan = _MovePlan.of(mapping, pending, index, snapshot)
    for spec, phase in plan.missing:
        notes.append(f"phase {phase}: {spec.source!r} does not exist in the tree now (created by an earlier phase?) — not audited")
    trees = _parse_all(snapshot, index)
    imports = MemoryCache()  # scans shared by the graph now and every simulated phase
    import_graph = graphs.build_graph(snapshot, index, cache=imports)
    facades = find_facades(snapshot, index, trees)
    facades = tuple(_with_plans(f, plan) for f in facades)
    facade_names = {f.module for f in facades}

    subjects = sorted(set(plan.module_moves) | set(plan.symbol_moves))
    definitions = _definitions(index, trees, facade_names)
    overlaps = find_overlaps(definitions, subjects)
    overlaps = [_annotate(o, plan) for o in overlaps]
    module_overlaps = _module_overlaps([s for s in subjects if s not in facade_names], definitions, overlaps, snapshot, index, plan)

    sites = _import_sites(snapshot, index, import_graph, facade_names)
    modules = tuple(_usage(name, index, sites.get(name, []), plan) for name in subjects)

    if packages is None:
        packages = plan.existing_destination_packages(index)
    per_package = tuple((pkg, _counts(o for o in overlaps if is_within(o.other.module, pkg))) for pkg in packages)

    if simulate_phases:
        phases = _phase_cycles(mapping, pending, snapshot, imports)
    else:
        phases = [PhaseCycles(p.phase, p.title, "not-simulated") for p in pending]

    return AuditReport(
        mapping=str(mapping.path),
        target=str(mapping.root),
        packages=per_package,
        modules=modules,
        overlaps=tuple(overlaps),
        module_overlaps=tuple(module_overlaps),
        facades=facades,
        existing_cycles=tuple(c for c, _ in import_graph.failing_cycles()),
        phases=tuple(phases),
        unparsable=tuple(f"{f.path}:{f.line}:{f.col}: {f.message}" for f in import_graph.unparsable),
        notes=tuple(notes),
    )


def _phase_cycles(mapping: Mapping, pending: Sequence[PhaseSpec], snapshot: Snapshot, imports: MemoryCache) -> list[PhaseCycles]:
    """Each pending phase planned in memory on the result of the previous one, with the
    cycles of the imports it breaks (the gate's `phase_failures`), until one is refused."""
    phases: list[PhaseCycles] = []
    snap = snapshot
    for spec in pending:
        phase_plan, after = plan_phase(mapping, spec, snap, imports=imports, installed=installed_import_names)
        if phase_plan.errors:
            phases.append(PhaseCycles(spec.phase, spec.title, "refused", (), tuple(map(_one_line, phase_plan.errors))))
            break
        changed = {c.path for c in phase_plan.changes} | {c.renamed_from for c in phase_plan.changes if c.renamed_from}
        renames = {m.old: m.new for m in phase_plan.moves}
        failures = phase_failures(snap, after, renames, changed, source_roots=mapping.spec.target.source_roots, imports=imports)
        new = tuple(f.cycle for f in failures)
        phases.append(PhaseCycles(spec.phase, spec.title, "new-cycles" if new else "ok", new))
        snap = after
    simulated = {p.phase for p in phases}
    phases.extend(PhaseCycles(p.phase, p.title, "not-simulated") for p in pending if p.phase not in simulated)
    return phases


def _one_line(d: Diagnostic) -> str:
    where = f"{d.location()}: " if d.location() else ""
    return f"{d.code} {where}{d.message.splitlines()[0]}"


# --------------------------------------------------------------------------- the mapping's moves


@dataclass
class _MovePlan:
    """The moves of the pending phases, expanded against the current tree."""

    #: module → (new name, phase, the move)
    module_moves: dict[str, tuple[str, int, MoveSpec]] = field(default_factory=dict)
    #: module → [(name, destination module, phase, the move)]
    symbol_moves: dict[str, list[tuple[str, str, int, MoveSpec]]] = field(default_factory=dict)
    missing: list[tuple[MoveSpec, int]] = field(default_factory=list)

    @classmethod
    def of(cls, mapping: Mapping, phases: Sequence[PhaseSpec], index: ProjectIndex, snapshot: Snapshot) -> "_MovePlan":
        """Each phase's module moves as `engine.expand.expand` expands them against the
        tree now (a module keeps the first phase that moves it); its symbol moves and
        the moves whose source does not exist now, as the mapping says them."""
        out = cls()
        for phase in phases:
            for spec in phase.moves:
                if index.get(spec.source_module) is None:
                    out.missing.append((spec, phase.phase))
                elif spec.is_symbol:
                    out.symbol_moves.setdefault(spec.source_module, []).append((spec.symbol or "", spec.to, phase.phase, spec))
            # The move each module goes with: its nearest moved ancestor's (as expand says).
            specs = {m.source: m for m in phase.moves if not m.is_symbol and index.get(m.source) is not None}
            for name, new in expand(mapping, phase, index, snapshot, installed_import_names).moveset.modules.items():
                owner = longest_prefix(name, specs)
                if owner is not None and name not in out.module_moves:
                    out.module_moves[name] = (new, phase.phase, specs[owner])
        return out

    def renamer(self):
        moves = MoveSet(modules={old: new for old, (new, _, _) in self.module_moves.items()})
        return moves.resolve

    def existing_destination_packages(self, index: ProjectIndex) -> list[str]:
        tops = {new.split(".")[0] for new, _, _ in self.module_moves.values()}
        tops |= {dest.split(".")[0] for moves in self.symbol_moves.values() for _, dest, _, _ in moves}
        sources = {old.split(".")[0] for old in self.module_moves} | {m.split(".")[0] for m in self.symbol_moves}
        return sorted(t for t in tops if index.get(t) is not None and t not in sources)


def _prefer(spec: MoveSpec) -> str:
    return f" (prefer: {spec.prefer})" if spec.prefer else ""


# --------------------------------------------------------------------------- definitions and overlaps


@dataclass
class _Definition:
    ref: DefinitionRef
    normal: str  # normal form with the name
    body: str  # normal form with the name blanked: finds renamed copies
    node: ast.AST  # the normalized node
    _tokens: tuple[str, ...] | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        if self._tokens is None:
            self._tokens = equivalence.tokens(self.node)
        return self._tokens


def _parse_all(snapshot: Snapshot, index: ProjectIndex) -> dict[str, ast.Module]:
    trees = {}
    for name, info in index.modules.items():
        data = snapshot.get(info.path)
        if data is None:
            continue
        try:
            trees[name] = ast.parse(data, filename=info.path)
        except (SyntaxError, ValueError):
            continue
    return trees


def _definitions(index: ProjectIndex, trees: dict[str, ast.Module], skip: set[str]) -> dict[str, list[_Definition]]:
    out: dict[str, list[_Definition]] = {}
    for module, tree in trees.items():
        if module in skip:
            continue
        defs = []
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            normalized = equivalence.normalized_node(node, ignore_local_names=True)
            normal = equivalence.dump(normalized)
            name = normalized.name
            normalized.name = ""
            body = equivalence.dump(normalized)
            normalized.name = name
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            ref = DefinitionRef(module, node.name, index.modules[module].path, node.lineno, kind)
            defs.append(_Definition(ref, normal, body, normalized))
        out[module] = defs
    return out


def duplicates_between(snapshot: Snapshot, index: ProjectIndex, pairs: Iterable[tuple[str, str]]) -> list[Overlap]:
    """Definitions present in both modules of a pair (old location, new location) as
    identical or near-identical copies: what a move should not leave behind."""
    pairs = [(a, b) for a, b in pairs if index.get(a) is not None and index.get(b) is not None and a != b]
    wanted = {m for pair in pairs for m in pair}
    trees = {name: tree for name, tree in _parse_all(snapshot, index).items() if name in wanted}
    facades = {f.module for f in find_facades(snapshot, index, trees)}
    definitions = _definitions(index, trees, facades)
    out = []
    for a, b in pairs:
        subset = {a: definitions.get(a, []), b: definitions.get(b, [])}
        out.extend(o for o in find_overlaps(subset, [a]) if o.kind != "same-name-different-body")
    return out


def find_overlaps(definitions: dict[str, list[_Definition]], subjects: Iterable[str]) -> list[Overlap]:
    """Every definition of a subject module that also exists in another module.

    Pairs are found by name or by normalized body; each unordered pair is reported once
    (with the first subject module, in sorted order, as the subject).
    """
    by_name: dict[str, list[_Definition]] = {}
    by_body: dict[str, list[_Definition]] = {}
    for defs in definitions.values():
        for d in defs:
            by_name.setdefault(d.ref.name, []).append(d)
            by_body.setdefault(d.body, []).append(d)
    seen: set[frozenset[tuple[str, str]]] = set()
    out: list[Overlap] = []
    for module in sorted(subjects):
        for d in definitions.get(module, ()):
            candidates = {id(o): o for o in by_name.get(d.ref.name, []) + by_body.get(d.body, [])}
            for other in sorted(candidates.values(), key=lambda o: (o.ref.module, o.ref.name)):
                if other.ref.module == module:
                    continue
                if other.ref.name != d.ref.name and len(d.tokens) < MIN_RENAMED_TOKENS:
                    continue
                key = frozenset({(module, d.ref.name), (other.ref.module, other.ref.name)})
                if key in seen:
                    continue
                seen.add(key)
                out.append(_compare(d, other))
    return out


def _compare(d: _Definition, other: _Definition) -> Overlap:
    if d.body == other.body and d.ref.kind == other.ref.kind:
        return Overlap(d.ref, other.ref, "identical", 1.0)
    ratio = round(equivalence.similarity(d.tokens, other.tokens), 3)
    kind = "near-identical" if ratio >= NEAR_IDENTICAL else "same-name-different-body"
    return Overlap(d.ref, other.ref, kind, ratio)


def _annotate(o: Overlap, plan: _MovePlan) -> Overlap:
    planned = _planned_between(o.subject, o.other, plan) or _planned_between(o.other, o.subject, plan)
    return Overlap(o.subject, o.other, o.kind, o.similarity, planned)


def _planned_between(a: DefinitionRef, b: DefinitionRef, plan: _MovePlan) -> str | None:
    for name, dest, phase, spec in plan.symbol_moves.get(a.module, ()):
        if name == a.name and dest == b.module:
            return f"phase {phase}: consolidated into {dest}{_prefer(spec)}"
        if name == a.name:
            return f"phase {phase}: {a.name} moves to {dest}{_prefer(spec)}; the copy in {b.module} stays"
    move = plan.module_moves.get(a.module)
    if move is not None:
        new, phase, spec = move
        if new == b.module:
            return f"phase {phase}: {a.module} moves onto {b.module}{_prefer(spec)}"
    return None


def _counts(overlaps: Iterable[Overlap]) -> dict[str, int]:
    c = Counter(o.kind for o in overlaps)
    return {k: c.get(k, 0) for k in ("identical", "near-identical", "same-name-different-body")}


def _module_overlaps(
    subjects: list[str],
    definitions: dict[str, list[_Definition]],
    overlaps: list[Overlap],
    snapshot: Snapshot,
    index: ProjectIndex,
    plan: _MovePlan,
) -> list[ModuleOverlap]:
    """Module pairs worth comparing whole: the mapping moves one onto the other, or
    half or more of the definitions of each have a close copy in the other."""
    shared: Counter[tuple[str, str]] = Counter()
    for o in overlaps:
        if o.kind != "same-name-different-body":
            shared[(o.subject.module, o.other.module)] += 1
            shared[(o.other.module, o.subject.module)] += 1
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for a in subjects:
        move = plan.module_moves.get(a)
        if move is not None and index.get(move[0]) is not None and not index.modules[move[0]].is_package:
            pairs.setdefault(frozenset({a, move[0]}), (a, move[0]))
    for (a, b), n in shared.items():
        if a not in subjects:
            continue
        if 2 * n >= len(definitions.get(a, ())) and 2 * n >= len(definitions.get(b, ())):
            pairs.setdefault(frozenset({a, b}), (a, b))
    rename = plan.renamer()
    out = []
    for a, b in sorted(pairs.values()):
        ia, ib = index.modules[a], index.modules[b]
        try:
            ta = equivalence.normalized_tree(snapshot.get(ia.path) or b"", a, ia.is_package, ignore_local_names=True, rename=rename)
            tb = equivalence.normalized_tree(snapshot.get(ib.path) or b"", b, ib.is_package, ignore_local_names=True, rename=rename)
        except SyntaxError:
            continue
        if equivalence.dump(ta) == equivalence.dump(tb):
            kind, ratio = "identical", 1.0
        else:
            ratio = round(equivalence.similarity(equivalence.tokens(ta), equivalence.tokens(tb)), 3)
            kind = "near-identical" if ratio >= MODULE_NEAR_IDENTICAL else "different"
        planned = None
        for x, y in ((a, b), (b, a)):
            move = plan.module_moves.get(x)
            if move is not None and move[0] == y:
                planned = f"phase {move[1]}: {x} moves onto {y}{_prefer(move[2])}"
        out.append(ModuleOverlap(a, ia.path, b, ib.path, kind, ratio, shared[(a, b)], planned))
    return out


# --------------------------------------------------------------------------- import sites


def _import_sites(snapshot: Snapshot, index: ProjectIndex, import_graph: graphs.ImportGraph, facades: set[str]) -> dict[str, list[ImportSite]]:
    """Import sites per imported module: the graph's edges, and files outside the roots."""
    raw: list[tuple[str, int, str | None, str, str, int | None]] = []  # path, line, importer, target, kind, cell
    for e in import_graph.edges():
        if not e.implicit:
            raw.append((e.path, e.line, e.source, e.target, e.kind, None))
    raw.extend(_outside_imports(snapshot, index))
    # `import a.b.c` runs a, a.b and a.b.c: the statement is about the deepest one.
    by_statement: dict[tuple[str, int, int | None], set[str]] = {}
    for path, line, _, target, _, cell in raw:
        by_statement.setdefault((path, line, cell), set()).add(target)
    out: dict[str, list[ImportSite]] = {}
    for path, line, importer, target, kind, cell in raw:
        others = by_statement[(path, line, cell)]
        if any(t.startswith(target + ".") for t in others):
            continue
        if importer is None:
            role, area = "outside", path.split("/")[0]
        elif target.startswith(importer + "."):
            role, area = "reexport", importer
        elif importer in facades:
            role, area = "facade", importer
        else:
            role, area = "code", area_of(importer)
        out.setdefault(target, []).append(ImportSite(path, line, importer, kind, role, area, cell))
    for sites in out.values():
        sites.sort(key=lambda s: (s.path, s.cell or 0, s.line))
    return out


def _outside_imports(snapshot: Snapshot, index: ProjectIndex):
    """Imports of the target's modules from Python files and notebooks outside the roots.

    Each such file (each notebook cell) joins a second graph as a stand-in module
    with no dots in its name, so `graph.build_graph` resolves its imports exactly as it
    does for the target's own modules; only the stand-ins are parsed again.
    """
    from migrator.engine.notebooks import _mask

    files: dict[str, FileEntry] = {}
    where: dict[str, tuple[str, int | None]] = {}
    for path in snapshot.paths():
        if index.module_of(path) is not None:
            continue
        data = snapshot.get(path) or b""
        if path.endswith((".py", ".pyi")) and not any(path.startswith(r + "/") for r in index.source_roots if r not in ("", ".")):
            chunks = [(None, data)]
        elif path.endswith(NOTEBOOK_SUFFIX):
            chunks = [(number, _mask(source)[0].encode("utf-8")) for number, source in _notebook_cells(data)]
        else:
            continue
        for cell, chunk in chunks:
            key = f"{path}#{cell}" if cell is not None else path
            files[key] = FileEntry(chunk, 0o644)
            where[key] = (path, cell)
    if not files:
        return
    stand_ins = {f"__outside_{i}": ModuleInfo(f"__outside_{i}", key, "", False) for i, key in enumerate(files)}
    modules = {**index.modules, **stand_ins}
    extended = ProjectIndex(modules, {m.path: m for m in modules.values()}, index.source_roots)
    outside_graph = graphs.build_graph(Snapshot(snapshot.root, files), extended)
    for e in outside_graph.edges():
        if e.source in stand_ins and not e.implicit:
            path, cell = where[e.path]
            yield path, e.line, None, e.target, e.kind, cell


def _notebook_cells(data: bytes) -> list[tuple[int, str]]:
    from migrator.engine.notebooks import NotebookError, code_cells

    try:
        cells = code_cells(data.decode("utf-8"))
    except (NotebookError, UnicodeDecodeError):
        return []
    return [(index + 1, source) for index, source in cells if not source.lstrip().startswith("%%")]


def area_of(module: str) -> str:
    """The job package a module lies in (`orchestration.jobs.hpo`), else its top-level package."""
    parts = module.split(".")
    for container in JOB_CONTAINERS:
        if container in parts[1:-1]:
            i = parts.index(container, 1)
            return ".".join(parts[: i + 2])
    return parts[0]


def is_job_package(area: str) -> bool:
    parts = area.split(".")
    return len(parts) >= 3 and parts[-2] in JOB_CONTAINERS


def _usage(module: str, index: ProjectIndex, sites: list[ImportSite], plan: _MovePlan) -> ModuleUsage:
    info = index.modules[module]
    move = plan.module_moves.get(module)
    symbols = tuple(SymbolMovePlan(n, d, p) for n, d, p, _ in plan.symbol_moves.get(module, ()))
    code = [s for s in sites if s.role == "code"]
    areas = Counter(s.area for s in code)
    ordered = tuple(sorted(areas.items(), key=lambda kv: (-kv[1], kv[0])))
    listing = ", ".join(f"{a} ({n})" for a, n in ordered)
    if len(areas) >= 2:
        classification = "generic"
        evidence = f"imported from {len(areas)} areas: {listing}"
    elif len(areas) == 1:
        (area, n), = ordered
        if is_job_package(area):
            classification = "job-specific"
            evidence = f"imported only by the job package {area} ({_sites(n)})"
        else:
            classification = "package-internal"
            evidence = f"imported only from {area} ({_sites(n)})"
    else:
        classification = "unused"
        evidence = "no module of the source roots imports it"
    extra = []
    reexports = sorted({s.importer for s in sites if s.role == "reexport" and s.importer})
    if reexports:
        extra.append("re-exported by " + ", ".join(reexports))
    facades = sorted({s.importer for s in sites if s.role == "facade" and s.importer})
    if facades:
        extra.append("forwarded by the facade(s) " + ", ".join(facades))
    outside = Counter(s.area for s in sites if s.role == "outside")
    if outside:
        extra.append("also imported from " + ", ".join(f"{a} ({_sites(n)})" for a, n in sorted(outside.items())))
    if extra:
        evidence += "; " + "; ".join(extra)
    return ModuleUsage(
        module=module,
        path=info.path,
        destination=move[0] if move else None,
        phase=move[1] if move else None,
        symbols=symbols,
        sites=tuple(sites),
        classification=classification,
        evidence=evidence,
        areas=ordered,
    )


def is_package_init_cycle(cycle: graphs.Cycle) -> bool:
    """A package whose `__init__` imports its own submodule, which runs the package
    first (the parent-package edge): a cycle by the graph's rules that usually works."""
    return all(e.implicit or e.target.startswith(e.source + ".") for e in cycle.edges)


def _sites(n: int) -> str:
    return f"{n} site" if n == 1 else f"{n} sites"


# --------------------------------------------------------------------------- facades


def _with_plans(f: Facade, plan: _MovePlan) -> Facade:
    move = plan.module_moves.get(f.module)
    if move is None:
        return f
    new, phase, spec = move
    planned = f"phase {phase}: {'onto' if spec.prefer == 'destination' else 'to'} {new}{_prefer(spec)}"
    onto_target = any(is_within(t, new) for t in f.targets)
    warning = None
    if not onto_target:
        warning = (
            f"phase {phase} moves this facade to {new} as if it were code; it only re-exports "
            f"{', '.join(f.targets)} — move it onto that module with `prefer: destination` so references point there"
        )
    elif spec.prefer != "destination":
        warning = (
            f"phase {phase} moves this facade onto its own target {new} without `prefer: destination`: "
            "the copies differ (one only re-exports the other), so the phase will be refused — add `prefer: destination`"
        )
    return Facade(f.module, f.path, f.targets, f.style, planned, warning)
