"""HPO jobs (being migrated to the top-level ``hpo`` package)."""

from .hpo_helpers import (
    compute_study_fingerprint,
    generate_study_name,
    merge_best_params,
    params_to_cli_args,
    study_name_for_experiment,
    trial_output_dir,
)
from .local_sweeps import SweepResult, Trial, best_trial, run_local_sweep, trials_to_rows
from .search_space import ParamSpec, grid_points, load_search_space, parse_search_space, sample_params, space_size
from .study_extractor import extract_best_trial, extract_trials, study_summary

__all__ = [
    "ParamSpec",
    "SweepResult",
    "Trial",
    "best_trial",
    "compute_study_fingerprint",
    "extract_best_trial",
    "extract_trials",
    "generate_study_name",
    "grid_points",
    "load_search_space",
    "merge_best_params",
    "params_to_cli_args",
    "parse_search_space",
    "run_local_sweep",
    "sample_params",
    "space_size",
    "study_name_for_experiment",
    "study_summary",
    "trial_output_dir",
    "trials_to_rows",
]
