"""`migrate audit` (the seed's Phase 1): overlaps, importers, cycles and facades, before anything moves."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from migrator.commands import audit
from migrator.analysis import equivalence
from migrator.mapping.spec import load_mapping
from migrator.adapters.snapshot import read_snapshot
from tests.helpers import REPO, run_cli, write_project

# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param("def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n",
                     "def f(xs):\n    s = 0\n    for item in xs:\n        s += item\n    return s\n", id="renamed locals and loop variable"),
        pytest.param("def f(xs):\n    return sorted(xs, key=lambda v: -v)\n",
                     "def f(xs):\n    return sorted(xs, key=lambda value: -value)\n", id="renamed lambda parameter"),
        pytest.param("def f(xs):\n    return [y * 2 for y in xs]\n",
                     "def f(xs):\n    return [z * 2 for z in xs]\n", id="renamed comprehension variable"),
        pytest.param('def f(x):\n    """One docstring."""\n    return x  # a comment\n',
                     "def f(x):\n    return (\n        x\n    )\n", id="docstring, comment and layout"),
        pytest.param("def f(x):\n    def inner(y):\n        return y + x\n    return inner\n",
                     "def f(x):\n    def helper(z):\n        return z + x\n    return helper\n", id="nested function and its parameter"),
    ],
)
def test_copies_that_differ_only_in_local_names_are_equivalent(a, b):
    assert equivalence.normal_form(a, ignore_local_names=True) == equivalence.normal_form(b, ignore_local_names=True)


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param("def f(xs):\n    return len(xs)\n", "def f(items):\n    return len(items)\n", id="a parameter is part of the interface"),
        pytest.param("def f():\n    return LIMIT\n", "def f():\n    return MAXIMUM\n", id="module globals count"),
        pytest.param("def f(o):\n    return o.size\n", "def f(o):\n    return o.length\n", id="attributes count"),
        pytest.param("def f():\n    global n\n    n = 1\n", "def f():\n    global m\n    m = 1\n", id="names declared global count"),
        pytest.param("class C:\n    size = 1\n", "class C:\n    length = 1\n", id="class attributes count"),
    ],
)
def test_what_local_name_insensitivity_keeps(a, b):
    assert equivalence.normal_form(a, ignore_local_names=True) != equivalence.normal_form(b, ignore_local_names=True)


def test_similarity_is_one_for_equal_streams_and_drops_with_edits():
    a = equivalence.tokens(equivalence.normalized_tree("def f(x):\n    return x + 1\n"))
    b = equivalence.tokens(equivalence.normalized_tree("def f(x):\n    return x + 2\n"))
    assert equivalence.similarity(a, a) == 1.0
    assert 0.8 < equivalence.similarity(a, b) < 1.0


# --------------------------------------------------------------------------- the fixture


@pytest.fixture(scope="module")
def fixture_audit() -> audit.AuditReport:
    mapping = load_mapping(REPO / "mapping.yaml")
    return audit.run_audit(mapping, read_snapshot(mapping), simulate_phases=False)


def _overlap(report, subject: str, other: str) -> audit.Overlap:
    return next(o for o in report.overlaps if o.subject.qualified == subject and o.other.qualified == other)


def test_the_seeds_dry_checks_find_the_planted_identical_functions(fixture_audit):
    paths = _overlap(fixture_audit, "orchestration.path_resolution.validate_path_before_mkdir", "paths.validation.validate_path_before_mkdir")
    assert (paths.kind, paths.similarity) == ("identical", 1.0)
    assert paths.subject.path == "src/orchestration/path_resolution.py" and paths.other.path == "src/paths/validation.py"
    assert paths.planned == "phase 9: consolidated into paths.validation"
    mlflow = _overlap(fixture_audit, "orchestration.mlflow_utils.setup_mlflow_for_stage", "tracking.mlflow.setup.setup_mlflow_for_stage")
    assert mlflow.kind == "identical", "docstrings and comments differ, the code does not"


def test_the_hpo_copies_are_identical_or_near_identical_with_a_figure(fixture_audit):
    copies = {(m.subject, m.other): m for m in fixture_audit.module_overlaps}
    space = copies[("orchestration.jobs.hpo.search_space", "hpo.core.search_space")]
    assert (space.kind, space.similarity) == ("identical", 1.0), "identical after normalization (relative import, docstrings)"
    sweep = copies[("orchestration.jobs.hpo.local_sweeps", "hpo.execution.local.sweep")]
    assert sweep.kind == "near-identical" and 0.85 <= sweep.similarity < 1.0
    assert sweep.planned == "phase 8: orchestration.jobs.hpo.local_sweeps moves onto hpo.execution.local.sweep (prefer: destination)"
    run = _overlap(fixture_audit, "orchestration.jobs.hpo.local_sweeps.run_local_sweep", "hpo.execution.local.sweep.run_local_sweep")
    assert run.kind == "near-identical" and 0.7 <= run.similarity < 1.0
    same = [o for o in fixture_audit.overlaps if o.subject.module == "orchestration.jobs.hpo.search_space"]
    assert len(same) == 8 and all(o.kind == "identical" for o in same)


def test_per_package_counts_cover_the_packages_the_seed_names(fixture_audit):
    counts = dict(fixture_audit.packages)
    assert {"naming", "paths", "tracking", "hpo"} <= set(counts)
    assert counts["paths"]["identical"] == 1 and counts["tracking"]["identical"] == 1
    assert counts["hpo"] == {"identical": 12, "near-identical": 1, "same-name-different-body": 0}


def test_the_legacy_facades_are_recognized_with_their_targets(fixture_audit):
    facades = {f.path: f for f in fixture_audit.facades}
    expected = {
        "src/orchestration/paths.py": ("paths",),
        "src/orchestration/naming.py": ("naming",),
        "src/orchestration/tokens.py": ("naming.context_tokens",),
        "src/orchestration/normalize.py": ("core.normalize",),
        "src/orchestration/naming_centralized.py": ("paths.resolve",),
        "src/orchestration/jobs/tracking/utils/__init__.py": ("tracking.mlflow.artifacts", "tracking.mlflow.runs", "tracking.mlflow.setup"),
        "src/orchestration/jobs/tracking/utils/mlflow_artifacts.py": ("tracking.mlflow.artifacts",),
        "src/orchestration/jobs/tracking/utils/mlflow_runs.py": ("tracking.mlflow.runs",),
        "src/orchestration/jobs/tracking/utils/mlflow_setup.py": ("tracking.mlflow.setup",),
        "src/orchestration/jobs/tracking/naming/run_names.py": ("naming.mlflow.run_names",),
    }
    for path, targets in expected.items():
        assert facades[path].targets == targets, path
    assert facades["src/orchestration/paths.py"].style == "star"
    assert facades["src/orchestration/paths.py"].planned == "phase 11: onto paths (prefer: destination)"
    assert all(f.warning is None for f in fixture_audit.facades), "the seed mapping moves every facade onto its target"
    real_code = {"src/orchestration/__init__.py", "src/paths/__init__.py", "src/hpo/__init__.py", "src/orchestration/jobs/hpo/__init__.py"}
    assert not real_code & set(facades), "re-exporting real submodules is a package API, not a facade"


def test_moved_modules_are_classified_from_their_importers_with_evidence(fixture_audit):
    usage = {u.module: u for u in fixture_audit.modules}
    fingerprints = usage["orchestration.fingerprints"]
    assert fingerprints.classification == "generic"
    assert fingerprints.evidence.startswith("imported from 4 areas: orchestration.jobs.conversion (2)")
    criteria = usage["orchestration.jobs.selection.criteria"]
    assert criteria.classification == "job-specific"
    assert criteria.evidence.startswith("imported only by the job package orchestration.jobs.selection")
    resolution = usage["orchestration.path_resolution"]
    assert resolution.destination is None
    assert [(s.name, s.destination, s.phase) for s in resolution.symbols] == [
        ("validate_path_before_mkdir", "paths.validation", 9),
        ("HPO_OUTPUT_SUBDIR", "hpo.utils.paths", 9),
        ("resolve_hpo_output_dir", "hpo.utils.paths", 9),
    ]
    assert resolution.classification == "job-specific" and "orchestration.jobs.hpo" in resolution.evidence


def test_import_sites_name_file_and_line_inside_and_outside_the_source_roots(fixture_audit):
    sites = {s.location(): s for s in next(u for u in fixture_audit.modules if u.module == "orchestration.benchmark_utils").sites}
    runner = sites["src/orchestration/jobs/benchmarking/runner.py:9"]
    assert (runner.importer, runner.kind, runner.role, runner.area) == ("orchestration.jobs.benchmarking.runner", "top", "code", "orchestration.jobs.benchmarking")
    assert sites["src/orchestration/__init__.py:17"].role == "reexport"
    assert any(s.path.startswith("tests/") and s.role == "outside" for s in sites.values())
    notebook = [s for s in sites.values() if s.path.endswith(".ipynb")]
    assert notebook and notebook[0].cell is not None and ":cell " in notebook[0].location()


def test_existing_cycles_are_those_a_fresh_import_fails_on_not_package_init_components(fixture_audit):
    # Every fixture package whose __init__ imports its submodules is an import-time
    # component of the graph, and every one of them runs: none is listed.
    assert fixture_audit.existing_cycles == ()
    assert [p.status for p in fixture_audit.phases] == ["not-simulated"] * 10


# --------------------------------------------------------------------------- small projects


MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
cycles: {cycles}
phases:
  - phase: 1
    title: Move
    moves:
{moves}
"""


def project(tmp_path: Path, files: dict[str, str], moves: list[str], cycles: str = "forbid-new") -> Path:
    return write_project(
        tmp_path,
        {rel: textwrap.dedent(text) for rel, text in files.items()},
        MAPPING.format(cycles=cycles, moves="".join(f"      - {m}\n" for m in moves)),
    )


def run(mapping: Path, **kwargs) -> audit.AuditReport:
    m = load_mapping(mapping)
    return audit.run_audit(m, read_snapshot(m), **kwargs)


LONG = """\
def {name}(rows, limit=10):
    kept = []
    for row in rows:
        if row.get("score", 0) > limit and row.get("ok"):
            kept.append(row["id"])
    return sorted(kept)
"""


def test_renamed_copies_are_found_by_body_but_trivial_ones_are_not(tmp_path):
    mapping = project(tmp_path, {
        "src/old.py": LONG.format(name="select_rows") + "\n\nclass OldError(Exception):\n    pass\n",
        "src/lib.py": LONG.format(name="filter_rows").replace("kept", "chosen") + "\n\nclass LibError(Exception):\n    pass\n",
    }, ["{from: old, to: new}"])
    report = run(mapping, simulate_phases=False)
    assert [(o.subject.name, o.other.name, o.kind) for o in report.overlaps] == [("select_rows", "filter_rows", "identical")]


def test_same_name_copies_get_a_similarity_figure(tmp_path):
    drifted = LONG.format(name="select_rows").replace("return sorted(kept)", "return sorted(kept, reverse=True)[:limit]")
    other = "def select_rows(path):\n    with open(path) as fh:\n        return fh.read().split()\n"
    mapping = project(tmp_path, {"src/old.py": LONG.format(name="select_rows"), "src/near.py": drifted, "src/far.py": other}, ["{from: old, to: new}"])
    report = run(mapping, simulate_phases=False)
    kinds = {o.other.module: (o.kind, o.similarity) for o in report.overlaps}
    assert kinds["near"][0] == "near-identical" and 0.7 <= kinds["near"][1] < 1
    assert kinds["far"][0] == "same-name-different-body" and kinds["far"][1] < 0.7


def test_a_facade_moved_as_if_it_were_code_is_flagged(tmp_path):
    mapping = project(tmp_path, {
        "src/core/__init__.py": "",
        "src/core/text.py": "def slug(s):\n    return s.lower()\n",
        "src/legacy/__init__.py": "",
        "src/legacy/text.py": '"""Legacy facade."""\nfrom core.text import *  # noqa\nfrom core.text import slug\n',
        "src/legacy/real.py": "from core.text import slug\n\n\ndef title(s):\n    return slug(s).title()\n",
    }, ["{from: legacy.text, to: utils.text}"])
    report = run(mapping, simulate_phases=False)
    [facade] = report.facades
    assert (facade.module, facade.targets, facade.style) == ("legacy.text", ("core.text",), "star")
    assert facade.warning.startswith("phase 1 moves this facade to utils.text as if it were code; it only re-exports core.text")


def test_the_cycles_a_phase_would_create_are_listed(tmp_path):
    files = {
        "src/util.py": "def helper():\n    return 41\n",
        "src/report.py": "from util import helper\n\nVALUE = helper() + 1\n",
        "src/app/__init__.py": "from report import VALUE\n",
    }
    warned = run(project(tmp_path / "warn", files, ["{from: util, to: app.util}"], cycles="warn"))
    [phase] = warned.phases
    assert phase.status == "new-cycles"
    assert [str(c) for c in phase.new_cycles] == ["app → report → app.util → app"]
    refused = run(project(tmp_path / "forbid", files, ["{from: util, to: app.util}"]))
    [phase] = refused.phases
    assert phase.status == "refused" and phase.errors[0].startswith("MIG401")


def test_cli_audit_renders_text_markdown_and_json(tmp_path):
    mapping = project(tmp_path, {"src/old.py": LONG.format(name="select_rows"), "src/lib.py": LONG.format(name="select_rows"), "src/user.py": "import old\n"}, ["{from: old, to: new}"])
    text = run_cli("audit", "--mapping", str(mapping))
    assert text.exit_code == 0, text.output
    assert "Overlaps: definitions of moved modules that exist elsewhere" in text.stdout
    assert "Cycles each phase would create" in text.stdout
    out = tmp_path / "audit.md"
    md = run_cli("audit", "--mapping", str(mapping), "--format", "markdown", "--output", str(out))
    assert md.exit_code == 0
    document = out.read_text(encoding="utf-8")
    assert document.startswith("# Migration audit\n")
    assert "| identical | 1.00 | `old.select_rows`<br>src/old.py:1 | `lib.select_rows`<br>src/lib.py:1 | not addressed |" in document
    assert "- `src/user.py:1` — `user`, top import, code" in document
    data = json.loads(run_cli("audit", "--mapping", str(mapping), "--format", "json").stdout)
    assert data["schema"] == "migrator.audit/3" and data["mapping"] == "../mapping.yaml"
    assert set(data) == {"schema", "mapping", "target_absolute", "packages", "overlaps", "module_overlaps", "modules", "facades", "cycles", "unparsable", "notes"}
    [module] = data["modules"]
    assert module["import_sites"] == [{"path": "src/user.py", "line": 1, "cell": None, "importer": "user", "kind": "top", "role": "code", "area": "user"}]
    assert data["cycles"]["phases"] == [{"phase": 1, "title": "Move", "status": "ok", "new_cycles": [], "errors": []}]
