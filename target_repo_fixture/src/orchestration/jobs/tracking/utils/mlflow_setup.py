"""Legacy facade -- moved to ``tracking.mlflow.setup``."""

# moved to src/tracking/mlflow/setup.py
from tracking.mlflow.setup import *  # noqa: F401,F403
from tracking.mlflow.setup import TrackingContext, setup_mlflow  # noqa: F401
