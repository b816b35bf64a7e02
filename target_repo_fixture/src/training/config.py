"""Trainer hyper-parameters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Mapping


@dataclass
class TrainingConfig:
    epochs: int = 10
    learning_rate: float = 0.01
    seed: int = 0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.epochs <= 0:
            raise ValueError("epochs must be positive")
        if not 0 < self.learning_rate < 10:
            raise ValueError("learning_rate must be in (0, 10)")
        if self.l2 < 0:
            raise ValueError("l2 must be >= 0")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrainingConfig":
        known = {k: data[k] for k in ("epochs", "learning_rate", "seed", "l2") if k in data}
        return cls(**known)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)
