import json
from unittest import mock

import pytest

from orchestration.jobs import selection
from orchestration.jobs.selection import criteria as criteria_module
from orchestration.jobs.selection import selector as selector_module
from orchestration.jobs.selection.cache import SelectionCache
from orchestration.jobs.selection.criteria import SelectionCriteria
from orchestration.jobs.selection.report import render_selection_report
from orchestration.jobs.selection.scoring import normalize_scores, rank_candidates, score_candidate, weighted_score
from orchestration.jobs.selection.selector import BestConfigSelector, LatencyAwareSelector, main, select_best_config
from orchestration.constants import METRIC_NAMESPACE
from orchestration.jobs.tracking.trackers import SweepTracker
from tracking.mlflow.runs import RunRecord


def test_criteria_validation():
    with pytest.raises(ValueError):
        SelectionCriteria(mode="best")
    with pytest.raises(ValueError, match="unknown"):
        SelectionCriteria.from_dict({"metric": "f1", "direction": "up"})
    assert SelectionCriteria.from_dict(None) == SelectionCriteria()
    assert criteria_module.SelectionCriteria is SelectionCriteria


def test_eligibility_rules():
    crit = SelectionCriteria(metric="macro_f1", min_value=0.5, max_latency_ms=40)
    assert crit.is_eligible({"macro_f1": 0.8, "latency_p95_ms": 30})
    assert not crit.is_eligible({"macro_f1": 0.4, "latency_p95_ms": 30})
    assert not crit.is_eligible({"macro_f1": 0.8, "latency_p95_ms": 50})
    assert not crit.is_eligible({"macro_f1": 0.8})
    loss = SelectionCriteria(metric="loss", mode="min", min_value=1.0)
    assert loss.is_eligible({"loss": 0.5}) and not loss.is_eligible({"loss": 2.0})


def test_scoring_and_ranking(candidates):
    crit = SelectionCriteria(metric="macro_f1")
    assert score_candidate({"macro_f1": 0.5}, crit) == 0.5
    assert score_candidate({"loss": 0.5}, SelectionCriteria(metric="loss", mode="min")) == -0.5
    assert score_candidate({}, crit) is None
    ranked = rank_candidates(candidates, crit)
    assert [c["id"] for c in ranked] == ["trial-1", "trial-0", "trial-2"]
    tie = [{"id": "b", "metrics": {"macro_f1": 0.8, "latency_p95_ms": 20}}, {"id": "a", "metrics": {"macro_f1": 0.8, "latency_p95_ms": 10}}]
    assert [c["id"] for c in rank_candidates(tie, crit)] == ["a", "b"]


def test_weighted_and_normalized_scores():
    assert weighted_score({"f1": 0.8, "latency": 20}, {"f1": 1.0, "latency": -0.01}) == pytest.approx(0.6)
    with pytest.raises(ValueError):
        weighted_score({"f1": 0.8}, {"latency": 1})
    assert normalize_scores([1, 2, 3]) == [0.0, 0.5, 1.0]
    assert normalize_scores([2, 2]) == [1.0, 1.0]


def test_select_from_candidates(candidates):
    result = select_best_config(candidates, SelectionCriteria(min_value=0.5))
    assert result.candidate_id == "trial-1" and result.params["batch_size"] == 32
    assert result.extra == {"n_candidates": 4, "n_eligible": 2}
    with pytest.raises(LookupError):
        select_best_config(candidates, SelectionCriteria(min_value=0.99))
    with pytest.raises(ValueError):
        BestConfigSelector().select()


def test_latency_aware_selector_prefers_fast_model(candidates):
    selector = LatencyAwareSelector(SelectionCriteria(), latency_weight=0.01)
    assert selector.select(candidates=candidates).candidate_id == "trial-0"
    assert BestConfigSelector(SelectionCriteria()).select(candidates=candidates).candidate_id == "trial-1"


@mock.patch("orchestration.jobs.selection.selector.find_runs")
def test_select_from_runs_uses_run_finder(find_runs):
    find_runs.return_value = [
        RunRecord("r1", params={"lr": "0.1"}, metrics={"macro_f1": 0.7}),
        RunRecord("r2", params={"lr": "0.01"}, metrics={"macro_f1": 0.75}),
    ]
    client = object()
    result = BestConfigSelector(client=client).select("ner-hpo")
    find_runs.assert_called_once_with(client, "ner-hpo")
    assert (result.candidate_id, result.source, result.params) == ("r2", "runs", {"lr": "0.01"})


def test_selection_cache_avoids_second_query(tmp_path):
    runs = [RunRecord("r1", metrics={"macro_f1": 0.7})]
    with mock.patch("orchestration.jobs.selection.selector.find_runs", return_value=runs) as find_runs:
        cache = SelectionCache(tmp_path)
        selector = BestConfigSelector(client=object(), cache=cache)
        first = selector.select("exp")
        second = selector.select("exp")
    assert find_runs.call_count == 1
    assert (first.source, second.source) == ("runs", "cache")
    assert second.candidate_id == "r1" and len(cache) == 1
    assert cache.invalidate() == 1 and len(cache) == 0


def test_select_from_real_local_runs(local_client):
    tracker = SweepTracker(local_client, "ner-hpo", "bert")
    tracker.start()
    tracker.log_trial(0, {"learning_rate": 0.1}, {"macro_f1": 0.6})
    tracker.log_trial(1, {"learning_rate": 0.01}, {"macro_f1": 0.9})
    tracker.finish()
    selector = BestConfigSelector(SelectionCriteria(min_value=0.5), client=local_client)
    result = selector.select("ner-hpo")
    assert result.params == {"learning_rate": "0.01"} and result.metrics["macro_f1"] == 0.9
    assert selector.metric_key.startswith(METRIC_NAMESPACE + ".selection.")


def test_cli_main_writes_output(tmp_path, candidates, capsys):
    source = tmp_path / "candidates.json"
    source.write_text(json.dumps(candidates))
    output = tmp_path / "best.json"
    assert main(["--candidates", str(source), "--output", str(output)]) == 0
    assert json.loads(output.read_text())["candidate_id"] == "trial-1"
    assert '"candidate_id": "trial-1"' in capsys.readouterr().out


def test_cli_main_lazily_loads_selection_config(tmp_path, candidates, config_dir):
    source = tmp_path / "candidates.json"
    source.write_text(json.dumps(candidates))
    from orchestration import config_loader

    with mock.patch("orchestration.config_loader.load_yaml", wraps=config_loader.load_yaml) as load_yaml:
        assert main(["--candidates", str(source), "--config", str(config_dir / "selection.yaml")]) == 0
    load_yaml.assert_called_once_with(str(config_dir / "selection.yaml"))
    source.write_text(json.dumps(candidates[2:]))
    assert main(["--candidates", str(source), "--config", str(config_dir / "selection.yaml")]) == 1


def test_report(candidates):
    report = render_selection_report(candidates, SelectionCriteria(), top_k=2)
    assert "| 1 | trial-1 | 0.8600 |" in report
    assert "2 of 4 candidates shown." in report


def test_package_exports_and_job_registry():
    import orchestration.jobs as jobs

    assert selection.select_best_config is select_best_config
    assert set(selection.__all__) <= set(dir(selection))
    assert jobs.resolve_job("select-best") is main
    with pytest.raises(KeyError):
        jobs.resolve_job("deploy")


def test_patch_object_on_selector_module(candidates):
    with mock.patch.object(selector_module, "rank_candidates", wraps=selector_module.rank_candidates) as rank:
        result = select_best_config(candidates)
    rank.assert_called_once()
    assert result.candidate_id == "trial-1"
    with mock.patch.object(selector_module.BestConfigSelector, "rank", return_value=[{"id": "forced", "score": 1.0}]):
        assert select_best_config(candidates).candidate_id == "forced"
