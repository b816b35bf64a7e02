"""Parallel planning gives exactly the serial result (issue: fast on big codebases)."""

from __future__ import annotations

import sys
from pathlib import Path

from migrator import planner, report
from migrator.mapping import load_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_repo import generate  # noqa: E402


def test_plan_with_worker_processes_equals_the_serial_plan(tmp_path):
    generate(tmp_path, modules=160, moves=6, seed=7)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    serial = planner.plan(mapping, jobs=1)
    parallel = planner.plan(mapping, jobs=2)
    assert not serial.errors
    assert [p.digest() for p in parallel.phases] == [p.digest() for p in serial.phases]
    assert report.plan_diff(parallel) == report.plan_diff(serial)
    assert report.plan_json(parallel) == report.plan_json(serial)
    assert sum(len(p.changes) for p in serial.phases) > 6, "the generated phase rewrites importers"
