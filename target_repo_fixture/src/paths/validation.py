"""Validation of directories before they are created."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

__all__ = ["validate_path_before_mkdir"]


def validate_path_before_mkdir(
    path: Union[str, "os.PathLike[str]"],
    root: Optional[Union[str, "os.PathLike[str]"]] = None,
    allow_existing: bool = True,
) -> Path:
    """Check that ``path`` can safely be created as a directory.

    Rejects ``..`` components, paths escaping ``root`` and paths where a file
    (rather than a directory) is in the way.  Returns the resolved path.
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
    # the closest existing ancestor must be a directory, otherwise mkdir fails later
    for parent in resolved.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(f"{parent} is a file, cannot create {resolved}")
            break
    return resolved
