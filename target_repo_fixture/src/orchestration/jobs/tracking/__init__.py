"""Job-level tracking: trackers, run index, run finder, artifact manager, config."""

from .artifacts import ArtifactManager
from .config import TrackingConfig, load_tracking_config
from .finder import find_best_run, find_run_by_fingerprint, find_runs
from .index import RunIndex
from .trackers import BaseTracker, SweepTracker, TrainingTracker

__all__ = [
    "ArtifactManager",
    "BaseTracker",
    "RunIndex",
    "SweepTracker",
    "TrackingConfig",
    "TrainingTracker",
    "find_best_run",
    "find_run_by_fingerprint",
    "find_runs",
    "load_tracking_config",
]
