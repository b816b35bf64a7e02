import json
from unittest import mock

import pytest

import orchestration.jobs.tracking as job_tracking
from orchestration.jobs.tracking.artifacts.manager import MANIFEST_NAME, ArtifactManager
from orchestration.jobs.tracking.config.loader import load_tracking_config
from orchestration.jobs.tracking.finder.run_finder import find_best_run, find_run_by_fingerprint, find_runs
from orchestration.jobs.tracking.index.run_index import RunIndex
from orchestration.jobs.tracking.trackers import BaseTracker, SweepTracker, TrackerStateError, TrainingTracker
from tracking.mlflow.artifacts import list_artifacts


def test_base_tracker_lifecycle(local_client):
    tracker = BaseTracker(local_client, "exp", "bert")
    with pytest.raises(TrackerStateError):
        tracker.log_metrics({"x": 1})
    run_id = tracker.start(spec_fp="abc")
    with pytest.raises(TrackerStateError):
        tracker.start()
    tracker.log_params({"lr": 0.1})
    run = tracker.finish()
    assert run["run_id"] == run_id and run["status"] == "FINISHED"
    assert run["tags"]["mlops.spec_fp"] == "abc" and run["run_name"] == "base__bert"
    assert not tracker.active


def test_tracker_context_manager_marks_failures(local_client):
    tracker = TrainingTracker(local_client, "exp", "bert")
    with pytest.raises(ZeroDivisionError):
        with tracker:
            run_id = tracker.run_id
            1 / 0
    assert local_client.get_run(run_id)["status"] == "FAILED"


def test_sweep_tracker_child_runs(local_client):
    tracker = SweepTracker(local_client, "ner-hpo", "bert")
    parent = tracker.start()
    for number, f1 in enumerate([0.6, 0.8, 0.7]):
        tracker.log_trial(number, {"lr": 10 ** -number}, {"macro_f1": f1})
    tracker.finish()
    assert tracker.best_trial("macro_f1")["number"] == 1
    assert tracker.best_trial("macro_f1", mode="min")["number"] == 0
    assert tracker.best_trial("loss") is None
    children = local_client.search_runs([tracker.experiment_id], filter_tags={"mlflow.parentRunId": parent})
    assert [c["run_name"] for c in children] == ["hpo__bert__t000", "hpo__bert__t001", "hpo__bert__t002"]


def test_training_tracker_epochs_and_lineage(local_client):
    tracker = TrainingTracker(local_client, "ner-final", "bert")
    run_id = tracker.start()
    for epoch, loss in enumerate([1.0, 0.5, 0.25]):
        tracker.log_epoch(epoch, {"loss": loss})
    assert tracker.log_lineage({"spec_fp": "s", "exec_fp": "e", "parent": None, "nested": {"a": 1}}) == 2
    run = local_client.get_run(run_id)
    assert [h["step"] for h in run["metric_history"]["loss"]] == [0, 1, 2]
    assert run["tags"]["mlops.lineage.spec_fp"] == "s"
    with pytest.raises(ValueError):
        tracker.log_epoch(-1, {})


def test_run_index(tmp_path):
    index = RunIndex(tmp_path)
    index.register("hpo", "fp1", "run-1", study="s")
    index.register("conversion", "fp2", "run-2")
    assert index.lookup("hpo", "fp1") == "run-1"
    assert index.lookup("hpo", "nope") is None
    assert [e["run_id"] for e in index.runs_for_stage("hpo")] == ["run-1"]
    assert index.forget("hpo", "fp1") and not index.forget("hpo", "fp1")
    with pytest.raises(ValueError):
        index.register("deploy", "fp", "r")


def test_run_index_uses_index_manager(tmp_path):
    with mock.patch("orchestration.index_manager.IndexManager") as manager_cls:
        manager_cls.return_value.find.return_value = {"run_id": "from-mock"}
        index = RunIndex(tmp_path / "idx.json")
        assert index.lookup("hpo", "fp") == "from-mock"
    manager_cls.assert_called_once_with(tmp_path / "idx.json")
    manager_cls.return_value.find.assert_called_once_with("hpo:fp")


def _log_run(client, exp_name, f1, status="FINISHED", **tags):
    exp = client.create_experiment(exp_name)
    run_id = client.create_run(exp, tags={f"mlops.{k}": v for k, v in tags.items()})
    client.log_metric(run_id, "macro_f1", f1)
    client.set_terminated(run_id, status)
    return run_id


def test_run_finder(local_client):
    a = _log_run(local_client, "exp", 0.7, spec_fp="s1")
    b = _log_run(local_client, "exp", 0.9, spec_fp="s2")
    _log_run(local_client, "exp", 0.99, status="FAILED", spec_fp="s3")
    assert [r.run_id for r in find_runs(local_client, "exp")] == [a, b]
    assert find_runs(local_client, "missing-exp") == []
    assert find_best_run(local_client, "exp", "macro_f1").run_id == b
    assert find_run_by_fingerprint(local_client, "exp", "s1").run_id == a
    assert find_run_by_fingerprint(local_client, "exp", "s3") is None


def test_artifact_manager_uploads_with_manifest(local_client, tmp_path):
    exp = local_client.create_experiment("exp")
    run_id = local_client.create_run(exp)
    manager = ArtifactManager(local_client, run_id, tmp_path / "staging")
    manager.stage_json("metrics.json", {"f1": 0.9})
    extra = tmp_path / "notes.txt"
    extra.write_text("notes")
    manager.stage_file(extra)
    assert manager.staged() == ["metrics.json", "notes.txt"]
    uploaded = manager.upload_all("outputs")
    assert uploaded == ["outputs/metrics.json", "outputs/notes.txt", f"outputs/{MANIFEST_NAME}"]
    assert list_artifacts(local_client, run_id) == sorted(uploaded)
    manifest = json.loads((local_client.artifact_dir(run_id) / "outputs" / MANIFEST_NAME).read_text())
    assert set(manifest) == {"metrics.json", "notes.txt"} and all(len(h) == 64 for h in manifest.values())


@mock.patch("orchestration.jobs.tracking.artifacts.manager.log_artifact", return_value="x")
def test_artifact_manager_delegates_to_tracking(log_artifact, local_client, tmp_path):
    manager = ArtifactManager(local_client, "run-1", tmp_path)
    manager.stage_json("a.json", {})
    assert manager.upload_all() == ["x", "x"]
    assert log_artifact.call_count == 2
    assert log_artifact.call_args_list[0].args[:2] == (local_client, "run-1")


def test_load_tracking_config(config_dir):
    config = load_tracking_config(config_dir / "tracking.yaml", env={})
    assert (config.tracking_uri, config.experiment_prefix, config.enabled) == ("mlruns", "ner", True)
    assert config.naming.render_run_name(stage="hpo", model="bert") == "hpo__bert__final"
    overridden = load_tracking_config(config_dir / "tracking.yaml", env={"MLFLOW_TRACKING_URI": "http://x", "MLOPS_TRACKING_DISABLED": "1"})
    assert (overridden.tracking_uri, overridden.enabled) == ("http://x", False)
    assert job_tracking.load_tracking_config is load_tracking_config
