"""Import scans of the target's files, by content: from a cache when it knows them, else parsed.

A scan (`pyast.Scan`) depends on nothing but a file's bytes, so it is looked up by a
hash of them (`content_key`). Where scans are kept is not this layer's business: the
graph and the engine take any `ScanCache`. `MemoryCache` keeps them for one command
(`--no-cache`, tests, the engine's default); the on-disk cache that a next command
reuses is `migrator.adapters.cache.ImportCache`, built by the commands.

Parsing many files spreads them over worker processes in contiguous chunks; the result
is the serial run's, in order.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import warnings
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence

from migrator.analysis import pyast
from migrator.analysis.project import FileEntry, ModuleInfo, Snapshot
from migrator.analysis.workers import pool as worker_pool
from migrator.model.plan import Progress

#: Files below which worker processes cost more than they save.
PARALLEL_THRESHOLD = 3000
#: Files below which one batch is parsed in-process: starting worker processes (and
#: sending them the bytes) costs more than it saves.
POOL_THRESHOLD = 1000
#: Fewer files than this are parsed in-process whatever `--jobs` says: starting workers
#: would cost more (the cycle gate parses level by level, often a few files at a time).
_SMALL_BATCH = 64


class ScanCache(Protocol):
    """What the graph and the engine need of a cache: scans by content, and memos.

    `get` answers None for content it does not know (or does not trust); `put` learns
    one. Memos are results a command keeps for its next run (`check`'s cycle
    components); a cache that keeps nothing across runs simply forgets them.

    Results are what a pure step of the engine made of its inputs (a file's rewrite,
    its import order), stored as JSON values under a `result_key` of every input:
    `result` answers None for a key it does not know. They are only valid for the
    code that made them: a cache kept across runs drops them when the tool changes.
    """

    def get(self, key: str) -> pyast.Scan | None: ...

    def put(self, key: str, scan: pyast.Scan) -> None: ...

    def memo(self, name: str) -> Any: ...

    def set_memo(self, name: str, value: Any) -> None: ...

    def result(self, key: str) -> Any: ...

    def put_result(self, key: str, value: Any) -> None: ...


def content_key(data: bytes) -> str:
    """The key of a file's content in a `ScanCache`: a BLAKE2 hash of its bytes.

    Remembered by the identity of the bytes object (bytes never change, and the one
    kept here keeps its id from being reused): the snapshots of a command share the
    bytes of every file a phase leaves alone, so each is hashed once per command."""
    hit = _KEYS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    key = hashlib.blake2b(data, digest_size=16).hexdigest()
    global _KEPT
    if _KEPT + len(data) > _KEPT_LIMIT:
        _KEYS.clear()
        _KEPT = 0
    _KEYS[id(data)] = (data, key)
    _KEPT += len(data)
    return key


#: `content_key`'s memory: id → (the bytes, their key), and how many bytes it holds.
_KEYS: dict[int, tuple[bytes, str]] = {}
_KEPT = 0
#: Past this many bytes held the memory starts again (a bound, never a correctness matter).
_KEPT_LIMIT = 128 * 2**20


def files_key(files: Mapping[str, FileEntry]) -> str:
    """A BLAKE2 hash of every path and its content (modes aside): equal for two
    snapshots exactly when they hold the same files with the same bytes."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(files):
        h.update(path.encode("utf-8", "surrogatepass") + b"\0" + content_key(files[path].data).encode() + b"\n")
    return h.hexdigest()


def result_key(*inputs: Any) -> str:
    """The key of a pure step's result in a `ScanCache`: a BLAKE2 hash of every input,
    as canonical JSON (so equal inputs give equal keys in any process: never `hash()`,
    which differs between runs). The first input names the step."""
    text = json.dumps(inputs, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


#: Content keys of sources known to parse (a scan without failure was made or read for
#: them) in this process: a fact about bytes, whichever command or tree they came from.
#: `preflight` asks it before compiling a rewritten file the cycle gate has just scanned.
_PARSES: set[str] = set()
#: Past this many keys the set starts again (a bound on memory, never on correctness).
_PARSES_LIMIT = 500_000


def _remember(key: str) -> None:
    if len(_PARSES) >= _PARSES_LIMIT:
        _PARSES.clear()
    _PARSES.add(key)


def note_parses(key: str, scan: pyast.Scan) -> None:
    """Remember that the content of `key` parses, when `scan` says so."""
    if scan[1] is None:
        _remember(key)


def known_to_parse(data: bytes) -> bool:
    """Whether these bytes were seen to parse (by `note_parses`) in this process."""
    return content_key(data) in _PARSES


def mark_parses(data: bytes) -> None:
    """Remember that these bytes parse (the caller compiled them)."""
    _remember(content_key(data))


class MemoryCache:
    """A `ScanCache` that lives as long as the command: scans, memos and results in dicts."""

    def __init__(self) -> None:
        self._scans: dict[str, pyast.Scan] = {}
        self._memos: dict[str, Any] = {}
        self._results: dict[str, Any] = {}

    def get(self, key: str) -> pyast.Scan | None:
        return self._scans.get(key)

    def put(self, key: str, scan: pyast.Scan) -> None:
        self._scans[key] = scan

    def memo(self, name: str) -> Any:
        return self._memos.get(name)

    def set_memo(self, name: str, value: Any) -> None:
        self._memos[name] = value

    def result(self, key: str) -> Any:
        return self._results.get(key)

    def put_result(self, key: str, value: Any) -> None:
        self._results[key] = value


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (a context manager or decorator).

    Syntax trees, edges and adjacency dicts hold no reference cycles, yet the millions
    of objects they allocate trigger full collections again and again: up to half the
    time of a large graph (parsing here, the graph's cycles in `graph`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def worth_scanning_all(infos: Sequence[ModuleInfo], snapshot: Snapshot, cache: ScanCache | None, workers: int | None) -> bool:
    """Whether to parse every file not in the cache at once, before following imports:
    when there are so many that worker processes pay (`PARALLEL_THRESHOLD`)."""
    if workers == 1 or len(infos) < PARALLEL_THRESHOLD:
        return False
    if cache is None:
        return True
    missing = sum(1 for info in infos if cache.get(content_key(snapshot.get(info.path))) is None)
    return missing >= PARALLEL_THRESHOLD


def scan_all(
    infos: Sequence[ModuleInfo],
    snapshot: Snapshot,
    scans: dict[str, pyast.Scan],
    cache: ScanCache | None,
    workers: int | None,
    progress: Progress | None = None,
) -> None:
    """Fill `scans` (by path) for every file of `infos` not in it yet: from the cache,
    else parsed (and then learned by the cache)."""
    todo: list[tuple[str, str, bytes]] = []
    for info in infos:
        if info.path in scans:
            continue
        data = snapshot.get(info.path)
        key = content_key(data) if cache is not None else ""
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            scans[info.path] = hit
            note_parses(key, hit)
        else:
            todo.append((info.path, key, data))
    parsed = scan_files([(p, d) for p, _, d in todo], worker_count(workers, len(todo)), progress)
    for (path, key, _), scan in zip(todo, parsed):
        scans[path] = scan
        if cache is not None:
            cache.put(key, scan)
            note_parses(key, scan)


def learn_rewritten(before: Snapshot, after: Snapshot, paths: Iterable[str], cache: ScanCache) -> int:
    """Teach `cache` the scans of the files at `paths` that a phase rewrote in place,
    worked out from their scans before (`pyast.rescan`) rather than parsed: a rewrite
    that only renames the modules of import statements changes nothing else a scan
    holds. A file whose scan before is not in the cache, or whose change is of another
    kind, is left to be parsed as usual. Returns how many were learned."""
    learned = 0
    for path in paths:
        new, old = after.get(path), before.get(path)
        if new is None or old is None or new == old or not path.endswith((".py", ".pyi")):
            continue
        key = content_key(new)
        if cache.get(key) is not None:
            continue
        old_scan = cache.get(content_key(old))
        if old_scan is None:
            continue
        old_text, new_text = pyast.source_text(old), pyast.source_text(new)
        if old_text is None or new_text is None:
            continue
        derived = pyast.rescan(old_text, old_scan, new_text)
        if derived is not None:
            cache.put(key, derived)
            learned += 1
    return learned


def worker_count(requested: int | None, files: int) -> int:
    """The processes to parse `files` files with: `requested`, else by size."""
    if requested is not None:
        return max(1, requested)
    if files < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def scan_files(files: Sequence[tuple[str, bytes]], workers: int, progress: Progress | None = None) -> list[pyast.Scan]:
    """Parse every (path, bytes), in order; `workers` > 1 spreads chunks over processes."""
    size = max(1, min(256, -(-len(files) // (max(workers, 1) * 8))))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    out: list[pyast.Scan] = []

    def done(part: list[pyast.Scan]) -> None:
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


def _scan_chunk(files: Sequence[tuple[str, bytes]]) -> list[pyast.Scan]:
    with warnings.catch_warnings(), gc_paused():
        # Invalid escape sequences and the like are the target's business, not ours.
        warnings.simplefilter("ignore")
        return [pyast.scan(data, path) for path, data in files]
