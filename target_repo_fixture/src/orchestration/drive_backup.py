"""Backup/restore of outputs to Google Drive (when running on Colab).

Outside Colab the "drive" is simply a configurable directory, which keeps the
same code path usable on workstations and in tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from core.io import read_json, write_json_atomic
from core.timestamps import utc_now_iso

__all__ = [
    "DRIVE_ROOT_ENV",
    "is_colab",
    "mount_drive",
    "get_backup_root",
    "backup_to_drive",
    "restore_from_drive",
    "list_backups",
]

DRIVE_ROOT_ENV = "MLOPS_DRIVE_ROOT"
COLAB_DRIVE_ROOT = "/content/drive/MyDrive/mlops-backups"
_MANIFEST = "backup_manifest.json"
PathLike = Union[str, "os.PathLike[str]"]


def is_colab() -> bool:
    try:
        import google.colab  # noqa: F401
    except ImportError:
        return False
    return True


def mount_drive(mount_point: str = "/content/drive") -> bool:
    """Mount Google Drive on Colab; returns False elsewhere."""
    if not is_colab():
        return False
    from google.colab import drive

    drive.mount(mount_point)
    return True


def get_backup_root(backup_root: Optional[PathLike] = None) -> Path:
    if backup_root is not None:
        return Path(backup_root)
    if os.environ.get(DRIVE_ROOT_ENV):
        return Path(os.environ[DRIVE_ROOT_ENV])
    if is_colab():
        return Path(COLAB_DRIVE_ROOT)
    return Path.home() / ".mlops" / "drive_backups"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def backup_to_drive(
    source: PathLike,
    backup_root: Optional[PathLike] = None,
    name: Optional[str] = None,
    overwrite: bool = True,
) -> Path:
    """Copy a file or directory into the backup root and record it in the manifest."""
    src = Path(source)
    if not src.exists():
        raise FileNotFoundError(src)
    root = get_backup_root(backup_root)
    target = root / (name or src.name)
    if target.exists():
        if not overwrite:
            raise FileExistsError(target)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    root.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, target)
    else:
        shutil.copy2(src, target)
    manifest = read_json(root / _MANIFEST, default={})
    manifest[target.name] = {"source": src.as_posix(), "bytes": _size(target), "backed_up_at": utc_now_iso()}
    write_json_atomic(root / _MANIFEST, manifest)
    return target


def restore_from_drive(
    name: str,
    destination: PathLike,
    backup_root: Optional[PathLike] = None,
    overwrite: bool = False,
) -> Path:
    """Copy backup ``name`` to ``destination`` (a directory it is placed into)."""
    root = get_backup_root(backup_root)
    backup = root / name
    if not backup.exists():
        raise FileNotFoundError(f"no backup named {name!r} in {root}")
    target = Path(destination) / name
    if target.exists():
        if not overwrite:
            raise FileExistsError(target)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if backup.is_dir():
        shutil.copytree(backup, target)
    else:
        shutil.copy2(backup, target)
    return target


def list_backups(backup_root: Optional[PathLike] = None) -> List[Dict[str, Any]]:
    manifest = read_json(get_backup_root(backup_root) / _MANIFEST, default={})
    return [{"name": name, **info} for name, info in sorted(manifest.items())]
