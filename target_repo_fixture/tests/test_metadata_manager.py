from unittest import mock

import pytest

from orchestration import IndexManager, MetadataManager


def test_record_and_get(tmp_path):
    manager = MetadataManager(tmp_path)
    manager.record_stage("hpo", "fp1", {"study": "s1"})
    manager.record_stage("hpo", "fp1", {"trials": 5})
    record = manager.get_stage("hpo", "fp1")
    assert record["study"] == "s1" and record["trials"] == 5
    assert record["status"] == "running"
    assert (tmp_path / "hpo" / "fp1" / "metadata.json").exists()
    assert manager.get_stage("hpo", "missing") is None


def test_mark_complete_and_failed(tmp_path):
    manager = MetadataManager(tmp_path)
    manager.mark_complete("conversion", "c1", model_path="m.onnx")
    assert manager.is_complete("conversion", "c1")
    manager.mark_failed("conversion", "c2", "boom")
    assert not manager.is_complete("conversion", "c2")
    assert manager.get_stage("conversion", "c2")["error"] == "boom"
    assert manager.list_stage("conversion") == ["c1", "c2"]
    assert manager.list_stage("hpo") == []


def test_invalid_stage_and_key(tmp_path):
    manager = MetadataManager(tmp_path)
    with pytest.raises(ValueError, match="unknown stage"):
        manager.record_stage("deploy", "k", {})
    with pytest.raises(ValueError, match="invalid metadata key"):
        manager.record_stage("hpo", "../escape", {})


def test_index_is_updated(tmp_path):
    index = IndexManager(tmp_path / "index.json")
    manager = MetadataManager(tmp_path / "meta", index=index)
    manager.mark_complete("final_training", "spec1")
    entry = index.find("final_training:spec1")
    assert entry["status"] == "complete"
    assert entry["path"].endswith("final_training/spec1/metadata.json")


def test_timestamps_come_from_clock(tmp_path):
    with mock.patch("orchestration.metadata_manager.utc_now_iso", side_effect=["2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"]) as clock:
        manager = MetadataManager(tmp_path)
        manager.record_stage("hpo", "k", {})
        record = manager.record_stage("hpo", "k", {"x": 1})
    assert clock.call_count == 2
    assert record["created_at"] == "2024-01-01T00:00:00+00:00"
    assert record["updated_at"] == "2024-01-02T00:00:00+00:00"
