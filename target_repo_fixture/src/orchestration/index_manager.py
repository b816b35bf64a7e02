"""JSON index files for fast lookup of runs/artifacts by key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from core.io import read_json, write_json_atomic
from core.timestamps import utc_now_iso

from .constants import INDEX_FILENAME

__all__ = ["IndexManager"]


class IndexManager:
    """Key -> entry mapping persisted to a single JSON file."""

    def __init__(self, index_path: Union[str, "os.PathLike[str]"]):
        path = Path(index_path)
        if path.suffix != ".json":
            path = path / INDEX_FILENAME
        self.path = path

    def _read(self) -> Dict[str, Dict[str, Any]]:
        return read_json(self.path, default={})

    def _write(self, data: Dict[str, Dict[str, Any]]) -> None:
        write_json_atomic(self.path, data)

    def add(self, key: str, entry: Mapping[str, Any], overwrite: bool = True) -> Dict[str, Any]:
        if not key:
            raise ValueError("index key must be non-empty")
        data = self._read()
        if key in data and not overwrite:
            raise KeyError(f"index key {key!r} already exists")
        stored = dict(entry)
        stored["updated_at"] = utc_now_iso()
        data[key] = stored
        self._write(data)
        return stored

    def find(self, key: str) -> Optional[Dict[str, Any]]:
        return self._read().get(key)

    def find_by(self, **fields: Any) -> List[Tuple[str, Dict[str, Any]]]:
        """All ``(key, entry)`` pairs whose entry matches every given field."""
        return [
            (key, entry)
            for key, entry in sorted(self._read().items())
            if all(entry.get(name) == value for name, value in fields.items())
        ]

    def remove(self, key: str) -> bool:
        data = self._read()
        if key not in data:
            return False
        del data[key]
        self._write(data)
        return True

    def compact(self, keep: Callable[[str, Dict[str, Any]], bool]) -> int:
        """Drop entries for which ``keep`` returns False; returns how many were dropped."""
        data = self._read()
        kept = {key: entry for key, entry in data.items() if keep(key, entry)}
        removed = len(data) - len(kept)
        if removed:
            self._write(kept)
        return removed

    def keys(self) -> List[str]:
        return sorted(self._read())

    def __contains__(self, key: object) -> bool:
        return key in self._read()

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())
