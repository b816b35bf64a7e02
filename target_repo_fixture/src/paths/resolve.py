"""Resolution of output and config directories."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional, Union

from core.normalize import normalize_name

from .validation import validate_path_before_mkdir

__all__ = ["OUTPUTS_DIRNAME", "CONFIG_DIR_ENV", "resolve_output_dir", "resolve_config_dir", "build_output_path"]

OUTPUTS_DIRNAME = "outputs"
CONFIG_DIR_ENV = "MLOPS_CONFIG_DIR"
PathLike = Union[str, "os.PathLike[str]"]


def resolve_output_dir(root: PathLike, stage: str, *parts: str, create: bool = False) -> Path:
    """``<root>/outputs/<stage>/<parts...>`` with every part normalised."""
    stage_part = normalize_name(stage, sep="_")
    if not stage_part:
        raise ValueError("stage is required")
    clean_parts = [normalize_name(part) for part in parts]
    if any(not part for part in clean_parts):
        raise ValueError(f"empty path component in {parts!r}")
    target = Path(root) / OUTPUTS_DIRNAME / stage_part
    for part in clean_parts:
        target = target / part
    if create:
        validate_path_before_mkdir(target, root=root)
        target.mkdir(parents=True, exist_ok=True)
    return target


def resolve_config_dir(root: Optional[PathLike] = None, env: Optional[Mapping[str, str]] = None) -> Path:
    """Config directory: ``$MLOPS_CONFIG_DIR`` if set, else ``<root>/config``."""
    environ = os.environ if env is None else env
    override = environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    return Path(root if root is not None else ".") / "config"


def build_output_path(root: PathLike, stage: str, model: str, fingerprint: str) -> Path:
    """Canonical artifact directory for a model at a given fingerprint."""
    if not fingerprint:
        raise ValueError("fingerprint is required")
    return resolve_output_dir(root, stage, model) / fingerprint[:12]
