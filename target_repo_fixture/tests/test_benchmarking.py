import itertools
import json
from unittest import mock

import pytest

import orchestration.metadata_manager
from orchestration import benchmark_utils
from orchestration.benchmark_utils import *  # noqa: F401,F403
from orchestration.benchmark_utils import format_summary, percentile, relative_change, summarize_latencies, throughput
from orchestration.jobs.benchmarking import BenchmarkOrchestrator, BenchmarkRunner, load_benchmark_config, make_synthetic_workload
from orchestration.jobs.benchmarking.comparison import compare_results, find_regressions
from orchestration.jobs.benchmarking.orchestrator import main
from orchestration.jobs.benchmarking.results import BenchmarkResult, best_result, build_result, load_results, save_results

HARDWARE = {"system": "Linux", "machine": "x86_64", "processor": "x86_64", "cpu_count": 2}


def test_percentile_matches_linear_interpolation():
    values = [15, 20, 35, 40, 50]
    assert percentile(values, 0) == 15
    assert percentile(values, 50) == 35
    assert percentile(values, 40) == pytest.approx(29.0)
    assert percentile(values, 100) == 50
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_star_import_exposes_public_helpers():
    assert set(benchmark_utils.__all__) <= set(globals())
    assert format_summary is benchmark_utils.format_summary


def test_summaries_and_helpers():
    summary = summarize_latencies([1.0, 2.0, 3.0, 4.0])
    assert summary["count"] == 4 and summary["mean_ms"] == 2.5 and summary["p50_ms"] == 2.5
    assert summary["min_ms"] == 1.0 and summary["max_ms"] == 4.0
    assert format_summary(summary).startswith("p50=2.50ms")
    assert throughput(100, 2.0) == 50.0
    with pytest.raises(ValueError):
        throughput(1, 0)
    assert relative_change({"p50_ms": 10.0}, {"p50_ms": 12.0}) == pytest.approx(0.2)
    assert benchmark_utils.summarize_latencies is summarize_latencies


def test_runner_with_fake_timer():
    ticks = itertools.count(0.0, 0.005)  # every timer call advances 5 ms
    calls = []
    runner = BenchmarkRunner(calls.append, warmup=2, iterations=3, timer=lambda: next(ticks))
    assert runner.run("payload") == pytest.approx([5.0, 5.0, 5.0])
    assert calls == ["payload"] * 5
    with pytest.raises(ValueError):
        BenchmarkRunner(calls.append, iterations=0)


def test_synthetic_workload_is_deterministic():
    assert make_synthetic_workload(50, seed=1)() == make_synthetic_workload(50, seed=1)()
    assert make_synthetic_workload(50, seed=1)() != make_synthetic_workload(50, seed=2)()
    with pytest.raises(ValueError):
        make_synthetic_workload(0)


def test_build_result_uses_fingerprints():
    with mock.patch("orchestration.fingerprints.compute_hardware_fp", return_value="hw-fixed") as hw:
        result = build_result("bert", 8, [1.0, 2.0, 3.0], conv_fp="conv123", settings={"iterations": 3})
    hw.assert_called_once_with(None)
    assert result.hardware_fp == "hw-fixed"
    again = build_result("bert", 8, [5.0], conv_fp="conv123", settings={"iterations": 3}, hardware=HARDWARE)
    other = build_result("bert", 16, [5.0], conv_fp="conv123", settings={"iterations": 3}, hardware=HARDWARE)
    assert again.bench_fp != other.bench_fp
    assert again.items_per_second == pytest.approx(8 / 0.005)


def test_results_round_trip_and_comparison(tmp_path):
    base = [build_result("bert", 1, [10.0, 10.0], "c", hardware=HARDWARE), build_result("bert", 8, [20.0], "c", hardware=HARDWARE)]
    cand = [build_result("bert", 1, [12.0, 12.0], "c", hardware=HARDWARE), build_result("bert", 8, [19.0], "c", hardware=HARDWARE)]
    path = save_results(base, tmp_path / "r.json")
    loaded = load_results(path)
    assert [r.to_dict() for r in loaded] == [r.to_dict() for r in base]
    assert best_result(loaded).batch_size == 1 and best_result([]) is None
    changes = compare_results(base, cand)
    assert changes[("bert", 1)] == pytest.approx(0.2) and changes[("bert", 8)] == pytest.approx(-0.05)
    assert find_regressions(base, cand, threshold=0.1) == [("bert", 1, pytest.approx(0.2))]


def test_load_benchmark_config(config_dir):
    config = load_benchmark_config(config_dir / "benchmark.yaml")
    assert config["models"] == ["distilbert", "bert-base"] and config["batch_sizes"] == [1, 8]
    assert config["seed"] == 42  # default kept
    with pytest.raises(ValueError):
        load_benchmark_config({"batch_sizes": [0]})


def test_orchestrator_runs_every_combination(tmp_path):
    factory = mock.Mock(side_effect=lambda fn, warmup, iterations: mock.Mock(run=mock.Mock(return_value=[1.0, 2.0])))
    orchestrator = BenchmarkOrchestrator({"models": ["a", "b"], "batch_sizes": [1, 4]}, tmp_path, runner_factory=factory, hardware=HARDWARE)
    results = orchestrator.run(conv_fp="conv")
    assert [(r.model, r.batch_size) for r in results] == [("a", 1), ("a", 4), ("b", 1), ("b", 4)]
    assert factory.call_count == 4
    saved = json.loads((tmp_path / "benchmark_results.json").read_text())
    assert len(saved) == 4 and saved[0]["summary"]["p50_ms"] == 1.5


def test_cli_main(tmp_path, config_dir, capsys):
    with mock.patch("orchestration.mlflow_utils.setup_mlflow_for_stage") as setup:
        setup.return_value.experiment_name = "mlops-benchmarking"
        setup.return_value.backend = "local"
        code = main(["--config", str(config_dir / "benchmark.yaml"), "--output-dir", str(tmp_path), "--models", "tiny", "--track"])
    assert code == 0
    setup.assert_called_once_with("benchmarking")
    out = capsys.readouterr().out
    assert "tiny bs=1" in out and "tracking to mlops-benchmarking (local)" in out
    assert isinstance(load_results(tmp_path / "benchmark_results.json")[0], BenchmarkResult)


def test_orchestrator_records_metadata(tmp_path):
    orchestrator = BenchmarkOrchestrator({"models": ["m"], "batch_sizes": [2], "iterations": 2, "warmup": 0}, tmp_path / "out",
                                         hardware=HARDWARE, metadata_root=tmp_path / "meta")
    (result,) = orchestrator.run(conv_fp="conv")
    metadata = orchestration.metadata_manager.MetadataManager(tmp_path / "meta")
    assert metadata.list_stage("benchmarking") == [result.bench_fp]
    assert metadata.get_stage("benchmarking", result.bench_fp)["summary"]["count"] == 2
