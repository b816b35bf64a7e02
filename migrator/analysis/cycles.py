"""Import cycles: strongly connected components, shortest cycles, and what a phase breaks.

The algorithms work on adjacency dicts (`Hops`: source → target → the edge standing
for that hop, targets sorted), so ties break the same way on every run; networkx
computes the components and stays behind this module. `new_import_failures` compares
the replays of fresh imports (`graph.ImportGraph.import_failure`) before and after a
phase: the cycle gate's question, which `migrate audit` asks through the gate too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple, TypeVar

from migrator.model.names import is_within, renamed

if TYPE_CHECKING:
    from migrator.analysis.graph import Cycle, ImportGraph

E = TypeVar("E")
#: Adjacency: source → target → the edge that stands for that hop; targets sorted.
Hops = dict[str, dict[str, E]]


def _renamer(renames: Mapping[str, str]):
    """A function giving a module its name after the moves (a package's new name also
    renames every module below it)."""

    def rename(name: str) -> str:
        return renamed(name, renames) or name

    return rename


class NewFailure(NamedTuple):
    """Modules (in `after`'s names) whose fresh import worked before a phase and fails
    after it, all on the same `cycle`."""

    modules: tuple[str, ...]
    cycle: Cycle

    @property
    def conditional(self) -> bool:
        """Whether a guarded (conditional) import is part of the cycle."""
        return any(e.guarded for e in self.cycle.edges)


def new_import_failures(
    before: ImportGraph, after: ImportGraph, renames: Mapping[str, str], *, entries: Iterable[str] | None = None
) -> list[NewFailure]:
    """The modules whose fresh import succeeds in `before` and fails in `after`
    (`ImportGraph.import_failure` on both), grouped by the cycle they fail on.

    `renames` maps old module names to new ones (a package's name also renames every
    module below it); a module of `after` is compared with the module it was before
    (its old name, or its own name when it stayed or is a facade at an old path). A
    module with no counterpart in `before` (a package the phase creates) is not
    compared: its importers are. `entries` limits the modules looked at (default:
    all of `after`). Both graphs must hold every module the replays reach (a graph
    built with `reach_from=` and without `and_back` is), so that the load order is the
    whole tree's.
    """
    rename = _renamer(renames)
    old_of: dict[str, str] = {}
    for name in before.modules():
        old_of.setdefault(rename(name), name)
    known = set(before.modules())
    grouped: dict[Cycle, list[str]] = {}
    for module in sorted(after.modules() if entries is None else set(entries) & set(after.modules())):
        old = old_of.get(module, module if module in known else None)
        if old is None:
            continue
        cycle = after.import_failure(module)
        if cycle is not None and before.import_failure(old) is None:
            grouped.setdefault(cycle, []).append(module)
    return sorted((NewFailure(tuple(m), c) for c, m in grouped.items()), key=lambda f: (len(f.cycle.edges), f.modules))


def old_names(renames: Mapping[str, str], modules: Iterable[str]) -> set[str]:
    """What each of `modules` (names after the moves) was called before them."""
    inverse = sorted(((new, old) for old, new in renames.items()), key=lambda p: -len(p[0]))
    out = set()
    for module in modules:
        for new, old in inverse:
            if is_within(module, new):
                out.add(old + module[len(new):])
                break
        else:
            out.add(module)
    return out


# --------------------------------------------------------------------------- components


def cyclic_sccs(hops: Hops[E]) -> list[tuple[str, ...]]:
    """Strongly connected components with a cycle in them, each sorted, list sorted."""
    components = (tuple(sorted(c)) for c in strongly_connected_components(hops))
    return sorted(c for c in components if len(c) > 1 or c[0] in hops[c[0]])


def strongly_connected_components(hops: Hops[E]) -> list[list[str]]:
    """The strongly connected components, by networkx (the graph library the tool uses).

    networkx stays behind this module: callers see module names, edges and cycles.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(hops)
    graph.add_edges_from((source, target) for source, successors in hops.items() for target in successors)
    return [list(component) for component in nx.strongly_connected_components(graph)]


def girth_path(hops: Hops[E], component: tuple[str, ...]) -> list[str]:
    """Nodes of a shortest cycle inside `component`, first node repeated at the end.

    Trying start nodes in sorted order and keeping only strictly shorter cycles makes
    the winner start at the smallest module of any shortest cycle.
    """
    members = set(component)
    best: list[str] = []
    for start in component:
        limit = len(members) if not best else len(best) - 2
        path = shortest_path(hops, start, start, members, limit)
        if path is not None:
            best = path
            if len(best) == 2:  # a self loop: nothing is shorter
                break
    return best


def shortest_cycle_through_hops(hops: Hops[E], through: list[tuple[str, str]], members: set[str]) -> list[str]:
    """Nodes of a shortest cycle that uses one of `through`, rotated to its smallest module."""
    best: list[str] = []
    for u, v in through:
        if u == v:
            candidate: list[str] | None = [u, u]
        else:
            limit = len(members) if not best else len(best) - 3
            tail = shortest_path(hops, v, u, members, limit)
            candidate = None if tail is None else [u, *tail]
        if candidate is not None and (not best or len(candidate) < len(best)):
            best = candidate
    ring = best[:-1]
    first = ring.index(min(ring))
    return [*ring[first:], *ring[:first], ring[first]]


def shortest_path(hops: Hops[E], start: str, goal: str, within: set[str], max_edges: int) -> list[str] | None:
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
