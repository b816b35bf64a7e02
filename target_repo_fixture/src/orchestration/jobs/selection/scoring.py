"""Candidate scoring and ranking."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .criteria import SelectionCriteria

__all__ = ["score_candidate", "rank_candidates", "weighted_score", "normalize_scores"]


def score_candidate(metrics: Mapping[str, float], criteria: SelectionCriteria) -> Optional[float]:
    """Higher is better regardless of ``criteria.mode``; ``None`` if the metric is missing."""
    if criteria.metric not in metrics:
        return None
    value = float(metrics[criteria.metric])
    return value if criteria.mode == "max" else -value


def _candidate_id(candidate: Mapping[str, Any]) -> str:
    return str(candidate.get("id") or candidate.get("run_id") or "")


def rank_candidates(candidates: Sequence[Mapping[str, Any]], criteria: SelectionCriteria) -> List[Dict[str, Any]]:
    """Eligible candidates, best first, each with a ``score``.

    Ties are broken by lower latency, then by id for determinism.
    """
    ranked = []
    for candidate in candidates:
        metrics = candidate.get("metrics", {})
        if not criteria.is_eligible(metrics):
            continue
        entry = dict(candidate)
        entry["score"] = score_candidate(metrics, criteria)
        ranked.append(entry)

    def sort_key(entry: Dict[str, Any]):
        latency = entry.get("metrics", {}).get(criteria.latency_metric, math.inf)
        return (-entry["score"], float(latency), _candidate_id(entry))

    return sorted(ranked, key=sort_key)


def weighted_score(metrics: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Linear combination of metrics; every weighted metric must be present."""
    missing = sorted(set(weights) - set(metrics))
    if missing:
        raise ValueError(f"metrics missing for weighted score: {', '.join(missing)}")
    return sum(float(metrics[name]) * float(weight) for name, weight in weights.items())


def normalize_scores(scores: Sequence[float]) -> List[float]:
    """Min-max normalise to [0, 1] (all equal -> all 1.0)."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0 for _ in scores]
    return [(s - low) / (high - low) for s in scores]
