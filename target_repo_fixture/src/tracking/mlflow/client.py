"""A tiny file-based tracking store with the subset of ``MlflowClient`` we use.

It backs local development, CI and notebooks running without an MLflow
server; production code talks to the Azure ML MLflow endpoint.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union
from urllib.parse import urlparse

from core.io import ensure_dir, read_json, write_json_atomic
from core.timestamps import utc_now_iso

__all__ = ["LocalTrackingClient", "get_tracking_client", "is_local_uri", "uri_to_path"]

DEFAULT_LOCAL_URI = "mlruns"
_RUN_STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")


def is_local_uri(uri: Optional[str]) -> bool:
    """``None``, plain paths and ``file:`` URIs are served by the local store."""
    if not uri:
        return True
    scheme = urlparse(uri).scheme
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")


def uri_to_path(uri: Optional[str]) -> Path:
    if not uri:
        return Path(DEFAULT_LOCAL_URI)
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(parsed.path)
    return Path(uri)


class LocalTrackingClient:
    """Experiments in ``experiments.json``, one ``run.json`` per run."""

    _counter = itertools.count()
    _lock = threading.Lock()

    def __init__(self, root: Union[str, "os.PathLike[str]"] = DEFAULT_LOCAL_URI):
        self.root = Path(root)
        self.tracking_uri = self.root.as_posix()

    # experiments -------------------------------------------------------
    @property
    def _experiments_file(self) -> Path:
        return self.root / "experiments.json"

    def create_experiment(self, name: str) -> str:
        """Return the id of experiment ``name``, creating it if needed."""
        if not name:
            raise ValueError("experiment name is required")
        experiments = read_json(self._experiments_file, default={})
        if name not in experiments:
            experiments[name] = str(len(experiments) + 1)
            write_json_atomic(self._experiments_file, experiments)
        return experiments[name]

    def get_experiment_by_name(self, name: str) -> Optional[Dict[str, str]]:
        experiments = read_json(self._experiments_file, default={})
        if name not in experiments:
            return None
        return {"experiment_id": experiments[name], "name": name}

    # runs ----------------------------------------------------------------
    def _run_file(self, run_id: str) -> Path:
        return self.root / "runs" / run_id / "run.json"

    def _load(self, run_id: str) -> Dict[str, Any]:
        data = read_json(self._run_file(run_id))
        if data is None:
            raise KeyError(f"unknown run {run_id}")
        return data

    def _save(self, run: Dict[str, Any]) -> None:
        write_json_atomic(self._run_file(run["run_id"]), run)

    def create_run(
        self,
        experiment_id: str,
        run_name: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> str:
        with self._lock:
            sequence = next(self._counter)
        run_id = uuid.uuid4().hex
        run = {
            "run_id": run_id,
            "experiment_id": str(experiment_id),
            "run_name": run_name or run_id[:8],
            "status": "RUNNING",
            "start_time": utc_now_iso(),
            "sequence": sequence,
            "end_time": None,
            "params": {},
            "metrics": {},
            "metric_history": {},
            "tags": dict(tags or {}),
        }
        self._save(run)
        return run_id

    def get_run(self, run_id: str) -> Dict[str, Any]:
        return self._load(run_id)

    def log_param(self, run_id: str, key: str, value: Any) -> None:
        run = self._load(run_id)
        text = str(value)
        if key in run["params"] and run["params"][key] != text:
            raise ValueError(f"param {key!r} already logged with a different value")
        run["params"][key] = text
        self._save(run)

    def log_metric(self, run_id: str, key: str, value: float, step: Optional[int] = None) -> None:
        run = self._load(run_id)
        history = run["metric_history"].setdefault(key, [])
        history.append({"value": float(value), "step": step if step is not None else len(history)})
        run["metrics"][key] = float(value)
        self._save(run)

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        run = self._load(run_id)
        run["tags"][key] = str(value)
        self._save(run)

    def set_terminated(self, run_id: str, status: str = "FINISHED") -> None:
        if status not in _RUN_STATUSES:
            raise ValueError(f"invalid run status {status!r}")
        run = self._load(run_id)
        run["status"] = status
        run["end_time"] = utc_now_iso()
        self._save(run)

    def search_runs(self, experiment_ids: Iterable[str], filter_tags: Optional[Mapping[str, str]] = None) -> List[Dict[str, Any]]:
        wanted = {str(e) for e in experiment_ids}
        runs_dir = self.root / "runs"
        if not runs_dir.exists():
            return []
        runs = []
        for run_file in runs_dir.glob("*/run.json"):
            run = read_json(run_file)
            if run["experiment_id"] not in wanted:
                continue
            if filter_tags and any(run["tags"].get(k) != str(v) for k, v in filter_tags.items()):
                continue
            runs.append(run)
        return sorted(runs, key=lambda r: (r["start_time"], r["sequence"]))

    def artifact_dir(self, run_id: str) -> Path:
        self._load(run_id)
        return ensure_dir(self.root / "runs" / run_id / "artifacts")


def get_tracking_client(tracking_uri: Optional[str] = None) -> Any:
    """Local client for local URIs, ``mlflow.tracking.MlflowClient`` otherwise."""
    if is_local_uri(tracking_uri):
        return LocalTrackingClient(uri_to_path(tracking_uri))
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise RuntimeError(f"mlflow is required for tracking URI {tracking_uri!r}") from exc
    return MlflowClient(tracking_uri=tracking_uri)
