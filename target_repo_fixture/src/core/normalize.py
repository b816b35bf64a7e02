"""Name and tag normalisation used for experiment names, run names and paths."""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping

__all__ = ["normalize_name", "normalize_key", "normalize_tags", "MAX_TAG_VALUE_LENGTH"]

MAX_TAG_VALUE_LENGTH = 5000  # MLflow's limit for tag values
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_name(value: Any, sep: str = "-") -> str:
    """Lower-case ``value`` and collapse every run of non-alphanumerics into ``sep``.

    >>> normalize_name("  BERT Base_uncased ")
    'bert-base-uncased'
    """
    if value is None:
        return ""
    text = str(value).strip().lower()
    return _NON_ALNUM.sub(sep, text).strip(sep)


def normalize_key(value: Any) -> str:
    """Normalise into a python/YAML friendly key (``snake_case``)."""
    return normalize_name(value, sep="_")


def _tag_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text[:MAX_TAG_VALUE_LENGTH]


def normalize_tags(tags: Mapping[str, Any]) -> Dict[str, str]:
    """Turn arbitrary tag values into MLflow compatible strings.

    Keys are stripped (but keep their dots, which MLflow uses as namespaces);
    empty keys are rejected.
    """
    result: Dict[str, str] = {}
    for key, value in tags.items():
        clean_key = str(key).strip()
        if not clean_key:
            raise ValueError("tag keys must be non-empty")
        result[clean_key] = _tag_value(value)
    return result
