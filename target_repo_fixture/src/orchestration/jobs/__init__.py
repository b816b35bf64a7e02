"""Job implementations (selection, benchmarking, conversion, final training, HPO).

Sub-packages are imported lazily by the CLI entry points; ``resolve_job``
maps a job name to its ``module:function`` entry point.
"""

from __future__ import annotations

import importlib
from typing import Callable, Dict

__all__ = ["JOB_ENTRY_POINTS", "resolve_job", "benchmarking", "conversion", "final_training", "hpo", "selection", "tracking"]

JOB_ENTRY_POINTS: Dict[str, str] = {
    "select-best": "orchestration.jobs.selection.selector:main",
    "run-benchmark": "orchestration.jobs.benchmarking.orchestrator:main",
    "convert-model": "orchestration.jobs.conversion.executor:main",
    "run-final-training": "orchestration.jobs.final_training.executor:main",
}


def resolve_job(name: str) -> Callable[..., int]:
    """Import and return the ``main`` function of job ``name``."""
    try:
        target = JOB_ENTRY_POINTS[name]
    except KeyError:
        raise KeyError(f"unknown job {name!r}; known: {', '.join(sorted(JOB_ENTRY_POINTS))}") from None
    module_name, _, func_name = target.partition(":")
    return getattr(importlib.import_module(module_name), func_name)
