"""The import graph of the target: which of its modules runs which, and when.

Nodes are the modules of a `ProjectIndex` (packages included). An `ImportEdge` A → B
says that A's file makes B run, with the file and line of the statement and a `kind`:

- ``top``: at import time (module level, module-level ``if``/``try``/``with`` blocks and
  class bodies);
- ``lazy``: inside a function or method body, so only when it is called;
- ``typing``: under ``if TYPE_CHECKING:`` (or ``if <module>.TYPE_CHECKING:``), never at
  run time.

What a statement depends on: ``import a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``;
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

The file parser is stdlib ``ast``, walking statements only; large inputs are parsed in
worker processes, with results identical to a serial run. The graph algorithms work on
plain dicts; the public API speaks in module names, `ImportEdge` and `Cycle`.
"""

from __future__ import annotations

import ast
import gc
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any, Iterable, Iterator, Literal, Mapping, NamedTuple, Sequence

from migrator.project import ModuleInfo, ProjectIndex, Snapshot

EdgeKind = Literal["top", "lazy", "typing"]

#: Files below which worker processes cost more than they save.
PARALLEL_THRESHOLD = 3000

#: The version of `ImportGraph.to_json`'s layout; bumped on any incompatible change.
JSON_FORMAT = "migrator.import-graph/1"

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

    def location(self) -> str:
        """``path:line`` of the statement; just ``path`` for a parent-package edge."""
        return self.path if self.implicit else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        how = "parent package" if self.implicit else f"{self.kind} import"
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


# One import statement, resolved to absolute names but not yet to internal modules:
# (line, kind, dotted module, imported names) — names is None for `import a.b.c`.
_RawImport = tuple[int, EdgeKind, str, tuple[str, ...] | None]
# What the parser needs to know about one file: path, module name, is_package, bytes.
_Job = tuple[str, str, bool, bytes]
# What it finds: (line, target module, kind) sorted and unique, or why the file failed.
_FileImports = tuple[list[tuple[int, str, EdgeKind]], ParseFailure | None]
# Adjacency: source → target → the edge that stands for that hop; targets sorted.
_Hops = dict[str, dict[str, ImportEdge]]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (a context manager or decorator).

    Syntax trees, edges and adjacency dicts hold no reference cycles, yet the millions
    of objects they allocate trigger full collections again and again: up to half the
    time of a large graph.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_graph(snapshot: Snapshot, index: ProjectIndex, *, workers: int | None = None) -> ImportGraph:
    """The import graph of every module of `index`, reading files from `snapshot`.

    Files that do not parse keep their node (and parent-package edge) but contribute no
    import edges; they are listed in `ImportGraph.unparsable`. `workers` is the number of
    processes that parse files: None chooses (serial below `PARALLEL_THRESHOLD` files),
    1 forces a serial run. The result does not depend on it.
    """
    jobs: list[_Job] = []
    for info in index.modules.values():
        data = snapshot.get(info.path)
        if data is not None:
            jobs.append((info.path, info.name, info.is_package, data))
    names = frozenset(index.modules)
    with _gc_paused():
        found = _analyze_all(jobs, names, _worker_count(workers, len(jobs)))
        edges: list[ImportEdge] = []
        failures: list[ParseFailure] = []
        for (path, source, _, _), (imports, failure) in zip(jobs, found):
            if failure is not None:
                failures.append(failure)
            edges.extend(ImportEdge(source, target, path, line, kind) for line, target, kind in imports)
        for info in index.modules.values():
            parent = _nearest_ancestor(info.name, names)
            if parent is not None:
                edges.append(ImportEdge(info.name, parent, info.path, 0, "top", implicit=True))
        return ImportGraph(index.modules.values(), edges, failures)


class ImportGraph:
    """Modules and the import edges between them; cycles are computed on first use.

    `build_graph` makes one from a snapshot; the constructor takes modules and edges as
    given (duplicates dropped, order normalized) and raises ValueError for an edge whose
    end is not among the modules. Every list this class returns is in a deterministic
    order: the same input gives the same output, whether the graph was built serially
    or in parallel.
    """

    def __init__(
        self, modules: Iterable[ModuleInfo], edges: Iterable[ImportEdge], unparsable: Iterable[ParseFailure] = ()
    ):
        self._modules: dict[str, ModuleInfo] = {m.name: m for m in sorted(modules, key=lambda m: m.name)}
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

            {"format": "migrator.import-graph/1",
             "modules": [{"name", "path", "package": bool}],
             "edges": [EDGE],
             "import_time_cycles": [{"modules": [name, ...], "edges": [EDGE]}],
             "lazy_and_typing_cycles": [same as import_time_cycles],
             "unparsable": [{"path", "line", "col", "message"}]}

        where EDGE is ``{"source", "target", "path", "line", "kind", "implicit"}`` with
        kind ``top|lazy|typing`` and implicit true for parent-package edges (line 0).
        Lists are in the orders of `modules()`, `edges()` and the cycle methods.
        """
        return {
            "format": JSON_FORMAT,
            "modules": [
                {"name": m.name, "path": m.path, "package": m.is_package} for m in self._modules.values()
            ],
            "edges": [_edge_json(e) for e in self._edges],
            "import_time_cycles": [_cycle_json(c) for c in self.import_time_cycles()],
            "lazy_and_typing_cycles": [_cycle_json(c) for c in self.lazy_and_typing_cycles()],
            "unparsable": [f._asdict() for f in self.unparsable],
        }

    @cached_property
    @_gc_paused()
    def _top_hops(self) -> _Hops:
        return _hops(self._modules, (e for e in self._edges if e.kind == "top"))

    @cached_property
    @_gc_paused()
    def _all_hops(self) -> _Hops:
        return _hops(self._modules, self._edges)

    @cached_property
    @_gc_paused()
    def _import_time(self) -> list[tuple[tuple[str, ...], Cycle]]:
        hops = self._top_hops
        return [(scc, _cycle(hops, _girth_path(hops, scc))) for scc in _cyclic_sccs(hops)]

    @cached_property
    @_gc_paused()
    def _deferred_cycles(self) -> list[Cycle]:
        hops = self._all_hops
        cycles = []
        for scc in _cyclic_sccs(hops):
            members = set(scc)
            deferred = [
                (u, v) for u in scc for v, edge in hops[u].items() if v in members and edge.kind != "top"
            ]
            if deferred:
                cycles.append(_cycle(hops, _shortest_cycle_through_hops(hops, deferred, members)))
        return cycles


def new_cycles(before: ImportGraph, after: ImportGraph, renames: Mapping[str, str]) -> list[Cycle]:
    """The import-time cycles of `after` that are new or grown compared with `before`.

    `renames` maps old module names to new ones (a package's name also renames every
    module below it). Components of import-time edges are compared by module set, in
    `after`'s names: an `after` component is reported (as its shortest cycle) unless all
    of its modules were in one component of `before`. A name that is renamed but still
    exists in `after` is taken as a facade and counts as the module it forwards to, so
    a cycle through a facade of a formerly cyclic module is not new.
    """

    def rename(name: str) -> str:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            new = renames.get(".".join(parts[:end]))
            if new is not None:
                return ".".join([new, *parts[end:]])
        return name

    old_components = [frozenset(map(rename, scc)) for scc in before.sccs()]
    return [
        cycle
        for scc, cycle in zip(after.sccs(), after.import_time_cycles())
        if not any(set(map(rename, scc)) <= old for old in old_components)
    ]


# --------------------------------------------------------------------------- parsing


def _worker_count(requested: int | None, files: int) -> int:
    if requested is not None:
        return max(1, requested)
    if files < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _analyze_all(jobs: Sequence[_Job], modules: frozenset[str], workers: int) -> list[_FileImports]:
    """Analyze every job, in order; `workers` > 1 spreads contiguous chunks over processes."""
    if workers <= 1 or len(jobs) < 2:
        return _analyze_chunk(jobs, modules)
    size = -(-len(jobs) // (workers * 4))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_analyze_chunk, chunks, [modules] * len(chunks))
        return [file_imports for chunk in results for file_imports in chunk]


def _analyze_chunk(jobs: Sequence[_Job], modules: frozenset[str]) -> list[_FileImports]:
    resolver = _Resolver(modules)
    with warnings.catch_warnings(), _gc_paused():
        # Invalid escape sequences and the like are the target's business, not ours.
        warnings.simplefilter("ignore")
        return [_analyze_file(job, resolver) for job in jobs]


def _analyze_file(job: _Job, resolver: _Resolver) -> _FileImports:
    path, name, is_package, data = job
    try:
        tree = ast.parse(_source(data), filename=path)
    except SyntaxError as exc:
        return [], ParseFailure(path, exc.lineno or 1, exc.offset or 1, exc.msg)
    except ValueError as exc:  # null bytes, on Python < 3.12
        return [], ParseFailure(path, 1, 1, str(exc))
    package = name if is_package else name.rpartition(".")[0]
    raw_imports: list[_RawImport] = []
    _collect(tree.body, "top", package, raw_imports)
    resolved = {
        (line, target, kind)
        for line, kind, module, names in raw_imports
        for target in resolver.targets(module, names)
        if target != name or resolver.imports_itself(name, module, names)
    }
    return sorted(resolved), None


def _source(data: bytes) -> str | bytes:
    """The text to parse: decoded here when that is safe, since `ast` parses text faster.

    Files with a BOM, a possible PEP 263 encoding declaration (in the first two lines) or
    bytes that are not UTF-8 stay bytes, so the parser applies (and reports) the rules.
    """
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data if second < 0 else data[:second]
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in head:
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


#: Statements that hold no other statements, so no import can hide inside them.
_SIMPLE_STATEMENTS = frozenset({
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass, ast.Raise,
    ast.Assert, ast.Delete, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
})


def _collect(body: list[ast.stmt], kind: EdgeKind, package: str, found: list[_RawImport]) -> None:
    """Append the imports of a statement list (and of every nested one) to `found`.

    Imports are statements, so only statement lists are walked, never expressions.
    """
    for node in body:
        if type(node) in _SIMPLE_STATEMENTS:  # most statements: skip them fast
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, kind, alias.name, None))
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, package)
            if module is not None:
                found.append((node.lineno, kind, module, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _collect(node.body, "typing" if kind == "typing" else "lazy", package, found)
        elif isinstance(node, ast.If):
            _collect(node.body, "typing" if _is_type_checking(node.test) else kind, package, found)
            _collect(node.orelse, kind, package, found)
        elif isinstance(node, ast.Try | ast.TryStar):
            _collect(node.body, kind, package, found)
            for handler in node.handlers:
                _collect(handler.body, kind, package, found)
            _collect(node.orelse, kind, package, found)
            _collect(node.finalbody, kind, package, found)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            _collect(node.body, kind, package, found)
            _collect(node.orelse, kind, package, found)
        elif isinstance(node, ast.ClassDef | ast.With | ast.AsyncWith):
            _collect(node.body, kind, package, found)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                _collect(case.body, kind, package, found)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _absolute(module: str | None, level: int, package: str) -> str | None:
    """The absolute name a (maybe relative) `from` import names; None if it escapes."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base)


# --------------------------------------------------------------------------- resolving


class _Resolver:
    """Maps imported names to internal modules, remembering what it worked out."""

    def __init__(self, modules: frozenset[str]):
        self._modules = modules
        self._targets: dict[tuple[str, tuple[str, ...] | None], list[str]] = {}

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
                base = module if module in modules else _nearest_ancestor(module, modules)
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


def _nearest_ancestor(name: str, modules: frozenset[str]) -> str | None:
    """The closest enclosing package of `name` that is a module (not a namespace)."""
    parent = name.rpartition(".")[0]
    while parent:
        if parent in modules:
            return parent
        parent = parent.rpartition(".")[0]
    return None


# --------------------------------------------------------------------------- cycles


_EDGE_ORDER = attrgetter("source", "line", "target", "kind", "implicit")


def _hops(modules: Iterable[str], edges: Iterable[ImportEdge]) -> _Hops:
    """For each pair of modules with edges between them, the edge that stands for them.

    The strongest kind wins, then an explicit import over the parent-package edge, then
    the earliest line (`edges` come in `_EDGE_ORDER`, so the first one seen).
    """
    hops: _Hops = {module: {} for module in modules}
    for edge in edges:
        successors = hops[edge.source]
        current = successors.get(edge.target)
        if current is None or (_KIND_RANK[edge.kind], edge.implicit) < (_KIND_RANK[current.kind], current.implicit):
            successors[edge.target] = edge
    return {module: dict(sorted(successors.items())) for module, successors in hops.items()}


def _cyclic_sccs(hops: _Hops) -> list[tuple[str, ...]]:
    """Strongly connected components with a cycle in them, each sorted, list sorted."""
    components = (tuple(sorted(c)) for c in _strongly_connected_components(hops))
    return sorted(c for c in components if len(c) > 1 or c[0] in hops[c[0]])


def _strongly_connected_components(hops: _Hops) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit).

    Not networkx: copying a 20,000-module graph into a `networkx.DiGraph` alone costs
    several times what this whole function does.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in hops:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(hops[root]))]
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(hops[succ])))
                    break
                if succ in on_stack and index[succ] < low[node]:
                    low[node] = index[succ]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _girth_path(hops: _Hops, component: tuple[str, ...]) -> list[str]:
    """Nodes of a shortest cycle inside `component`, first node repeated at the end.

    Trying start nodes in sorted order and keeping only strictly shorter cycles makes
    the winner start at the smallest module of any shortest cycle.
    """
    members = set(component)
    best: list[str] = []
    for start in component:
        limit = len(members) if not best else len(best) - 2
        path = _shortest_path(hops, start, start, members, limit)
        if path is not None:
            best = path
            if len(best) == 2:  # a self loop: nothing is shorter
                break
    return best


def _shortest_cycle_through_hops(hops: _Hops, through: list[tuple[str, str]], members: set[str]) -> list[str]:
    """Nodes of a shortest cycle that uses one of `through`, rotated to its smallest module."""
    best: list[str] = []
    for u, v in through:
        if u == v:
            candidate: list[str] | None = [u, u]
        else:
            limit = len(members) if not best else len(best) - 3
            tail = _shortest_path(hops, v, u, members, limit)
            candidate = None if tail is None else [u, *tail]
        if candidate is not None and (not best or len(candidate) < len(best)):
            best = candidate
    ring = best[:-1]
    first = ring.index(min(ring))
    return [*ring[first:], *ring[:first], ring[first]]


def _shortest_path(hops: _Hops, start: str, goal: str, within: set[str], max_edges: int) -> list[str] | None:
    """Nodes of a shortest path of 1..`max_edges` edges from `start` to `goal` inside `within`.

    Breadth first with successors in sorted order; `start == goal` finds a cycle.
    """
    parents: dict[str, str] = {}
    frontier = [start]
    for _ in range(max_edges):
        next_frontier = []
        for node in frontier:
            for succ in hops[node]:
                if succ == goal:
                    path = [goal, node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    path.reverse()
                    return path
                if succ in within and succ not in parents and succ != start:
                    parents[succ] = node
                    next_frontier.append(succ)
        frontier = next_frontier
    return None


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
    }


def _cycle_json(cycle: Cycle) -> dict[str, Any]:
    return {"modules": list(cycle.modules), "edges": [_edge_json(e) for e in cycle.edges]}
