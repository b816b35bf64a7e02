"""Selection criteria: which metric wins, in which direction, and eligibility limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Mapping, Optional

from ...constants import METRIC_F1, METRIC_LATENCY_P95

__all__ = ["SelectionCriteria"]


@dataclass(frozen=True)
class SelectionCriteria:
    metric: str = METRIC_F1
    mode: str = "max"
    min_value: Optional[float] = None
    max_latency_ms: Optional[float] = None
    latency_metric: str = METRIC_LATENCY_P95

    def __post_init__(self) -> None:
        if self.mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {self.mode!r}")
        if not self.metric:
            raise ValueError("metric is required")

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> "SelectionCriteria":
        data = {k: v for k, v in dict(data or {}).items() if v is not None}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown selection criteria: {', '.join(unknown)}")
        return cls(**data)

    def is_eligible(self, metrics: Mapping[str, float]) -> bool:
        if self.metric not in metrics:
            return False
        value = float(metrics[self.metric])
        if self.min_value is not None:
            if self.mode == "max" and value < self.min_value:
                return False
            if self.mode == "min" and value > self.min_value:
                return False
        if self.max_latency_ms is not None:
            latency = metrics.get(self.latency_metric)
            if latency is None or float(latency) > self.max_latency_ms:
                return False
        return True

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)
