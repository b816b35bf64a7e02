"""The import graph of the target: which of its modules runs which, and when.

Nodes are the modules of a `ProjectIndex` (packages included). An `ImportEdge` A → B
says that A's file makes B run, with the file and line of the statement and a `kind`:

- ``top``: at import time (module level, module-level ``if``/``try``/``with`` blocks and
  class bodies);
- ``lazy``: inside a function or method body, so only when it is called;
- ``typing``: under ``if TYPE_CHECKING:`` (or ``if <module>.TYPE_CHECKING:``), never at
  run time.

What a statement depends on: ``import a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``, and
so does a module-level ``importlib.import_module("a.b.c")`` (as in migrator's facades);
``from pkg import name`` runs ``pkg``, and ``pkg.name`` too when that is a submodule;
relative imports resolve from the file's package (a package's ``__init__`` resolves
from the package itself). Only internal modules count; a namespace package (no
``__init__.py``) is no node, so an edge to one goes to its nearest indexed ancestor.
A package that imports its own submodule (``from . import x`` in ``a/__init__``) gets
no edge to itself; a true self-import (``import a.x`` in ``a/x.py``) does.

Parent packages: importing ``a.b.c`` first runs ``a/__init__`` and ``a/b/__init__``.
Every module therefore has one **implicit** edge, kind ``top``, to its nearest indexed
parent package (the rest follows transitively). Implicit edges carry ``implicit=True``,
the module's own file as ``path`` and ``line`` 0, since no statement causes them; reports
call them "parent package". A package whose ``__init__`` imports one of its own
submodules is thus an import-time cycle, as it is at run time (it usually works, but the
submodule runs against a half-initialized package).

Each file's imports come from its scan (`scans`: stdlib ``ast``, statements only, from
a `ScanCache` when its content was seen, large inputs parsed in worker processes with
results identical to a serial run). Strongly connected components and shortest cycles
are `cycles` (networkx, and breadth-first searches over sorted adjacency dicts:
deterministic tie-breaking); the replay of a fresh import is `replay`. The public API
speaks in module names, `ImportEdge` and `Cycle`; no networkx type leaves the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from migrator.analysis import pyast
from migrator.analysis.cycles import Hops, cyclic_sccs, girth_path, shortest_cycle_through_hops
from migrator.analysis.project import ModuleInfo, ProjectIndex, Snapshot
from migrator.model.names import absolute_module, ancestors, is_within
from migrator.analysis.replay import Replay
from migrator.analysis.scans import ScanCache, gc_paused, scan_all, worth_scanning_all
from migrator.model.plan import Progress

EdgeKind = pyast.EdgeKind

#: The version of `ImportGraph.to_json`'s layout; bumped on any incompatible change.
JSON_FORMAT = "migrator.import-graph/2"

# The stronger kind wins when one module imports another in several ways.
_KIND_RANK: dict[EdgeKind, int] = {"top": 0, "lazy": 1, "typing": 2}


@dataclass(frozen=True)
class ImportEdge:
    """`source` makes `target` run: from the statement at `path`:`line`, when `kind` says.

    `implicit` marks the parent-package edge (see the module docstring): then `path` is
    the source module's own file and `line` is 0.
    """

    source: str
    target: str
    path: str
    line: int
    kind: EdgeKind
    implicit: bool = False
    #: The names the statement reads from `target` (`from target import NAME`, NAME not
    #: a submodule): it fails if `target` is still initializing and has not bound one of
    #: them yet. `import a.b` and `from pkg import submodule` read nothing: they only
    #: need the module to exist.
    reads: tuple[str, ...] = ()
    #: A *conditional* import-time edge: the statement sits in a module-level ``if``
    #: (other than ``if TYPE_CHECKING:``) or ``try``, so it may not run on the platform
    #: that matters, or its failure may be caught (see `ImportGraph.import_failure`).
    guarded: bool = False

    def location(self) -> str:
        """``path:line`` of the statement; just ``path`` for a parent-package edge."""
        return self.path if self.implicit else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        how = "parent package" if self.implicit else "conditional import" if self.guarded else f"{self.kind} import"
        return f"{self.location()}: {self.source} → {self.target} ({how})"


@dataclass(frozen=True)
class Cycle:
    """A closed path of edges: each edge's target is the next edge's source.

    It starts at its alphabetically smallest module, so equal cycles compare equal.
    """

    edges: tuple[ImportEdge, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules along the cycle, each once, in order."""
        return tuple(e.source for e in self.edges)

    def __str__(self) -> str:
        return " → ".join((*self.modules, self.edges[0].source))

    def describe(self) -> str:
        """The path on one line, then one line per edge with its file:line."""
        return "\n".join([str(self), *(f"  {e}" for e in self.edges)])


class ParseFailure(NamedTuple):
    """A file that does not parse: where (1-based line and column) and why."""

    path: str
    line: int
    col: int
    message: str


# What it finds: (line, target module, kind, names read, guarded) sorted and unique, or
# why the file failed.
_FileImports = tuple[list[tuple[int, str, EdgeKind, tuple[str, ...], bool]], ParseFailure | None]
_Hops = Hops[ImportEdge]


def build_graph(
    snapshot: Snapshot,
    index: ProjectIndex,
    *,
    workers: int | None = None,
    cache: ScanCache | None = None,
    reach_from: Iterable[str] | None = None,
    and_back: bool = False,
    progress: Progress | None = None,
) -> ImportGraph:
    """The import graph of the modules of `index`, reading files from `snapshot`.

    Files that do not parse keep their node (and parent-package edge) but contribute no
    import edges; they are listed in `ImportGraph.unparsable`. `workers` is the number of
    processes that parse files: None chooses (serial below `scans.POOL_THRESHOLD`
    files), 1 forces a serial run. `cache` (any `scans.ScanCache`) skips parsing files
    whose content it has seen. Neither changes the result. `progress` is told how
    parsing goes.

    With `reach_from`, the graph holds only the modules those reach through import-time
    edges (parent packages included): a set closed under those edges, so every
    import-time cycle through one of them, and every replay of the import order from
    one, is exactly as in the whole graph (`ImportGraph.import_failure` loads the same
    modules in the same order). Lazy and typing edges leaving the set are left out.
    With `and_back` too, it keeps of those only the modules that also reach back to
    one of `reach_from` (the only ones a cycle through them can pass): the same
    components through them, but *not* the same replays: a broken cycle the start
    reaches, off every path back to it, is gone, so a fresh import of the start may
    "work" there and fail in the whole tree. The cycle gate and `check` therefore
    use `reach_from` alone.
    """
    names = frozenset(index.modules)
    files = _Files(snapshot, cache, workers, progress, _Resolver(names))
    with gc_paused():
        present = [info for info in index.modules.values() if snapshot.get(info.path) is not None]
        if reach_from is None or worth_scanning_all(present, snapshot, cache, workers):
            # Parsed in one go, in parallel: cheaper than level by level once the files
            # to parse are many (what the modules reach is often most of the tree).
            files.scan(present)
        if reach_from is None:
            infos, kept = present, names
        else:
            infos, kept = _reached(index, files, {m for m in reach_from if m in names})
            if and_back:
                kept = _reaching_back(kept, {m for m in reach_from if m in names}, infos, files.resolve, names)
                infos = [info for info in infos if info.name in kept]
        return _graph(index, infos, kept, files)


class _Files:
    """The scans and resolved imports of the files a graph is built from, made once each."""

    def __init__(self, snapshot: Snapshot, cache: ScanCache | None, workers: int | None, progress: Progress | None, resolver: _Resolver):
        self.snapshot, self.cache, self.workers, self.progress = snapshot, cache, workers, progress
        self.resolver = resolver
        self.scans: dict[str, pyast.Scan] = {}
        self._resolved: dict[str, _FileImports] = {}

    def scan(self, infos: Sequence[ModuleInfo]) -> None:
        """Scan every file of `infos` not scanned yet (`scans.scan_all`)."""
        scan_all(infos, self.snapshot, self.scans, self.cache, self.workers, self.progress)

    def resolve(self, info: ModuleInfo) -> _FileImports:
        """The module's imports resolved to internal modules (its file scanned already)."""
        found = self._resolved.get(info.name)
        if found is None:
            found = self._resolved[info.name] = _resolved(info, self.scans[info.path], self.resolver)
        return found


def _reached(index: ProjectIndex, files: _Files, starts: set[str]) -> tuple[list[ModuleInfo], frozenset[str]]:
    """The modules `starts` reach through import-time edges and parent packages (those
    with a file, in the order they were reached), and the names of all reached.

    Level by level: each level's files are scanned (from the cache or parsed) together."""
    names = frozenset(index.modules)
    infos: list[ModuleInfo] = []
    seen: set[str] = set()
    frontier = sorted(starts)
    while frontier:
        seen.update(frontier)
        batch = [index.modules[m] for m in frontier if files.snapshot.get(index.modules[m].path) is not None]
        files.scan(batch)
        infos.extend(batch)
        following: set[str] = set()
        for m in frontier:
            info = index.modules[m]
            parent = _enclosing_module(m, names)
            if parent is not None:
                following.add(parent)
            if info.path in files.scans:
                imports, _ = files.resolve(info)
                following.update(target for _, target, kind, _, _ in imports if kind == "top")
        frontier = sorted(following - seen)
    return infos, frozenset(seen)


def _graph(index: ProjectIndex, infos: Sequence[ModuleInfo], kept: frozenset[str], files: _Files) -> ImportGraph:
    """The graph of the `kept` modules: the edges of `infos`' files that stay inside
    `kept`, and every kept module's parent-package edge."""
    names = frozenset(index.modules)
    edges: list[ImportEdge] = []
    failures: list[ParseFailure] = []
    for info in infos:
        imports, failure = files.resolve(info)
        if failure is not None:
            failures.append(failure)
        edges.extend(
            ImportEdge(info.name, target, info.path, line, kind, reads=reads, guarded=guarded)
            for line, target, kind, reads, guarded in imports
            if target in kept
        )
    modules = [info for info in index.modules.values() if info.name in kept]
    for info in modules:
        parent = _enclosing_module(info.name, names)
        if parent is not None and parent in kept:
            edges.append(ImportEdge(info.name, parent, info.path, 0, "top", implicit=True))
    scans = files.scans
    bindings = {info.name: tuple(map(tuple, scans[info.path][2])) for info in infos if info.path in scans}
    return ImportGraph(modules, edges, failures, bindings)


def _reaching_back(
    reached: frozenset[str], starts: set[str], infos: Sequence[ModuleInfo], resolve: Callable[[ModuleInfo], _FileImports], names: frozenset[str]
) -> frozenset[str]:
    """The modules of `reached` from which import-time edges (parent packages included)
    lead back to one of `starts`."""
    importers: dict[str, set[str]] = {}
    for info in infos:
        targets = {target for _, target, kind, _, _ in resolve(info)[0] if kind == "top"}
        parent = _enclosing_module(info.name, names)
        if parent is not None:
            targets.add(parent)
        for target in targets & reached:
            importers.setdefault(target, set()).add(info.name)
    back = set(starts)
    frontier = list(starts)
    while frontier:
        module = frontier.pop()
        for importer in importers.get(module, ()):
            if importer not in back:
                back.add(importer)
                frontier.append(importer)
    return frozenset(back & reached)


def _resolved(info: ModuleInfo, scan: pyast.Scan, resolver: _Resolver) -> _FileImports:
    """One file's edges: its import statements resolved to the internal modules they run."""
    records, failure, _, guarded_lines, dynamic = scan
    if failure is not None:
        return [], ParseFailure(info.path, *failure)
    name = info.name
    package = info.package
    guarded = frozenset(guarded_lines)
    found = set()
    for line, kind, level, module, names in pyast.raw_imports(records):
        absolute = absolute_module(module or None, level=level, package=package)
        if absolute is None:
            continue
        for target in resolver.targets(absolute, names):
            if target != name or resolver.imports_itself(name, absolute, names):
                reads: tuple[str, ...] = ()
                if names is not None and target == absolute:
                    reads = tuple(n for n in names if n != "*" and f"{absolute}.{n}" not in resolver.modules)
                found.add((line, target, kind, reads, kind == "top" and line in guarded))
    for line, module in dynamic:
        for target in resolver.targets(module, None):
            if target != name:
                found.add((line, target, "top", (), False))
    return sorted(found), None


class ImportGraph:
    """Modules and the import edges between them; cycles are computed on first use.

    `build_graph` makes one from a snapshot; the constructor takes modules and edges as
    given (duplicates dropped, order normalized) and raises ValueError for an edge whose
    end is not among the modules. Every list this class returns is in a deterministic
    order: the same input gives the same output, whether the graph was built serially
    or in parallel.
    """

    def __init__(
        self,
        modules: Iterable[ModuleInfo],
        edges: Iterable[ImportEdge],
        unparsable: Iterable[ParseFailure] = (),
        bindings: Mapping[str, Sequence[pyast.Binding]] | None = None,
    ):
        """`bindings`: per module, its top-level bindings (`pyast.top_level_bindings`);
        a module without them is taken to bind nothing before its last statement."""
        self._modules: dict[str, ModuleInfo] = {m.name: m for m in sorted(modules, key=lambda m: m.name)}
        self._bindings: dict[str, tuple[pyast.Binding, ...]] = {m: tuple(b) for m, b in (bindings or {}).items()}
        self._edges: tuple[ImportEdge, ...] = tuple(sorted(dict.fromkeys(edges), key=_EDGE_ORDER))
        self.unparsable: tuple[ParseFailure, ...] = tuple(sorted(unparsable))
        strangers = {m for e in self._edges for m in (e.source, e.target) if m not in self._modules}
        if strangers:
            raise ValueError(f"edges name modules that are not in the graph: {sorted(strangers)!r}")

    def modules(self) -> tuple[str, ...]:
        """Every module name, sorted."""
        return tuple(self._modules)

    def edges(self) -> tuple[ImportEdge, ...]:
        """Every edge, one per statement and target, sorted by source, line, target."""
        return self._edges

    def sccs(self) -> list[tuple[str, ...]]:
        """The strongly connected components of import-time (top) edges that hold a cycle.

        A component holds a cycle when it has more than one module, or one module that
        imports itself. Each is sorted; the list is sorted by first module.
        """
        return [scc for scc, _ in self._import_time]

    def import_time_cycles(self) -> list[Cycle]:
        """For each component of `sccs()`, the shortest cycle through it (same order).

        Among cycles of equal length the one through the alphabetically smallest module
        wins. Each hop shows its first statement (explicit imports before the parent
        package edge).
        """
        return [cycle for _, cycle in self._import_time]

    def failing_cycle(self, component: Sequence[str]) -> Cycle | None:
        """A cycle inside `component` on which a fresh import of one of its modules fails
        (`import_failure`), else None. The shortest such cycle wins (ties: the first
        module tried, in sorted order)."""
        best: Cycle | None = None
        members = set(component)
        for entry in sorted(component):
            found = self.import_failure(entry)
            if found is not None and set(found.modules) <= members and (best is None or len(found.edges) < len(best.edges)):
                best = found
        return best

    def import_failure(self, module: str) -> Cycle | None:
        """The cycle on which a fresh ``import module`` fails, or None when it works.

        Replays Python's import order: parents' ``__init__`` before children, a module's
        import-time statements in line order. A module that is still initializing can be
        imported again (``import a.b`` and ``from pkg import submodule`` only need the
        module object), and ``from a.b import NAME`` reads from it fine when ``a.b`` has
        bound NAME by the line where it is paused (`pyast.top_level_bindings`: the
        bindings of top-level statements that ended before that line). Otherwise the
        import fails ("partially initialized module"): the cycle runs from the module
        that is initializing, along the statements that led back to it, to the one that
        read the name.

        Conditional (guarded) edges: the replay runs twice, once without them and once
        with them, where a failure at a guarded statement, or anywhere below one, is
        caught there (as ``except ImportError`` does; an ``if`` may not run at all) and
        the modules it left half initialized are gone again, as in ``sys.modules``.
        The import fails only when *both* replays fail: a failure that needs a guarded
        edge to happen, or that a guarded edge would avoid, is never reported. The cycle
        returned is the one of the replay with guarded edges, which may pass through
        some (`ImportEdge.guarded`).
        """
        memo = self._failures
        if module not in memo:
            if module not in self._risky:
                memo[module] = None
            else:
                without = self._replay.failure(module, guards=False)
                edges = None if without is None else self._replay.failure(module, guards=True)
                memo[module] = None if edges is None else Cycle(edges)
        return memo[module]

    @cached_property
    def _failures(self) -> dict[str, Cycle | None]:
        return {}

    @cached_property
    def _risky(self) -> frozenset[str]:
        """Modules whose import can fail at all: they reach a cycle of import-time edges
        on which some statement reads a name from a module of the cycle."""
        hops = self._top_hops
        risky: set[str] = set()
        for scc in self.sccs():
            members = set(scc)
            if any(e.reads and e.target in members for m in scc for e in self._replay.ordered_imports.get(m, ())):
                risky |= members
        importers: dict[str, set[str]] = {}
        for source, successors in hops.items():
            for target in successors:
                importers.setdefault(target, set()).add(source)
        todo = list(risky)
        while todo:
            for importer in importers.get(todo.pop(), ()):
                if importer not in risky:
                    risky.add(importer)
                    todo.append(importer)
        return frozenset(risky)

    @cached_property
    def _replay(self) -> Replay:
        return Replay(self._edges, self._bindings, len(self._modules))

    def is_package_local(self, component: Sequence[str]) -> bool:
        """A component in which a package only imports its own submodules: Python runs it.

        `pkg/__init__` → `pkg.sub` → (parent package) `pkg` is a cycle in this graph, yet
        the package is in `sys.modules` before its body imports the submodule. So is a
        submodule importing a sibling (`import pkg.other`, `from pkg import other`): the
        edge to `pkg` only needs the package to exist. A component is package-local when
        all its modules lie in one package and its cycles all need one of those
        parent-package hops: without them (and without sibling-style edges up to an
        ancestor) the component's explicit imports form no cycle. A component with a
        module outside the package (the classic "`__init__` imports back"), siblings
        importing each other, a self-import, or a submodule reading a *name* from its
        package (`from pkg import NAME`) is not.
        """
        import networkx as nx

        top = min(component, key=lambda m: (m.count("."), m))
        if not all(is_within(m, top) for m in component):
            return False
        members = set(component)
        hard = nx.DiGraph()
        hard.add_nodes_from(members)
        for edge in self._edges:
            if edge.kind != "top" or edge.implicit or edge.source not in members or edge.target not in members:
                continue
            upward = edge.source.startswith(edge.target + ".")
            if upward and (edge.source, edge.path, edge.line, edge.target) in self._through:
                continue  # `import pkg.other` inside pkg.x: needs pkg to exist, not to be done
            hard.add_edge(edge.source, edge.target)
        return nx.is_directed_acyclic_graph(hard)

    @cached_property
    def _through(self) -> frozenset[tuple[str, str, int, str]]:
        """(source, path, line, parent) of explicit edges: a statement that reaches `parent.x`."""
        return frozenset(
            (e.source, e.path, e.line, e.target.rpartition(".")[0]) for e in self._edges if not e.implicit
        )

    def failing_cycles(self) -> list[tuple[Cycle, tuple[str, ...]]]:
        """The cycles fresh imports fail on (`import_failure`), each with the modules
        whose fresh import fails on it (sorted); in the order of their first module."""
        grouped: dict[Cycle, list[str]] = {}
        for module in self._modules:
            cycle = self.import_failure(module)
            if cycle is not None:
                grouped.setdefault(cycle, []).append(module)
        return sorted(((c, tuple(m)) for c, m in grouped.items()), key=lambda p: (p[0].modules, p[1]))

    def lazy_and_typing_cycles(self) -> list[Cycle]:
        """Cycles that exist only when lazy and typing edges count too: informative only.

        For each strongly connected component of all edges that contains a hop with no
        import-time edge, the shortest cycle through such a hop.
        """
        return list(self._deferred_cycles)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT, ready for `dot -Tsvg`.

        One arrow per pair of modules, styled by the strongest kind between them: solid
        (top), dashed (lazy), dotted (typing), grey with a hollow head (parent package).
        The edges of `import_time_cycles()` are red and bold. Packages are folders.
        Every name is quoted; tooltips give the file (nodes) and file:line (edges).
        """
        red = {(e.source, e.target) for cycle in self.import_time_cycles() for e in cycle.edges}
        lines = [
            "digraph imports {",
            "  graph [rankdir=LR];",
            '  node [shape=box, fontname="Helvetica", fontsize=10];',
            '  edge [fontname="Helvetica", fontsize=8];',
        ]
        for name, info in self._modules.items():
            shape = "folder" if info.is_package else "box"
            lines.append(f"  {_dot_quote(name)} [shape={shape}, tooltip={_dot_quote(info.path)}];")
        for source, successors in self._all_hops.items():
            for target, edge in successors.items():
                attrs = [_DOT_STYLE["parent" if edge.implicit else edge.kind]]
                if (source, target) in red:
                    attrs.append("color=red, penwidth=2")
                attrs.append(f"tooltip={_dot_quote(edge.location())}")
                lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [{', '.join(attrs)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The graph as JSON-ready data; same graph, same dict (and same key order).

        Layout (``format`` names its version)::

            {"format": "migrator.import-graph/2",
             "modules": [{"name", "path", "package": bool}],
             "edges": [EDGE],
             "import_time_cycles": [{"modules": [name, ...], "edges": [EDGE]}],
             "failing_cycles": [{"modules": [name, ...], "edges": [EDGE], "fails": [name, ...]}],
             "lazy_and_typing_cycles": [same as import_time_cycles],
             "unparsable": [{"path", "line", "col", "message"}]}

        where EDGE is ``{"source", "target", "path", "line", "kind", "implicit",
        "conditional"}`` with kind ``top|lazy|typing``, implicit true for parent-package
        edges (line 0) and conditional true for guarded import-time edges.
        ``import_time_cycles`` has one cycle per component (`import_time_cycles()`);
        ``failing_cycles`` those of `failing_cycles()`, each with the modules whose
        fresh import fails on it. Lists are in the orders of `modules()`, `edges()` and
        the cycle methods. Version 2 added ``failing_cycles`` and ``conditional``.
        """
        return {
            "format": JSON_FORMAT,
            "modules": [
                {"name": m.name, "path": m.path, "package": m.is_package} for m in self._modules.values()
            ],
            "edges": [_edge_json(e) for e in self._edges],
            "import_time_cycles": [_cycle_json(c) for c in self.import_time_cycles()],
            "failing_cycles": [{**_cycle_json(c), "fails": list(m)} for c, m in self.failing_cycles()],
            "lazy_and_typing_cycles": [_cycle_json(c) for c in self.lazy_and_typing_cycles()],
            "unparsable": [f._asdict() for f in self.unparsable],
        }

    @cached_property
    @gc_paused()
    def _top_hops(self) -> _Hops:
        return _hops(self._modules, (e for e in self._edges if e.kind == "top"))

    @cached_property
    @gc_paused()
    def _all_hops(self) -> _Hops:
        return _hops(self._modules, self._edges)

    @cached_property
    @gc_paused()
    def _import_time(self) -> list[tuple[tuple[str, ...], Cycle]]:
        hops = self._top_hops
        return [(scc, _cycle(hops, girth_path(hops, scc))) for scc in cyclic_sccs(hops)]

    @cached_property
    @gc_paused()
    def _deferred_cycles(self) -> list[Cycle]:
        hops = self._all_hops
        cycles = []
        for scc in cyclic_sccs(hops):
            members = set(scc)
            deferred = [
                (u, v) for u in scc for v, edge in hops[u].items() if v in members and edge.kind != "top"
            ]
            if deferred:
                cycles.append(_cycle(hops, shortest_cycle_through_hops(hops, deferred, members)))
        return cycles


class _Resolver:
    """Maps imported names to internal modules, remembering what it worked out."""

    def __init__(self, modules: frozenset[str]):
        self._modules = modules
        self._targets: dict[tuple[str, tuple[str, ...] | None], list[str]] = {}

    @property
    def modules(self) -> frozenset[str]:
        return self._modules

    def targets(self, module: str, names: tuple[str, ...] | None) -> list[str]:
        """The internal modules that `import module` (names None) or `from module import
        names` runs; see the module docstring."""
        key = (module, names)
        targets = self._targets.get(key)
        if targets is None:
            modules = self._modules
            if names is None:
                parts = module.split(".")
                prefixes = (".".join(parts[:i]) for i in range(1, len(parts) + 1))
                targets = [p for p in prefixes if p in modules]
            else:
                base = module if module in modules else _enclosing_module(module, modules)
                targets = [] if base is None else [base]
                targets += [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            self._targets[key] = targets
        return targets

    def imports_itself(self, source: str, module: str, names: tuple[str, ...] | None) -> bool:
        """Whether a statement of `source` that resolves to `source` really names it.

        ``import a.x`` in ``a.x``, ``from a import x`` in ``a.x`` and ``from . import
        NAME`` in ``a/__init__`` (NAME not a submodule) do: self-imports. But ``import
        a.x`` or ``from . import x`` in ``a/__init__`` only pass through ``a`` on the way
        to its submodule, which runs nothing of ``a`` again: no edge.
        """
        if names is None:
            return module == source
        if module == source:
            return any(f"{module}.{n}" not in self._modules for n in names)
        return any(f"{module}.{n}" == source for n in names)


def _enclosing_module(name: str, modules: frozenset[str]) -> str | None:
    """The closest enclosing package of `name` that is a module (not a namespace)."""
    return next((a for a in ancestors(name) if a in modules), None)


# --------------------------------------------------------------------------- cycles


_EDGE_ORDER = attrgetter("source", "line", "target", "kind", "implicit")


def _hops(modules: Iterable[str], edges: Iterable[ImportEdge]) -> _Hops:
    """For each pair of modules with edges between them, the edge that stands for them.

    The strongest kind wins, then an unconditional import over a guarded one, then an
    explicit import over the parent-package edge, then the earliest line (`edges` come in `_EDGE_ORDER`, so the first one seen).
    """
    hops: _Hops = {module: {} for module in modules}
    for edge in edges:
        successors = hops[edge.source]
        current = successors.get(edge.target)
        if current is None or (_KIND_RANK[edge.kind], edge.guarded, edge.implicit) < (_KIND_RANK[current.kind], current.guarded, current.implicit):
            successors[edge.target] = edge
    return {module: dict(sorted(successors.items())) for module, successors in hops.items()}


def _cycle(hops: _Hops, nodes: list[str]) -> Cycle:
    return Cycle(tuple(hops[a][b] for a, b in zip(nodes, nodes[1:])))


# --------------------------------------------------------------------------- rendering


_DOT_STYLE = {
    "top": "style=solid",
    "lazy": "style=dashed",
    "typing": "style=dotted",
    "parent": "style=solid, color=gray50, arrowhead=empty",
}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _edge_json(edge: ImportEdge) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "path": edge.path,
        "line": edge.line,
        "kind": edge.kind,
        "implicit": edge.implicit,
        "conditional": edge.guarded,
    }


def _cycle_json(cycle: Cycle) -> dict[str, Any]:
    return {"modules": list(cycle.modules), "edges": [_edge_json(e) for e in cycle.edges]}
