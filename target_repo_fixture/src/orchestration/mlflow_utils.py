"""MLflow setup for orchestration stages.

Thin wrapper over :mod:`tracking.mlflow.setup`; the stage helper below is the
one the notebooks call before launching a job.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from core.normalize import normalize_name
from naming.experiment import build_experiment_name
from naming.mlflow.tags import build_tags
from tracking.mlflow.setup import TrackingContext, setup_mlflow

__all__ = ["setup_mlflow_for_stage", "TrackingContext"]


def setup_mlflow_for_stage(
    stage: str,
    experiment_name: Optional[str] = None,
    tracking_uri: Optional[str] = None,
    project: str = "mlops",
    model: Optional[str] = None,
    tags: Optional[Mapping[str, Any]] = None,
) -> TrackingContext:
    """Configure MLflow for ``stage`` and return the tracking context.

    Experiment name: ``<project>-<stage>[-<model>]`` unless given explicitly.
    """
    stage_key = normalize_name(stage)
    if not stage_key:
        raise ValueError("stage must be a non-empty string")
    # experiment naming is centralised in naming.experiment
    name = experiment_name or build_experiment_name(project, stage_key, model)
    context = setup_mlflow(tracking_uri=tracking_uri, experiment_name=name)
    context.tags.update(build_tags(stage_key, model=model, **dict(tags or {})))
    return context
