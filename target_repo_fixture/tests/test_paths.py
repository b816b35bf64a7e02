import pytest

import paths
import paths.validation
from orchestration import path_resolution
from orchestration.path_resolution import validate_path_before_mkdir, resolve_hpo_output_dir
from paths import build_output_path, cache_dir_for, clear_cache, load_paths_config, resolve_config_dir, resolve_output_dir

VALIDATORS = [paths.validation.validate_path_before_mkdir, path_resolution.validate_path_before_mkdir]


@pytest.mark.parametrize("validate", VALIDATORS, ids=["paths", "orchestration"])
def test_validate_accepts_new_and_existing_dirs(validate, tmp_path):
    assert validate(tmp_path / "a" / "b", root=tmp_path) == (tmp_path / "a" / "b").resolve()
    assert validate(tmp_path, root=tmp_path) == tmp_path.resolve()


@pytest.mark.parametrize("validate", VALIDATORS, ids=["paths", "orchestration"])
def test_validate_rejects_bad_paths(validate, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "existing").mkdir()
    with pytest.raises(ValueError, match="traversal"):
        validate(tmp_path / "a" / ".." / "b")
    with pytest.raises(ValueError, match="outside"):
        validate(tmp_path.parent / "elsewhere", root=tmp_path)
    with pytest.raises(NotADirectoryError):
        validate(tmp_path / "file.txt")
    with pytest.raises(NotADirectoryError):
        validate(tmp_path / "file.txt" / "child")
    with pytest.raises(FileExistsError):
        validate(tmp_path / "existing", allow_existing=False)


def test_resolve_output_dir_normalises_and_creates(tmp_path):
    target = resolve_output_dir(tmp_path, "Final Training", "BERT Base", create=True)
    assert target == tmp_path / "outputs" / "final_training" / "bert-base"
    assert target.is_dir()
    with pytest.raises(ValueError):
        resolve_output_dir(tmp_path, "hpo", "  ")


def test_resolve_config_dir_env_override(tmp_path):
    assert resolve_config_dir(tmp_path, env={}) == tmp_path / "config"
    assert resolve_config_dir(tmp_path, env={"MLOPS_CONFIG_DIR": "/etc/mlops"}).as_posix() == "/etc/mlops"


def test_build_output_path_truncates_fingerprint(tmp_path):
    assert build_output_path(tmp_path, "conversion", "bert", "0123456789abcdef") == tmp_path / "outputs" / "conversion" / "bert" / "0123456789ab"
    with pytest.raises(ValueError):
        build_output_path(tmp_path, "conversion", "bert", "")


def test_load_paths_config_from_repo_yaml(config_dir, tmp_path):
    config = load_paths_config(config_dir / "paths.yaml", root=tmp_path)
    assert config.outputs_path == tmp_path / "outputs"
    assert config.cache_path == tmp_path / ".cache"
    assert config.backup_path is not None and config.backup_path.name == "mlops-backups"


def test_cache_dirs(tmp_path):
    target = cache_dir_for(tmp_path, "Selection Cache")
    assert target == tmp_path / ".cache" / "selection_cache" and target.is_dir()
    assert clear_cache(tmp_path, "Selection Cache") is True
    assert clear_cache(tmp_path, "Selection Cache") is False


def test_resolve_hpo_output_dir(tmp_path):
    target = resolve_hpo_output_dir(tmp_path, "HPO BERT", trial_number=4, create=True)
    assert target == tmp_path / "outputs" / "hpo" / "hpo-bert" / "trial_004"
    assert target.is_dir()
    with pytest.raises(ValueError):
        resolve_hpo_output_dir(tmp_path, "study", trial_number=-1)
    assert validate_path_before_mkdir(target, root=tmp_path) == target.resolve()
