"""MLflow tags for final training runs."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from naming.mlflow.tags import build_tags
from orchestration.constants import STAGE_TRAINING as TRAINING_STAGE

from ...final_training_config import FinalTrainingConfig

__all__ = ["build_training_tags", "tags_match"]


def build_training_tags(config: FinalTrainingConfig, lineage: Optional[Mapping[str, Any]] = None) -> Dict[str, str]:
    lineage = lineage or {}
    return build_tags(
        TRAINING_STAGE,
        model=config.model,
        seed=config.seed,
        source_run_id=config.source_run_id,
        spec_fp=lineage.get("spec_fp"),
        exec_fp=lineage.get("exec_fp"),
        hpo_study=lineage.get("hpo_study"),
    )


def tags_match(tags: Mapping[str, str], required: Mapping[str, Any]) -> bool:
    """True if every required (unprefixed) tag has the expected value."""
    return all(tags.get(f"mlops.{key}") == str(value) for key, value in required.items())
