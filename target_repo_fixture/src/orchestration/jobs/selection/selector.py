"""Select the best configuration out of HPO runs or explicit candidates."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from ...constants import METRIC_NAMESPACE
from ..tracking.finder.run_finder import find_runs
from .cache import SelectionCache
from .criteria import SelectionCriteria
from .scoring import rank_candidates

if TYPE_CHECKING:
    from tracking.mlflow.client import LocalTrackingClient

__all__ = [
    "DEFAULT_SELECTOR_CLASS",
    "BestConfigSelector",
    "LatencyAwareSelector",
    "SelectionResult",
    "build_selector_from_config",
    "load_selector_class",
    "main",
    "select_best_config",
]

logger = logging.getLogger(__name__)

DEFAULT_SELECTOR_CLASS = "orchestration.jobs.selection.selector.BestConfigSelector"


@dataclass
class SelectionResult:
    candidate_id: str
    params: Dict[str, Any]
    metrics: Dict[str, float]
    score: float
    source: str = "candidates"
    extra: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SelectionResult":
        return cls(**dict(data))


class BestConfigSelector:
    """Rank candidates by :class:`SelectionCriteria` and return the winner."""

    def __init__(
        self,
        criteria: Optional[SelectionCriteria] = None,
        client: Optional[LocalTrackingClient] = None,
        cache: Optional[SelectionCache] = None,
    ):
        self.criteria = criteria or SelectionCriteria()
        self.client = client
        self.cache = cache

    @property
    def metric_key(self) -> str:
        """Dashboard metric under which the selected score is reported."""
        return f"{METRIC_NAMESPACE}.selection.{self.criteria.metric}"

    def _candidates_from_runs(self, experiment_name: str) -> List[Dict[str, Any]]:
        if self.client is None:
            raise ValueError("a tracking client is required to select from runs")
        return [
            {"id": run.run_id, "params": run.params, "metrics": run.metrics}
            for run in find_runs(self.client, experiment_name)
        ]

    def rank(self, candidates: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        return rank_candidates(candidates, self.criteria)

    def select(
        self,
        experiment_name: Optional[str] = None,
        candidates: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> SelectionResult:
        key = None
        if self.cache is not None and experiment_name and candidates is None:
            key = self.cache.make_key(experiment_name, self.criteria)
            cached = self.cache.get(key)
            if cached is not None:
                result = SelectionResult.from_dict(cached)
                result.source = "cache"
                return result
        source = "candidates"
        if candidates is None:
            if not experiment_name:
                raise ValueError("either experiment_name or candidates is required")
            candidates = self._candidates_from_runs(experiment_name)
            source = "runs"
        ranked = self.rank(candidates)
        if not ranked:
            raise LookupError(f"no eligible candidates for metric {self.criteria.metric!r}")
        best = ranked[0]
        result = SelectionResult(
            candidate_id=str(best.get("id") or best.get("run_id") or "0"),
            params=dict(best.get("params", {})),
            metrics={k: float(v) for k, v in best.get("metrics", {}).items()},
            score=float(best["score"]),
            source=source,
            extra={"n_candidates": len(candidates), "n_eligible": len(ranked)},
        )
        if key is not None:
            self.cache.put(key, result.to_dict())
        logger.info("selected %s (%s=%.4f)", result.candidate_id, self.metric_key, result.score)
        return result


class LatencyAwareSelector(BestConfigSelector):
    """Trade quality for speed: score = metric - latency_weight * latency."""

    def __init__(self, *args: Any, latency_weight: float = 0.001, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.latency_weight = latency_weight

    def rank(self, candidates: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        ranked = rank_candidates(candidates, self.criteria)
        for entry in ranked:
            latency = float(entry.get("metrics", {}).get(self.criteria.latency_metric, 0.0))
            entry["score"] = entry["score"] - self.latency_weight * latency
        return sorted(ranked, key=lambda e: (-e["score"], str(e.get("id", ""))))


def select_best_config(
    candidates: Optional[Sequence[Mapping[str, Any]]] = None,
    criteria: Optional[SelectionCriteria] = None,
    *,
    experiment_name: Optional[str] = None,
    client: Any = None,
    cache_dir: Optional[str] = None,
) -> SelectionResult:
    """Functional entry point used by notebooks."""
    cache = SelectionCache(cache_dir) if cache_dir else None
    return BestConfigSelector(criteria, client=client, cache=cache).select(experiment_name, candidates)


def load_selector_class(dotted_path: str) -> type:
    """Import ``package.module.ClassName`` (as written in YAML configs)."""
    module_name, _, attr = dotted_path.rpartition(".")
    if not module_name:
        raise ValueError(f"not a dotted class path: {dotted_path!r}")
    module = importlib.import_module(module_name)
    try:
        cls = getattr(module, attr)
    except AttributeError:
        raise ImportError(f"{module_name} has no attribute {attr!r}") from None
    if not (isinstance(cls, type) and callable(getattr(cls, "select", None))):
        raise TypeError(f"{dotted_path} is not a selector class")
    return cls


def build_selector_from_config(selection: Mapping[str, Any], client: Any = None) -> BestConfigSelector:
    """Instantiate the selector named by ``selection['selector_class']``."""
    cls = load_selector_class(selection.get("selector_class", DEFAULT_SELECTOR_CLASS))
    criteria = SelectionCriteria.from_dict(selection.get("criteria"))
    cache = SelectionCache(selection["cache_dir"]) if selection.get("cache_dir") else None
    options = dict(selection.get("options", {}))
    return cls(criteria=criteria, client=client, cache=cache, **options)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="select-best", description="Select the best HPO configuration")
    parser.add_argument("--candidates", required=True, help="JSON file with a list of {id, params, metrics}")
    parser.add_argument("--config", default=None, help="YAML file with a 'selection' section")
    parser.add_argument("--output", default=None, help="write the selection result JSON here")
    args = parser.parse_args(argv)

    from orchestration.config_loader import load_yaml  # lazy: keeps CLI start-up light

    selection = load_yaml(args.config).get("selection", {}) if args.config else {}
    with open(args.candidates, "r", encoding="utf-8") as handle:
        candidates = json.load(handle)
    selector = build_selector_from_config(selection)
    try:
        result = selector.select(candidates=candidates)
    except LookupError as exc:
        print(f"selection failed: {exc}", file=sys.stderr)
        return 1
    payload = json.dumps(result.to_dict(), indent=2, sort_keys=True)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(payload + "\n")
    print(payload)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
