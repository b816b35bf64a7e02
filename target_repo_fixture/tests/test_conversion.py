import json
import types
from unittest import mock

import pytest

from orchestration.conversion_config import ConversionConfig
from orchestration.jobs.conversion import (
    ConversionError,
    ConversionExecutor,
    dequantize_weights,
    quantize_weights,
    validate_conversion_inputs,
    verify_fingerprint,
)
from orchestration.jobs.conversion.executor import main
from orchestration.metadata_manager import MetadataManager


@pytest.fixture
def checkpoint_dir(tmp_path):
    directory = tmp_path / "ckpt"
    directory.mkdir()
    (directory / "checkpoint.json").write_text(json.dumps({"weights": [0.5, -1.25, 2.0], "exec_fp": "exec0001"}))
    return directory


def test_quantization_round_trip():
    values, scale = quantize_weights([0.5, -1.0, 0.25])
    assert max(abs(v) for v in values) == 127
    restored = dequantize_weights(values, scale)
    assert restored == pytest.approx([0.5, -1.0, 0.25], abs=scale)
    assert quantize_weights([0.0, 0.0]) == ([0, 0], 1.0)


def test_input_validation(tmp_path, checkpoint_dir):
    config = ConversionConfig()
    assert validate_conversion_inputs(checkpoint_dir, config) == []
    assert "does not exist" in validate_conversion_inputs(tmp_path / "nope", config)[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "missing checkpoint.json" in validate_conversion_inputs(empty, config)[0]
    (empty / "checkpoint.json").write_text(json.dumps({"weights": ["a"]}))
    assert validate_conversion_inputs(empty, config) == ["checkpoint 'weights' must be a non-empty list of numbers"]


def test_convert_float_model(tmp_path, checkpoint_dir):
    result = ConversionExecutor(ConversionConfig()).convert(checkpoint_dir, tmp_path / "out")
    model = json.loads((tmp_path / "out" / "model.onnx").read_text())
    assert model["weights"] == [0.5, -1.25, 2.0] and model["dtype"] == "float32"
    assert (result.n_weights, result.exec_fp, result.quantized) == (3, "exec0001", False)
    assert verify_fingerprint(result.model_path, ConversionConfig())
    assert not verify_fingerprint(result.model_path, ConversionConfig(opset=13))


def test_convert_quantized_records_metadata(tmp_path, checkpoint_dir):
    metadata = MetadataManager(tmp_path / "meta")
    config = ConversionConfig(quantize=True)
    result = ConversionExecutor(config, metadata=metadata).convert(checkpoint_dir, tmp_path / "out")
    model = json.loads((tmp_path / "out" / "model.onnx").read_text())
    assert model["dtype"] == "int8" and all(isinstance(v, int) for v in model["weights"])
    assert metadata.is_complete("conversion", result.conv_fp)
    assert metadata.get_stage("conversion", result.conv_fp)["n_weights"] == 3


def test_invalid_config_raises(tmp_path, checkpoint_dir):
    with pytest.raises(ConversionError, match="quantization"):
        ConversionExecutor(ConversionConfig(format="torchscript", quantize=True)).convert(checkpoint_dir, tmp_path)


def test_producer_reflects_onnx_availability(tmp_path, checkpoint_dir):
    with mock.patch.dict("sys.modules", {"onnx": types.SimpleNamespace(__version__="1.15.0")}):
        with_onnx = ConversionExecutor().convert(checkpoint_dir, tmp_path / "a")
    with mock.patch.dict("sys.modules", {"onnx": None}):
        without = ConversionExecutor().convert(checkpoint_dir, tmp_path / "b")
    assert json.loads(open(with_onnx.model_path).read())["producer"] == "onnx-1.15.0"
    assert json.loads(open(without.model_path).read())["producer"] == "mlops-json-exporter"


@mock.patch("orchestration.jobs.conversion.executor.compute_conv_fp", return_value="fixedfp")
def test_conversion_fingerprint_is_computed_from_config(compute, tmp_path, checkpoint_dir):
    result = ConversionExecutor(ConversionConfig(opset=15)).convert(checkpoint_dir, tmp_path)
    compute.assert_called_once_with("exec0001", ConversionConfig(opset=15).to_dict())
    assert result.conv_fp == "fixedfp"


def test_cli(tmp_path, checkpoint_dir, config_dir, capsys):
    assert main(["--checkpoint-dir", str(checkpoint_dir), "--output-dir", str(tmp_path / "o"), "--config", str(config_dir / "conversion.yaml"), "--quantize"]) == 0
    assert json.loads(capsys.readouterr().out)["quantized"] is True
    assert main(["--checkpoint-dir", str(tmp_path / "missing"), "--output-dir", str(tmp_path / "o")]) == 1
