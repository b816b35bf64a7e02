import importlib
import json
import math
import types
from unittest import mock

import pytest

import hpo
from hpo.utils import format_params, trial_label
from orchestration.jobs.hpo import hpo_helpers
from orchestration.jobs.hpo.azureml.sweeps import build_sweep_job_spec, submit_sweep, to_azure_search_space
from orchestration.jobs.hpo.hpo_helpers import (
    compute_study_fingerprint,
    generate_study_name,
    merge_best_params,
    study_name_for_experiment,
    params_to_cli_args,
    trial_output_dir,
)
from orchestration.jobs.hpo.local_sweeps import SweepResult, Trial
from orchestration.jobs.hpo.search_space import parse_search_space
from orchestration.jobs.hpo.study_extractor import extract_best_trial, extract_trials, load_optuna_study, study_summary

SEARCH_SPACE_MODULES = ["orchestration.jobs.hpo.search_space", "hpo.core.search_space"]
SWEEP_MODULES = [
    ("orchestration.jobs.hpo.local_sweeps", "orchestration.jobs.hpo.search_space"),
    ("hpo.execution.local.sweep", "hpo.core.search_space"),
]
RAW_SPACE = {
    "learning_rate": {"type": "loguniform", "low": 1e-5, "high": 1e-3},
    "batch_size": {"type": "choice", "values": [8, 16, 32]},
    "dropout": {"type": "uniform", "low": 0.0, "high": 0.5},
    "layers": {"type": "int", "low": 1, "high": 3},
}


@pytest.fixture(params=SEARCH_SPACE_MODULES)
def ss(request):
    return importlib.import_module(request.param)


@pytest.fixture(params=SWEEP_MODULES, ids=["orchestration", "hpo"])
def sweep_modules(request):
    sweep_name, space_name = request.param
    return importlib.import_module(sweep_name), importlib.import_module(space_name)


def test_parse_and_sample(ss):
    space = ss.parse_search_space(RAW_SPACE)
    params = ss.sample_params(space, seed=7)
    assert params == ss.sample_params(space, seed=7)
    assert 1e-5 <= params["learning_rate"] <= 1e-3 and params["batch_size"] in (8, 16, 32)
    assert isinstance(params["layers"], int) and list(params) == sorted(RAW_SPACE)


@pytest.mark.parametrize("bad", [
    {},
    {"x": {"type": "gaussian", "low": 0, "high": 1}},
    {"x": {"type": "uniform", "low": 1, "high": 0}},
    {"x": {"type": "loguniform", "low": 0, "high": 1}},
    {"x": {"type": "choice", "values": []}},
    {"x": {"type": "int", "low": 1}},
])
def test_invalid_spaces(ss, bad):
    with pytest.raises(ValueError):
        ss.parse_search_space(bad)


def test_space_size_and_grid(ss):
    discrete = ss.parse_search_space({"bs": {"type": "choice", "values": [8, 16]}, "layers": {"type": "int", "low": 1, "high": 3}})
    assert ss.space_size(discrete) == 6
    assert len(ss.grid_points(discrete)) == 6
    assert ss.space_size(ss.parse_search_space(RAW_SPACE)) is None
    grid = ss.grid_points(ss.parse_search_space({"lr": {"type": "loguniform", "low": 1e-4, "high": 1e-2}}), n_points=3)
    assert [g["lr"] for g in grid] == pytest.approx([1e-4, 1e-3, 1e-2])


def test_load_search_space_from_repo(ss, config_dir):
    space = ss.load_search_space(config_dir / "hpo" / "search_space.yaml")
    assert set(space) == {"learning_rate", "batch_size", "warmup_ratio", "num_train_epochs"}
    assert space["num_train_epochs"].type == "int"


def test_search_space_copies_agree():
    original, moved = (importlib.import_module(m) for m in SEARCH_SPACE_MODULES)
    assert original.sample_params(original.parse_search_space(RAW_SPACE), seed=3) == moved.sample_params(moved.parse_search_space(RAW_SPACE), seed=3)
    assert original.DEFAULT_SEED == moved.DEFAULT_SEED == 42


def test_sweep_finds_good_configuration(sweep_modules):
    sweeps, ss = sweep_modules
    space = ss.parse_search_space({"x": {"type": "uniform", "low": -2.0, "high": 2.0}})
    result = sweeps.run_local_sweep(lambda p: -(p["x"] - 1.0) ** 2, space, n_trials=30, seed=1)
    assert len(result.trials) == 30 and result.n_complete == 30
    assert abs(result.best_trial.params["x"] - 1.0) < 0.3
    assert result.to_dict()["best_trial"] == result.best_trial.number


def test_sweep_minimize_and_failures(sweep_modules):
    sweeps, ss = sweep_modules
    space = ss.parse_search_space({"x": {"type": "int", "low": 0, "high": 9}})
    seen = []

    def objective(params):
        if params["x"] % 3 == 0:
            raise RuntimeError("diverged")
        return params["x"]

    result = sweeps.run_local_sweep(objective, space, n_trials=12, direction="minimize", seed=0, callbacks=[seen.append])
    failed = [t for t in result.trials if t.state == "FAIL"]
    assert failed and all(t.error == "diverged" and t.value is None for t in failed)
    assert result.best_trial.value == min(t.value for t in result.trials if t.state == "COMPLETE")
    assert [t.number for t in seen] == list(range(12))


def test_sweep_argument_validation(sweep_modules):
    sweeps, ss = sweep_modules
    space = ss.parse_search_space({"x": {"type": "uniform", "low": 0, "high": 1}})
    with pytest.raises(ValueError):
        sweeps.run_local_sweep(lambda p: 0.0, space, n_trials=0)
    with pytest.raises(ValueError):
        sweeps.run_local_sweep(lambda p: 0.0, space, direction="sideways")
    assert sweeps.best_trial([], "maximize") is None


def test_sweep_nan_is_failure_and_rows(sweep_modules):
    sweeps, ss = sweep_modules
    space = ss.parse_search_space({"x": {"type": "choice", "values": ["a", "b"]}})
    result = sweeps.run_local_sweep(lambda p: math.nan if p["x"] == "a" else 1.0, space, n_trials=6, seed=5)
    rows = sweeps.trials_to_rows(result)
    assert set(rows[0]) == {"number", "value", "state", "param.x"}
    assert all((r["state"] == "FAIL") == (r["param.x"] == "a") for r in rows)


def test_hpo_package_exports():
    assert hpo.run_local_sweep is importlib.import_module("hpo.execution.local.sweep").run_local_sweep
    assert trial_label(7) == "trial_007"
    assert format_params({"lr": 0.000123456, "bs": 16}) == "bs=16, lr=0.0001235"
    with pytest.raises(ValueError):
        trial_label(-1)


def test_study_names_and_cli_args():
    assert generate_study_name("BERT Base", "0123456789abcdef") == "hpo-bert-base-01234567"
    with pytest.raises(ValueError):
        generate_study_name("bert", "")
    assert params_to_cli_args({"learning_rate": 0.001, "fp16": True, "debug": False, "seed": None, "batch_size": 16}) == [
        "--batch-size", "16", "--fp16", "--learning-rate", "0.001",
    ]


def test_merge_best_params_is_nested_and_non_destructive():
    base = {"optimizer": {"lr": 0.1, "betas": [0.9, 0.99]}, "epochs": 3}
    merged = merge_best_params(base, {"optimizer.lr": 0.01, "scheduler.warmup": 100, "epochs": 5})
    assert merged == {"optimizer": {"lr": 0.01, "betas": [0.9, 0.99]}, "scheduler": {"warmup": 100}, "epochs": 5}
    assert base["optimizer"]["lr"] == 0.1


def test_trial_output_dir_uses_path_resolution(tmp_path):
    target = trial_output_dir(tmp_path, "study", 3, create=True)
    assert target.is_dir() and target.name == "trial_003"
    with mock.patch("orchestration.jobs.hpo.hpo_helpers.resolve_hpo_output_dir", return_value=tmp_path / "x") as resolve:
        assert trial_output_dir(tmp_path, "study", 1) == tmp_path / "x"
    resolve.assert_called_once_with(tmp_path, "study", 1)


def test_study_fingerprint_lazy_import():
    space = parse_search_space(RAW_SPACE)
    fp1 = compute_study_fingerprint({"model": "bert"}, space)
    assert fp1 == compute_study_fingerprint({"model": "bert"}, space)
    assert fp1 != compute_study_fingerprint({"model": "roberta"}, space)
    with mock.patch("orchestration.fingerprints.compute_spec_fp", return_value="patched") as compute:
        assert hpo_helpers.compute_study_fingerprint({"model": "bert"}, RAW_SPACE) == "patched"
    assert compute.call_args.args[0]["experiment"] == {"model": "bert"}


def test_study_extraction_from_various_sources():
    sweep = SweepResult("maximize", [Trial(0, {"x": 1}, 0.5), Trial(1, {"x": 2}, 0.9), Trial(2, {"x": 3}, None, "FAIL")])
    assert extract_best_trial(sweep)["number"] == 1
    assert study_summary(sweep) == {"n_trials": 3, "n_complete": 2, "best_value": 0.9, "best_params": {"x": 2}}
    optuna_like = types.SimpleNamespace(
        direction=types.SimpleNamespace(name="MINIMIZE"),
        trials=[types.SimpleNamespace(number=i, params={"x": i}, value=v, state=types.SimpleNamespace(name="COMPLETE")) for i, v in enumerate([3.0, 1.0, 2.0])],
    )
    assert extract_best_trial(optuna_like)["number"] == 1
    dict_trials = [{"number": 0, "params": {}, "value": 1.0}, {"number": 1, "params": {}, "value": 2.0}]
    assert extract_best_trial(dict_trials, direction="minimize")["number"] == 0
    assert len(extract_trials(dict_trials)) == 2


def test_load_optuna_study_requires_optuna():
    with mock.patch.dict("sys.modules", {"optuna": None}):
        with pytest.raises(RuntimeError, match="optuna"):
            load_optuna_study("s", "sqlite:///x.db")
    fake = types.SimpleNamespace(load_study=mock.Mock(return_value="study"))
    with mock.patch.dict("sys.modules", {"optuna": fake}):
        assert load_optuna_study("s", "sqlite:///x.db") == "study"
    fake.load_study.assert_called_once_with(study_name="s", storage="sqlite:///x.db")


def test_azure_search_space_expressions():
    expressions = to_azure_search_space(parse_search_space(RAW_SPACE))
    assert expressions["batch_size"] == "choice(8, 16, 32)"
    assert expressions["dropout"] == "uniform(0, 0.5)"
    assert expressions["layers"] == "quniform(1, 3, 1)"
    low, high = (float(v) for v in expressions["learning_rate"][len("loguniform("):-1].split(","))
    assert (math.exp(low), math.exp(high)) == (pytest.approx(1e-5), pytest.approx(1e-3))


def test_sweep_job_spec_validation():
    space = parse_search_space(RAW_SPACE)
    spec = build_sweep_job_spec("ner-sweep", "python train.py", space, "macro_f1", max_trials=10, max_concurrent=2)
    assert spec["sampling_algorithm"] == {"type": "random", "seed": 42}
    assert spec["limits"] == {"max_total_trials": 10, "max_concurrent_trials": 2}
    with pytest.raises(ValueError):
        build_sweep_job_spec("x", "c", space, "m", goal="up")
    with pytest.raises(ValueError):
        build_sweep_job_spec("x", "c", space, "m", max_trials=2, max_concurrent=4)


def test_submit_sweep_dry_run_and_workspace(tmp_path):
    spec = build_sweep_job_spec("ner-sweep", "python train.py", parse_search_space(RAW_SPACE), "macro_f1")
    dry = submit_sweep(spec, dry_run_dir=tmp_path)
    assert dry["status"] == "dry_run" and json.loads(open(dry["path"]).read())["name"] == "ner-sweep"
    fake_sdk = types.SimpleNamespace(Experiment=mock.Mock())
    fake_sdk.Experiment.return_value.submit.return_value = types.SimpleNamespace(id="run-42")
    with mock.patch("orchestration.jobs.hpo.azureml.sweeps._load_azureml", return_value=fake_sdk):
        submitted = submit_sweep(spec, workspace="ws")
    fake_sdk.Experiment.assert_called_once_with(workspace="ws", name="ner-sweep")
    assert submitted["run_id"] == "run-42"
    with mock.patch("orchestration.jobs.hpo.azureml.sweeps._load_azureml", return_value=None):
        with pytest.raises(RuntimeError):
            submit_sweep(spec, workspace="ws")
    with pytest.raises(ValueError):
        submit_sweep(spec)


def test_study_name_for_experiment(config_dir):
    name = study_name_for_experiment("bert_base", config_dir=config_dir)
    assert name.startswith("hpo-bert-base-uncased-") and len(name.rsplit("-", 1)[1]) == 8
    with mock.patch("orchestration.compute_spec_fp", return_value="feedface00000000") as compute:
        assert study_name_for_experiment("distilbert", config_dir=config_dir) == "hpo-distilbert-base-uncased-feedface"
    compute.assert_called_once()


def test_patch_object_on_sweeps_module():
    sweeps = importlib.import_module("orchestration.jobs.hpo.azureml.sweeps")
    fake_sdk = types.SimpleNamespace(Experiment=mock.Mock())
    with mock.patch.object(sweeps, "_load_azureml", return_value=fake_sdk) as loader:
        result = sweeps.submit_sweep({"name": "s"}, workspace="ws")
    loader.assert_called_once_with()
    assert result["status"] == "submitted"
    fake_sdk.Experiment.return_value.submit.assert_called_once_with({"name": "s"})
