"""Deterministic hashing helpers.

Everything that ends up in a fingerprint or a cache key goes through
:func:`stable_json` so that key order, tuples vs lists and paths never change
the resulting digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import PurePath
from typing import Any, Mapping, Optional, Union

__all__ = ["stable_json", "sha256_hex", "hash_dict"]


def _default(obj: Any) -> Any:
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if isinstance(obj, PurePath):
        return obj.as_posix()
    raise TypeError(f"Object of type {type(obj).__name__} cannot be hashed as JSON")


def stable_json(obj: Any) -> str:
    """Serialise ``obj`` to a canonical JSON string (sorted keys, no spaces)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=True)


def sha256_hex(data: Union[str, bytes], length: Optional[int] = None) -> str:
    """Return the hex sha256 of ``data``, optionally truncated to ``length`` chars."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    if length is not None:
        if length <= 0:
            raise ValueError("length must be positive")
        digest = digest[:length]
    return digest


def hash_dict(data: Mapping[str, Any], length: Optional[int] = 16) -> str:
    """Hash a mapping independently of key order."""
    if not isinstance(data, Mapping):
        raise TypeError(f"hash_dict expects a mapping, got {type(data).__name__}")
    return sha256_hex(stable_json(dict(data)), length)
