"""Helpers shared by local and Azure ML sweeps."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Union

from core.normalize import normalize_name
from orchestration.path_resolution import validate_path_before_mkdir, resolve_hpo_output_dir

__all__ = [
    "generate_study_name",
    "trial_output_dir",
    "params_to_cli_args",
    "merge_best_params",
    "compute_study_fingerprint",
    "study_name_for_experiment",
]


def generate_study_name(model: str, spec_fp: str, prefix: str = "hpo") -> str:
    """``hpo-<model>-<fp8>``, stable for a given model and spec."""
    if not spec_fp:
        raise ValueError("spec_fp is required")
    return f"{normalize_name(prefix)}-{normalize_name(model)}-{spec_fp[:8]}"


def trial_output_dir(root: Union[str, "os.PathLike[str]"], study_name: str, trial_number: int, create: bool = False) -> Path:
    target = resolve_hpo_output_dir(root, study_name, trial_number)
    if create:
        validate_path_before_mkdir(target, root=root)
        target.mkdir(parents=True, exist_ok=True)
    return target


def params_to_cli_args(params: Mapping[str, Any]) -> List[str]:
    """``{"learning_rate": 0.001, "fp16": True}`` -> ``["--fp16", "--learning-rate", "0.001"]``."""
    args: List[str] = []
    for name in sorted(params):
        value = params[name]
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            if value:
                args.append(flag)
            continue
        if value is None:
            continue
        args.extend([flag, repr(value) if isinstance(value, float) else str(value)])
    return args


def merge_best_params(base: Mapping[str, Any], params: Mapping[str, Any]) -> Dict[str, Any]:
    """Apply dotted params (``"optimizer.lr"``) onto a nested config copy."""
    merged = copy.deepcopy(dict(base))
    for dotted, value in params.items():
        node = merged
        *parents, leaf = dotted.split(".")
        for key in parents:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[leaf] = value
    return merged


def compute_study_fingerprint(experiment: Mapping[str, Any], search_space: Mapping[str, Any]) -> str:
    """Fingerprint identifying a study (experiment spec + search space)."""
    from orchestration.fingerprints import compute_spec_fp  # lazy: avoids loading fingerprints for CLI help

    space = {name: (spec.__dict__ if hasattr(spec, "__dict__") else spec) for name, spec in search_space.items()}
    return compute_spec_fp({"experiment": dict(experiment), "search_space": space})


def study_name_for_experiment(experiment_name: str, config_dir: Union[str, "os.PathLike[str]"] = "config") -> str:
    """Study name for a configured experiment (loads and fingerprints its config)."""
    from orchestration import load_experiment_config, compute_spec_fp  # lazy: the package imports jobs

    experiment = load_experiment_config(experiment_name, config_dir=config_dir)
    return generate_study_name(experiment.model, compute_spec_fp(experiment.to_dict()))
