"""Stage job outputs locally, then upload them (plus a checksum manifest) to a run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from tracking.mlflow.artifacts import log_artifact

__all__ = ["ArtifactManager", "MANIFEST_NAME"]

MANIFEST_NAME = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ArtifactManager:
    def __init__(self, client: Any, run_id: str, staging_dir: Union[str, "os.PathLike[str]"]):
        self.client = client
        self.run_id = run_id
        self.staging_dir = Path(staging_dir)
        self.staging_dir.mkdir(parents=True, exist_ok=True)

    def stage_json(self, name: str, data: Mapping[str, Any]) -> Path:
        target = self.staging_dir / name
        target.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        return target

    def stage_file(self, path: Union[str, "os.PathLike[str]"], name: Optional[str] = None) -> Path:
        source = Path(path)
        target = self.staging_dir / (name or source.name)
        shutil.copy2(source, target)
        return target

    def staged(self) -> List[str]:
        return sorted(p.name for p in self.staging_dir.iterdir() if p.is_file() and p.name != MANIFEST_NAME)

    def manifest(self) -> Dict[str, str]:
        return {name: _sha256(self.staging_dir / name) for name in self.staged()}

    def upload_all(self, artifact_path: Optional[str] = None) -> List[str]:
        """Upload every staged file and the manifest; returns the uploaded artifact paths."""
        uploaded = [log_artifact(self.client, self.run_id, self.staging_dir / name, artifact_path) for name in self.staged()]
        manifest_path = self.stage_json(MANIFEST_NAME, self.manifest())
        uploaded.append(log_artifact(self.client, self.run_id, manifest_path, artifact_path))
        return uploaded
