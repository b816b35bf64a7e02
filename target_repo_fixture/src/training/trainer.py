"""A deliberately tiny trainer: 1-D linear regression with gradient descent.

It stands in for the real transformer fine-tuning loop so the orchestration
code (HPO, final training, conversion) can be exercised end to end.
"""

from __future__ import annotations

import random
from typing import Dict, List, Optional, Sequence

from .config import TrainingConfig
from .metrics import mae, mse, r2_score


class Trainer:
    def __init__(self, config: Optional[TrainingConfig] = None):
        self.config = config or TrainingConfig()
        rng = random.Random(self.config.seed)
        self.weight = rng.uniform(-0.1, 0.1)
        self.bias = 0.0
        self.history: List[float] = []

    @property
    def weights(self) -> List[float]:
        return [self.weight, self.bias]

    def predict(self, xs: Sequence[float]) -> List[float]:
        return [self.weight * x + self.bias for x in xs]

    def fit(self, xs: Sequence[float], ys: Sequence[float]) -> List[float]:
        """Full-batch gradient descent; returns the MSE after each epoch."""
        if len(xs) != len(ys) or not xs:
            raise ValueError("xs and ys must be non-empty and of equal length")
        n = len(xs)
        lr, l2 = self.config.learning_rate, self.config.l2
        for _ in range(self.config.epochs):
            preds = self.predict(xs)
            errors = [p - y for p, y in zip(preds, ys)]
            grad_w = 2.0 / n * sum(e * x for e, x in zip(errors, xs)) + 2 * l2 * self.weight
            grad_b = 2.0 / n * sum(errors)
            self.weight -= lr * grad_w
            self.bias -= lr * grad_b
            self.history.append(mse(ys, self.predict(xs)))
        return list(self.history)

    def evaluate(self, xs: Sequence[float], ys: Sequence[float]) -> Dict[str, float]:
        preds = self.predict(xs)
        return {"mse": mse(ys, preds), "mae": mae(ys, preds), "r2": r2_score(ys, preds)}

    def state_dict(self) -> Dict[str, float]:
        return {"weight": self.weight, "bias": self.bias}

    def load_state_dict(self, state: Dict[str, float]) -> None:
        self.weight = float(state["weight"])
        self.bias = float(state["bias"])
