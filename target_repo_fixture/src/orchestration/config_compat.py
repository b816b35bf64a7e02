"""Cross-config compatibility checks (experiment vs training vs conversion vs environment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:
    from orchestration.config_loader import ExperimentConfig
    from orchestration.conversion_config import ConversionConfig
    from orchestration.environment import EnvironmentConfig
    from orchestration.final_training_config import FinalTrainingConfig

__all__ = ["CompatIssue", "ConfigCompatError", "validate_config_compat", "assert_compatible", "is_compatible"]

MIN_PYTHON = (3, 8)


@dataclass(frozen=True)
class CompatIssue:
    level: str  # "error" | "warning"
    field: str
    message: str

    def __str__(self) -> str:
        return f"[{self.level}] {self.field}: {self.message}"


class ConfigCompatError(ValueError):
    def __init__(self, issues: List[CompatIssue]):
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


def _python_tuple(version: str) -> tuple:
    parts = []
    for piece in str(version).split(".")[:2]:
        if not piece.isdigit():
            raise ValueError(f"invalid python version {version!r}")
        parts.append(int(piece))
    return tuple(parts)


def validate_config_compat(
    experiment: "ExperimentConfig",
    training: Optional["FinalTrainingConfig"] = None,
    conversion: Optional["ConversionConfig"] = None,
    environment: Optional["EnvironmentConfig"] = None,
) -> List[CompatIssue]:
    """Return every incompatibility found (errors block a pipeline, warnings do not)."""
    issues: List[CompatIssue] = []
    if training is not None:
        if training.model != experiment.model:
            issues.append(CompatIssue("error", "model", f"training model {training.model!r} != experiment model {experiment.model!r}"))
        if training.seed != experiment.seed:
            issues.append(CompatIssue("warning", "seed", f"training seed {training.seed} differs from experiment seed {experiment.seed}"))
    if conversion is not None:
        expected_format = experiment.conversion.get("format")
        if expected_format and expected_format != conversion.format:
            issues.append(CompatIssue("error", "conversion.format", f"experiment expects {expected_format!r}, conversion config has {conversion.format!r}"))
        for message in conversion.validate():
            issues.append(CompatIssue("error", "conversion", message))
        max_len = experiment.data.get("max_sequence_length")
        if max_len is not None and int(max_len) > conversion.max_sequence_length:
            issues.append(CompatIssue("error", "max_sequence_length", f"data uses {max_len} tokens, export only supports {conversion.max_sequence_length}"))
    if environment is not None:
        if _python_tuple(environment.python_version) < MIN_PYTHON:
            issues.append(CompatIssue("error", "python_version", f"python {environment.python_version} is not supported"))
    return issues


def is_compatible(*args, **kwargs) -> bool:
    return not any(issue.level == "error" for issue in validate_config_compat(*args, **kwargs))


def assert_compatible(*args, **kwargs) -> List[CompatIssue]:
    """Raise :class:`ConfigCompatError` on errors; return the warnings otherwise."""
    issues = validate_config_compat(*args, **kwargs)
    errors = [issue for issue in issues if issue.level == "error"]
    if errors:
        raise ConfigCompatError(errors)
    return issues
