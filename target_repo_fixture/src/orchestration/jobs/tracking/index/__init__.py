"""Run index: (stage, fingerprint) -> run id."""

from .run_index import RunIndex

__all__ = ["RunIndex"]
