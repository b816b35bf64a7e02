"""MLflow tracking configuration for jobs."""

from .loader import TrackingConfig, load_tracking_config

__all__ = ["TrackingConfig", "load_tracking_config"]
