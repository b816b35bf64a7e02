"""Model training: a small linear model trainer used by the training jobs."""

from .config import TrainingConfig
from .metrics import mae, mse, r2_score
from .trainer import Trainer

__all__ = ["Trainer", "TrainingConfig", "mae", "mse", "r2_score"]
