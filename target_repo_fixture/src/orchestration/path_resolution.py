"""Path resolution helpers for orchestration jobs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from core.normalize import normalize_name

__all__ = ["validate_path_before_mkdir", "resolve_hpo_output_dir"]

HPO_OUTPUT_SUBDIR = "hpo"


def validate_path_before_mkdir(
    path: Union[str, "os.PathLike[str]"],
    root: Optional[Union[str, "os.PathLike[str]"]] = None,
    allow_existing: bool = True,
) -> Path:
    """Validate a directory path before calling ``mkdir`` on it.

    Raises ValueError for traversal / escaping ``root``, NotADirectoryError if a
    file is in the way and FileExistsError when ``allow_existing`` is False.
    """
    candidate = Path(path).expanduser()
    if any(part == ".." for part in candidate.parts):
        raise ValueError(f"path traversal is not allowed: {path}")
    resolved = candidate.resolve()
    if root is not None:
        root_resolved = Path(root).expanduser().resolve()
        if resolved != root_resolved and root_resolved not in resolved.parents:
            raise ValueError(f"{resolved} is outside of {root_resolved}")
    if resolved.exists():
        if not resolved.is_dir():
            raise NotADirectoryError(f"{resolved} exists and is not a directory")
        if not allow_existing:
            raise FileExistsError(f"{resolved} already exists")
    for parent in resolved.parents:  # nearest existing ancestor must be a dir
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(f"{parent} is a file, cannot create {resolved}")
            break
    return resolved


def resolve_hpo_output_dir(
    root: Union[str, "os.PathLike[str]"],
    study_name: str,
    trial_number: Optional[int] = None,
    create: bool = False,
) -> Path:
    """``<root>/outputs/hpo/<study>[/trial_<nnn>]`` validated against ``root``."""
    study = normalize_name(study_name)
    if not study:
        raise ValueError("study_name is required")
    target = Path(root) / "outputs" / HPO_OUTPUT_SUBDIR / study
    if trial_number is not None:
        if trial_number < 0:
            raise ValueError("trial_number must be >= 0")
        target = target / f"trial_{trial_number:03d}"
    validate_path_before_mkdir(target, root=root)
    if create:
        target.mkdir(parents=True, exist_ok=True)
    return target
