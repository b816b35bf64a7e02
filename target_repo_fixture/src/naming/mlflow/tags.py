"""MLflow tag conventions: every platform tag lives under the ``mlops.`` namespace."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from core.normalize import normalize_name, normalize_tags

__all__ = ["TAG_PREFIX", "build_tags", "strip_tag_prefix"]

TAG_PREFIX = "mlops."


def build_tags(stage: str, **fields: Any) -> Dict[str, str]:
    """Tags for a run of ``stage``; ``None`` fields are skipped.

    >>> build_tags("hpo", model="bert", trial=3)
    {'mlops.stage': 'hpo', 'mlops.model': 'bert', 'mlops.trial': '3'}
    """
    stage_key = normalize_name(stage, sep="_")
    if not stage_key:
        raise ValueError("stage is required")
    tags: Dict[str, Any] = {f"{TAG_PREFIX}stage": stage_key}
    for key, value in fields.items():
        if value is None:
            continue
        tags[f"{TAG_PREFIX}{key}"] = value
    return normalize_tags(tags)


def strip_tag_prefix(tags: Mapping[str, str]) -> Dict[str, str]:
    """Keep only platform tags, without the ``mlops.`` prefix."""
    return {key[len(TAG_PREFIX):]: value for key, value in tags.items() if key.startswith(TAG_PREFIX)}
