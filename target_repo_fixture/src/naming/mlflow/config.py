"""Naming configuration (templates for experiment and run names)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Mapping, Optional

from naming.context_tokens import expand_tokens, list_tokens

__all__ = ["NamingConfig", "load_naming_config"]


@dataclass
class NamingConfig:
    project: str = "mlops"
    experiment_template: str = "{project}-{stage}"
    run_name_template: str = "{stage}__{model}"

    def __post_init__(self) -> None:
        if "stage" not in list_tokens(self.experiment_template):
            raise ValueError("experiment_template must contain the {stage} token")

    def render_experiment(self, **context: Any) -> str:
        return expand_tokens(self.experiment_template, {"project": self.project, **context})

    def render_run_name(self, **context: Any) -> str:
        return expand_tokens(self.run_name_template, {"project": self.project, **context})

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def load_naming_config(data: Optional[Mapping[str, Any]] = None) -> NamingConfig:
    """Build a :class:`NamingConfig` from a mapping, rejecting unknown keys."""
    data = dict(data or {})
    known = {f.name for f in fields(NamingConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown naming config keys: {', '.join(unknown)}")
    return NamingConfig(**data)
