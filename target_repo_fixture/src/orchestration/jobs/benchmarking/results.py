"""Benchmark results: construction, persistence and comparison."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from core.timestamps import utc_now_iso
from orchestration import fingerprints

from ... import benchmark_utils

__all__ = ["BenchmarkResult", "build_result", "save_results", "load_results", "best_result"]


@dataclass
class BenchmarkResult:
    model: str
    batch_size: int
    summary: Dict[str, float]
    conv_fp: str
    hardware_fp: str
    bench_fp: str
    created_at: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @property
    def items_per_second(self) -> float:
        return benchmark_utils.throughput(self.batch_size, self.summary["mean_ms"] / 1000.0)


def build_result(
    model: str,
    batch_size: int,
    latencies_ms: Sequence[float],
    conv_fp: str,
    settings: Optional[Mapping[str, Any]] = None,
    hardware: Optional[Mapping[str, Any]] = None,
) -> BenchmarkResult:
    hardware_fp = fingerprints.compute_hardware_fp(hardware)
    bench_settings = {"batch_size": batch_size, **dict(settings or {})}
    return BenchmarkResult(
        model=model,
        batch_size=batch_size,
        summary=benchmark_utils.summarize_latencies(latencies_ms),
        conv_fp=conv_fp,
        hardware_fp=hardware_fp,
        bench_fp=fingerprints.compute_bench_fp(conv_fp, bench_settings, hardware_fp),
        created_at=utc_now_iso(),
    )


def save_results(results: Sequence[BenchmarkResult], path: Union[str, "os.PathLike[str]"]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps([r.to_dict() for r in results], indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def load_results(path: Union[str, "os.PathLike[str]"]) -> List[BenchmarkResult]:
    with open(path, "r", encoding="utf-8") as handle:
        return [BenchmarkResult(**item) for item in json.load(handle)]


def best_result(results: Sequence[BenchmarkResult], key: str = "p50_ms") -> Optional[BenchmarkResult]:
    if not results:
        return None
    return min(results, key=lambda r: r.summary[key])
