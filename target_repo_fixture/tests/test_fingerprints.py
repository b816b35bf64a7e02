from unittest import mock

import pytest

import orchestration.fingerprints as fp


SPEC = {"model": "bert", "lr": 1e-4, "layers": [1, 2], "tags": {"owner": "a"}, "run_id": "r1"}


def test_spec_fp_ignores_volatile_keys_and_order():
    same = {"layers": [1, 2], "lr": 1e-4, "model": "bert", "created_at": "2024-01-01"}
    assert fp.compute_spec_fp(SPEC) == fp.compute_spec_fp(same)
    assert len(fp.compute_spec_fp(SPEC)) == 16
    assert fp.compute_spec_fp({**same, "lr": 2e-4}) != fp.compute_spec_fp(same)


def test_exec_fp_depends_on_environment_and_code():
    spec_fp = fp.compute_spec_fp(SPEC)
    base = fp.compute_exec_fp(spec_fp, {"python": "3.10"}, "abc123")
    assert base == fp.compute_exec_fp(spec_fp, {"python": "3.10"}, "abc123")
    assert base != fp.compute_exec_fp(spec_fp, {"python": "3.11"}, "abc123")
    assert base != fp.compute_exec_fp(spec_fp, {"python": "3.10"}, "def456")


def test_conv_and_bench_fp_chain():
    exec_fp = fp.compute_exec_fp(fp.compute_spec_fp(SPEC))
    conv_fp = fp.compute_conv_fp(exec_fp, {"format": "onnx", "opset": 17})
    hw_a = fp.compute_hardware_fp({"machine": "x86_64", "cpu_count": 2})
    hw_b = fp.compute_hardware_fp({"machine": "arm64", "cpu_count": 2})
    assert fp.compute_bench_fp(conv_fp, {"batch_size": 1}, hw_a) != fp.compute_bench_fp(conv_fp, {"batch_size": 1}, hw_b)
    assert conv_fp != fp.compute_conv_fp(exec_fp, {"format": "onnx", "opset": 13})


def test_invalid_fingerprints_raise():
    with pytest.raises(ValueError):
        fp.compute_exec_fp("", {})
    with pytest.raises(ValueError):
        fp.compute_bench_fp("abc", {}, "")
    assert fp.short_fp("0123456789") == "01234567"


@mock.patch("orchestration.fingerprints.detect_hardware")
def test_hardware_fp_uses_detected_hardware(detect):
    detect.return_value = {"system": "Linux", "machine": "x86_64", "processor": "x86_64", "cpu_count": 2}
    assert fp.compute_hardware_fp() == fp.compute_hardware_fp(detect.return_value)
    detect.assert_called_once_with()


def test_detect_hardware_shape():
    info = fp.detect_hardware()
    assert set(info) == {"system", "machine", "processor", "cpu_count"}
    assert info["cpu_count"] >= 1


def test_dunder_import_returns_package():
    package = __import__("orchestration.fingerprints")
    assert package.fingerprints.compute_spec_fp is fp.compute_spec_fp
