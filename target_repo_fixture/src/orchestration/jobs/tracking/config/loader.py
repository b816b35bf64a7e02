"""Load ``config/tracking.yaml`` (tracking URI, experiment prefix, naming templates)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

import yaml

from naming.mlflow.config import NamingConfig, load_naming_config

__all__ = ["TrackingConfig", "load_tracking_config", "TRACKING_URI_ENV", "TRACKING_DISABLED_ENV"]

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
TRACKING_DISABLED_ENV = "MLOPS_TRACKING_DISABLED"


@dataclass
class TrackingConfig:
    tracking_uri: Optional[str] = "mlruns"
    experiment_prefix: str = "mlops"
    enabled: bool = True
    log_artifacts: bool = True
    naming: NamingConfig = field(default_factory=NamingConfig)


def load_tracking_config(
    source: Union[None, Mapping[str, Any], str, "os.PathLike[str]"] = None,
    env: Optional[Mapping[str, str]] = None,
) -> TrackingConfig:
    """Read the tracking section; environment variables win over the file."""
    environ = os.environ if env is None else env
    if source is None:
        data: dict = {}
    elif isinstance(source, Mapping):
        data = dict(source)
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    data = dict(data.get("tracking", data))
    naming = load_naming_config(data.pop("naming", None))
    config = TrackingConfig(naming=naming, **data)
    if environ.get(TRACKING_URI_ENV):
        config.tracking_uri = environ[TRACKING_URI_ENV]
    if environ.get(TRACKING_DISABLED_ENV, "").lower() in ("1", "true", "yes"):
        config.enabled = False
    return config
