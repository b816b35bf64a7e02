"""Legacy facade -- run names moved to ``naming.mlflow.run_names``."""

# moved to src/naming/mlflow/run_names.py
from naming.mlflow.run_names import *  # noqa: F401,F403
from naming.mlflow.run_names import RUN_NAME_SEPARATOR, build_run_name, parse_run_name  # noqa: F401
