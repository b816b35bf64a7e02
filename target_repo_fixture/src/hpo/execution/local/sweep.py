"""Local HPO execution (random search, in-process)."""

from __future__ import annotations

import logging
import math
import random
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from hpo.core.search_space import ParamSpec, sample_params
from orchestration.constants import DEFAULT_SEED

__all__ = ["Trial", "SweepResult", "run_local_sweep", "best_trial", "trials_to_rows", "DIRECTIONS"]

logger = logging.getLogger(__name__)

DIRECTIONS = ("maximize", "minimize")
STATE_COMPLETE = "COMPLETE"
STATE_FAIL = "FAIL"


@dataclass
class Trial:
    number: int
    params: Dict[str, Any]
    value: Optional[float]
    state: str = STATE_COMPLETE
    error: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class SweepResult:
    direction: str
    trials: List[Trial] = field(default_factory=list)

    @property
    def best_trial(self) -> Optional[Trial]:
        return best_trial(self.trials, self.direction)

    @property
    def n_complete(self) -> int:
        return sum(1 for t in self.trials if t.state == STATE_COMPLETE)

    def to_dict(self) -> Dict[str, Any]:
        best = self.best_trial
        return {
            "direction": self.direction,
            "trials": [t.to_dict() for t in self.trials],
            "best_trial": best.number if best else None,
        }


def best_trial(trials: Sequence[Trial], direction: str = "maximize") -> Optional[Trial]:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    complete = [t for t in trials if t.state == STATE_COMPLETE and t.value is not None]
    if not complete:
        return None
    if direction == "maximize":
        return max(complete, key=lambda t: (t.value, -t.number))
    return min(complete, key=lambda t: (t.value, t.number))


def run_local_sweep(
    objective: Callable[[Dict[str, Any]], float],
    space: Mapping[str, ParamSpec],
    n_trials: int = 10,
    seed: int = DEFAULT_SEED,
    direction: str = "maximize",
    callbacks: Optional[Sequence[Callable[[Trial], None]]] = None,
    early_stop_patience: Optional[int] = None,
) -> SweepResult:
    """Random search: sample ``n_trials`` configurations and evaluate ``objective``.

    A trial whose objective raises (or returns NaN) is recorded as FAIL and
    the sweep continues.  With ``early_stop_patience`` the sweep stops once
    that many consecutive trials failed to improve on the best value.
    """
    if n_trials <= 0:
        raise ValueError(f"n_trials must be positive, got {n_trials}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if early_stop_patience is not None and early_stop_patience <= 0:
        raise ValueError("early_stop_patience must be positive")
    rng = random.Random(seed)
    result = SweepResult(direction=direction)
    stale = 0
    for number in range(n_trials):
        if early_stop_patience is not None and stale >= early_stop_patience:
            logger.info("early stopping after %d trials without improvement", stale)
            break
        previous_best = result.best_trial
        params = sample_params(space, rng=rng)
        try:
            value = float(objective(dict(params)))
            if math.isnan(value):
                raise ValueError("objective returned NaN")
            trial = Trial(number, params, value)
        except Exception as exc:  # a failing trial must not kill the sweep
            logger.warning("trial %d failed: %s", number, exc)
            trial = Trial(number, params, None, STATE_FAIL, str(exc))
        result.trials.append(trial)
        stale = 0 if result.best_trial is not previous_best else stale + 1
        for callback in callbacks or ():
            callback(trial)
    return result


def trials_to_rows(result: SweepResult) -> List[Dict[str, Any]]:
    """Flat rows (``param.<name>`` columns) for CSV export / dataframes."""
    rows = []
    for trial in result.trials:
        row = {"number": trial.number, "value": trial.value, "state": trial.state}
        row.update({f"param.{name}": value for name, value in sorted(trial.params.items())})
        rows.append(row)
    return rows
