"""Legacy run-naming helpers (moved to ``naming.mlflow``)."""

from .run_names import RUN_NAME_SEPARATOR, build_run_name, parse_run_name

__all__ = ["RUN_NAME_SEPARATOR", "build_run_name", "parse_run_name"]
