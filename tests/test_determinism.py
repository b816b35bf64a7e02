"""Parallel planning gives exactly the serial result (issue: fast on big codebases)."""

from __future__ import annotations

import sys
from pathlib import Path

from migrator.adapters.planning import plan_target
from migrator import report
from migrator.mapping.spec import load_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_repo import generate  # noqa: E402


def test_plan_with_worker_processes_equals_the_serial_plan(tmp_path):
    generate(tmp_path, modules=160, moves=6, seed=7)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    serial = plan_target(mapping, jobs=1)
    parallel = plan_target(mapping, jobs=2)
    assert not serial.errors
    assert [p.digest() for p in parallel.phases] == [p.digest() for p in serial.phases]
    assert report.plan_diff(parallel) == report.plan_diff(serial)
    assert report.plan_json(parallel) == report.plan_json(serial)
    assert sum(len(p.changes) for p in serial.phases) > 6, "the generated phase rewrites importers"


def _plan_views(p):
    return [x.digest() for x in p.phases], report.plan_diff(p), report.plan_json(p)


def test_a_cached_plan_equals_an_uncached_one_and_the_warm_run_parses_no_import_graph_file(tmp_path):
    from migrator.adapters.cache import ImportCache
    from migrator.adapters.snapshot import read_snapshot
    from migrator.analysis.project import ProjectIndex
    from migrator.engine import plan as planner
    from tests.fake_cache import CountingCache

    generate(tmp_path, modules=160, moves=6, seed=11, cycles=True)
    # A cycle that fails at import time and that no move touches: in every baseline.
    (tmp_path / "src" / "cyc_a.py").write_text("from cyc_b import B\nA = 1\n", encoding="utf-8")
    (tmp_path / "src" / "cyc_b.py").write_text("from cyc_a import A\nB = 2\n", encoding="utf-8")
    mapping = load_mapping(tmp_path / "mapping.yaml")
    uncached = plan_target(mapping, jobs=1, cache=False, baseline=True)
    assert not list((tmp_path / ".migrator").glob("cache/*.json")), "--no-cache writes no cache"
    cold = plan_target(mapping, jobs=1, cache=True, baseline=True)
    assert list((tmp_path / ".migrator").glob("cache/*.json")), "the first cached run writes the cache"

    snapshot = read_snapshot(mapping)
    imports = CountingCache(ImportCache.load(tmp_path))
    warm = planner.plan(mapping, snapshot, imports=imports, jobs=1, baseline=True)
    assert imports.learned == [], "unchanged files are not parsed again, for the import graph or the rewrites"
    # Without the stored results (as after an upgrade of the tool), the gate replays
    # the graphs again, and takes every module's scan from the cache.
    scans_only = ImportCache.load(tmp_path)
    scans_only._results_raw = {}
    imports = CountingCache(scans_only)
    replayed = planner.plan(mapping, snapshot, imports=imports, jobs=1, baseline=True)
    assert imports.learned == [], "unchanged files are not parsed again, for the import graph or the rewrites"
    modules = ProjectIndex.build(snapshot, mapping.spec.target.source_roots).modules
    assert len(imports.found) >= len(modules), "the baseline's whole graph took every module's scan from the cache"
    assert _plan_views(cold) == _plan_views(uncached)
    assert _plan_views(warm) == _plan_views(uncached)
    assert _plan_views(replayed) == _plan_views(uncached)
    assert [p.cycle_baseline for p in warm.phases] == [p.cycle_baseline for p in uncached.phases]
    assert all(("cyc_a", "cyc_b") in p.cycle_baseline for p in uncached.phases)
    assert not uncached.errors, "a cycle the phase does not touch never gates it"


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path):
    generate(tmp_path, modules=60, moves=2, seed=3)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    expected = _plan_views(plan_target(mapping, jobs=1, cache=False))
    plan_target(mapping, jobs=1)
    stored = sorted((tmp_path / ".migrator" / "cache").glob("*.json"))
    assert {p.name.split("-")[0] for p in stored} >= {"imports", "results"}
    for cache in stored:
        cache.write_text('{"0123": [[[1, 2]], null], "broken', encoding="utf-8")
    assert _plan_views(plan_target(mapping, jobs=1)) == expected
    assert _plan_views(plan_target(mapping, jobs=1)) == expected


def test_check_with_a_cache_equals_check_without(tmp_path):
    from migrator.commands import check
    from migrator.cli import app
    from typer.testing import CliRunner

    generate(tmp_path, modules=120, moves=3, seed=5, cycles=True)
    result = CliRunner().invoke(app, ["apply", "--phase", "1", "--yes", "--allow-dirty", "-m", str(tmp_path / "mapping.yaml")])
    assert result.exit_code == 0, result.output
    # A stale reference and a new failing cycle for check to find.
    stale = sorted((tmp_path / "src").rglob("mod_*.py"))[0]
    mapping = load_mapping(tmp_path / "mapping.yaml")
    from migrator.adapters.state import read_state

    state = read_state(mapping.root)
    old = next(iter(state.applied[-1].moves))
    stale.write_text(stale.read_text(encoding="utf-8") + f"\nimport {old}\n", encoding="utf-8")
    uncached = check.run_check(mapping, state, cache=False)
    cold = check.run_check(mapping, state)
    warm = check.run_check(mapping, state)
    assert uncached, "check finds the stale import"
    assert cold == uncached and warm == uncached


def test_check_keeps_cycles_from_run_to_run_and_finds_the_same_as_a_fresh_run_after_each_edit(tmp_path):
    """`check` reuses the last run's cycle components for files that did not change; after
    every kind of edit it must report exactly what a run without the cache reports."""
    from migrator.commands import check
    from migrator.adapters.snapshot import read_tree

    generate(tmp_path, modules=150, moves=2, seed=4, cycles=True)
    src = tmp_path / "src"
    mapping = load_mapping(tmp_path / "mapping.yaml")
    roots = mapping.spec.target.source_roots

    def components(cache):
        snapshot = read_tree(tmp_path, roots)
        return check.cycle_components(mapping, snapshot, cache)

    from migrator.adapters.cache import ImportCache

    cache = ImportCache.load(tmp_path)
    edits = [
        lambda: (src / "cyc_a.py").write_text("from cyc_b import B\nA = 1\n", encoding="utf-8"),
        lambda: (src / "cyc_b.py").write_text("from cyc_a import A\nB = 2\n", encoding="utf-8"),  # closes a failing cycle
        lambda: (src / "cyc_b.py").write_text("import cyc_a\nB = 2\n", encoding="utf-8"),  # still a cycle, now harmless
        lambda: (src / "cyc_pkg").mkdir(),
        lambda: (src / "cyc_pkg" / "__init__.py").write_text("from cyc_pkg import part\nfrom cyc_pkg.part import P\n", encoding="utf-8"),
        lambda: (src / "cyc_pkg" / "part.py").write_text("import cyc_pkg\nP = 1\n", encoding="utf-8"),
        lambda: (src / "cyc_pkg" / "part.py").unlink(),  # the package now reads a name it lacks from itself
        lambda: (src / "cyc_a.py").unlink(),
        lambda: None,
    ]
    assert components(cache) == components(None)
    seen_failing = False
    for edit in edits:
        edit()
        fresh = components(None)
        assert components(cache) == fresh
        seen_failing = seen_failing or any(f for _, f in fresh)
    assert seen_failing, "the edits made a cycle that fails at import time"
    assert cache.memo(check.CYCLES_MEMO) is not None
