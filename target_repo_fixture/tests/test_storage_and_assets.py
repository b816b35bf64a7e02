import types
from unittest import mock

import pytest

import orchestration.data_assets as data_assets
from orchestration import drive_backup
from orchestration.data_assets import LocalAssetRegistry, get_data_asset, parse_asset_reference, register_data_asset
from orchestration.drive_backup import backup_to_drive, list_backups, restore_from_drive


def test_register_and_get_versions(tmp_path):
    first = register_data_asset("NER Dataset", "data/v1", registry_dir=tmp_path, description="first")
    second = register_data_asset("ner-dataset", "data/v2", registry_dir=tmp_path)
    assert (first.name, first.version, second.version) == ("ner-dataset", 1, 2)
    assert get_data_asset("ner-dataset", registry_dir=tmp_path).path == "data/v2"
    assert get_data_asset("azureml:ner-dataset:1", registry_dir=tmp_path).description == "first"
    assert second.reference == "azureml:ner-dataset:2"
    assert [a.version for a in LocalAssetRegistry(tmp_path).list()] == [1, 2]


def test_registry_errors(tmp_path):
    registry = LocalAssetRegistry(tmp_path)
    registry.register("ds", "p", version=3)
    with pytest.raises(ValueError):
        registry.register("ds", "p", version=3)
    with pytest.raises(KeyError):
        registry.get("ds", 4)
    with pytest.raises(KeyError):
        registry.get("other")
    with pytest.raises(ValueError):
        registry.register("  ", "p")


def test_parse_asset_reference():
    assert parse_asset_reference("azureml:ds:3") == {"name": "ds", "version": 3}
    assert parse_asset_reference("ds@latest") == {"name": "ds", "version": "latest"}
    assert parse_asset_reference("ds") == {"name": "ds", "version": "latest"}
    with pytest.raises(ValueError):
        parse_asset_reference("azureml:ds")


def test_workspace_registration_falls_back_without_sdk(tmp_path, caplog):
    with mock.patch.dict("sys.modules", {"azureml": None, "azureml.core": None}):
        asset = register_data_asset("ds", "p", registry_dir=tmp_path, workspace=object())
    assert asset.version == 1
    assert "registering ds in the local registry" in caplog.text


def test_workspace_registration_with_sdk_retries(tmp_path):
    dataset = mock.Mock()
    dataset.register.side_effect = [ConnectionError("reset"), types.SimpleNamespace(version=7)]
    fake_core = types.ModuleType("azureml.core")
    fake_core.Dataset = types.SimpleNamespace(File=types.SimpleNamespace(from_files=mock.Mock(return_value=dataset)))
    workspace = mock.Mock()
    with mock.patch.dict("sys.modules", {"azureml": types.ModuleType("azureml"), "azureml.core": fake_core}), \
            mock.patch("time.sleep") as sleep:
        asset = data_assets.register_data_asset("ds", "data/train", registry_dir=tmp_path, workspace=workspace)
    assert asset.version == 7
    assert dataset.register.call_count == 2
    sleep.assert_called_once_with(0.5)
    fake_core.Dataset.File.from_files.assert_called_once_with(path=(workspace.get_default_datastore.return_value, "data/train"))


def test_backup_and_restore_directory(tmp_path):
    source = tmp_path / "outputs"
    (source / "hpo").mkdir(parents=True)
    (source / "hpo" / "metadata.json").write_text("{}")
    root = tmp_path / "drive"
    target = backup_to_drive(source, backup_root=root, name="run-1")
    assert (target / "hpo" / "metadata.json").exists()
    assert list_backups(root)[0]["name"] == "run-1" and list_backups(root)[0]["bytes"] == 2
    restored = restore_from_drive("run-1", tmp_path / "restore", backup_root=root)
    assert (restored / "hpo" / "metadata.json").read_text() == "{}"
    with pytest.raises(FileExistsError):
        restore_from_drive("run-1", tmp_path / "restore", backup_root=root)
    with pytest.raises(FileNotFoundError):
        restore_from_drive("nope", tmp_path, backup_root=root)


def test_backup_file_overwrite_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_DRIVE_ROOT", str(tmp_path / "env-drive"))
    f = tmp_path / "model.onnx"
    f.write_text("v1")
    assert backup_to_drive(f).read_text() == "v1"
    f.write_text("v2")
    with pytest.raises(FileExistsError):
        backup_to_drive(f, overwrite=False)
    assert backup_to_drive(f).read_text() == "v2"
    assert (tmp_path / "env-drive" / "model.onnx").exists()
    with pytest.raises(FileNotFoundError):
        backup_to_drive(tmp_path / "missing")


def test_colab_detection_and_mount(monkeypatch):
    monkeypatch.delenv("MLOPS_DRIVE_ROOT", raising=False)
    with mock.patch.dict("sys.modules", {"google.colab": None}):
        assert drive_backup.is_colab() is False
        assert drive_backup.mount_drive() is False
    colab = types.ModuleType("google.colab")
    colab.drive = mock.Mock()
    with mock.patch.dict("sys.modules", {"google": types.ModuleType("google"), "google.colab": colab}):
        assert drive_backup.mount_drive("/content/drive") is True
    colab.drive.mount.assert_called_once_with("/content/drive")
    with mock.patch("orchestration.drive_backup.is_colab", return_value=True) as colab_check:
        assert drive_backup.get_backup_root().as_posix() == "/content/drive/MyDrive/mlops-backups"
    colab_check.assert_called_once()
