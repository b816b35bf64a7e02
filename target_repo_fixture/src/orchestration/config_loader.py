"""Experiment configuration loading and hashing.

Experiment configs live in ``config/experiments/<name>.yaml``.
"""

from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

import yaml

from core.hashing import hash_dict

from .constants import DEFAULT_CONFIG_DIR, DEFAULT_SEED, EXPERIMENTS_SUBDIR

__all__ = [
    "ConfigError",
    "ExperimentConfig",
    "compute_config_hash",
    "load_all_configs",
    "load_experiment_config",
    "load_yaml",
]

logger = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]
# keys that never influence results and therefore never influence the hash
_HASH_EXCLUDED = ("source_path", "tags", "description")


class ConfigError(ValueError):
    """Invalid or unreadable configuration."""


@dataclass
class ExperimentConfig:
    name: str
    model: str
    data: Dict[str, Any] = field(default_factory=dict)
    hpo: Dict[str, Any] = field(default_factory=dict)
    selection: Dict[str, Any] = field(default_factory=dict)
    training: Dict[str, Any] = field(default_factory=dict)
    conversion: Dict[str, Any] = field(default_factory=dict)
    seed: int = DEFAULT_SEED
    description: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    source_path: Optional[str] = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source_path: Optional[str] = None) -> "ExperimentConfig":
        missing = [key for key in ("name", "model") if not data.get(key)]
        if missing:
            raise ConfigError(f"experiment config is missing required keys: {', '.join(missing)}")
        known = {f for f in cls.__dataclass_fields__ if f != "source_path"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown experiment config keys: {', '.join(unknown)}")
        values = copy.deepcopy(dict(data))
        values["seed"] = int(values.get("seed", DEFAULT_SEED))
        return cls(source_path=source_path, **values)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "data": copy.deepcopy(self.data),
            "hpo": copy.deepcopy(self.hpo),
            "selection": copy.deepcopy(self.selection),
            "training": copy.deepcopy(self.training),
            "conversion": copy.deepcopy(self.conversion),
            "seed": self.seed,
            "description": self.description,
            "tags": dict(self.tags),
        }

    @property
    def config_hash(self) -> str:
        return compute_config_hash(self)


def load_yaml(path: PathLike) -> Dict[str, Any]:
    """Load a YAML mapping; an empty file is an empty mapping."""
    target = Path(path)
    try:
        with target.open("r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        logger.error("orchestration.config_loader failed to parse %s: %s", target, exc)
        raise ConfigError(f"invalid YAML in {target}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{target} must contain a mapping, got {type(data).__name__}")
    return data


def load_experiment_config(path_or_name: PathLike, config_dir: Optional[PathLike] = None) -> ExperimentConfig:
    """Load an experiment config from a path, or by name from ``<config_dir>/experiments``."""
    candidate = Path(path_or_name)
    if not candidate.suffix:
        candidate = Path(config_dir or DEFAULT_CONFIG_DIR) / EXPERIMENTS_SUBDIR / f"{path_or_name}.yaml"
    if not candidate.exists():
        raise FileNotFoundError(f"experiment config not found: {candidate}")
    return ExperimentConfig.from_dict(load_yaml(candidate), source_path=candidate.as_posix())


def load_all_configs(config_dir: PathLike = DEFAULT_CONFIG_DIR) -> Dict[str, ExperimentConfig]:
    """Every experiment under ``<config_dir>/experiments``, keyed by experiment name."""
    configs: Dict[str, ExperimentConfig] = {}
    for path in sorted((Path(config_dir) / EXPERIMENTS_SUBDIR).glob("*.y*ml")):
        config = load_experiment_config(path)
        if config.name in configs:
            raise ConfigError(f"duplicate experiment name {config.name!r} in {path}")
        configs[config.name] = config
    return configs


def compute_config_hash(config: Union[ExperimentConfig, Mapping[str, Any]], length: int = 16) -> str:
    """Order-independent hash of the result-relevant part of a config."""
    data = config.to_dict() if isinstance(config, ExperimentConfig) else dict(config)
    relevant = {key: value for key, value in data.items() if key not in _HASH_EXCLUDED}
    return hash_dict(relevant, length=length)
