"""The real-world corpus harness's own pure logic (bench/realworld/harness.py), offline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "realworld"))

from harness import compare, first_line, junit_outcomes, mapping_text, markdown_table, normalized, refusal_line  # noqa: E402
from projects import PROJECTS, Known, scenarios_of  # noqa: E402

from migrator.mapping.spec import load_mapping  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
  <testcase classname="tests.test_a" name="test_ok" />
  <testcase classname="tests.test_a" name="test_bad"><failure message="boom" /></testcase>
  <testcase classname="tests.test_a.TestX" name="test_skip[1]"><skipped message="no" /></testcase>
  <testcase classname="tests.test_b" name="test_teardown" />
  <testcase classname="tests.test_b" name="test_teardown"><error message="teardown" /></testcase>
</testsuite></testsuites>"""


def test_junit_outcomes_name_tests_by_classname_and_name_and_keep_the_worse_of_two_reports():
    assert junit_outcomes(JUNIT) == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_bad": "failed",
        "tests.test_a.TestX::test_skip[1]": "skipped",
        "tests.test_b::test_teardown": "failed",
    }


@pytest.mark.parametrize(
    ("after", "status"),
    [
        pytest.param({"t::a": "passed", "t::b": "failed"}, "match", id="same tests pass"),
        pytest.param({"t::a": "failed", "t::b": "failed"}, "differs", id="a passing test fails"),
        pytest.param({"t::b": "failed"}, "differs", id="a passing test is no longer collected"),
        pytest.param({"t::a": "passed", "t::b": "passed"}, "differs", id="a failing test passes"),
        pytest.param({"t::a": "passed", "t::b": "failed", "t::k": "failed"}, "explained", id="only a known test is lost"),
    ],
)
def test_compare_matches_when_the_same_set_of_tests_passes(after, status):
    baseline = {"t::a": "passed", "t::b": "failed", "t::k": "passed"}
    after = {"t::k": "passed", **after}
    known = (Known("t::k", "asserts a module path"),)
    assert compare(baseline, after, known, "s", "alias").status == status


def test_a_known_entry_applies_only_to_its_styles_and_scenarios():
    known = (Known("t::*", "warnings as errors", styles=("alias",), scenarios=("lazy",)),)
    baseline, after = {"t::k": "passed"}, {"t::k": "failed"}
    assert compare(baseline, after, known, "lazy", "alias").explained == (("t::k", "warnings as errors"),)
    assert compare(baseline, after, known, "lazy", "none").lost == ("t::k",)
    assert compare(baseline, after, known, "symbol", "alias").lost == ("t::k",)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
@pytest.mark.parametrize("style", ["alias", "none"])
def test_every_scenario_mapping_loads(tmp_path, project, style):
    for scenario, moves in scenarios_of(project).items():
        path = tmp_path / "mapping.yaml"
        path.write_text(mapping_text(project.source_root, scenario, moves, style), encoding="utf-8")
        mapping = load_mapping(path)
        assert len(mapping.phase(1).moves) == len(moves), scenario
        assert mapping.spec.facades.style == style


def test_all_in_one_phase_holds_every_move_of_the_other_scenarios():
    project = PROJECTS[0]
    every = scenarios_of(project)["all in one phase"]
    assert sorted(every) == sorted(m for moves in project.scenarios.values() for m in moves)


def test_first_line_drops_blank_lines_and_panel_borders():
    assert first_line("\n╭─ Error ─╮\n│ No such command │\n") == "Error"
    assert first_line("\n  error MIG401: cycle\nmore") == "error MIG401: cycle"


def test_refusal_line_is_the_error_not_the_warnings_before_it():
    text = "warning a.py:1: MIG902 left x\nerror b.py:2: MIG401 cycle\nrefused"
    assert refusal_line(text) == "error b.py:2: MIG401 cycle"
    assert refusal_line("usage: bad option\n") == "usage: bad option"


def test_markdown_table_has_a_baseline_row_per_project_and_a_row_per_run():
    baselines = {"p": {"counts": {"passed": 3, "failed": 0, "skipped": 1}, "seconds": 1.5}, "q": {"error": "download failed"}}
    rows = [
        {"project": "p", "scenario": "symbol move", "style": "none", "status": "refused", "reason": "exit 3: error MIG401 a | b"},
        {"project": "p", "scenario": "symbol move", "style": "alias", "status": "explained",
         "counts": {"passed": 2, "failed": 1, "skipped": 1}, "lost": [], "gained": [], "explained": [["t::k", "pickles a path"]]},
    ]
    assert markdown_table(rows, baselines).splitlines()[2:] == [
        "| p | baseline | | | 3 / 0 / 1 | 1.5 s |",
        "| q | baseline | | unavailable | | download failed |",
        "| p | symbol move | none | refused |  | exit 3: error MIG401 a \\| b |",
        "| p | symbol move | alias | explained | 2 / 1 / 1 | known: t::k: pickles a path |",
    ]


def test_volatile_test_ids_are_normalized_so_a_rerun_can_match():
    volatile = ((r"\d\d:\d\d:\d\d", "<time>"),)
    first = normalized({"t::test_dt[16:04:42]": "passed"}, volatile)
    second = normalized({"t::test_dt[16:05:05]": "passed"}, volatile)
    assert first == second == {"t::test_dt[<time>]": "passed"}
