"""Fingerprints identifying every artifact of the pipeline.

spec_fp  -> what was asked for (experiment/training spec)
exec_fp  -> spec + environment + code version (how it was produced)
conv_fp  -> exec_fp + conversion settings
bench_fp -> conv_fp + benchmark settings + hardware
"""

from __future__ import annotations

import os
import platform
from typing import Any, Dict, Mapping, Optional

from core.hashing import hash_dict

from .constants import FINGERPRINT_LENGTH

__all__ = [
    "VOLATILE_KEYS",
    "compute_spec_fp",
    "compute_exec_fp",
    "compute_conv_fp",
    "compute_bench_fp",
    "compute_hardware_fp",
    "detect_hardware",
    "short_fp",
]

VOLATILE_KEYS = frozenset({"source_path", "run_id", "source_run_id", "created_at", "updated_at", "tags"})


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _require_fp(name: str, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty fingerprint string")


def compute_spec_fp(spec: Mapping[str, Any]) -> str:
    """Fingerprint of a spec, ignoring volatile keys (run ids, timestamps, tags)."""
    return hash_dict(_clean(spec), length=FINGERPRINT_LENGTH)


def compute_exec_fp(spec_fp: str, environment: Optional[Mapping[str, Any]] = None, code_version: Optional[str] = None) -> str:
    _require_fp("spec_fp", spec_fp)
    payload = {"spec_fp": spec_fp, "environment": _clean(environment or {}), "code_version": code_version or "unversioned"}
    return hash_dict(payload, length=FINGERPRINT_LENGTH)


def compute_conv_fp(exec_fp: str, conversion: Mapping[str, Any]) -> str:
    _require_fp("exec_fp", exec_fp)
    return hash_dict({"exec_fp": exec_fp, "conversion": _clean(conversion)}, length=FINGERPRINT_LENGTH)


def detect_hardware() -> Dict[str, Any]:
    return {
        "system": platform.system(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count() or 1,
    }


def compute_hardware_fp(info: Optional[Mapping[str, Any]] = None) -> str:
    return hash_dict(dict(info) if info is not None else detect_hardware(), length=FINGERPRINT_LENGTH)


def compute_bench_fp(conv_fp: str, settings: Mapping[str, Any], hardware_fp: str) -> str:
    _require_fp("conv_fp", conv_fp)
    _require_fp("hardware_fp", hardware_fp)
    return hash_dict({"conv_fp": conv_fp, "settings": _clean(settings), "hardware_fp": hardware_fp}, length=FINGERPRINT_LENGTH)


def short_fp(fingerprint: str, length: int = 8) -> str:
    _require_fp("fingerprint", fingerprint)
    return fingerprint[:length]
