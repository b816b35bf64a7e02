"""Legacy tracking utils (moved to ``tracking.mlflow``)."""

from .mlflow_artifacts import list_artifacts, log_artifact, log_dict
from .mlflow_runs import RunRecord, best_run, log_metrics, log_params, start_run
from .mlflow_setup import TrackingContext, setup_mlflow

__all__ = [
    "RunRecord",
    "TrackingContext",
    "best_run",
    "list_artifacts",
    "log_artifact",
    "log_dict",
    "log_metrics",
    "log_params",
    "setup_mlflow",
    "start_run",
]
