"""Tracker for final training runs (per-epoch metrics and lineage tags)."""

from __future__ import annotations

from typing import Any, Mapping

from ....constants import STAGE_TRAINING
from .base_tracker import BaseTracker

__all__ = ["TrainingTracker", "LINEAGE_TAG_PREFIX"]

LINEAGE_TAG_PREFIX = "mlops.lineage."


class TrainingTracker(BaseTracker):
    stage = STAGE_TRAINING

    def log_epoch(self, epoch: int, metrics: Mapping[str, float]) -> None:
        if epoch < 0:
            raise ValueError("epoch must be >= 0")
        self.log_metrics(metrics, step=epoch)

    def log_lineage(self, lineage: Mapping[str, Any]) -> int:
        """Flatten scalar lineage fields into tags; returns the number of tags set."""
        run_id = self._require_active()
        count = 0
        for key, value in sorted(lineage.items()):
            if value is None or isinstance(value, (dict, list)):
                continue
            self.client.set_tag(run_id, f"{LINEAGE_TAG_PREFIX}{key}", value)
            count += 1
        return count
