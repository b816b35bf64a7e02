"""Final training configuration (``config/final_training.yaml``)."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Dict, List, Mapping, Optional, Union

import yaml

from .constants import DEFAULT_SEED

__all__ = ["FinalTrainingConfig", "load_final_training_config"]

_TUNABLE = ("epochs", "learning_rate", "batch_size")


@dataclass(frozen=True)
class FinalTrainingConfig:
    model: str
    epochs: int = 5
    learning_rate: float = 0.01
    batch_size: int = 16
    seed: int = DEFAULT_SEED
    source_run_id: Optional[str] = None
    hyperparameters: Dict[str, Any] = field(default_factory=dict)

    def validate(self) -> List[str]:
        errors = []
        if not self.model:
            errors.append("model is required")
        if self.epochs <= 0:
            errors.append("epochs must be positive")
        if self.learning_rate <= 0:
            errors.append("learning_rate must be positive")
        if self.batch_size <= 0:
            errors.append("batch_size must be positive")
        return errors

    def with_best_params(self, params: Mapping[str, Any], source_run_id: Optional[str] = None) -> "FinalTrainingConfig":
        """Return a copy using the HPO winner's params (tunable fields typed, the rest kept as hyperparameters)."""
        updates: Dict[str, Any] = {}
        extra = copy.deepcopy(self.hyperparameters)
        for key, value in params.items():
            if key in ("epochs", "batch_size"):
                updates[key] = int(float(value))
            elif key == "learning_rate":
                updates[key] = float(value)
            else:
                extra[key] = value
        return replace(self, hyperparameters=extra, source_run_id=source_run_id or self.source_run_id, **updates)

    def to_dict(self) -> Dict[str, Any]:
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}


def load_final_training_config(
    source: Union[Mapping[str, Any], str, "os.PathLike[str]"],
    overrides: Optional[Mapping[str, Any]] = None,
) -> FinalTrainingConfig:
    if isinstance(source, Mapping):
        data = dict(source)
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    data = dict(data.get("final_training", data))
    data.update(overrides or {})
    config = FinalTrainingConfig(**data)
    errors = config.validate()
    if errors:
        raise ValueError("; ".join(errors))
    return config
