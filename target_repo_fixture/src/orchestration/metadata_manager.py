"""Persistent per-stage metadata: ``<root>/<stage>/<key>/metadata.json``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

from core.io import read_json, write_json_atomic
from core.timestamps import utc_now_iso

from .constants import METADATA_FILENAME, STAGES

if TYPE_CHECKING:
    from .index_manager import IndexManager

__all__ = ["MetadataManager", "STATUS_RUNNING", "STATUS_COMPLETE", "STATUS_FAILED"]

STATUS_RUNNING = "running"
STATUS_COMPLETE = "complete"
STATUS_FAILED = "failed"


class MetadataManager:
    def __init__(self, root: Union[str, "os.PathLike[str]"], index: Optional[IndexManager] = None):
        self.root = Path(root)
        self.index = index

    def _path(self, stage: str, key: str) -> Path:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
        if not key or "/" in key or key in (".", ".."):
            raise ValueError(f"invalid metadata key {key!r}")
        return self.root / stage / key / METADATA_FILENAME

    def record_stage(self, stage: str, key: str, data: Mapping[str, Any], status: str = STATUS_RUNNING) -> Dict[str, Any]:
        """Merge ``data`` into the stage record (creating it if needed)."""
        path = self._path(stage, key)
        record = read_json(path, default={})
        now = utc_now_iso()
        record.setdefault("created_at", now)
        record.update(dict(data))
        record.update({"stage": stage, "key": key, "status": status, "updated_at": now})
        write_json_atomic(path, record)
        if self.index is not None:
            self.index.add(f"{stage}:{key}", {"stage": stage, "status": status, "path": path.as_posix()})
        return record

    def get_stage(self, stage: str, key: str) -> Optional[Dict[str, Any]]:
        return read_json(self._path(stage, key))

    def mark_complete(self, stage: str, key: str, **extra: Any) -> Dict[str, Any]:
        return self.record_stage(stage, key, extra, status=STATUS_COMPLETE)

    def mark_failed(self, stage: str, key: str, error: str) -> Dict[str, Any]:
        return self.record_stage(stage, key, {"error": error}, status=STATUS_FAILED)

    def is_complete(self, stage: str, key: str) -> bool:
        record = self.get_stage(stage, key)
        return bool(record) and record.get("status") == STATUS_COMPLETE

    def list_stage(self, stage: str) -> List[str]:
        self._path(stage, "probe")
        stage_dir = self.root / stage
        if not stage_dir.exists():
            return []
        return sorted(p.parent.name for p in stage_dir.glob(f"*/{METADATA_FILENAME}"))
