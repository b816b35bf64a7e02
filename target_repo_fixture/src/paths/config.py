"""Paths configuration (``config/paths.yaml``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

__all__ = ["PathsConfig", "load_paths_config"]


@dataclass
class PathsConfig:
    root: Path
    outputs_dir: str = "outputs"
    cache_dir: str = ".cache"
    backup_dir: Optional[str] = None

    @property
    def outputs_path(self) -> Path:
        return self.root / self.outputs_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    @property
    def backup_path(self) -> Optional[Path]:
        return Path(self.backup_dir).expanduser() if self.backup_dir else None


def load_paths_config(
    source: Union[None, Mapping[str, Any], str, "os.PathLike[str]"] = None,
    root: Union[str, "os.PathLike[str]", None] = None,
) -> PathsConfig:
    """Load from a mapping or YAML file (optionally nested under ``paths:``)."""
    if source is None:
        data: Mapping[str, Any] = {}
    elif isinstance(source, Mapping):
        data = source
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    data = dict(data.get("paths", data))
    base = Path(root) if root is not None else Path(data.pop("root", "."))
    data.pop("root", None)
    return PathsConfig(root=base, **data)
