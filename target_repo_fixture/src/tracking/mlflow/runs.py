"""Run records and run-level helpers working with both the local and MLflow clients."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

__all__ = ["RunRecord", "start_run", "log_metrics", "log_params", "best_run", "filter_runs"]


@dataclass
class RunRecord:
    run_id: str
    run_name: str = ""
    experiment_id: str = ""
    status: str = "FINISHED"
    params: Dict[str, str] = field(default_factory=dict)
    metrics: Dict[str, float] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    start_time: Optional[str] = None

    @classmethod
    def from_any(cls, run: Any) -> "RunRecord":
        """Build from a local-store dict or an ``mlflow.entities.Run``."""
        if isinstance(run, RunRecord):
            return run
        if isinstance(run, Mapping):
            return cls(
                run_id=run["run_id"],
                run_name=run.get("run_name", ""),
                experiment_id=str(run.get("experiment_id", "")),
                status=run.get("status", "FINISHED"),
                params=dict(run.get("params", {})),
                metrics={k: float(v) for k, v in run.get("metrics", {}).items()},
                tags=dict(run.get("tags", {})),
                start_time=run.get("start_time"),
            )
        info, data = run.info, run.data
        return cls(
            run_id=info.run_id,
            run_name=getattr(info, "run_name", "") or "",
            experiment_id=str(info.experiment_id),
            status=info.status,
            params=dict(data.params),
            metrics=dict(data.metrics),
            tags=dict(data.tags),
            start_time=str(getattr(info, "start_time", "")) or None,
        )


@contextlib.contextmanager
def start_run(
    client: Any,
    experiment_id: str,
    run_name: Optional[str] = None,
    tags: Optional[Mapping[str, str]] = None,
) -> Iterator[str]:
    """Create a run and terminate it as FINISHED, or FAILED if the block raises."""
    run_id = client.create_run(experiment_id, run_name=run_name, tags=dict(tags or {}))
    try:
        yield run_id
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")


def log_metrics(client: Any, run_id: str, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
    for key, value in metrics.items():
        value = float(value)
        if math.isnan(value):
            raise ValueError(f"metric {key!r} is NaN")
        client.log_metric(run_id, key, value, step=step)


def log_params(client: Any, run_id: str, params: Mapping[str, Any]) -> None:
    for key, value in params.items():
        client.log_param(run_id, key, value)


def filter_runs(runs: Iterable[Any], tags: Optional[Mapping[str, str]] = None, status: Optional[str] = None) -> List[RunRecord]:
    records = [RunRecord.from_any(r) for r in runs]
    if status is not None:
        records = [r for r in records if r.status == status]
    if tags:
        records = [r for r in records if all(r.tags.get(k) == str(v) for k, v in tags.items())]
    return records


def best_run(runs: Iterable[Any], metric: str, mode: str = "max") -> Optional[RunRecord]:
    """Best run by ``metric``; runs without the metric are ignored."""
    if mode not in ("max", "min"):
        raise ValueError("mode must be 'max' or 'min'")
    candidates = [r for r in (RunRecord.from_any(x) for x in runs) if metric in r.metrics]
    if not candidates:
        return None
    chooser = max if mode == "max" else min
    return chooser(candidates, key=lambda r: r.metrics[metric])
