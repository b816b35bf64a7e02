import json
from unittest import mock

import pytest

from orchestration.final_training_config import FinalTrainingConfig
from orchestration.jobs.conversion import ConversionExecutor, verify_fingerprint
from orchestration.jobs.final_training import (
    FinalTrainingExecutor,
    build_lineage,
    build_training_tags,
    record_lineage,
    tags_match,
    trace_lineage,
    validate_lineage,
)
from orchestration.jobs.final_training.executor import main
from orchestration.jobs.tracking.trackers.training_tracker import TrainingTracker
from orchestration.metadata_manager import MetadataManager
from training.config import TrainingConfig


CONFIG = FinalTrainingConfig(model="bert", epochs=200, learning_rate=0.1, seed=3)


def test_lineage_is_deterministic_and_ignores_source_run():
    a = build_lineage(CONFIG, hpo_study="study-1")
    b = build_lineage(FinalTrainingConfig(model="bert", epochs=200, learning_rate=0.1, seed=3, source_run_id="r9"))
    assert a["spec_fp"] == b["spec_fp"] and a["exec_fp"] == b["exec_fp"]
    assert build_lineage(CONFIG, environment={"python": "3.11"})["exec_fp"] != a["exec_fp"]
    assert validate_lineage(a) == []
    assert validate_lineage({"model": "x"}) == ["lineage is missing 'spec_fp'", "lineage is missing 'exec_fp'"]


def test_trace_lineage_follows_parents(tmp_path):
    metadata = MetadataManager(tmp_path)
    parent = build_lineage(CONFIG)
    child = build_lineage(FinalTrainingConfig(model="bert", epochs=10), parent_spec_fp=parent["spec_fp"])
    record_lineage(metadata, parent)
    record_lineage(metadata, child)
    chain = trace_lineage(metadata, child["spec_fp"])
    assert [c["spec_fp"] for c in chain] == [child["spec_fp"], parent["spec_fp"]]
    with pytest.raises(ValueError):
        record_lineage(metadata, {"model": "bert"})


def test_training_tags():
    lineage = build_lineage(CONFIG, hpo_study="s")
    tags = build_training_tags(CONFIG, lineage)
    assert tags["mlops.stage"] == "final_training" and tags["mlops.spec_fp"] == lineage["spec_fp"]
    assert "mlops.source_run_id" not in tags
    assert tags_match(tags, {"model": "bert", "seed": 3}) and not tags_match(tags, {"model": "roberta"})


def test_executor_trains_and_persists(tmp_path, linear_samples):
    metadata = MetadataManager(tmp_path / "meta")
    result = FinalTrainingExecutor(CONFIG, tmp_path / "out", metadata=metadata).run(linear_samples[:16], linear_samples[16:])
    checkpoint = json.loads((tmp_path / "out" / "final_training" / result.lineage["spec_fp"] / "checkpoint.json").read_text())
    weight, bias = checkpoint["weights"]
    assert weight == pytest.approx(2.0, abs=0.1) and bias == pytest.approx(1.0, abs=0.1)
    assert result.metrics["val_r2"] > 0.95
    assert metadata.is_complete("final_training", result.lineage["spec_fp"])


def test_executor_tracks_epochs(tmp_path, local_client, linear_samples):
    tracker = TrainingTracker(local_client, "ner-final", "bert")
    config = FinalTrainingConfig(model="bert", epochs=5, learning_rate=0.05)
    FinalTrainingExecutor(config, tmp_path, tracker=tracker).run(linear_samples)
    (run,) = local_client.search_runs([tracker.experiment_id])
    assert len(run["metric_history"]["train_mse"]) == 6  # 5 epochs + final metric
    assert run["tags"]["mlops.lineage.model"] == "bert" and run["status"] == "FINISHED"


@mock.patch("orchestration.jobs.final_training.executor.Trainer")
def test_executor_configures_trainer(trainer_cls, tmp_path, linear_samples):
    trainer = trainer_cls.return_value
    trainer.fit.return_value = [0.5, 0.25]
    trainer.weights = [1.0, 0.0]
    trainer.state_dict.return_value = {"weight": 1.0, "bias": 0.0}
    result = FinalTrainingExecutor(CONFIG, tmp_path).run(linear_samples)
    trainer_cls.assert_called_once_with(TrainingConfig(epochs=200, learning_rate=0.1, seed=3))
    assert result.metrics == {"train_mse": 0.25}


def test_invalid_config_rejected(tmp_path):
    with pytest.raises(ValueError):
        FinalTrainingExecutor(FinalTrainingConfig(model="", epochs=1), tmp_path)


def test_train_then_convert_pipeline(tmp_path, linear_samples):
    trained = FinalTrainingExecutor(CONFIG, tmp_path).run(linear_samples)
    converted = ConversionExecutor().convert(trained.checkpoint_dir, tmp_path / "onnx")
    assert converted.exec_fp == trained.lineage["exec_fp"]
    from orchestration.conversion_config import ConversionConfig

    assert verify_fingerprint(converted.model_path, ConversionConfig())


def test_cli(tmp_path, config_dir, linear_samples, capsys):
    data = tmp_path / "data.json"
    data.write_text(json.dumps(linear_samples))
    assert main(["--config", str(config_dir / "final_training.yaml"), "--data", str(data), "--output-root", str(tmp_path / "o")]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["lineage"]["model"] == "bert-base-uncased" and "val_mse" in payload["metrics"]
