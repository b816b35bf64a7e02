"""Cache directories (selection cache, downloaded artifacts, ...)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Union

from core.normalize import normalize_name

from .validation import validate_path_before_mkdir

__all__ = ["cache_dir_for", "clear_cache"]

CACHE_DIRNAME = ".cache"


def cache_dir_for(root: Union[str, "os.PathLike[str]"], namespace: str, create: bool = True) -> Path:
    """``<root>/.cache/<namespace>``, created on demand."""
    name = normalize_name(namespace, sep="_")
    if not name:
        raise ValueError("namespace is required")
    target = Path(root) / CACHE_DIRNAME / name
    if create:
        validate_path_before_mkdir(target, root=root)
        target.mkdir(parents=True, exist_ok=True)
    return target


def clear_cache(root: Union[str, "os.PathLike[str]"], namespace: str) -> bool:
    """Delete one namespace; returns False if it did not exist."""
    target = cache_dir_for(root, namespace, create=False)
    if not target.exists():
        return False
    shutil.rmtree(target)
    return True
