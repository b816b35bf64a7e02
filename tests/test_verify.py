"""`migrate verify` (the seed's Phase 12): tests against the pre-plan baseline, imports,
facades, remaining duplicates and `check`, in one report."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.commands import verify
from migrator.adapters.state import read_state
from tests.helpers import copy_fixture, run_cli, tree_files, write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src], keep_on_facades: [tests/test_legacy.py]}
# The hypothesis plugin alone takes seconds to load and this project does not use it.
test_command: python -m pytest -q -p no:hypothesispytest
phases:
  - phase: 1
    title: Move the helpers
    moves:
      - {from: app.helpers, to: app.tools.helpers}
  - phase: 2
    title: Move a symbol
    moves:
      - {from: "app.main:greet", to: app.greeting}
"""

FILES = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    "src/app/__init__.py": '"""The app."""\n',
    "src/app/helpers.py": 'SEP = "-"\n\n\ndef join(*parts):\n    return SEP.join(parts)\n',
    "src/app/main.py": "from app.helpers import join\n\n\ndef greet(name):\n    return join('hello', name)\n\n\ndef run():\n    return greet('world')\n",
    "tests/test_app.py": textwrap.dedent("""\
        import app.helpers
        from app.main import greet, run


        def test_join():
            assert app.helpers.join("a", "b") == "a-b"


        def test_greet():
            assert greet("you") == "hello-you"


        def test_run():
            assert run() == "hello-world"
        """),
    # The backward-compatibility contract: kept on the old paths.
    "tests/test_legacy.py": 'from app.helpers import join\n\n\ndef test_old_path():\n    assert join("x", "y") == "x-y"\n',
}


def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, FILES, MAPPING)


@pytest.fixture
def migrated(tmp_path) -> Path:
    """The small project with both phases applied."""
    mapping = project(tmp_path)
    for phase in ("1", "2"):
        result = run_cli("apply", "--mapping", str(mapping), "--phase", phase)
        assert result.exit_code == 0, result.output
    return mapping


def verify_json(mapping: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("verify", "--mapping", str(mapping), "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _this_virtualenv(monkeypatch):
    """The target's tests run with the interpreter of the active virtualenv: this one."""
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)


def test_verify_after_the_phases_finds_nothing_wrong(migrated):
    code, data = verify_json(migrated)
    assert code == 0, data
    assert data["ok"] is True and data["applied_phases"] == [1, 2]
    tests = data["tests"]
    assert tests["regressions"] == []
    assert tests["before"]["counts"] == tests["now"]["counts"] == {"passed": 4, "failed": 0, "error": 0, "skipped": 0}
    assert tests["baseline"] == "the tree before phases 1, 2, rebuilt from their undo records"
    assert data["imports"] == {"modules": 6, "failures": []}
    assert data["facades"]["failures"] == [] and data["facades"]["names_checked"] == 3  # app.helpers: SEP, join; app.main:greet
    assert data["duplicates"] == [] and data["check"] == []


def test_a_broken_moved_module_fails_verify_with_the_regressions_listed(migrated):
    new = migrated.parent / "proj/src/app/tools/helpers.py"
    new.write_text(new.read_text(encoding="utf-8").replace('SEP = "-"', 'SEP = "+"'), encoding="utf-8")
    code, data = verify_json(migrated)
    assert code == 1
    assert [(r["test"], r["before"], r["now"]) for r in data["tests"]["regressions"]] == [
        ("tests.test_app::test_greet", "passed", "failed"),
        ("tests.test_app::test_join", "passed", "failed"),
        ("tests.test_app::test_run", "passed", "failed"),
        ("tests.test_legacy::test_old_path", "passed", "failed"),
    ]
    assert data["imports"]["failures"] == [] and data["facades"]["failures"] == []


def test_a_facade_replaced_by_a_stale_copy_fails_verify_for_identity_duplicates_and_check(migrated):
    facade = migrated.parent / "proj/src/app/helpers.py"
    facade.write_text(FILES["src/app/helpers.py"], encoding="utf-8")  # someone restored the old code
    result = run_cli("verify", "--mapping", str(migrated))
    assert result.exit_code == 1
    out = result.stdout
    assert "facade app.helpers.join (→ app.tools.helpers): a different object at the old path than at the new one" in out
    assert "duplicate app.helpers.join (src/app/helpers.py:4) is still a identical copy" in out
    assert "MIG011" in out, "check: the facade written by phase 1 was edited"
    assert "tests      │ ok" in out, "the copy still works, so no test regressed"
    assert "verify failed" in out


def test_a_facade_that_no_longer_imports_fails_verify(migrated):
    facade = migrated.parent / "proj/src/app/helpers.py"
    facade.write_text("raise ImportError('gone')\n", encoding="utf-8")
    code, data = verify_json(migrated)
    assert code == 1
    assert {"module": "app.helpers", "error": "ImportError: gone", "cycle": False} in data["imports"]["failures"]
    assert data["facades"]["failures"][0]["problem"] == "the old path does not import: ImportError: gone"
    assert [(r["test"], r["now"]) for r in data["tests"]["regressions"]] == [("tests.test_legacy::test_old_path", "missing")]


def test_an_import_time_cycle_is_reported_as_one(migrated):
    init = migrated.parent / "proj/src/app/__init__.py"
    init.write_text("from app.main import run\n", encoding="utf-8")
    (migrated.parent / "proj/src/app/greeting.py").write_text(
        "from app import run\n" + (migrated.parent / "proj/src/app/greeting.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, data = verify_json(migrated, "--no-tests")
    assert code == 1 and data["tests"] is None
    cycles = [f for f in data["imports"]["failures"] if f["cycle"]]
    assert cycles and "partially initialized module" in cycles[0]["error"]


def test_the_pre_plan_tree_is_rebuilt_from_the_undo_records(migrated, tmp_path):
    root = migrated.parent / "proj"
    original = tree_files(root)  # after the phases
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    verify.rebuild_pre_plan_tree(copy, read_state(root))
    rebuilt = tree_files(copy)
    assert rebuilt == {rel: text.encode() for rel, text in FILES.items()}
    assert tree_files(root) == original, "the target itself is untouched"


def test_without_undo_records_a_baseline_must_be_given(migrated, tmp_path):
    shutil.rmtree(migrated.parent / "proj/.migrator/applied/1")
    result = run_cli("verify", "--mapping", str(migrated))
    assert result.exit_code == 2
    assert "the undo record of phase 1 is missing" in result.stderr
    baseline = tmp_path / "before"
    for rel, text in FILES.items():
        (baseline / rel).parent.mkdir(parents=True, exist_ok=True)
        (baseline / rel).write_text(text, encoding="utf-8")
    code, data = verify_json(migrated, "--baseline", str(baseline))
    assert code == 0, data
    assert data["tests"]["baseline"] == f"the tree at {baseline}"


def test_with_no_phase_applied_the_tree_is_its_own_baseline(tmp_path):
    mapping = project(tmp_path)
    code, data = verify_json(mapping)
    assert code == 0
    assert data["tests"]["before"] is None and data["tests"]["now"]["counts"]["passed"] == 4
    assert data["notes"] == ["no phase is applied: the tree is its own baseline"]


def _run(outcomes: dict[str, str], returncode: int = 0) -> verify.TestRun:
    return verify.TestRun("now", "pytest", returncode, outcomes)


def test_comparison_classifies_every_test():
    before = _run({"a": "passed", "b": "passed", "c": "failed", "d": "failed", "e": "passed", "f": "passed"})
    now = _run({"a": "passed", "b": "failed", "c": "passed", "d": "error", "f": "skipped", "g": "failed"}, 1)
    result = verify.compare(now, before, "test")
    assert [(r.test, r.now) for r in result.regressions] == [("b", "failed"), ("e", "missing"), ("f", "skipped")]
    assert result.fixed == ("c",) and result.still_failing == ("d",) and result.new_failing == ("g",)


def test_a_parametrized_id_renamed_by_the_migration_is_not_a_regression():
    before = _run({"t::test_x[old.mod]": "passed", "t::test_x[new.mod]": "passed", "t::test_y[old.mod]": "passed"})
    now = _run({"t::test_x[new.mod0]": "passed", "t::test_x[new.mod1]": "passed", "t::test_y[other]": "failed"})
    result = verify.compare(now, before, "test")
    assert result.renamed == ("t::test_x[new.mod]", "t::test_x[old.mod]")
    assert [(r.test, r.now) for r in result.regressions] == [("t::test_y[old.mod]", "missing")], "test_y passes fewer times now"


def test_without_per_test_results_exit_statuses_are_compared():
    result = verify.compare(_run({}, 1), _run({}, 0), "test")
    assert [(r.test, r.before, r.now) for r in result.regressions] == [("`pytest`", "exit 0", "exit 1")]


def test_junit_outcomes(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text(textwrap.dedent("""\
        <testsuites><testsuite>
          <testcase classname="tests.t" name="ok"/>
          <testcase classname="tests.t" name="bad"><failure message="x"/></testcase>
          <testcase classname="tests.t" name="skip"><skipped/></testcase>
          <testcase classname="tests.t" name="teardown"/>
          <testcase classname="tests.t" name="teardown"><error message="boom"/></testcase>
        </testsuite></testsuites>
        """), encoding="utf-8")
    assert verify.parse_junit(xml) == {"tests.t::ok": "passed", "tests.t::bad": "failed", "tests.t::skip": "skipped", "tests.t::teardown": "error"}


def test_a_bare_python_runs_under_this_interpreter_and_pytest_reports_junit(tmp_path):
    argv = verify.command_argv("python -m pytest -q", tmp_path / "r.xml")
    assert argv == [sys.executable, "-m", "pytest", "-q", f"--junitxml={tmp_path / 'r.xml'}", "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    assert verify.command_argv("make test", tmp_path / "r.xml") == ["make", "test"]
    assert verify.command_argv("python -m pytest -q -p no:hypothesispytest", None)[-2:] == ["-p", "no:hypothesispytest"]


@pytest.mark.slow
def test_verify_after_every_seed_phase_on_the_fixture_reports_zero_regressions(tmp_path):
    mapping = copy_fixture(tmp_path)
    phases = json.loads(run_cli("status", "--mapping", str(mapping), "--format", "json").stdout)["phases"]
    for p in phases:
        applied = run_cli("apply", "--mapping", str(mapping), "--phase", str(p["phase"]))
        assert applied.exit_code == 0, applied.output
    code, data = verify_json(mapping)
    assert data["tests"]["regressions"] == [], data["tests"]["regressions"]
    assert data["tests"]["now"]["counts"]["passed"] == data["tests"]["before"]["counts"]["passed"] > 200
    assert data["imports"]["failures"] == []
    assert data["facades"]["failures"] == [] and data["facades"]["names_checked"] > 100
    assert data["duplicates"] == [] and data["check"] == []
    assert code == 0 and data["ok"] is True
