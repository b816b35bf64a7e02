"""Search space for hyper-parameter optimisation.

Moved from ``orchestration.jobs.hpo.search_space``; the orchestration module is
kept until every caller has switched over.
"""

from __future__ import annotations

import itertools
import math
import os
import random
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from orchestration.constants import DEFAULT_SEED

__all__ = [
    "SUPPORTED_TYPES",
    "ParamSpec",
    "parse_search_space",
    "load_search_space",
    "sample_params",
    "space_size",
    "grid_points",
]

SUPPORTED_TYPES = ("uniform", "loguniform", "int", "choice")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    low: Optional[float] = None
    high: Optional[float] = None
    choices: Optional[Tuple[Any, ...]] = None

    def validate(self) -> None:
        if self.type not in SUPPORTED_TYPES:
            raise ValueError(f"{self.name}: unsupported type {self.type!r}")
        if self.type == "choice":
            if not self.choices:
                raise ValueError(f"{self.name}: choice needs at least one value")
            return
        if self.low is None or self.high is None:
            raise ValueError(f"{self.name}: low and high are required for {self.type}")
        if self.low >= self.high:
            raise ValueError(f"{self.name}: low must be < high")
        if self.type == "loguniform" and self.low <= 0:
            raise ValueError(f"{self.name}: loguniform bounds must be positive")


def parse_search_space(raw: Mapping[str, Mapping[str, Any]]) -> Dict[str, ParamSpec]:
    """``{"lr": {"type": "loguniform", "low": 1e-5, "high": 1e-3}, ...}`` -> specs."""
    if not raw:
        raise ValueError("search space is empty")
    space: Dict[str, ParamSpec] = {}
    for name, definition in raw.items():
        kind = definition.get("type")
        if kind == "choice":
            spec = ParamSpec(name, kind, choices=tuple(definition.get("values", ())))
        else:
            low, high = definition.get("low"), definition.get("high")
            if kind == "int" and low is not None and high is not None:
                low, high = int(low), int(high)
            spec = ParamSpec(name, kind, low=low, high=high)
        spec.validate()
        space[name] = spec
    return space


def load_search_space(path: Union[str, "os.PathLike[str]"]) -> Dict[str, ParamSpec]:
    with open(path, "r", encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return parse_search_space(data.get("search_space", data))


def _sample_one(spec: ParamSpec, rng: random.Random) -> Any:
    if spec.type == "uniform":
        return rng.uniform(spec.low, spec.high)
    if spec.type == "loguniform":
        return math.exp(rng.uniform(math.log(spec.low), math.log(spec.high)))
    if spec.type == "int":
        return rng.randint(int(spec.low), int(spec.high))
    return rng.choice(list(spec.choices))


def sample_params(
    space: Mapping[str, ParamSpec],
    rng: Optional[random.Random] = None,
    seed: int = DEFAULT_SEED,
) -> Dict[str, Any]:
    """Sample a single configuration.

    Parameters are drawn in sorted name order so the same seed always yields
    the same configuration.
    """
    generator = rng or random.Random(seed)
    return {name: _sample_one(space[name], generator) for name in sorted(space)}


def space_size(space: Mapping[str, ParamSpec]) -> Optional[int]:
    """Number of distinct configurations, ``None`` if any parameter is continuous."""
    total = 1
    for spec in space.values():
        if spec.type == "choice":
            total *= len(spec.choices)
        elif spec.type == "int":
            total *= int(spec.high) - int(spec.low) + 1
        else:
            return None
    return total


def _axis(spec: ParamSpec, n_points: int) -> List[Any]:
    if spec.type == "choice":
        return list(spec.choices)
    if spec.type == "int":
        values = sorted({int(round(spec.low + (spec.high - spec.low) * i / max(n_points - 1, 1))) for i in range(n_points)})
        return values
    if spec.type == "loguniform":
        lo, hi = math.log(spec.low), math.log(spec.high)
        return [math.exp(lo + (hi - lo) * i / max(n_points - 1, 1)) for i in range(n_points)]
    return [spec.low + (spec.high - spec.low) * i / max(n_points - 1, 1) for i in range(n_points)]


def grid_points(space: Mapping[str, ParamSpec], n_points: int = 3) -> List[Dict[str, Any]]:
    """Full grid over the space (``n_points`` values for each continuous parameter)."""
    if n_points < 1:
        raise ValueError("n_points must be >= 1")
    names = sorted(space)
    axes: Sequence[List[Any]] = [_axis(space[name], n_points) for name in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*axes)]
