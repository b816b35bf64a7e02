"""A `ScanCache` (migrator.analysis.scans) that counts: it tells a test which contents
were looked up, found and learned, so the test can see what was parsed again."""

from __future__ import annotations

from typing import Any


class CountingCache:
    """Forwards to `inner` (any ScanCache) and records every lookup.

    `misses` are the content keys the cache did not know when asked; `learned` the
    keys it was taught afterwards (each one a file that was parsed).
    """

    def __init__(self, inner: Any):
        self.inner = inner
        self.found: list[str] = []
        self.misses: list[str] = []
        self.learned: list[str] = []

    def get(self, key: str):
        scan = self.inner.get(key)
        (self.found if scan is not None else self.misses).append(key)
        return scan

    def put(self, key: str, scan) -> None:
        self.learned.append(key)
        self.inner.put(key, scan)

    def memo(self, name: str) -> Any:
        return self.inner.memo(name)

    def set_memo(self, name: str, value: Any) -> None:
        self.inner.set_memo(name, value)

    def result(self, key: str) -> Any:
        return self.inner.result(key)

    def put_result(self, key: str, value: Any) -> None:
        self.inner.put_result(key, value)
