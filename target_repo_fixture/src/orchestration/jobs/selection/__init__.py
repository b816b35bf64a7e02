"""Best configuration selection from HPO results."""

from .cache import SelectionCache
from .criteria import SelectionCriteria
from .report import render_selection_report
from .scoring import normalize_scores, rank_candidates, score_candidate, weighted_score
from .selector import (
    DEFAULT_SELECTOR_CLASS,
    BestConfigSelector,
    LatencyAwareSelector,
    SelectionResult,
    build_selector_from_config,
    load_selector_class,
    select_best_config,
)

__all__ = [
    "DEFAULT_SELECTOR_CLASS",
    "BestConfigSelector",
    "LatencyAwareSelector",
    "SelectionCache",
    "SelectionCriteria",
    "SelectionResult",
    "build_selector_from_config",
    "load_selector_class",
    "normalize_scores",
    "rank_candidates",
    "render_selection_report",
    "score_candidate",
    "select_best_config",
    "weighted_score",
]
