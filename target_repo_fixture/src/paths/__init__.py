"""Filesystem layout of the platform: output directories, config dirs, validation."""

from .cache import cache_dir_for, clear_cache
from .config import PathsConfig, load_paths_config
from .resolve import OUTPUTS_DIRNAME, build_output_path, resolve_config_dir, resolve_output_dir
from .validation import validate_path_before_mkdir

__all__ = [
    "OUTPUTS_DIRNAME",
    "PathsConfig",
    "build_output_path",
    "cache_dir_for",
    "clear_cache",
    "load_paths_config",
    "resolve_config_dir",
    "resolve_output_dir",
    "validate_path_before_mkdir",
]
