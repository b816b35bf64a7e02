"""Lineage records linking a final model to its spec, environment and HPO study."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

import orchestration.fingerprints as fp
from orchestration.constants import STAGE_TRAINING

if TYPE_CHECKING:
    from orchestration.final_training_config import FinalTrainingConfig
    from orchestration.metadata_manager import MetadataManager

__all__ = ["LINEAGE_REQUIRED_KEYS", "build_lineage", "record_lineage", "trace_lineage", "validate_lineage"]

LINEAGE_REQUIRED_KEYS = ("spec_fp", "exec_fp", "model")


def build_lineage(
    config: FinalTrainingConfig,
    parent_spec_fp: Optional[str] = None,
    hpo_study: Optional[str] = None,
    environment: Optional[Mapping[str, Any]] = None,
    code_version: Optional[str] = None,
) -> Dict[str, Any]:
    spec_fp = fp.compute_spec_fp(config.to_dict())
    return {
        "model": config.model,
        "spec_fp": spec_fp,
        "exec_fp": fp.compute_exec_fp(spec_fp, environment, code_version),
        "source_run_id": config.source_run_id,
        "parent_spec_fp": parent_spec_fp,
        "hpo_study": hpo_study,
    }


def validate_lineage(lineage: Mapping[str, Any]) -> List[str]:
    return [f"lineage is missing {key!r}" for key in LINEAGE_REQUIRED_KEYS if not lineage.get(key)]


def record_lineage(metadata: MetadataManager, lineage: Mapping[str, Any]) -> Dict[str, Any]:
    errors = validate_lineage(lineage)
    if errors:
        raise ValueError("; ".join(errors))
    return metadata.record_stage(STAGE_TRAINING, lineage["spec_fp"], {"lineage": dict(lineage)})


def trace_lineage(metadata: MetadataManager, spec_fp: str, max_depth: int = 20) -> List[Dict[str, Any]]:
    """Follow ``parent_spec_fp`` links from ``spec_fp``; returns lineages newest first."""
    chain: List[Dict[str, Any]] = []
    current: Optional[str] = spec_fp
    seen = set()
    while current and len(chain) < max_depth:
        if current in seen:
            raise ValueError(f"lineage cycle detected at {current}")
        seen.add(current)
        record = metadata.get_stage(STAGE_TRAINING, current)
        if not record or "lineage" not in record:
            break
        chain.append(record["lineage"])
        current = record["lineage"].get("parent_spec_fp")
    return chain
