"""`migrate verify` says "verified" only when the target's tests ran and nothing regressed.

It runs them with the target's interpreter (the mapping's `test_interpreter`, else the
active virtualenv, else the project's `.venv`, else `python` on PATH) and says which
one and why; a test command that cannot run or collects nothing fails (exit 1) with
the fix; tests failing before and after are "already failing", apart from regressions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.commands import verify
from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
test_command: {command}
{extra}phases:
  - phase: 1
    title: Move the helpers
    moves:
      - {{from: app.helpers, to: app.tools.helpers}}
"""

# The hypothesis plugin alone takes seconds to load and this project does not use it.
PYTEST = "python -m pytest -q -p no:hypothesispytest"

FILES = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    "src/app/__init__.py": "",
    "src/app/helpers.py": 'def join(*parts):\n    return "-".join(parts)\n',
    "tests/test_app.py": (
        "from app.helpers import join\n\n\n"
        "def test_join():\n    assert join('a', 'b') == 'a-b'\n\n\n"
        "def test_broken_long_ago():\n    assert join('a') == 'nope'\n"
    ),
}


def project(tmp_path: Path, command: str = PYTEST, files: dict[str, str] = FILES, extra: str = "", apply: bool = True) -> Path:
    mapping = write_project(tmp_path, files, MAPPING.format(command=command, extra=extra))
    if apply:
        applied = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
        assert applied.exit_code == 0, applied.output
    return mapping


def run_verify(mapping: Path, *args: str):
    return run_cli("verify", "--mapping", str(mapping), *args)


def verify_json(mapping: Path) -> tuple[int, dict]:
    result = run_verify(mapping, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def make_venv_without_pytest(where: Path) -> Path:
    """A virtualenv with nothing installed (no pip, no pytest); returns its folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, capture_output=True)
    return where


@pytest.fixture
def this_virtualenv(monkeypatch):
    """The interpreter running this suite (which has pytest) as the active virtualenv."""
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)


# --------------------------------------------------------------------------- tests that cannot run


def test_a_test_runner_that_is_not_installed_fails_verify_with_the_fix(tmp_path, this_virtualenv):
    mapping = project(tmp_path, command="nosuch-runner-3f1 --all")
    result = run_verify(mapping)
    assert result.exit_code == 1, result.output
    out = " ".join(result.stdout.split())
    assert "the test command `nosuch-runner-3f1 --all` cannot run: `nosuch-runner-3f1` was not found — install it, or fix `test_command` in the mapping" in out
    assert "verify failed" in out and "verified" not in out


def test_pytest_missing_from_the_active_virtualenv_fails_verify_naming_it(tmp_path, monkeypatch):
    venv = make_venv_without_pytest(tmp_path / "bare-venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    mapping = project(tmp_path)
    code, data = verify_json(mapping)
    assert code == 1 and data["ok"] is False
    python = str(venv / "bin" / "python")
    assert data["interpreter"] == {"executable_absolute": python, "source": "virtualenv", "reason": f"the active virtualenv, VIRTUAL_ENV={venv}"}
    assert data["tests"]["problem"] == (
        f"pytest is not installed in {python} (the active virtualenv, VIRTUAL_ENV={venv}) — install it there "
        f"(`{python} -m pip install pytest` and the target's test dependencies), or set `test_interpreter` in the mapping "
        "to the Python that has the target's test dependencies"
    )
    assert data["tests"]["regressions"] == [] and data["tests"]["now"]["returncode"] is None


def test_a_runner_that_collects_nothing_fails_verify(tmp_path, this_virtualenv):
    files = {k: v for k, v in FILES.items() if not k.startswith("tests/")}
    mapping = project(tmp_path, files=files)
    code, data = verify_json(mapping)
    assert code == 1 and data["ok"] is False
    assert data["tests"]["problem"].startswith(f"the tests did not run: the test command `{PYTEST}` collected no tests (pytest exit 5)")
    text = run_verify(mapping)
    assert text.exit_code == 1 and "collected no tests" in " ".join(text.stdout.split())


def test_a_command_without_per_test_results_that_fails_before_and_after_fails_verify(tmp_path, this_virtualenv):
    mapping = project(tmp_path, command="python -c 'raise SystemExit(1)'")
    code, data = verify_json(mapping)
    assert code == 1 and data["tests"]["regressions"] == []
    assert data["tests"]["problem"].startswith("the test command exits 1 now and exited 1 before; without per-test results verify cannot tell")


# --------------------------------------------------------------------------- what the results say


def test_a_test_failing_before_and_after_is_already_failing_not_a_regression(tmp_path, this_virtualenv):
    mapping = project(tmp_path)
    code, data = verify_json(mapping)
    tests = data["tests"]
    assert tests["still_failing"] == ["tests.test_app::test_broken_long_ago"]
    assert tests["regressions"] == [] and tests["fixed"] == [] and tests["problem"] is None
    # Decision: the migration did not break it, so alone it does not fail verify.
    assert code == 0 and data["ok"] is True
    text = run_verify(mapping)
    out = " ".join(text.stdout.split())
    assert text.exit_code == 0
    assert "already failing tests.test_app::test_broken_long_ago (failed before the migration too)" in out
    assert "0 regression(s), 1 already failing" in out
    assert "verified (1 test(s) already failing before the migration, listed above)" in out


def test_a_regression_fails_verify_naming_the_test(tmp_path, this_virtualenv):
    mapping = project(tmp_path)
    moved = tmp_path / "proj/src/app/tools/helpers.py"
    moved.write_text(moved.read_text(encoding="utf-8").replace('"-"', '"+"'), encoding="utf-8")
    result = run_verify(mapping)
    assert result.exit_code == 1
    out = " ".join(result.stdout.split())
    assert "regression tests.test_app::test_join: passed before, failed now" in out
    assert "already failing tests.test_app::test_broken_long_ago" in out, "listed apart from the regression"
    assert "verify failed" in out


def test_a_test_fixed_by_the_migration_is_listed_as_fixed(tmp_path, this_virtualenv):
    mapping = project(tmp_path)
    test = tmp_path / "proj/tests/test_app.py"
    test.write_text(test.read_text(encoding="utf-8").replace("'nope'", "'a'"), encoding="utf-8")
    code, data = verify_json(mapping)
    assert code == 0
    assert data["tests"]["fixed"] == ["tests.test_app::test_broken_long_ago"] and data["tests"]["still_failing"] == []


# --------------------------------------------------------------------------- which interpreter


def test_the_projects_venv_is_used_when_no_virtualenv_is_active(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    mapping = project(tmp_path)
    make_venv_without_pytest(tmp_path / "proj/.venv")
    code, data = verify_json(mapping)
    python = str(tmp_path / "proj/.venv/bin/python")
    assert data["interpreter"]["executable_absolute"] == python and data["interpreter"]["source"] == "project-venv"
    assert code == 1 and data["tests"]["problem"].startswith(f"pytest is not installed in {python} (the project's virtualenv")


def test_the_mapping_can_name_the_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRTUAL_ENV", str(make_venv_without_pytest(tmp_path / "bare-venv")))
    mapping = project(tmp_path, extra=f"test_interpreter: {json.dumps(sys.executable)}\n")
    code, data = verify_json(mapping)
    assert data["interpreter"] == {"executable_absolute": sys.executable, "source": "mapping", "reason": f"test_interpreter {sys.executable!r} in the mapping"}
    assert code == 0, data["tests"]["problem"]
    assert data["tests"]["now"]["counts"]["passed"] == 1


def test_a_missing_interpreter_named_by_the_mapping_fails_verify(tmp_path, this_virtualenv):
    mapping = project(tmp_path, extra="test_interpreter: .venv/bin/python\n")
    code, data = verify_json(mapping)
    assert code == 1
    assert data["interpreter"]["executable_absolute"] is None
    assert data["tests"]["problem"].startswith("no Python to run the tests with: test_interpreter '.venv/bin/python' in the mapping: no such executable")
    assert data["imports"]["failures"][0]["module"] == "*", "the import check has no interpreter either"


def test_the_interpreter_is_named_in_the_text_report(tmp_path, this_virtualenv):
    mapping = project(tmp_path)
    out = " ".join(run_verify(mapping, "--no-tests").stdout.split())
    assert f"interpreter: {os.path.abspath(Path(sys.prefix) / 'bin/python')} — the active virtualenv, VIRTUAL_ENV={sys.prefix}" in out


def test_a_venv_above_the_target_counts_up_to_the_repository_root_only(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    target = repo / "services" / "app"
    target.mkdir(parents=True)
    make_venv_without_pytest(repo / ".venv")
    make_venv_without_pytest(tmp_path / ".venv")  # above the repository: not the project's
    env = {"PATH": ""}
    chosen = verify.choose_interpreter(target, None, env)
    assert (chosen.path, chosen.source) == (str(repo / ".venv/bin/python"), "project-venv")
    outside = tmp_path / "elsewhere" / "app"
    outside.mkdir(parents=True)
    assert verify.choose_interpreter(outside, None, env).source == "none", "outside a repository only the target root counts"


def test_python_on_path_is_the_last_resort(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python").symlink_to(sys.executable)
    chosen = verify.choose_interpreter(tmp_path, None, {"PATH": str(bindir)})
    assert (chosen.path, chosen.source) == (str(bindir / "python"), "path")
    nothing = verify.choose_interpreter(tmp_path, None, {"PATH": str(tmp_path / "empty")})
    assert nothing.path is None and "no `python` on PATH" in nothing.reason
