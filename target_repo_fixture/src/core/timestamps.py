"""UTC timestamp helpers (ISO-8601 strings are what we persist in metadata)."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["utc_now_iso", "parse_iso", "elapsed_seconds"]


def utc_now_iso() -> str:
    """Current UTC time as an ISO string with second precision."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def parse_iso(value: str) -> datetime:
    """Parse an ISO timestamp; a trailing ``Z`` and naive values are treated as UTC."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def elapsed_seconds(start: str, end: str) -> float:
    """Seconds between two ISO timestamps (negative if ``end`` is earlier)."""
    return (parse_iso(end) - parse_iso(start)).total_seconds()
