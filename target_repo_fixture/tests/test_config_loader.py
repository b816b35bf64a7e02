import importlib
import logging

import pytest

from orchestration.config_loader import (
    ConfigError,
    ExperimentConfig,
    compute_config_hash,
    load_all_configs,
    load_experiment_config,
    load_yaml,
)
from orchestration.jobs.selection.selector import BestConfigSelector, LatencyAwareSelector, build_selector_from_config, load_selector_class


def test_load_by_name_and_by_path(config_dir):
    by_name = load_experiment_config("bert_base", config_dir=config_dir)
    by_path = load_experiment_config(config_dir / "experiments" / "bert_base.yaml")
    assert by_name.model == "bert-base-uncased"
    assert by_name.to_dict() == by_path.to_dict()
    assert by_name.hpo["n_trials"] == 20
    with pytest.raises(FileNotFoundError):
        load_experiment_config("does_not_exist", config_dir=config_dir)


def test_load_all_configs(config_dir):
    configs = load_all_configs(config_dir)
    assert sorted(configs) == ["bert_base", "distilbert"]
    assert all(isinstance(c, ExperimentConfig) for c in configs.values())
    assert configs["distilbert"].seed == 13


def test_config_hash_ignores_tags_and_key_order(config_dir):
    config = load_experiment_config("bert_base", config_dir=config_dir)
    data = config.to_dict()
    reordered = dict(reversed(list(data.items())))
    reordered["tags"] = {"owner": "someone-else"}
    assert compute_config_hash(reordered) == compute_config_hash(config) == config.config_hash
    data["seed"] = 7
    assert compute_config_hash(data) != config.config_hash


def test_missing_and_unknown_keys_are_rejected():
    with pytest.raises(ConfigError, match="name"):
        ExperimentConfig.from_dict({"model": "bert"})
    with pytest.raises(ConfigError, match="unknown"):
        ExperimentConfig.from_dict({"name": "x", "model": "bert", "epochz": 3})


def test_invalid_yaml_is_logged_and_raised(tmp_path, caplog):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with caplog.at_level(logging.ERROR):
        with pytest.raises(ConfigError):
            load_yaml(bad)
    assert "orchestration.config_loader failed to parse" in caplog.text


def test_non_mapping_yaml(tmp_path):
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(ConfigError):
        load_yaml(tmp_path / "list.yaml")
    assert load_yaml(tmp_path / "empty.yaml") == {}


def test_selector_class_from_yaml_is_importable(config_dir):
    config = load_experiment_config("bert_base", config_dir=config_dir)
    dotted = config.selection["selector_class"]
    module_name, _, class_name = dotted.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    assert cls is BestConfigSelector
    assert load_selector_class(dotted) is cls


def test_build_selector_from_experiment_config(config_dir):
    config = load_experiment_config("distilbert", config_dir=config_dir)
    selector = build_selector_from_config(config.selection)
    assert isinstance(selector, LatencyAwareSelector)
    assert selector.latency_weight == 0.002
    assert selector.criteria.max_latency_ms == 40.0


def test_load_selector_class_errors():
    with pytest.raises(ValueError):
        load_selector_class("NoDots")
    with pytest.raises(ImportError):
        load_selector_class("orchestration.jobs.selection.selector.NoSuchSelector")
    with pytest.raises(TypeError):
        load_selector_class("orchestration.jobs.selection.selector.SelectionResult")
