"""Final training of the selected configuration."""

from .executor import FinalTrainingExecutor, FinalTrainingResult, split_xy
from .lineage import LINEAGE_REQUIRED_KEYS, build_lineage, record_lineage, trace_lineage, validate_lineage
from .tags import build_training_tags, tags_match

__all__ = [
    "FinalTrainingExecutor",
    "FinalTrainingResult",
    "LINEAGE_REQUIRED_KEYS",
    "build_lineage",
    "build_training_tags",
    "record_lineage",
    "split_xy",
    "tags_match",
    "trace_lineage",
    "validate_lineage",
]
