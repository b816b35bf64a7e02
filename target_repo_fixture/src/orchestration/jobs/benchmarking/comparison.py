"""Compare benchmark runs and flag latency regressions."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import orchestration.benchmark_utils as bu

from .results import BenchmarkResult

__all__ = ["compare_results", "find_regressions"]


def _by_key(results: Sequence[BenchmarkResult]) -> Dict[Tuple[str, int], BenchmarkResult]:
    return {(r.model, r.batch_size): r for r in results}


def compare_results(
    baseline: Sequence[BenchmarkResult],
    candidate: Sequence[BenchmarkResult],
    key: str = "p50_ms",
) -> Dict[Tuple[str, int], float]:
    """Relative change of ``key`` for every (model, batch size) present in both."""
    base, cand = _by_key(baseline), _by_key(candidate)
    return {k: bu.relative_change(base[k].summary, cand[k].summary, key) for k in sorted(set(base) & set(cand))}


def find_regressions(
    baseline: Sequence[BenchmarkResult],
    candidate: Sequence[BenchmarkResult],
    threshold: float = 0.10,
    key: str = "p50_ms",
) -> List[Tuple[str, int, float]]:
    """(model, batch_size, change) where the candidate is slower by more than ``threshold``."""
    return [(model, bs, change) for (model, bs), change in compare_results(baseline, candidate, key).items() if change > threshold]
