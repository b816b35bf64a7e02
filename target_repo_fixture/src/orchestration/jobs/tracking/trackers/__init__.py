"""Job-specific MLflow trackers."""

from .base_tracker import BaseTracker, TrackerStateError
from .sweep_tracker import SweepTracker
from .training_tracker import TrainingTracker

__all__ = ["BaseTracker", "SweepTracker", "TrackerStateError", "TrainingTracker"]
