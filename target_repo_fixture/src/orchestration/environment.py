"""Azure ML environment configuration.

The SDK (``azureml-core``) is only needed to materialise an ``Environment``
object; everything else works on plain dictionaries so configs can be
validated and hashed locally.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union

import yaml

from core.hashing import hash_dict

__all__ = [
    "EnvironmentConfig",
    "load_environment_config",
    "build_environment_spec",
    "build_conda_yaml",
    "create_azure_environment",
    "environment_fingerprint",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest"


@dataclass
class EnvironmentConfig:
    name: str = "mlops-train"
    python_version: str = "3.10"
    base_image: str = DEFAULT_BASE_IMAGE
    conda_packages: List[str] = field(default_factory=list)
    pip_packages: List[str] = field(default_factory=list)
    env_vars: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def load_environment_config(source: Union[Mapping[str, Any], str, "os.PathLike[str]", None] = None) -> EnvironmentConfig:
    if source is None:
        return EnvironmentConfig()
    if isinstance(source, Mapping):
        data = dict(source)
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    data = dict(data.get("environment", data))
    return EnvironmentConfig(**data)


def build_environment_spec(config: EnvironmentConfig) -> Dict[str, Any]:
    """Conda + docker spec in the shape Azure ML expects."""
    dependencies: List[Any] = [f"python={config.python_version}", *config.conda_packages]
    if config.pip_packages:
        dependencies.append({"pip": sorted(config.pip_packages)})
    return {
        "name": config.name,
        "conda": {"name": config.name, "channels": ["conda-forge"], "dependencies": dependencies},
        "docker": {"base_image": config.base_image},
        "environment_variables": dict(config.env_vars),
    }


def build_conda_yaml(config: EnvironmentConfig) -> str:
    return yaml.safe_dump(build_environment_spec(config)["conda"], sort_keys=False)


def environment_fingerprint(config: EnvironmentConfig) -> str:
    return hash_dict(build_environment_spec(config))


def _import_azureml_environment() -> Optional[Any]:
    try:
        from azureml.core import Environment
    except ImportError:
        return None
    return Environment


def create_azure_environment(config: EnvironmentConfig, workspace: Optional[Any] = None) -> Any:
    """Build an ``azureml.core.Environment``; without the SDK return the plain spec."""
    environment_cls = _import_azureml_environment()
    spec = build_environment_spec(config)
    if environment_cls is None:
        logger.info("azureml-core not installed; returning environment spec for %s", config.name)
        return spec
    env = environment_cls(name=config.name)
    env.docker.base_image = config.base_image
    env.python.conda_dependencies_file = None
    env.environment_variables = spec["environment_variables"]
    try:
        from azureml.core.conda_dependencies import CondaDependencies

        env.python.conda_dependencies = CondaDependencies.create(
            python_version=config.python_version,
            conda_packages=list(config.conda_packages),
            pip_packages=sorted(config.pip_packages),
        )
    except ImportError:  # very old SDKs
        logger.warning("CondaDependencies unavailable; conda spec not attached")
    if workspace is not None:
        env.register(workspace=workspace)
    return env
