"""Legacy facade -- moved to ``tracking.mlflow.artifacts``."""

# moved to src/tracking/mlflow/artifacts.py
from tracking.mlflow.artifacts import *  # noqa: F401,F403
from tracking.mlflow.artifacts import list_artifacts, log_artifact, log_dict  # noqa: F401
