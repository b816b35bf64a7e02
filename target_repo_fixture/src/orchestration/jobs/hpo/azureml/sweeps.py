"""Azure ML sweep jobs (HyperDrive) built from our search space format."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

from core.timestamps import utc_now_iso

from ....constants import DEFAULT_SEED, STAGE_HPO
from ..search_space import ParamSpec

__all__ = ["to_azure_search_space", "build_sweep_job_spec", "submit_sweep", "SAMPLING_ALGORITHMS"]

SAMPLING_ALGORITHMS = ("random", "grid", "bayesian")


def _format(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def to_azure_search_space(space: Mapping[str, ParamSpec]) -> Dict[str, str]:
    """Azure ML parameter expressions (``loguniform`` takes natural-log bounds)."""
    expressions = {}
    for name in sorted(space):
        spec = space[name]
        if spec.type == "uniform":
            expressions[name] = f"uniform({_format(float(spec.low))}, {_format(float(spec.high))})"
        elif spec.type == "loguniform":
            expressions[name] = f"loguniform({math.log(spec.low):.6f}, {math.log(spec.high):.6f})"
        elif spec.type == "int":
            expressions[name] = f"quniform({int(spec.low)}, {int(spec.high)}, 1)"
        elif spec.type == "choice":
            expressions[name] = "choice(" + ", ".join(_format(v) for v in spec.choices) + ")"
        else:
            raise ValueError(f"unsupported parameter type {spec.type!r}")
    return expressions


def build_sweep_job_spec(
    name: str,
    command: str,
    space: Mapping[str, ParamSpec],
    metric: str,
    goal: str = "maximize",
    max_trials: int = 20,
    max_concurrent: int = 4,
    sampling: str = "random",
    seed: int = DEFAULT_SEED,
    compute: str = "cpu-cluster",
) -> Dict[str, Any]:
    if goal not in ("maximize", "minimize"):
        raise ValueError("goal must be 'maximize' or 'minimize'")
    if sampling not in SAMPLING_ALGORITHMS:
        raise ValueError(f"sampling must be one of {SAMPLING_ALGORITHMS}")
    if max_concurrent > max_trials:
        raise ValueError("max_concurrent cannot exceed max_trials")
    return {
        "name": name,
        "type": "sweep",
        "stage": STAGE_HPO,
        "trial": {"command": command, "compute": compute},
        "search_space": to_azure_search_space(space),
        "sampling_algorithm": {"type": sampling, "seed": seed} if sampling == "random" else {"type": sampling},
        "objective": {"primary_metric": metric, "goal": goal},
        "limits": {"max_total_trials": max_trials, "max_concurrent_trials": max_concurrent},
    }


def _load_azureml() -> Optional[Any]:
    try:
        import azureml.core as azureml_core
    except ImportError:
        return None
    return azureml_core


def submit_sweep(
    spec: Mapping[str, Any],
    workspace: Any = None,
    dry_run_dir: Union[str, "os.PathLike[str]", None] = None,
) -> Dict[str, Any]:
    """Submit to Azure ML, or write the spec to ``dry_run_dir`` when no workspace is given."""
    if workspace is None:
        if dry_run_dir is None:
            raise ValueError("dry_run_dir is required when no workspace is given")
        target = Path(dry_run_dir) / f"{spec['name']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(spec, indent=2, sort_keys=True), encoding="utf-8")
        return {"status": "dry_run", "path": target.as_posix(), "submitted_at": utc_now_iso()}
    azureml_core = _load_azureml()
    if azureml_core is None:
        raise RuntimeError("azureml-core is required to submit sweeps to a workspace")
    experiment = azureml_core.Experiment(workspace=workspace, name=spec["name"])
    run = experiment.submit(dict(spec))
    return {"status": "submitted", "run_id": getattr(run, "id", None), "submitted_at": utc_now_iso()}
