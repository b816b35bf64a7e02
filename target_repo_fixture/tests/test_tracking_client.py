import types
from unittest import mock

import pytest

from tracking.mlflow.artifacts import list_artifacts, log_artifact, log_dict
from tracking.mlflow.client import LocalTrackingClient, get_tracking_client, is_local_uri, uri_to_path
from tracking.mlflow.runs import RunRecord, best_run, filter_runs, log_metrics, log_params, start_run


def test_experiments_are_idempotent(local_client):
    first = local_client.create_experiment("exp")
    assert local_client.create_experiment("exp") == first
    assert local_client.create_experiment("other") != first
    assert local_client.get_experiment_by_name("nope") is None


def test_run_lifecycle(local_client):
    exp = local_client.create_experiment("exp")
    with start_run(local_client, exp, run_name="r", tags={"mlops.stage": "hpo"}) as run_id:
        log_params(local_client, run_id, {"lr": 0.1})
        log_metrics(local_client, run_id, {"loss": 1.0}, step=0)
        log_metrics(local_client, run_id, {"loss": 0.5}, step=1)
    run = local_client.get_run(run_id)
    assert run["status"] == "FINISHED" and run["params"] == {"lr": "0.1"}
    assert run["metrics"]["loss"] == 0.5
    assert [h["step"] for h in run["metric_history"]["loss"]] == [0, 1]
    with pytest.raises(ValueError):
        local_client.log_param(run_id, "lr", 0.2)
    with pytest.raises(ValueError):
        log_metrics(local_client, run_id, {"loss": float("nan")})


def test_failed_runs_are_marked(local_client):
    exp = local_client.create_experiment("exp")
    with pytest.raises(RuntimeError):
        with start_run(local_client, exp) as run_id:
            raise RuntimeError("training crashed")
    assert local_client.get_run(run_id)["status"] == "FAILED"
    with pytest.raises(ValueError):
        local_client.set_terminated(run_id, "EXPLODED")


def test_search_filter_and_best(local_client):
    exp = local_client.create_experiment("exp")
    for i, f1 in enumerate([0.7, 0.9, 0.8]):
        run_id = local_client.create_run(exp, tags={"mlops.trial": str(i)})
        local_client.log_metric(run_id, "f1", f1)
        local_client.set_terminated(run_id, "FINISHED" if i < 2 else "FAILED")
    runs = local_client.search_runs([exp])
    assert len(runs) == 3
    finished = filter_runs(runs, status="FINISHED")
    assert len(finished) == 2
    assert best_run(finished, "f1").metrics["f1"] == 0.9
    assert best_run(finished, "f1", mode="min").metrics["f1"] == 0.7
    assert best_run(finished, "missing") is None
    assert [r["tags"]["mlops.trial"] for r in local_client.search_runs([exp], filter_tags={"mlops.trial": 2})] == ["2"]


def test_run_record_from_mlflow_entity():
    entity = types.SimpleNamespace(
        info=types.SimpleNamespace(run_id="abc", run_name="r", experiment_id=3, status="FINISHED", start_time=1700000000),
        data=types.SimpleNamespace(params={"lr": "0.1"}, metrics={"f1": 0.5}, tags={"t": "v"}),
    )
    record = RunRecord.from_any(entity)
    assert (record.run_id, record.experiment_id, record.metrics) == ("abc", "3", {"f1": 0.5})
    assert RunRecord.from_any(record) is record


def test_artifacts(local_client, tmp_path):
    exp = local_client.create_experiment("exp")
    run_id = local_client.create_run(exp)
    source = tmp_path / "report.txt"
    source.write_text("hello")
    folder = tmp_path / "plots"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"png")
    assert log_artifact(local_client, run_id, source, "reports") == "reports/report.txt"
    log_artifact(local_client, run_id, folder)
    log_dict(local_client, run_id, {"a": 1}, "summary.json")
    assert list_artifacts(local_client, run_id) == ["plots/a.png", "reports/report.txt", "summary.json"]
    with pytest.raises(FileNotFoundError):
        log_artifact(local_client, run_id, tmp_path / "missing")


def test_get_tracking_client(tmp_path):
    assert is_local_uri(None) and is_local_uri("file:///tmp/x") and not is_local_uri("https://host")
    assert uri_to_path("file:///tmp/x").as_posix() == "/tmp/x"
    client = get_tracking_client(str(tmp_path))
    assert isinstance(client, LocalTrackingClient) and client.root == tmp_path
    with mock.patch.dict("sys.modules", {"mlflow": None, "mlflow.tracking": None}):
        with pytest.raises(RuntimeError):
            get_tracking_client("https://mlflow.example.invalid")
