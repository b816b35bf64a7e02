"""Benchmark orchestration: run every (model, batch size) combination and save results."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import yaml

import orchestration.metadata_manager
from orchestration import benchmark_utils
from orchestration.constants import *  # noqa: F401,F403

from .results import BenchmarkResult, build_result, save_results
from .runner import BenchmarkRunner, make_synthetic_workload

__all__ = ["BenchmarkOrchestrator", "load_benchmark_config", "main", "DEFAULT_BENCHMARK_CONFIG"]

DEFAULT_BENCHMARK_CONFIG: Dict[str, Any] = {
    "models": ["distilbert"],
    "batch_sizes": list(DEFAULT_BATCH_SIZES),
    "warmup": 2,
    "iterations": 10,
    "input_size": 64,
    "seed": DEFAULT_SEED,
}


def load_benchmark_config(source: Union[None, Mapping[str, Any], str, "os.PathLike[str]"] = None) -> Dict[str, Any]:
    if source is None:
        data: Dict[str, Any] = {}
    elif isinstance(source, Mapping):
        data = dict(source)
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    data = dict(data.get(STAGE_BENCHMARK, data))
    config = {**DEFAULT_BENCHMARK_CONFIG, **data}
    if not config["batch_sizes"] or any(int(b) <= 0 for b in config["batch_sizes"]):
        raise ValueError("batch_sizes must be a non-empty list of positive integers")
    return config


class BenchmarkOrchestrator:
    def __init__(
        self,
        config: Mapping[str, Any],
        output_dir: Union[str, "os.PathLike[str]"],
        runner_factory: Callable[..., BenchmarkRunner] = BenchmarkRunner,
        hardware: Optional[Mapping[str, Any]] = None,
        metadata_root: Union[str, "os.PathLike[str]", None] = None,
    ):
        self.config = load_benchmark_config(config)
        self.metadata = orchestration.metadata_manager.MetadataManager(metadata_root) if metadata_root is not None else None
        self.output_dir = Path(output_dir)
        self.runner_factory = runner_factory
        self.hardware = hardware

    def run(self, models: Optional[Sequence[str]] = None, conv_fp: str = "local") -> List[BenchmarkResult]:
        results = []
        settings = {"warmup": self.config["warmup"], "iterations": self.config["iterations"]}
        for model, batch_size in itertools.product(models or self.config["models"], self.config["batch_sizes"]):
            workload = make_synthetic_workload(int(batch_size) * int(self.config["input_size"]), seed=int(self.config["seed"]))
            runner = self.runner_factory(workload, warmup=self.config["warmup"], iterations=self.config["iterations"])
            latencies = runner.run(None)
            result = build_result(model, int(batch_size), latencies, conv_fp, settings=settings, hardware=self.hardware)
            if self.metadata is not None:
                self.metadata.mark_complete(STAGE_BENCHMARK, result.bench_fp, **result.to_dict())
            results.append(result)
        save_results(results, self.output_dir / BENCHMARK_RESULTS_FILENAME)
        return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="run-benchmark", description="Benchmark converted models")
    parser.add_argument("--config", default=None, help="benchmark YAML config")
    parser.add_argument("--output-dir", default=os.path.join("outputs", STAGE_BENCHMARK))
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--track", action="store_true", help="log the results to MLflow")
    args = parser.parse_args(argv)

    orchestrator = BenchmarkOrchestrator(load_benchmark_config(args.config), args.output_dir)
    results = orchestrator.run(args.models)
    for result in results:
        print(f"{result.model} bs={result.batch_size}: {benchmark_utils.format_summary(result.summary)}")
    if args.track:
        from orchestration.mlflow_utils import setup_mlflow_for_stage  # lazy: mlflow only when tracking

        context = setup_mlflow_for_stage(STAGE_BENCHMARK)
        print(f"tracking to {context.experiment_name} ({context.backend})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
