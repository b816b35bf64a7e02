"""Artifact staging and upload for jobs."""

from .manager import MANIFEST_NAME, ArtifactManager

__all__ = ["ArtifactManager", "MANIFEST_NAME"]
