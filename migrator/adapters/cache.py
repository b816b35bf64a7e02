"""The import cache on disk: scans by content hash in the target's `.migrator/cache/`.

`ImportCache` is the `ScanCache` (`migrator.analysis.scans`) a next command reuses:
the commands load it (`ImportCache.load`), hand it to the graph and the engine, and
save it when they are done (never after a refused plan: a refusal leaves the disk as
it was). Everything that reads or writes the cache's files is here.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from migrator.analysis import pyast
from migrator.analysis.project import STATE_DIR


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

    Results (`result`, `put_result`: a file's rewrite, its import order) live in a file
    of their own, read on first use, signed entry by entry the same way. Unlike a scan,
    a result depends on the tool's code: the file records a digest of it (`code_digest`)
    and is ignored whole when the code that reads it is not the code that wrote it.
    """

    #: 7: scans carry top-level bindings, guarded import lines and dynamic imports
    #: (`pyast.Scan`), entries a keyed digest; a cache of another layout is another
    #: file, never misread.
    LAYOUT = 7
    KEY_FILE = "key"

    def __init__(self, path: Path | None = None):
        """`path` None: a cache that reads and writes nothing (`--no-cache`)."""
        self.path = path
        self._secret: bytes | None = None
        #: entries as read from disk (unverified), and those verified or learned now
        self._raw: dict[str, Any] | None = None if path is not None else {}
        self._ok: dict[str, pyast.Scan] = {}
        self._memos: dict[str, Any] = {}
        self._new: set[str] = set()
        self._used: set[str] = set()
        self._dirty = False
        self._memo_path: Path | None = None
        self._results_path: Path | None = None
        self._results_raw: dict[str, Any] | None = None if path is not None else {}
        self._results_ok: dict[str, Any] = {}
        self._results_new: set[str] = set()
        self._results_used: set[str] = set()

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
        cache._results_path = folder / f"results-{version}.json"
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

    def _results_entries(self) -> dict[str, Any]:
        if self._results_raw is None:
            found = _read_json_dict(self._results_path) if self._results_path is not None and self._secret is not None else None
            ok = found is not None and found.get("code") == code_digest() and isinstance(found.get("entries"), dict)
            self._results_raw = found["entries"] if ok else {}
        return self._results_raw

    def result(self, key: str) -> Any:
        """What a pure step made of the inputs whose `scans.result_key` is `key`; None
        unless known, trusted and made by this very code."""
        if key in self._results_ok:
            self._results_used.add(key)
            return self._results_ok[key]
        entry = self._results_entries().get(key)
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)) or self._secret is None:
            return None
        if not hmac.compare_digest(entry[0], _mac(self._secret, "result:" + key, entry[1])):
            return None
        self._results_ok[key] = entry[1]
        self._results_used.add(key)
        return entry[1]

    def put_result(self, key: str, value: Any) -> None:
        if self.path is None:
            return  # `--no-cache`: every result is made afresh
        self._results_ok[key] = value
        self._results_new.add(key)
        self._results_used.add(key)

    def get(self, key: str) -> pyast.Scan | None:
        """The scan of the content whose hash (`scans.content_key`) is `key`; None unless
        known and trusted."""
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

    def put(self, key: str, scan: pyast.Scan) -> None:
        self._ok[key] = scan
        self._new.add(key)
        self._used.add(key)

    def save(self, limit: int) -> None:
        """Write the cache when it learned something (atomically; never fails a command).

        When it holds more than `limit` entries, only those used by this command stay,
        so the cache does not grow without bound as files change.
        """
        if self.path is None or not (self._new or self._dirty or self._results_new):
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
            if self._results_new and self._results_path is not None:
                raw = self._results_entries() if secret == self._secret else {}
                entries = dict(raw)
                entries.update({k: [_mac(secret, "result:" + k, v), v] for k, v in self._results_ok.items() if k in self._results_new or k not in raw})
                if len(entries) > limit:
                    entries = {k: v for k, v in entries.items() if k in self._results_used}
                _write_json(self._results_path, {"code": code_digest(), "entries": entries})
        except OSError:
            return  # a read-only target still works, just without a cache
        self._secret = secret
        self._new.clear()
        self._results_new.clear()
        self._dirty = False


#: Third-party code whose behaviour results depend on (the rules' parser, the import sorter).
_RESULT_LIBRARIES = ("libcst", "isort")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code results depend on: every source file of migrator and the
    rules (by content), and the installed libcst and isort (by the path, size and
    modification time of their `__init__`, without importing them). An edit to the
    tool, or another version of a library, makes every stored result unknown."""
    h = hashlib.blake2b(digest_size=16)
    for package in ("migrator", "rules"):
        spec = importlib.util.find_spec(package)
        folder = Path(spec.origin).parent if spec is not None and spec.origin else None
        if folder is None:
            continue
        for path in sorted(folder.rglob("*.py")):
            h.update(path.relative_to(folder.parent).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _RESULT_LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            h.update(f"{name}:missing\0".encode())
            continue
        st = os.stat(spec.origin)
        h.update(f"{name}:{spec.origin}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


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
