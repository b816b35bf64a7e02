"""Base tracker: owns one active run of one stage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

from naming.mlflow.run_names import build_run_name
from naming.mlflow.tags import build_tags
from tracking.mlflow.runs import log_metrics, log_params

if TYPE_CHECKING:
    from tracking.mlflow.client import LocalTrackingClient

__all__ = ["BaseTracker", "TrackerStateError"]


class TrackerStateError(RuntimeError):
    pass


def _get_or_create_experiment(client: Any, name: str) -> str:
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return existing["experiment_id"] if isinstance(existing, Mapping) else existing.experiment_id
    return client.create_experiment(name)


class BaseTracker:
    stage = "base"

    def __init__(self, client: LocalTrackingClient, experiment_name: str, model: str):
        self.client = client
        self.model = model
        self.experiment_name = experiment_name
        self.experiment_id = _get_or_create_experiment(client, experiment_name)
        self.run_id: Optional[str] = None

    @property
    def active(self) -> bool:
        return self.run_id is not None

    def _require_active(self) -> str:
        if self.run_id is None:
            raise TrackerStateError(f"{type(self).__name__} has no active run")
        return self.run_id

    def start(self, run_name: Optional[str] = None, **tag_fields: Any) -> str:
        if self.active:
            raise TrackerStateError("a run is already active")
        tags = build_tags(self.stage, model=self.model, **tag_fields)
        name = run_name or build_run_name(self.stage, self.model)
        self.run_id = self.client.create_run(self.experiment_id, run_name=name, tags=tags)
        return self.run_id

    def log_params(self, params: Mapping[str, Any]) -> None:
        log_params(self.client, self._require_active(), params)

    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
        log_metrics(self.client, self._require_active(), metrics, step=step)

    def finish(self, status: str = "FINISHED") -> Dict[str, Any]:
        run_id = self._require_active()
        self.client.set_terminated(run_id, status)
        self.run_id = None
        return self.client.get_run(run_id)

    def __enter__(self) -> "BaseTracker":
        if not self.active:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.active:
            self.finish("FAILED" if exc_type else "FINISHED")
