"""On-disk cache of selection results so notebooks don't re-query MLflow."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional, Union

from core.hashing import hash_dict
from core.io import read_json, write_json_atomic

from ...constants import CACHE_FILENAME
from .criteria import SelectionCriteria

__all__ = ["SelectionCache"]


class SelectionCache:
    def __init__(self, cache_dir: Union[str, "os.PathLike[str]"]):
        self.path = Path(cache_dir) / CACHE_FILENAME

    @staticmethod
    def make_key(experiment_name: str, criteria: SelectionCriteria) -> str:
        return hash_dict({"experiment": experiment_name, "criteria": criteria.to_dict()})

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        return read_json(self.path, default={}).get(key)

    def put(self, key: str, value: Dict[str, Any]) -> None:
        data = read_json(self.path, default={})
        data[key] = value
        write_json_atomic(self.path, data)

    def invalidate(self, key: Optional[str] = None) -> int:
        data = read_json(self.path, default={})
        if key is None:
            removed = len(data)
            data = {}
        else:
            removed = 1 if data.pop(key, None) is not None else 0
        write_json_atomic(self.path, data)
        return removed

    def __len__(self) -> int:
        return len(read_json(self.path, default={}))
