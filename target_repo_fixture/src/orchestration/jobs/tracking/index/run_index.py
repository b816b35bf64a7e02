"""Index of tracking runs keyed by stage and fingerprint, on top of IndexManager."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

import orchestration.index_manager

from ....constants import STAGES

__all__ = ["RunIndex"]


class RunIndex:
    def __init__(self, index_path: Union[str, "os.PathLike[str]"]):
        self._index = orchestration.index_manager.IndexManager(index_path)

    @staticmethod
    def key(stage: str, fingerprint: str) -> str:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        if not fingerprint:
            raise ValueError("fingerprint is required")
        return f"{stage}:{fingerprint}"

    @property
    def path(self):
        return self._index.path

    def register(self, stage: str, fingerprint: str, run_id: str, **extra: Any) -> Dict[str, Any]:
        return self._index.add(self.key(stage, fingerprint), {"stage": stage, "fingerprint": fingerprint, "run_id": run_id, **extra})

    def lookup(self, stage: str, fingerprint: str) -> Optional[str]:
        entry = self._index.find(self.key(stage, fingerprint))
        return entry["run_id"] if entry else None

    def runs_for_stage(self, stage: str) -> List[Dict[str, Any]]:
        return [entry for _, entry in self._index.find_by(stage=stage)]

    def forget(self, stage: str, fingerprint: str) -> bool:
        return self._index.remove(self.key(stage, fingerprint))
