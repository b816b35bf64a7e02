"""In-process sweeps."""

from .sweep import DIRECTIONS, SweepResult, Trial, best_trial, run_local_sweep, trials_to_rows

__all__ = ["DIRECTIONS", "SweepResult", "Trial", "best_trial", "run_local_sweep", "trials_to_rows"]
