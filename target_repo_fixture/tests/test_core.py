import json
from unittest import mock

import pytest

from core.hashing import hash_dict, sha256_hex, stable_json
from core.io import read_json, write_json_atomic
from core.normalize import normalize_key, normalize_name, normalize_tags
from core.retry import retry
from core.timestamps import elapsed_seconds, parse_iso


def test_stable_json_is_order_independent():
    assert stable_json({"b": 1, "a": [1, 2]}) == stable_json({"a": [1, 2], "b": 1})
    assert hash_dict({"x": 1, "y": 2}) == hash_dict({"y": 2, "x": 1})
    assert hash_dict({"x": 1}) != hash_dict({"x": 2})


def test_sha256_truncation_and_validation():
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"abc", length=8) == "ba7816bf"
    with pytest.raises(ValueError):
        sha256_hex("abc", length=0)
    with pytest.raises(TypeError):
        hash_dict(["not", "a", "mapping"])


def test_normalize_name_and_key():
    assert normalize_name("  BERT Base_uncased ") == "bert-base-uncased"
    assert normalize_key("Final Training") == "final_training"
    assert normalize_name(None) == ""


def test_normalize_tags_converts_values():
    tags = normalize_tags({"a": True, "b": None, "c": 3, "mlops.x": "y"})
    assert tags == {"a": "true", "b": "", "c": "3", "mlops.x": "y"}
    with pytest.raises(ValueError):
        normalize_tags({" ": 1})


def test_read_json_default_is_copied(tmp_path):
    default = {"items": []}
    value = read_json(tmp_path / "missing.json", default=default)
    value["items"].append(1)
    assert default == {"items": []}


def test_write_json_atomic_leaves_no_temp_files(tmp_path):
    target = write_json_atomic(tmp_path / "nested" / "data.json", {"b": 2, "a": 1})
    assert json.loads(target.read_text()) == {"a": 1, "b": 2}
    assert [p.name for p in target.parent.iterdir()] == ["data.json"]


def test_parse_iso_and_elapsed():
    assert parse_iso("2024-01-01T00:00:00Z").utcoffset().total_seconds() == 0
    assert elapsed_seconds("2024-01-01T00:00:00Z", "2024-01-01T00:01:30+00:00") == 90.0


def test_retry_succeeds_after_transient_failures():
    calls = mock.Mock(side_effect=[ConnectionError("boom"), ConnectionError("boom"), "ok"])
    sleeps = []
    wrapped = retry(attempts=3, exceptions=(ConnectionError,), backoff=0.1, sleep=sleeps.append)(calls)
    assert wrapped() == "ok"
    assert calls.call_count == 3
    assert sleeps == [0.1, 0.2]


def test_retry_reraises_when_exhausted():
    failing = mock.Mock(side_effect=TimeoutError("slow"))
    failing.__name__ = "failing"
    with pytest.raises(TimeoutError):
        retry(attempts=2, exceptions=(TimeoutError,), sleep=lambda _: None)(failing)()
    assert failing.call_count == 2
