"""Run finder: query tracking runs by experiment, tags and metrics."""

from .run_finder import find_best_run, find_run_by_fingerprint, find_runs

__all__ = ["find_best_run", "find_run_by_fingerprint", "find_runs"]
