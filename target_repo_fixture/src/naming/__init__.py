"""Naming conventions for experiments, MLflow runs and tags."""

from .context_tokens import MissingTokenError, build_context, expand_tokens, list_tokens
from .experiment import DEFAULT_EXPERIMENT_TEMPLATE, build_experiment_name, is_stage_experiment
from .mlflow import (
    TAG_PREFIX,
    NamingConfig,
    build_run_name,
    build_tags,
    load_naming_config,
    parse_run_name,
    strip_tag_prefix,
)

__all__ = [
    "DEFAULT_EXPERIMENT_TEMPLATE",
    "MissingTokenError",
    "NamingConfig",
    "TAG_PREFIX",
    "build_context",
    "build_experiment_name",
    "build_run_name",
    "build_tags",
    "expand_tokens",
    "is_stage_experiment",
    "list_tokens",
    "load_naming_config",
    "parse_run_name",
    "strip_tag_prefix",
]
