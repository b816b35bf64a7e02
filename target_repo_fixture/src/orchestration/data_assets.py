"""Azure ML data asset management with a local JSON registry fallback."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from core.io import read_json, write_json_atomic
from core.normalize import normalize_name
from core.retry import retry
from core.timestamps import utc_now_iso

__all__ = [
    "DataAsset",
    "LocalAssetRegistry",
    "register_data_asset",
    "get_data_asset",
    "parse_asset_reference",
]

logger = logging.getLogger(__name__)

DEFAULT_REGISTRY_DIR = ".mlops/data_assets"


@dataclass
class DataAsset:
    name: str
    version: int
    path: str
    description: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    created_at: str = ""

    @property
    def reference(self) -> str:
        return f"azureml:{self.name}:{self.version}"

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


class LocalAssetRegistry:
    def __init__(self, root: Union[str, "os.PathLike[str]"] = DEFAULT_REGISTRY_DIR):
        self.root = Path(root)
        self.file = self.root / "registry.json"

    def register(
        self,
        name: str,
        path: str,
        version: Optional[int] = None,
        description: str = "",
        tags: Optional[Dict[str, str]] = None,
    ) -> DataAsset:
        key = normalize_name(name)
        if not key:
            raise ValueError("asset name is required")
        registry = read_json(self.file, default={})
        versions = registry.setdefault(key, {})
        if version is None:
            version = max((int(v) for v in versions), default=0) + 1
        if str(version) in versions:
            raise ValueError(f"data asset {key}:{version} already registered")
        asset = DataAsset(key, int(version), str(path), description, dict(tags or {}), utc_now_iso())
        versions[str(version)] = asset.to_dict()
        write_json_atomic(self.file, registry)
        return asset

    def get(self, name: str, version: Union[int, str] = "latest") -> DataAsset:
        key = normalize_name(name)
        versions = read_json(self.file, default={}).get(key)
        if not versions:
            raise KeyError(f"data asset {key!r} not found")
        if version == "latest":
            version = max(int(v) for v in versions)
        record = versions.get(str(version))
        if record is None:
            raise KeyError(f"data asset {key}:{version} not found")
        return DataAsset(**record)

    def list(self, name: Optional[str] = None) -> List[DataAsset]:
        registry = read_json(self.file, default={})
        names = [normalize_name(name)] if name else sorted(registry)
        assets = []
        for key in names:
            for version in sorted(registry.get(key, {}), key=int):
                assets.append(DataAsset(**registry[key][version]))
        return assets


def parse_asset_reference(reference: str) -> Dict[str, Any]:
    """``azureml:name:version`` / ``name@version`` / ``name`` -> {name, version}."""
    text = reference.strip()
    if text.startswith("azureml:"):
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"invalid azureml reference {reference!r}")
        return {"name": parts[1], "version": int(parts[2]) if parts[2] != "latest" else "latest"}
    if "@" in text:
        name, version = text.split("@", 1)
        return {"name": name, "version": int(version) if version != "latest" else "latest"}
    return {"name": text, "version": "latest"}


def _register_in_workspace(workspace: Any, name: str, path: str, description: str) -> Optional[Any]:
    try:
        from azureml.core import Dataset
    except ImportError:
        logger.warning("azureml-core not installed; registering %s in the local registry instead", name)
        return None
    datastore = workspace.get_default_datastore()
    dataset = Dataset.File.from_files(path=(datastore, path))
    return _register_dataset(dataset, workspace, name, description)


@retry(attempts=3, exceptions=(ConnectionError, TimeoutError))
def _register_dataset(dataset: Any, workspace: Any, name: str, description: str) -> Any:
    return dataset.register(workspace=workspace, name=name, description=description, create_new_version=True)


def register_data_asset(
    name: str,
    path: str,
    version: Optional[int] = None,
    *,
    registry_dir: Union[str, "os.PathLike[str]"] = DEFAULT_REGISTRY_DIR,
    workspace: Any = None,
    description: str = "",
    tags: Optional[Dict[str, str]] = None,
) -> DataAsset:
    """Register ``path`` as a data asset (in the workspace when possible, always locally)."""
    if workspace is not None:
        registered = _register_in_workspace(workspace, name, path, description)
        if registered is not None:
            version = int(getattr(registered, "version", version or 1))
    return LocalAssetRegistry(registry_dir).register(name, path, version=version, description=description, tags=tags)


def get_data_asset(reference: str, registry_dir: Union[str, "os.PathLike[str]"] = DEFAULT_REGISTRY_DIR) -> DataAsset:
    parsed = parse_asset_reference(reference)
    return LocalAssetRegistry(registry_dir).get(parsed["name"], parsed["version"])
