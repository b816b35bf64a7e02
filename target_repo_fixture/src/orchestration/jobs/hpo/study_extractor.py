"""Extract best trials / summaries from sweep results and Optuna-like studies."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from .local_sweeps import SweepResult, Trial, best_trial

__all__ = ["extract_trials", "extract_best_trial", "study_summary", "load_optuna_study"]


def _trial_dict(trial: Any) -> Dict[str, Any]:
    if isinstance(trial, Mapping):
        return {
            "number": int(trial.get("number", 0)),
            "params": dict(trial.get("params", {})),
            "value": trial.get("value"),
            "state": str(trial.get("state", "COMPLETE")),
        }
    state = getattr(trial, "state", "COMPLETE")
    return {
        "number": int(trial.number),
        "params": dict(trial.params),
        "value": trial.value,
        "state": getattr(state, "name", str(state)),
    }


def extract_trials(study: Any) -> List[Dict[str, Any]]:
    """Trials of a SweepResult, an Optuna study (``.trials``) or a list of dicts."""
    if isinstance(study, SweepResult):
        return [_trial_dict(t) for t in study.trials]
    if hasattr(study, "trials"):
        return [_trial_dict(t) for t in study.trials]
    return [_trial_dict(t) for t in study]


def extract_best_trial(study: Any, direction: str = "maximize") -> Optional[Dict[str, Any]]:
    if isinstance(study, SweepResult):
        best = study.best_trial
        return _trial_dict(best) if best else None
    trials = [Trial(t["number"], t["params"], t["value"], t["state"]) for t in extract_trials(study)]
    study_direction = getattr(study, "direction", None)
    if study_direction is not None:
        direction = getattr(study_direction, "name", str(study_direction)).lower()
    best = best_trial(trials, direction)
    return _trial_dict(best) if best else None


def study_summary(study: Any, direction: str = "maximize") -> Dict[str, Any]:
    trials = extract_trials(study)
    best = extract_best_trial(study, direction)
    return {
        "n_trials": len(trials),
        "n_complete": sum(1 for t in trials if t["state"] == "COMPLETE"),
        "best_value": best["value"] if best else None,
        "best_params": best["params"] if best else {},
    }


def load_optuna_study(study_name: str, storage: str) -> Any:
    """Load a persisted Optuna study (needs the optional ``optuna`` package)."""
    try:
        import optuna
    except ImportError as exc:
        raise RuntimeError("optuna is required to load persisted studies") from exc
    return optuna.load_study(study_name=study_name, storage=storage)
