"""Benchmarking of converted models (latency / throughput)."""

from .comparison import compare_results, find_regressions
from .orchestrator import BenchmarkOrchestrator, load_benchmark_config
from .results import BenchmarkResult, best_result, build_result, load_results, save_results
from .runner import BenchmarkRunner, make_synthetic_workload

__all__ = [
    "BenchmarkOrchestrator",
    "BenchmarkResult",
    "BenchmarkRunner",
    "best_result",
    "build_result",
    "compare_results",
    "find_regressions",
    "load_benchmark_config",
    "load_results",
    "make_synthetic_workload",
    "save_results",
]
