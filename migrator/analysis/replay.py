"""The replay of a fresh import: which modules Python loads, in which order, and where it fails.

`Replay` holds what the replay needs of a graph (each module's import-time statements
in line order, its parent package, its top-level bindings) and walks Python's import
order from one entry module; `graph.ImportGraph.import_failure` says what the walk
models and when it is run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from migrator.analysis.graph import ImportEdge
    from migrator.analysis.pyast import Binding


class Replay:
    """Fresh imports replayed on a graph's import-time edges (explicit and parent-package)."""

    def __init__(self, edges: Iterable[ImportEdge], bindings: Mapping[str, Sequence[Binding]], modules: int):
        """`edges` in the graph's order; `bindings` per module (`pyast.top_level_bindings`);
        `modules` the graph's size (bounds the recursion a replay needs)."""
        ordered: dict[str, list[ImportEdge]] = {}
        self.parents: dict[str, str] = {}
        self.parent_edges: dict[str, ImportEdge] = {}
        for e in edges:
            if e.implicit:
                self.parents[e.source] = e.target
                self.parent_edges[e.source] = e
            elif e.kind == "top":
                ordered.setdefault(e.source, []).append(e)
        #: Each module's explicit import-time edges, in line order (then target).
        self.ordered_imports: dict[str, tuple[ImportEdge, ...]] = {
            m: tuple(sorted(es, key=lambda e: (e.line, e.target))) for m, es in ordered.items()
        }
        self._bindings = bindings
        self._modules = modules

    def _bound(self, module: str, before_line: int) -> frozenset[str]:
        return frozenset(name for end, name in self._bindings.get(module, ()) if end < before_line)

    def failure(self, entry: str, *, guards: bool) -> tuple[ImportEdge, ...] | None:
        """The edges of the cycle a fresh ``import entry`` fails on (from its smallest
        module), None when it works; `guards`: whether guarded edges run (a failure at
        or below one is then caught there)."""
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * self._modules + 1000))
        try:
            return _Walk(self, guards).load(entry, None)
        finally:
            sys.setrecursionlimit(limit)


class _Walk:
    """One replay: the modules loaded so far ("initializing" or "done") and the stack of
    modules being loaded, each with the edge that led to it."""

    def __init__(self, replay: Replay, guards: bool):
        self.replay = replay
        self.guards = guards
        self.state: dict[str, str] = {}
        self.stack: list[tuple[str, ImportEdge | None]] = []

    def load(self, module: str, via: ImportEdge | None) -> tuple[ImportEdge, ...] | None:
        state, stack, replay = self.state, self.stack, self.replay
        # On the stack while its parent loads too: the parent's imports may come back.
        stack.append((module, via))
        parent = replay.parents.get(module)
        if parent is not None and parent not in state:
            failure = self.load(parent, replay.parent_edges[module])
            if failure is not None:
                return failure
        if module in state:  # the parent's __init__ imported it meanwhile
            stack.pop()
            return None
        state[module] = "initializing"
        for edge in replay.ordered_imports.get(module, ()):
            if edge.guarded and not self.guards:
                continue
            target = edge.target
            depth = len(stack)
            failure = None
            if target not in state:
                failure = self.load(target, edge)
            if failure is None and state.get(target) == "initializing" and edge.reads:
                failure = self._read_too_early(target, edge)
            if failure is not None:
                if not edge.guarded:
                    return failure
                for half, _ in stack[depth:]:  # caught: what failed is gone again
                    if state.get(half) == "initializing":
                        del state[half]
                del stack[depth:]
        stack.pop()
        state[module] = "done"
        return None

    def _read_too_early(self, target: str, edge: ImportEdge) -> tuple[ImportEdge, ...] | None:
        """The cycle when `edge` reads names `target` (still initializing) has not bound
        yet where it is paused, else None."""
        stack = self.stack
        at = max(i for i, (m, _) in enumerate(stack) if m == target)
        paused = stack[at + 1][1] if at + 1 < len(stack) else edge
        bound = self.replay._bound(target, paused.line if paused is not None else 0)
        if "*" in bound or bound.issuperset(edge.reads):
            return None
        return _rotated([e for _, e in stack[at + 1 :] if e is not None] + [edge])


def _rotated(edges: list[ImportEdge]) -> tuple[ImportEdge, ...]:
    """The closed path `edges`, starting at its alphabetically smallest module."""
    first = min(range(len(edges)), key=lambda i: edges[i].source)
    return tuple(edges[first:] + edges[:first])
