"""Human readable selection reports (markdown, pasted into PR descriptions / notebooks)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

from .criteria import SelectionCriteria
from .scoring import rank_candidates

__all__ = ["render_selection_report"]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def render_selection_report(
    candidates: Sequence[Mapping[str, Any]],
    criteria: SelectionCriteria,
    top_k: int = 5,
) -> str:
    """Markdown table of the ``top_k`` eligible candidates, best first."""
    ranked: List[Dict[str, Any]] = rank_candidates(candidates, criteria)[:top_k]
    lines = [
        f"## Selection by `{criteria.metric}` ({criteria.mode})",
        "",
        f"{len(ranked)} of {len(candidates)} candidates shown.",
        "",
        "| rank | id | score | params |",
        "| --- | --- | --- | --- |",
    ]
    for rank, entry in enumerate(ranked, start=1):
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in sorted(entry.get("params", {}).items()))
        lines.append(f"| {rank} | {entry.get('id', '?')} | {_fmt(entry['score'])} | {params} |")
    return "\n".join(lines) + "\n"
