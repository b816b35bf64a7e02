"""Run names: ``<stage>__<model>[__t<trial>][__<fp8>]``."""

from __future__ import annotations

from typing import Any, Dict, Optional

from core.normalize import normalize_name

__all__ = ["RUN_NAME_SEPARATOR", "build_run_name", "parse_run_name"]

RUN_NAME_SEPARATOR = "__"
_FP_LENGTH = 8


def build_run_name(
    stage: str,
    model: str,
    trial: Optional[int] = None,
    fingerprint: Optional[str] = None,
) -> str:
    """Build a run name that :func:`parse_run_name` can read back."""
    stage_part, model_part = normalize_name(stage), normalize_name(model)
    if not stage_part or not model_part:
        raise ValueError("stage and model must be non-empty")
    parts = [stage_part, model_part]
    if trial is not None:
        if int(trial) < 0:
            raise ValueError("trial number must be >= 0")
        parts.append(f"t{int(trial):03d}")
    if fingerprint:
        parts.append(fingerprint[:_FP_LENGTH])
    return RUN_NAME_SEPARATOR.join(parts)


def parse_run_name(name: str) -> Dict[str, Any]:
    """Inverse of :func:`build_run_name`."""
    parts = name.split(RUN_NAME_SEPARATOR)
    if len(parts) < 2:
        raise ValueError(f"not a structured run name: {name!r}")
    parsed: Dict[str, Any] = {"stage": parts[0], "model": parts[1], "trial": None, "fingerprint": None}
    for extra in parts[2:]:
        if extra.startswith("t") and extra[1:].isdigit():
            parsed["trial"] = int(extra[1:])
        else:
            parsed["fingerprint"] = extra
    return parsed
