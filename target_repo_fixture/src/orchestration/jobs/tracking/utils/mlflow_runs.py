"""Legacy facade -- moved to ``tracking.mlflow.runs``."""

# moved to src/tracking/mlflow/runs.py
from tracking.mlflow.runs import *  # noqa: F401,F403
from tracking.mlflow.runs import RunRecord, best_run, log_metrics, log_params, start_run  # noqa: F401
