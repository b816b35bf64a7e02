"""MLflow setup: pick the backend, point it at a tracking URI and an experiment."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from core.normalize import normalize_name
from naming.experiment import build_experiment_name
from naming.mlflow.tags import build_tags

from .client import LocalTrackingClient, is_local_uri, uri_to_path

__all__ = ["TrackingContext", "setup_mlflow", "setup_mlflow_for_stage"]

logger = logging.getLogger(__name__)

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"


@dataclass
class TrackingContext:
    backend: str
    tracking_uri: Optional[str]
    experiment_name: str
    experiment_id: Optional[str] = None
    tags: Dict[str, str] = field(default_factory=dict)
    client: Any = field(default=None, repr=False, compare=False)


def _import_mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        return None
    return mlflow


def setup_mlflow(
    tracking_uri: Optional[str] = None,
    experiment_name: str = "Default",
    env: Optional[Mapping[str, str]] = None,
) -> TrackingContext:
    """Configure tracking and return a :class:`TrackingContext`.

    Uses the real ``mlflow`` package when importable, otherwise the local file
    store.  ``azureml://`` URIs additionally need ``azureml-mlflow``.
    """
    environ = os.environ if env is None else env
    uri = tracking_uri or environ.get(TRACKING_URI_ENV)
    if uri and uri.startswith("azureml:"):
        try:
            import azureml.mlflow  # noqa: F401  (registers the azureml:// scheme)
        except ImportError as exc:
            raise RuntimeError("azureml-mlflow is required for azureml:// tracking URIs") from exc

    mlflow = _import_mlflow()
    if mlflow is not None:
        if uri:
            mlflow.set_tracking_uri(uri)
        experiment = mlflow.set_experiment(experiment_name)
        experiment_id = getattr(experiment, "experiment_id", None)
        return TrackingContext("mlflow", uri, experiment_name, experiment_id, client=mlflow)

    if not is_local_uri(uri):
        raise RuntimeError(f"mlflow is not installed; cannot track to {uri!r}")
    logger.info("mlflow not installed, using local tracking store at %s", uri_to_path(uri))
    client = LocalTrackingClient(uri_to_path(uri))
    experiment_id = client.create_experiment(experiment_name)
    return TrackingContext("local", client.tracking_uri, experiment_name, experiment_id, client=client)


def setup_mlflow_for_stage(
    stage: str,
    experiment_name: Optional[str] = None,
    tracking_uri: Optional[str] = None,
    project: str = "mlops",
    model: Optional[str] = None,
    tags: Optional[Mapping[str, Any]] = None,
) -> TrackingContext:
    """Set up tracking for one pipeline stage (hpo, final_training, ...).

    The experiment name defaults to ``<project>-<stage>[-<model>]`` and the
    context carries the stage tags every run of that stage must set.
    """
    stage_key = normalize_name(stage)
    if not stage_key:
        raise ValueError("stage must be a non-empty string")
    name = experiment_name or build_experiment_name(project, stage_key, model)
    context = setup_mlflow(tracking_uri=tracking_uri, experiment_name=name)
    context.tags.update(build_tags(stage_key, model=model, **dict(tags or {})))
    return context
