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

The file parser is stdlib ``ast``, walking statements only; large inputs are parsed in
worker processes, with results identical to a serial run. Strongly connected components
come from networkx; shortest cycles are a breadth-first search over sorted adjacency
dicts (deterministic tie-breaking). The public API speaks in module names, `ImportEdge`
and `Cycle`; no networkx type leaves this module.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import hmac
import json
import os
import sys
import warnings
from migrator.analysis.workers import pool as worker_pool
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Mapping, NamedTuple, Sequence

from migrator.model.plan import Progress
from migrator.analysis.project import STATE_DIR, ModuleInfo, ProjectIndex, Snapshot
from migrator.analysis import pyast
from migrator.analysis.pyast import absolute_module

EdgeKind = pyast.EdgeKind

#: Files below which worker processes cost more than they save.
PARALLEL_THRESHOLD = 3000
#: Files below which one batch is parsed in-process: starting worker processes (and
#: sending them the bytes) costs more than it saves.
POOL_THRESHOLD = 1000

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


# What parsing one file gives, independent of its path and of the other modules (so it
# is cached by content): its import statements (pyast.ImportRecord), or where and why it
# does not parse.
_Scan = pyast.Scan
# What the graph needs to know about one file: path, module name, is_package, bytes.
_Job = tuple[str, str, bool, bytes]
# What it finds: (line, target module, kind, names read, guarded) sorted and unique, or
# why the file failed.
_FileImports = tuple[list[tuple[int, str, EdgeKind, tuple[str, ...], bool]], ParseFailure | None]
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


def build_graph(
    snapshot: Snapshot,
    index: ProjectIndex,
    *,
    workers: int | None = None,
    cache: ImportCache | None = None,
    reach_from: Iterable[str] | None = None,
    and_back: bool = False,
    progress: Progress | None = None,
) -> ImportGraph:
    """The import graph of the modules of `index`, reading files from `snapshot`.

    Files that do not parse keep their node (and parent-package edge) but contribute no
    import edges; they are listed in `ImportGraph.unparsable`. `workers` is the number of
    processes that parse files: None chooses (serial below `POOL_THRESHOLD` files),
    1 forces a serial run. `cache` (see `ImportCache`) skips parsing files whose content
    it has seen. Neither changes the result. `progress` is told how parsing goes.

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
    resolver = _Resolver(names)
    scans: dict[str, _Scan] = {}
    resolved: dict[str, _FileImports] = {}

    def resolve(info: ModuleInfo) -> _FileImports:
        found = resolved.get(info.name)
        if found is None:
            found = resolved[info.name] = _resolved(info, scans[info.path], resolver)
        return found

    with _gc_paused():
        present = [info for info in index.modules.values() if snapshot.get(info.path) is not None]
        if reach_from is None or _worth_scanning_all(present, snapshot, cache, workers):
            # Parsed in one go, in parallel: cheaper than level by level once the files
            # to parse are many (what the modules reach is often most of the tree).
            _scan_all(present, snapshot, scans, cache, workers, progress)
        if reach_from is None:
            infos = present
        else:
            infos = []
            seen: set[str] = set()
            frontier = sorted({m for m in reach_from if m in names})
            while frontier:
                seen.update(frontier)
                batch = [index.modules[m] for m in frontier if snapshot.get(index.modules[m].path) is not None]
                _scan_all(batch, snapshot, scans, cache, workers, progress)
                infos.extend(batch)
                following: set[str] = set()
                for m in frontier:
                    info = index.modules[m]
                    parent = _nearest_ancestor(m, names)
                    if parent is not None:
                        following.add(parent)
                    if info.path in scans:
                        imports, _ = resolve(info)
                        following.update(target for _, target, kind, _, _ in imports if kind == "top")
                frontier = sorted(following - seen)
        kept = names if reach_from is None else frozenset(seen)
        if reach_from is not None and and_back:
            kept = _reaching_back(kept, {m for m in reach_from if m in names}, infos, resolve, names)
            infos = [info for info in infos if info.name in kept]
        edges: list[ImportEdge] = []
        failures: list[ParseFailure] = []
        for info in infos:
            imports, failure = resolve(info)
            if failure is not None:
                failures.append(failure)
            edges.extend(
                ImportEdge(info.name, target, info.path, line, kind, reads=reads, guarded=guarded)
                for line, target, kind, reads, guarded in imports
                if target in kept
            )
        modules = [info for info in index.modules.values() if info.name in kept]
        for info in modules:
            parent = _nearest_ancestor(info.name, names)
            if parent is not None and parent in kept:
                edges.append(ImportEdge(info.name, parent, info.path, 0, "top", implicit=True))
        bindings = {info.name: tuple(map(tuple, scans[info.path][2])) for info in infos if info.path in scans}
        return ImportGraph(modules, edges, failures, bindings)


def _reaching_back(reached: frozenset[str], starts: set[str], infos, resolve, names: frozenset[str]) -> frozenset[str]:
    """The modules of `reached` from which import-time edges (parent packages included)
    lead back to one of `starts`."""
    importers: dict[str, set[str]] = {}
    for info in infos:
        targets = {target for _, target, kind, _, _ in resolve(info)[0] if kind == "top"}
        parent = _nearest_ancestor(info.name, names)
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


class ImportCache:
    """What parsing a file found, by content hash: lets the next command skip parsing
    every file that did not change.

    Kept in the target's state folder (`.migrator/cache/`, ignored by git); deleting it
    is always safe. Entries are keyed by a BLAKE2 hash of the file's bytes and depend on
    nothing else, so a stale entry cannot exist; the file name carries the cache layout
    and the Python version (whose parser decides what parses). Stored as JSON, never
    pickle: the folder sits in a repository others can write to.

    Trust: every entry is `[digest, scan]`, where `digest` is a BLAKE2 MAC, keyed by a
    random secret kept beside it (`.migrator/cache/key`, mode 0600), of the entry's
    content hash and its scan; the memos file is signed as a whole the same way. An
    entry is used only when it has the shape `pyast.scan` gives and its digest checks
    out, so a cache edited by hand, truncated, copied from another tree or written by
    another tool is ignored entry by entry and results are those of `--no-cache`. The
    content hash alone (the entry's key) cannot do that: the scan next to it can be
    edited without touching the key. The secret does not stop someone who reads it
    on purpose; who can do that can edit the target's code as well.
    """

    #: 7: scans carry top-level bindings, guarded import lines and dynamic imports
    #: (`pyast.Scan`), entries a keyed digest; a cache of another layout is another
    #: file, never misread.
    LAYOUT = 7
    KEY_FILE = "key"

    def __init__(self, path: Path | None = None, entries: dict[str, _Scan] | None = None, memos: dict[str, Any] | None = None):
        self.path = path
        self._secret: bytes | None = None
        #: entries as read from disk (unverified), and those verified or learned now
        self._raw: dict[str, Any] | None = None if path is not None else {}
        self._ok: dict[str, _Scan] = dict(entries or {})
        self._memos: dict[str, Any] = memos or {}
        self._new: set[str] = set()
        self._used: set[str] = set()
        self._dirty = False
        self._memo_path: Path | None = None

    @classmethod
    def load(cls, root: Path) -> ImportCache:
        """The cache of the target at `root`; empty when missing or unreadable.

        Memos are read now; scans (the bulk) on first use, so a command that needs none
        does not pay for them, and each is verified when it is first asked for. Scans
        are used as JSON gives them (lists for tuples): every reader unpacks them.
        """
        folder = root / STATE_DIR / "cache"
        version = f"{cls.LAYOUT}-py{sys.version_info[0]}{sys.version_info[1]}"
        cache = cls(folder / f"imports-{version}.json")
        cache._memo_path = folder / f"memos-{version}.json"
        cache._secret = _read_secret(folder / cls.KEY_FILE)
        signed = _read_json_dict(cache._memo_path)
        if cache._secret is not None and signed is not None and isinstance(signed.get("memos"), dict):
            if hmac.compare_digest(str(signed.get("digest")), _mac(cache._secret, "memos", signed["memos"])):
                cache._memos = signed["memos"]
        return cache

    def _raw_entries(self) -> dict[str, Any]:
        if self._raw is None:
            found = _read_json_dict(self.path) if self.path is not None and self._secret is not None else None
            self._raw = found if found is not None else {}
        return self._raw

    def memo(self, name: str) -> Any:
        """A result a command kept for its next run (see check.new_cycle_findings)."""
        return self._memos.get(name)

    def set_memo(self, name: str, value: Any) -> None:
        if self._memos.get(name) != value:
            self._memos[name] = value
            self._dirty = True

    @staticmethod
    def key(data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def get(self, key: str) -> _Scan | None:
        """The scan of the content whose hash is `key`; None unless known and trusted."""
        scan = self._ok.get(key)
        if scan is None:
            entry = self._raw_entries().get(key)
            if entry is None or not _is_signed_scan(entry) or self._secret is None:
                return None
            if not hmac.compare_digest(entry[0], _mac(self._secret, key, entry[1])):
                return None
            scan = self._ok[key] = entry[1]
        self._used.add(key)
        return scan

    def put(self, key: str, scan: _Scan) -> None:
        self._ok[key] = scan
        self._new.add(key)
        self._used.add(key)

    def save(self, limit: int) -> None:
        """Write the cache when it learned something (atomically; never fails a command).

        When it holds more than `limit` entries, only those used by this command stay,
        so the cache does not grow without bound as files change.
        """
        if self.path is None or not (self._new or self._dirty):
            return
        try:
            self.path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # `.migrator/` holds copies of files
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# migrator's cache: safe to delete, never commit\n*\n", encoding="utf-8")
            secret = _secret(self.path.parent / self.KEY_FILE)
            if self._new:
                # Entries read from disk keep their digests (re-checked when used), unless
                # the secret changed meanwhile: then none of them can be trusted.
                raw = self._raw_entries() if secret == self._secret else {}
                entries = dict(raw)
                entries.update({k: [_mac(secret, k, v), v] for k, v in self._ok.items() if k in self._new or k not in raw})
                if len(entries) > limit:
                    entries = {k: v for k, v in entries.items() if k in self._used}
                _write_json(self.path, entries)
            if self._dirty and self._memo_path is not None:
                _write_json(self._memo_path, {"digest": _mac(secret, "memos", self._memos), "memos": self._memos})
        except OSError:
            return  # a read-only target still works, just without a cache
        self._secret = secret
        self._new.clear()
        self._dirty = False


def _mac(secret: bytes, key: str, payload: Any) -> str:
    """A keyed digest of `payload` (as the JSON it is stored as) under the name `key`."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return hashlib.blake2b(key.encode() + b"\0" + text.encode(), key=secret, digest_size=16).hexdigest()


def _read_secret(path: Path) -> bytes | None:
    """The cache's secret, if it exists and looks like one."""
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, ValueError):
        return None
    return secret if len(secret) == 32 else None


def _secret(path: Path) -> bytes:
    """The cache's secret, created (0600, first writer wins) when missing or damaged."""
    found = _read_secret(path)
    if found is not None:
        return found
    fresh = os.urandom(32)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(fresh.hex() + "\n")
    try:
        os.link(tmp, path)  # fails if another process created it first: use theirs
    except FileExistsError:
        theirs = _read_secret(path)
        if theirs is not None:
            os.unlink(tmp)
            return theirs
        os.replace(tmp, path)  # a damaged secret: replaced
        return fresh
    os.unlink(tmp)
    return fresh


_KINDS = frozenset({"top", "lazy", "typing"})


def _is_signed_scan(entry: Any) -> bool:
    """Whether `entry` has the shape `[digest, scan]` of a stored `pyast.Scan`."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
        return False
    scan = entry[1]
    if not (isinstance(scan, list) and len(scan) == 5 and all(isinstance(part, list) for part in (scan[0], *scan[2:]))):
        return False
    failure = scan[1]
    if failure is not None and not (
        isinstance(failure, list) and len(failure) == 3 and _ints(failure[:2]) and isinstance(failure[2], str)
    ):
        return False
    line_and_name = lambda pair: isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int and isinstance(pair[1], str)  # noqa: E731
    return (
        all(_is_record(r) for r in scan[0])
        and all(line_and_name(b) for b in scan[2])
        and _ints(scan[3])
        and all(line_and_name(d) for d in scan[4])
    )


def _ints(values: Sequence[Any]) -> bool:
    return all(type(v) is int for v in values)


def _is_record(r: Any) -> bool:
    return (
        isinstance(r, list) and len(r) == 9 and _ints(r[:4]) and r[4] in _KINDS and type(r[5]) is bool
        and type(r[6]) is int and isinstance(r[7], str) and isinstance(r[8], list)
        and all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and (a[1] is None or isinstance(a[1], str))
            for a in r[8]
        )
    )


def _worth_scanning_all(infos: Sequence[ModuleInfo], snapshot: Snapshot, cache: ImportCache | None, workers: int | None) -> bool:
    """Whether to parse every file not in the cache at once, before following imports:
    when there are so many that worker processes pay (`PARALLEL_THRESHOLD`)."""
    if workers == 1 or len(infos) < PARALLEL_THRESHOLD:
        return False
    if cache is None:
        return True
    missing = sum(1 for info in infos if cache.get(ImportCache.key(snapshot.get(info.path))) is None)
    return missing >= PARALLEL_THRESHOLD


def _read_json_dict(path: Path) -> dict | None:
    """A JSON object from `path`; None when missing, unreadable or something else."""
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _write_json(path: Path, value: Any) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def _scan_all(
    infos: Sequence[ModuleInfo],
    snapshot: Snapshot,
    scans: dict[str, _Scan],
    cache: ImportCache | None,
    workers: int | None,
    progress: Progress | None = None,
) -> None:
    """Fill `scans` for every file of `infos` not in it yet: from the cache, else parsed."""
    todo: list[tuple[str, str, bytes]] = []
    for info in infos:
        if info.path in scans:
            continue
        data = snapshot.get(info.path)
        key = ImportCache.key(data) if cache is not None else ""
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            scans[info.path] = hit
        else:
            todo.append((info.path, key, data))
    for (path, key, _), scan in zip(todo, _scan_files([(p, d) for p, _, d in todo], _worker_count(workers, len(todo)), progress)):
        scans[path] = scan
        if cache is not None:
            cache.put(key, scan)


def _resolved(info: ModuleInfo, scan: _Scan, resolver: _Resolver) -> _FileImports:
    """One file's edges: its import statements resolved to the internal modules they run."""
    records, failure, _, guarded_lines, dynamic = scan
    if failure is not None:
        return [], ParseFailure(info.path, *failure)
    name = info.name
    package = info.package
    guarded = frozenset(guarded_lines)
    found = set()
    for line, kind, level, module, names in pyast.raw_imports(records):
        absolute = absolute_module(module or None, level, package)
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
                without = self._replay(module, guards=False)
                memo[module] = None if without is None else self._replay(module, guards=True)
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
            if any(e.reads and e.target in members for m in scc for e in self._ordered_imports.get(m, ())):
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

    def _bound(self, module: str, before_line: int) -> frozenset[str]:
        return frozenset(name for end, name in self._bindings.get(module, ()) if end < before_line)

    def _replay(self, entry: str, *, guards: bool) -> Cycle | None:
        import sys

        state: dict[str, str] = {}
        stack: list[tuple[str, ImportEdge | None]] = []
        out = self._ordered_imports
        parents = self._parents
        parents_edge = self._parent_edges

        def load(module: str, via: ImportEdge | None) -> Cycle | None:
            # On the stack while its parent loads too: the parent's imports may come back.
            stack.append((module, via))
            parent = parents.get(module)
            if parent is not None and parent not in state:
                failure = load(parent, parents_edge[module])
                if failure is not None:
                    return failure
            if module in state:  # the parent's __init__ imported it meanwhile
                stack.pop()
                return None
            state[module] = "initializing"
            for edge in out.get(module, ()):
                if edge.guarded and not guards:
                    continue
                target = edge.target
                depth = len(stack)
                failure = None
                if target not in state:
                    failure = load(target, edge)
                if failure is None and state.get(target) == "initializing" and edge.reads:
                    at = max(i for i, (m, _) in enumerate(stack) if m == target)
                    paused = stack[at + 1][1] if at + 1 < len(stack) else edge
                    bound = self._bound(target, paused.line if paused is not None else 0)
                    if "*" not in bound and not bound.issuperset(edge.reads):
                        failure = _rotated([e for _, e in stack[at + 1 :] if e is not None] + [edge])
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

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * len(self._modules) + 1000))
        try:
            return load(entry, None)
        finally:
            sys.setrecursionlimit(limit)

    @cached_property
    def _ordered_imports(self) -> dict[str, tuple[ImportEdge, ...]]:
        out: dict[str, list[ImportEdge]] = {}
        for e in self._edges:
            if e.kind == "top" and not e.implicit:
                out.setdefault(e.source, []).append(e)
        return {m: tuple(sorted(es, key=lambda e: (e.line, e.target))) for m, es in out.items()}

    @cached_property
    def _parents(self) -> dict[str, str]:
        return {e.source: e.target for e in self._edges if e.implicit}

    @cached_property
    def _parent_edges(self) -> dict[str, ImportEdge]:
        return {e.source: e for e in self._edges if e.implicit}

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
        if not all(m == top or m.startswith(top + ".") for m in component):
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


def _rotated(edges: list[ImportEdge]) -> Cycle:
    first = min(range(len(edges)), key=lambda i: edges[i].source)
    return Cycle(tuple(edges[first:] + edges[:first]))


def _renamer(renames: Mapping[str, str]):
    """A function giving a module its name after the moves (a package's new name also
    renames every module below it)."""

    def rename(name: str) -> str:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            new = renames.get(".".join(parts[:end]))
            if new is not None:
                return ".".join([new, *parts[end:]])
        return name

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
            if module == new or module.startswith(new + "."):
                out.add(old + module[len(new):])
                break
        else:
            out.add(module)
    return out


# --------------------------------------------------------------------------- parsing


def _worker_count(requested: int | None, files: int) -> int:
    if requested is not None:
        return max(1, requested)
    if files < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


#: Fewer files than this are parsed in-process whatever `--jobs` says: starting workers
#: would cost more (the cycle gate parses level by level, often a few files at a time).
_SMALL_BATCH = 64


def _scan_files(files: Sequence[tuple[str, bytes]], workers: int, progress: Progress | None = None) -> list[_Scan]:
    """Parse every (path, bytes), in order; `workers` > 1 spreads chunks over processes."""
    size = max(1, min(256, -(-len(files) // (max(workers, 1) * 8))))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    out: list[_Scan] = []

    def done(part: list[_Scan]) -> None:
        out.extend(part)
        if progress is not None:
            progress("parsing imports", len(out), len(files))

    if workers <= 1 or len(files) < _SMALL_BATCH:
        for chunk in chunks:
            done(_scan_chunk(chunk))
        return out
    with worker_pool(workers) as pool:
        for part in pool.map(_scan_chunk, chunks):
            done(part)
    return out


def _scan_chunk(files: Sequence[tuple[str, bytes]]) -> list[_Scan]:
    with warnings.catch_warnings(), _gc_paused():
        # Invalid escape sequences and the like are the target's business, not ours.
        warnings.simplefilter("ignore")
        return [pyast.scan(data, path) for path, data in files]


# --------------------------------------------------------------------------- resolving


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


def _cyclic_sccs(hops: _Hops) -> list[tuple[str, ...]]:
    """Strongly connected components with a cycle in them, each sorted, list sorted."""
    components = (tuple(sorted(c)) for c in _strongly_connected_components(hops))
    return sorted(c for c in components if len(c) > 1 or c[0] in hops[c[0]])


def _strongly_connected_components(hops: _Hops) -> list[list[str]]:
    """The strongly connected components, by networkx (the graph library the tool uses).

    networkx stays behind this module: callers see module names, edges and cycles.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(hops)
    graph.add_edges_from((source, target) for source, successors in hops.items() for target in successors)
    return [list(component) for component in nx.strongly_connected_components(graph)]


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
        "conditional": edge.guarded,
    }


def _cycle_json(cycle: Cycle) -> dict[str, Any]:
    return {"modules": list(cycle.modules), "edges": [_edge_json(e) for e in cycle.edges]}
