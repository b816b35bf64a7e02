"""Latency statistics for benchmarking."""

from __future__ import annotations

import math
from typing import Dict, Mapping, Sequence

__all__ = ["percentile", "summarize_latencies", "throughput", "relative_change", "format_summary"]


def percentile(values: Sequence[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default method)."""
    if not values:
        raise ValueError("percentile of empty sequence")
    if not 0 <= q <= 100:
        raise ValueError("q must be within [0, 100]")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return float(ordered[int(position)])
    fraction = position - lower
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * fraction)


def summarize_latencies(latencies_ms: Sequence[float]) -> Dict[str, float]:
    if not latencies_ms:
        raise ValueError("no latencies to summarize")
    n = len(latencies_ms)
    mean = sum(latencies_ms) / n
    variance = sum((x - mean) ** 2 for x in latencies_ms) / n
    return {
        "count": float(n),
        "mean_ms": mean,
        "std_ms": math.sqrt(variance),
        "min_ms": float(min(latencies_ms)),
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "p99_ms": percentile(latencies_ms, 99),
        "max_ms": float(max(latencies_ms)),
    }


def throughput(n_items: int, total_seconds: float) -> float:
    """Items per second."""
    if total_seconds <= 0:
        raise ValueError("total_seconds must be positive")
    return n_items / total_seconds


def relative_change(baseline: Mapping[str, float], candidate: Mapping[str, float], key: str = "p50_ms") -> float:
    """``(candidate - baseline) / baseline`` for ``key``; negative means faster."""
    base = baseline[key]
    if base == 0:
        raise ValueError(f"baseline {key} is zero")
    return (candidate[key] - base) / base


def format_summary(summary: Mapping[str, float]) -> str:
    return "p50={p50_ms:.2f}ms p95={p95_ms:.2f}ms p99={p99_ms:.2f}ms mean={mean_ms:.2f}ms (n={count:.0f})".format(**summary)
