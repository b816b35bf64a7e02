"""Hyper-parameter optimisation (new home of ``orchestration.jobs.hpo``)."""

from .core import ParamSpec, grid_points, load_search_space, parse_search_space, sample_params, space_size
from .execution import SweepResult, Trial, best_trial, run_local_sweep, trials_to_rows
from .utils import format_params, trial_label

__all__ = [
    "ParamSpec",
    "SweepResult",
    "Trial",
    "best_trial",
    "format_params",
    "grid_points",
    "load_search_space",
    "parse_search_space",
    "run_local_sweep",
    "sample_params",
    "space_size",
    "trial_label",
    "trials_to_rows",
]
