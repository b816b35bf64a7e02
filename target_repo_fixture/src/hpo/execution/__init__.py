"""HPO execution back-ends (local for now; Azure ML still lives in orchestration.jobs.hpo.azureml)."""

from .local import SweepResult, Trial, best_trial, run_local_sweep, trials_to_rows

__all__ = ["SweepResult", "Trial", "best_trial", "run_local_sweep", "trials_to_rows"]
