"""Core utilities shared by every package (hashing, normalisation, JSON IO, time)."""

from .hashing import hash_dict, sha256_hex, stable_json
from .io import ensure_dir, read_json, write_json_atomic
from .normalize import normalize_key, normalize_name, normalize_tags
from .retry import retry
from .timestamps import elapsed_seconds, parse_iso, utc_now_iso

__all__ = [
    "ensure_dir",
    "elapsed_seconds",
    "hash_dict",
    "normalize_key",
    "normalize_name",
    "normalize_tags",
    "parse_iso",
    "read_json",
    "retry",
    "sha256_hex",
    "stable_json",
    "utc_now_iso",
    "write_json_atomic",
]
