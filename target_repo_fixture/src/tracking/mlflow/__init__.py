"""MLflow helpers: setup, a local client, run records and artifacts."""

from .artifacts import list_artifacts, log_artifact, log_dict
from .client import LocalTrackingClient, get_tracking_client, is_local_uri, uri_to_path
from .runs import RunRecord, best_run, filter_runs, log_metrics, log_params, start_run
from .setup import TrackingContext, setup_mlflow, setup_mlflow_for_stage

__all__ = [
    "LocalTrackingClient",
    "RunRecord",
    "TrackingContext",
    "best_run",
    "filter_runs",
    "get_tracking_client",
    "is_local_uri",
    "list_artifacts",
    "log_artifact",
    "log_dict",
    "log_metrics",
    "log_params",
    "setup_mlflow",
    "setup_mlflow_for_stage",
    "start_run",
    "uri_to_path",
]
