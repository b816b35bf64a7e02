"""MLflow specific naming: run names, tags and naming configuration."""

from .config import NamingConfig, load_naming_config
from .run_names import RUN_NAME_SEPARATOR, build_run_name, parse_run_name
from .tags import TAG_PREFIX, build_tags, strip_tag_prefix

__all__ = [
    "NamingConfig",
    "RUN_NAME_SEPARATOR",
    "TAG_PREFIX",
    "build_run_name",
    "build_tags",
    "load_naming_config",
    "parse_run_name",
    "strip_tag_prefix",
]
