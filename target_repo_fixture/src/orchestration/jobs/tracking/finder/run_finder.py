"""Find runs in an experiment (works with the local client and MlflowClient)."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from naming.mlflow.tags import TAG_PREFIX
from tracking.mlflow.runs import RunRecord, best_run, filter_runs

__all__ = ["find_runs", "find_best_run", "find_run_by_fingerprint"]


def _experiment_id(experiment: Any) -> str:
    if isinstance(experiment, Mapping):
        return str(experiment["experiment_id"])
    return str(experiment.experiment_id)


def _prefixed(tags: Optional[Mapping[str, Any]]) -> dict:
    return {key if key.startswith(TAG_PREFIX) or key.startswith("mlflow.") else f"{TAG_PREFIX}{key}": str(value) for key, value in (tags or {}).items()}


def find_runs(
    client: Any,
    experiment_name: str,
    tags: Optional[Mapping[str, Any]] = None,
    status: Optional[str] = "FINISHED",
) -> List[RunRecord]:
    """Runs of ``experiment_name`` with the given status and (platform) tags."""
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        return []
    runs = client.search_runs([_experiment_id(experiment)])
    return filter_runs(runs, tags=_prefixed(tags), status=status)


def find_best_run(
    client: Any,
    experiment_name: str,
    metric: str,
    mode: str = "max",
    tags: Optional[Mapping[str, Any]] = None,
) -> Optional[RunRecord]:
    return best_run(find_runs(client, experiment_name, tags=tags), metric, mode=mode)


def find_run_by_fingerprint(client: Any, experiment_name: str, spec_fp: str) -> Optional[RunRecord]:
    """Most recent finished run tagged with ``mlops.spec_fp == spec_fp``."""
    runs = find_runs(client, experiment_name, tags={"spec_fp": spec_fp})
    return runs[-1] if runs else None
