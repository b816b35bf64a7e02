"""Small HPO formatting helpers."""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["trial_label", "format_params"]


def trial_label(number: int, width: int = 3) -> str:
    """``trial_label(7) == "trial_007"``."""
    if number < 0:
        raise ValueError("trial number must be >= 0")
    return f"trial_{number:0{width}d}"


def format_params(params: Mapping[str, Any], precision: int = 4) -> str:
    """Compact, sorted ``k=v`` rendering for logs and run descriptions."""
    parts = []
    for name in sorted(params):
        value = params[name]
        text = f"{value:.{precision}g}" if isinstance(value, float) else str(value)
        parts.append(f"{name}={text}")
    return ", ".join(parts)
