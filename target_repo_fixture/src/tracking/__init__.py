"""Experiment tracking (MLflow, with a local file-store fallback)."""

from .mlflow import (
    LocalTrackingClient,
    RunRecord,
    TrackingContext,
    best_run,
    get_tracking_client,
    log_artifact,
    setup_mlflow,
    setup_mlflow_for_stage,
)

__all__ = [
    "LocalTrackingClient",
    "RunRecord",
    "TrackingContext",
    "best_run",
    "get_tracking_client",
    "log_artifact",
    "setup_mlflow",
    "setup_mlflow_for_stage",
]
