"""Artifact logging for local and MLflow clients."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, List, Mapping, Optional, Union

__all__ = ["log_artifact", "log_dict", "list_artifacts"]


def log_artifact(
    client: Any,
    run_id: str,
    local_path: Union[str, "os.PathLike[str]"],
    artifact_path: Optional[str] = None,
) -> str:
    """Log a file or directory; returns the artifact's relative path."""
    source = Path(local_path)
    if not source.exists():
        raise FileNotFoundError(source)
    relative = Path(artifact_path or "") / source.name
    if hasattr(client, "artifact_dir"):
        destination = client.artifact_dir(run_id) / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(source, destination)
    elif source.is_dir():
        client.log_artifacts(run_id, str(source), str(relative))
    else:
        client.log_artifact(run_id, str(source), artifact_path)
    return relative.as_posix()


def log_dict(client: Any, run_id: str, data: Mapping[str, Any], filename: str, artifact_path: Optional[str] = None) -> str:
    """Serialise ``data`` to ``filename`` (JSON) and log it."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / filename
        target.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        return log_artifact(client, run_id, target, artifact_path)


def list_artifacts(client: Any, run_id: str) -> List[str]:
    """Relative paths of every file logged for ``run_id`` (local client only)."""
    if not hasattr(client, "artifact_dir"):
        return sorted(item.path for item in client.list_artifacts(run_id))
    root = client.artifact_dir(run_id)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
