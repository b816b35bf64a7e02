import pytest

from naming.context_tokens import MissingTokenError, build_context, expand_tokens, list_tokens
from naming.experiment import build_experiment_name, is_stage_experiment
from naming.mlflow import NamingConfig, load_naming_config
from naming.mlflow.run_names import build_run_name, parse_run_name
from naming.mlflow.tags import TAG_PREFIX, build_tags, strip_tag_prefix


def test_expand_tokens_with_defaults_and_strictness():
    assert expand_tokens("{stage}__{model}__{trial:final}", {"stage": "hpo", "model": "bert"}) == "hpo__bert__final"
    with pytest.raises(MissingTokenError) as err:
        expand_tokens("{stage}-{missing}", {"stage": "hpo"})
    assert err.value.token == "missing"
    assert expand_tokens("{stage}-{missing}", {"stage": "hpo"}, strict=False) == "hpo-{missing}"


def test_list_tokens_and_context():
    assert list_tokens("{a}-{b:x}-{a}") == ["a", "b"]
    assert build_context(a=1, b=None) == {"a": "1"}


def test_build_experiment_name():
    assert build_experiment_name("NER Project", "hpo", "BERT base") == "ner-project-hpo-bert-base"
    assert build_experiment_name("ner", "final_training") == "ner-final-training"
    assert is_stage_experiment("ner-hpo-bert", "ner", "hpo")
    assert not is_stage_experiment("ner-hpox", "ner", "hpo")
    with pytest.raises(ValueError):
        build_experiment_name("", "hpo")


def test_run_name_round_trip():
    name = build_run_name("hpo", "BERT Base", trial=7, fingerprint="abcdef1234567890")
    assert name == "hpo__bert-base__t007__abcdef12"
    assert parse_run_name(name) == {"stage": "hpo", "model": "bert-base", "trial": 7, "fingerprint": "abcdef12"}
    with pytest.raises(ValueError):
        parse_run_name("no-separator")


def test_build_and_strip_tags():
    tags = build_tags("Final Training", model="bert", trial=3, skipped=None)
    assert tags == {"mlops.stage": "final_training", "mlops.model": "bert", "mlops.trial": "3"}
    assert strip_tag_prefix({**tags, "mlflow.runName": "x"}) == {"stage": "final_training", "model": "bert", "trial": "3"}
    assert TAG_PREFIX == "mlops."


def test_naming_config_rendering_and_validation():
    config = load_naming_config({"project": "ner", "run_name_template": "{stage}__{model}__{trial:final}"})
    assert config.render_experiment(stage="hpo") == "ner-hpo"
    assert config.render_run_name(stage="hpo", model="bert") == "hpo__bert__final"
    with pytest.raises(ValueError):
        load_naming_config({"colour": "blue"})
    with pytest.raises(ValueError):
        NamingConfig(experiment_template="{project}")
