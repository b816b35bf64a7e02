"""Time a callable over repeated invocations."""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Dict, List

from ...benchmark_utils import summarize_latencies
from ...constants import DEFAULT_SEED

__all__ = ["BenchmarkRunner", "make_synthetic_workload"]


class BenchmarkRunner:
    def __init__(
        self,
        fn: Callable[[Any], Any],
        warmup: int = 2,
        iterations: int = 10,
        timer: Callable[[], float] = time.perf_counter,
    ):
        if iterations <= 0:
            raise ValueError("iterations must be positive")
        if warmup < 0:
            raise ValueError("warmup must be >= 0")
        self.fn = fn
        self.warmup = warmup
        self.iterations = iterations
        self.timer = timer

    def run(self, payload: Any = None) -> List[float]:
        """Latencies in milliseconds of ``iterations`` timed calls (after warm-up)."""
        for _ in range(self.warmup):
            self.fn(payload)
        latencies = []
        for _ in range(self.iterations):
            start = self.timer()
            self.fn(payload)
            latencies.append((self.timer() - start) * 1000.0)
        return latencies

    def run_and_summarize(self, payload: Any = None) -> Dict[str, float]:
        return summarize_latencies(self.run(payload))


def make_synthetic_workload(size: int, seed: int = DEFAULT_SEED) -> Callable[[Any], float]:
    """A deterministic CPU workload (dot product of ``size`` pseudo-random weights)."""
    if size <= 0:
        raise ValueError("size must be positive")
    rng = random.Random(seed)
    weights = [rng.uniform(-1, 1) for _ in range(size)]

    def workload(_payload: Any = None) -> float:
        return sum(w * (i % 7) for i, w in enumerate(weights))

    return workload
