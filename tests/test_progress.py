"""Long runs show a progress bar on a terminal and stay quiet in CI and in pipes."""

from __future__ import annotations

import io

from rich.console import Console

from migrator.adapters.planning import plan_target
from migrator import report
from migrator.mapping.spec import load_mapping
from tests.test_determinism import generate


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_a_terminal_gets_a_bar_for_a_long_step(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    console, out = _console(terminal=True)
    with report.progress(console) as progress:
        assert progress is not None
        progress("rewriting files", 10, 1000)
        progress("rewriting files", 1000, 1000)
        console.file.flush()
    assert "rewriting files" in out.getvalue()


def test_no_bar_in_ci_in_a_pipe_or_for_a_short_step(monkeypatch):
    monkeypatch.setenv("CI", "true")
    console, _ = _console(terminal=True)
    with report.progress(console) as progress:
        assert progress is None
    monkeypatch.delenv("CI")
    console, _ = _console(terminal=False)
    with report.progress(console) as progress:
        assert progress is None
    console, out = _console(terminal=True)
    with report.progress(console) as progress:
        progress("rewriting files", 5, report.PROGRESS_MIN_FILES - 1)
    assert "rewriting files" not in out.getvalue()


def test_the_planner_reports_every_file_it_rewrites_and_parses(tmp_path):
    generate(tmp_path, modules=200, moves=4, seed=2)
    seen: dict[str, tuple[int, int]] = {}
    result = plan_target(load_mapping(tmp_path / "mapping.yaml"), jobs=2, cache=False, baseline=True, progress=lambda what, done, total: seen.__setitem__(what, (done, total)))
    assert not result.errors
    assert seen["rewriting files"][0] == seen["rewriting files"][1] > 0
    assert seen["parsing imports"][0] == seen["parsing imports"][1] > 0
