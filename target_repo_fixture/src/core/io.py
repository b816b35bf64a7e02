"""Small JSON file helpers with atomic writes (used by indexes and metadata)."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Union

__all__ = ["ensure_dir", "read_json", "write_json_atomic"]

PathLike = Union[str, "os.PathLike[str]"]


def ensure_dir(path: PathLike) -> Path:
    """Create ``path`` (and parents) if needed and return it as a Path."""
    target = Path(path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def read_json(path: PathLike, default: Any = None) -> Any:
    """Read JSON from ``path``; return a copy of ``default`` when it does not exist."""
    target = Path(path)
    if not target.exists():
        return copy.deepcopy(default)
    with target.open("r", encoding="utf-8") as handle:
        return json.load(handle)


def write_json_atomic(path: PathLike, data: Any, indent: int = 2) -> Path:
    """Write ``data`` as JSON via a temp file + ``os.replace`` so readers never see half a file."""
    target = Path(path)
    ensure_dir(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=indent, sort_keys=True)
            handle.write("\n")
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return target
