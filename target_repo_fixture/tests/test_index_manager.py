from unittest import mock

import pytest

import orchestration.index_manager


@pytest.fixture
def index(tmp_path):
    return orchestration.index_manager.IndexManager(tmp_path / "outputs")


def test_directory_path_gets_default_filename(index, tmp_path):
    assert index.path == tmp_path / "outputs" / "index.json"
    explicit = orchestration.index_manager.IndexManager(tmp_path / "custom.json")
    assert explicit.path.name == "custom.json"


def test_add_find_remove(index):
    stored = index.add("hpo:abc", {"stage": "hpo", "run_id": "r1"})
    assert stored["run_id"] == "r1" and "updated_at" in stored
    assert index.find("hpo:abc")["run_id"] == "r1"
    assert "hpo:abc" in index and len(index) == 1
    assert index.remove("hpo:abc") is True
    assert index.find("hpo:abc") is None


def test_no_overwrite_and_empty_key(index):
    index.add("k", {"v": 1})
    with pytest.raises(KeyError):
        index.add("k", {"v": 2}, overwrite=False)
    with pytest.raises(ValueError):
        index.add("", {})
    assert index.find("k")["v"] == 1


def test_find_by_and_compact(index):
    index.add("hpo:1", {"stage": "hpo", "status": "complete"})
    index.add("hpo:2", {"stage": "hpo", "status": "failed"})
    index.add("conversion:1", {"stage": "conversion", "status": "complete"})
    assert [k for k, _ in index.find_by(stage="hpo")] == ["hpo:1", "hpo:2"]
    assert [k for k, _ in index.find_by(status="complete")] == ["conversion:1", "hpo:1"]
    assert index.compact(lambda key, entry: entry["status"] != "failed") == 1
    assert list(index) == ["conversion:1", "hpo:1"]


def test_persistence_across_instances(index):
    index.add("a", {"x": 1})
    reopened = orchestration.index_manager.IndexManager(index.path)
    assert reopened.keys() == ["a"]


def test_remove_missing_key_does_not_write(index):
    with mock.patch.object(orchestration.index_manager.IndexManager, "_write") as write:
        assert index.remove("missing") is False
        index.add("new", {})
    write.assert_called_once()
    assert "new" in write.call_args.args[0]
