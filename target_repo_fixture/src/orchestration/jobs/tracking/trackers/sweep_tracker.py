"""Tracker for HPO sweeps: one parent run, one child run per trial."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from naming.mlflow.run_names import build_run_name
from naming.mlflow.tags import build_tags
from tracking.mlflow.runs import log_metrics, log_params

from ....constants import STAGE_HPO
from .base_tracker import BaseTracker

__all__ = ["SweepTracker"]


class SweepTracker(BaseTracker):
    stage = STAGE_HPO

    def __init__(self, client: Any, experiment_name: str, model: str):
        super().__init__(client, experiment_name, model)
        self.trials: List[Dict[str, Any]] = []

    def log_trial(self, number: int, params: Mapping[str, Any], metrics: Mapping[str, float]) -> str:
        parent = self._require_active()
        tags = build_tags(self.stage, model=self.model, trial=number, parent_run_id=parent)
        tags["mlflow.parentRunId"] = parent
        run_id = self.client.create_run(
            self.experiment_id, run_name=build_run_name(self.stage, self.model, trial=number), tags=tags
        )
        log_params(self.client, run_id, params)
        log_metrics(self.client, run_id, metrics)
        self.client.set_terminated(run_id, "FINISHED")
        self.trials.append({"number": number, "run_id": run_id, "params": dict(params), "metrics": dict(metrics)})
        return run_id

    def best_trial(self, metric: str, mode: str = "max") -> Optional[Dict[str, Any]]:
        scored = [t for t in self.trials if metric in t["metrics"]]
        if not scored:
            return None
        chooser = max if mode == "max" else min
        return chooser(scored, key=lambda t: t["metrics"][metric])
