"""Backward-compatibility contract: the old ``orchestration.*`` import paths keep working."""

import importlib
import sys
from unittest import mock

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")

import orchestration
from orchestration import load_experiment_config, compute_spec_fp
from orchestration import fingerprints, index_manager
from orchestration.jobs import benchmarking, selection

OLD_MODULES = {
    "orchestration.config_loader": "load_experiment_config",
    "orchestration.conversion_config": "load_conversion_config",
    "orchestration.final_training_config": "load_final_training_config",
    "orchestration.config_compat": "validate_config_compat",
    "orchestration.environment": "build_environment_spec",
    "orchestration.fingerprints": "compute_bench_fp",
    "orchestration.index_manager": "IndexManager",
    "orchestration.metadata_manager": "MetadataManager",
    "orchestration.constants": "DEFAULT_SEED",
    "orchestration.mlflow_utils": "setup_mlflow_for_stage",
    "orchestration.benchmark_utils": "summarize_latencies",
    "orchestration.data_assets": "register_data_asset",
    "orchestration.drive_backup": "backup_to_drive",
    "orchestration.path_resolution": "resolve_hpo_output_dir",
    "orchestration.paths": "resolve_output_dir",
    "orchestration.naming_centralized": "build_output_path",
    "orchestration.naming": "build_run_name",
    "orchestration.tokens": "expand_tokens",
    "orchestration.normalize": "normalize_name",
    "orchestration.jobs.selection.selector": "BestConfigSelector",
    "orchestration.jobs.benchmarking.orchestrator": "BenchmarkOrchestrator",
    "orchestration.jobs.conversion.executor": "ConversionExecutor",
    "orchestration.jobs.final_training.executor": "FinalTrainingExecutor",
    "orchestration.jobs.hpo.local_sweeps": "run_local_sweep",
    "orchestration.jobs.hpo.search_space": "sample_params",
    "orchestration.jobs.hpo.hpo_helpers": "generate_study_name",
    "orchestration.jobs.hpo.study_extractor": "study_summary",
    "orchestration.jobs.hpo.azureml.sweeps": "build_sweep_job_spec",
    "orchestration.jobs.tracking.trackers.sweep_tracker": "SweepTracker",
    "orchestration.jobs.tracking.naming.run_names": "parse_run_name",
    "orchestration.jobs.tracking.utils.mlflow_setup": "setup_mlflow",
}


@pytest.mark.parametrize("module_name,attribute", sorted(OLD_MODULES.items()))
def test_old_module_paths_import(module_name, attribute):
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute)) or attribute.isupper()
    assert sys.modules[module_name] is module


def test_package_api_is_complete_and_usable(config_dir):
    missing = [name for name in orchestration.__all__ if not hasattr(orchestration, name)]
    assert missing == []
    experiment = load_experiment_config("bert_base", config_dir=config_dir)
    assert compute_spec_fp(experiment.to_dict()) == fingerprints.compute_spec_fp(experiment.to_dict())
    assert orchestration.backup_to_drive is not None
    assert orchestration.DEFAULT_SEED == 42


def test_submodule_imports(tmp_path):
    index = index_manager.IndexManager(tmp_path)
    index.add("k", {"v": 1})
    assert orchestration.index_manager.IndexManager(tmp_path).find("k")["v"] == 1
    assert selection.BestConfigSelector is orchestration.BestConfigSelector
    assert benchmarking.BenchmarkRunner.__module__.endswith("runner")


def test_paths_facades_reexport_new_objects(tmp_path):
    import paths
    from orchestration.paths import validate_path_before_mkdir, resolve_output_dir
    from orchestration.naming_centralized import build_output_path

    assert validate_path_before_mkdir is paths.validate_path_before_mkdir
    assert resolve_output_dir(tmp_path, "hpo", "bert") == tmp_path / "outputs" / "hpo" / "bert"
    assert build_output_path(tmp_path, "hpo", "bert", "abcdef0123456789").name == "abcdef012345"


def test_naming_facades():
    import naming.mlflow.run_names
    from orchestration.naming import build_run_name, build_experiment_name
    from orchestration.tokens import expand_tokens
    from orchestration.normalize import normalize_name
    from orchestration.jobs.tracking.naming.run_names import parse_run_name

    assert build_run_name is naming.mlflow.run_names.build_run_name
    assert build_experiment_name("p", "hpo") == "p-hpo"
    assert expand_tokens("{a}", {"a": 1}) == "1"
    assert normalize_name("A B") == "a-b"
    assert parse_run_name(build_run_name("hpo", "m", trial=1))["trial"] == 1


def test_tracking_utils_facades():
    import tracking.mlflow.runs
    import tracking.mlflow.setup
    from orchestration.jobs.tracking.utils import best_run, setup_mlflow

    assert setup_mlflow is tracking.mlflow.setup.setup_mlflow
    assert best_run is tracking.mlflow.runs.best_run


def test_drive_backup_is_optional():
    try:
        with mock.patch.dict("sys.modules", {"orchestration.drive_backup": None}):
            reloaded = importlib.reload(orchestration)
            assert reloaded.backup_to_drive is None and reloaded.restore_from_drive is None
    finally:
        importlib.reload(orchestration)
    assert orchestration.backup_to_drive is not None


def test_pyproject_entry_points_resolve(project_root):
    data = tomllib.loads((project_root / "pyproject.toml").read_text())
    scripts = data["project"]["scripts"]
    assert {"run-benchmark", "select-best"} <= set(scripts)
    for target in scripts.values():
        module_name, _, func_name = target.partition(":")
        assert callable(getattr(importlib.import_module(module_name), func_name))
    assert data["tool"]["pytest"]["ini_options"]["pythonpath"] == ["src"]


def test_dunder_import_with_fromlist():
    module = __import__("orchestration.jobs.selection.selector", fromlist=["main"])
    assert module is sys.modules["orchestration.jobs.selection.selector"]
    assert module.main is selection.selector.main
