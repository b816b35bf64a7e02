"""Conversion, final-training, environment configs and their compatibility."""

import types
from unittest import mock

import pytest
import yaml

from orchestration import environment as env_module
from orchestration.config_compat import ConfigCompatError, assert_compatible, is_compatible, validate_config_compat
from orchestration.config_loader import load_experiment_config
from orchestration.conversion_config import ConversionConfig, load_conversion_config
from orchestration.environment import (
    EnvironmentConfig,
    build_conda_yaml,
    build_environment_spec,
    create_azure_environment,
    environment_fingerprint,
    load_environment_config,
)
from orchestration.final_training_config import FinalTrainingConfig, load_final_training_config


def test_load_conversion_config_from_repo(config_dir):
    config = load_conversion_config(config_dir / "conversion.yaml")
    assert (config.format, config.opset, config.max_sequence_length) == ("onnx", 17, 256)
    assert config.model_filename == "model.onnx"
    assert load_conversion_config(config_dir / "conversion.yaml", overrides={"quantize": True}).quantize is True


def test_conversion_config_validation():
    assert ConversionConfig().validate() == []
    errors = ConversionConfig(format="tflite", opset=9).validate()
    assert any("unsupported format" in e for e in errors)
    assert ConversionConfig(format="torchscript", quantize=True).validate() == ["quantization is only supported for onnx exports"]
    assert ConversionConfig(format="torchscript").model_filename == "model.pt"
    with pytest.raises(ValueError, match="unknown"):
        load_conversion_config({"format": "onnx", "precision": "fp16"})


def test_final_training_config_and_best_params(config_dir):
    config = load_final_training_config(config_dir / "final_training.yaml")
    assert config.model == "bert-base-uncased" and config.epochs == 40
    tuned = config.with_best_params({"learning_rate": "0.02", "batch_size": 32.0, "warmup_ratio": 0.2}, source_run_id="run-9")
    assert (tuned.learning_rate, tuned.batch_size, tuned.source_run_id) == (0.02, 32, "run-9")
    assert tuned.hyperparameters["warmup_ratio"] == 0.2
    assert config.hyperparameters["warmup_ratio"] == 0.1  # original untouched
    with pytest.raises(ValueError, match="epochs"):
        load_final_training_config({"model": "bert", "epochs": 0})


def test_compat_detects_errors_and_warnings(config_dir):
    experiment = load_experiment_config("bert_base", config_dir=config_dir)
    training = FinalTrainingConfig(model="roberta-base", seed=1)
    conversion = ConversionConfig(format="torchscript", max_sequence_length=64)
    issues = validate_config_compat(experiment, training, conversion, EnvironmentConfig(python_version="3.7"))
    by_field = {(i.level, i.field) for i in issues}
    assert ("error", "model") in by_field
    assert ("warning", "seed") in by_field
    assert ("error", "conversion.format") in by_field
    assert ("error", "max_sequence_length") in by_field
    assert ("error", "python_version") in by_field
    with pytest.raises(ConfigCompatError) as err:
        assert_compatible(experiment, training, conversion)
    assert all(issue.level == "error" for issue in err.value.issues)


def test_repo_configs_are_compatible(config_dir):
    experiment = load_experiment_config("bert_base", config_dir=config_dir)
    training = load_final_training_config(config_dir / "final_training.yaml")
    conversion = load_conversion_config(config_dir / "conversion.yaml")
    environment = load_environment_config(config_dir / "environment.yaml")
    assert is_compatible(experiment, training, conversion, environment)
    assert assert_compatible(experiment, training.with_best_params({}), conversion) == []


def test_environment_spec_and_conda_yaml(config_dir):
    config = load_environment_config(config_dir / "environment.yaml")
    spec = build_environment_spec(config)
    deps = spec["conda"]["dependencies"]
    assert deps[0] == "python=3.10"
    assert deps[-1]["pip"] == sorted(config.pip_packages)
    assert spec["environment_variables"] == {"TOKENIZERS_PARALLELISM": "false"}
    assert yaml.safe_load(build_conda_yaml(config))["name"] == "ner-train"
    assert environment_fingerprint(config) == environment_fingerprint(load_environment_config(config_dir / "environment.yaml"))
    assert environment_fingerprint(config) != environment_fingerprint(EnvironmentConfig())


def test_create_azure_environment_without_sdk_returns_spec():
    with mock.patch.dict("sys.modules", {"azureml": None, "azureml.core": None}):
        result = create_azure_environment(EnvironmentConfig(name="cpu-env"))
    assert isinstance(result, dict) and result["name"] == "cpu-env"


def test_create_azure_environment_with_sdk():
    fake_env_cls = mock.MagicMock(name="Environment")
    fake_cd_module = types.SimpleNamespace(CondaDependencies=mock.MagicMock(name="CondaDependencies"))
    workspace = object()
    with mock.patch("orchestration.environment._import_azureml_environment", return_value=fake_env_cls) as loader, \
            mock.patch.dict("sys.modules", {"azureml": types.ModuleType("azureml"),
                                            "azureml.core": types.ModuleType("azureml.core"),
                                            "azureml.core.conda_dependencies": fake_cd_module}):
        env = create_azure_environment(EnvironmentConfig(name="gpu-env", pip_packages=["b", "a"]), workspace=workspace)
    loader.assert_called_once_with()
    fake_env_cls.assert_called_once_with(name="gpu-env")
    assert env is fake_env_cls.return_value
    fake_cd_module.CondaDependencies.create.assert_called_once_with(python_version="3.10", conda_packages=[], pip_packages=["a", "b"])
    env.register.assert_called_once_with(workspace=workspace)


def test_environment_module_attribute_access():
    assert env_module.DEFAULT_BASE_IMAGE.startswith("mcr.microsoft.com/azureml")
    assert load_environment_config(None) == EnvironmentConfig()
