"""References to moved modules in tool configuration (issue 15): mypy overrides and
sections, pytest plugins in `addopts`; each edit is the value alone, every other byte of
the file stays."""

from __future__ import annotations

import pytest

from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - {phase: 1, title: Move, moves: [{from: app.utils, to: app.common.utils}]}
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
    "src/app/utils/plugin.py": "",
}

CASES = {
    "mypy overrides in pyproject.toml": (
        "pyproject.toml",
        '[tool.mypy]\nstrict = true\n\n[[tool.mypy.overrides]]\nmodule = ["app.utils.*", "other.*"]  # legacy\nignore_errors = true\n\n'
        '[[tool.mypy.overrides]]\nmodule = "app.utils.dates"\ndisallow_untyped_defs = false\n',
        '[tool.mypy]\nstrict = true\n\n[[tool.mypy.overrides]]\nmodule = ["app.common.utils.*", "other.*"]  # legacy\nignore_errors = true\n\n'
        '[[tool.mypy.overrides]]\nmodule = "app.common.utils.dates"\ndisallow_untyped_defs = false\n',
    ),
    "mypy.ini sections": (
        "mypy.ini",
        "[mypy]\nstrict = True\n\n[mypy-app.utils.*]\nignore_errors = True\n\n[mypy-app.utils.dates,other.mod]\nwarn_return_any = False\n",
        "[mypy]\nstrict = True\n\n[mypy-app.common.utils.*]\nignore_errors = True\n\n[mypy-app.common.utils.dates,other.mod]\nwarn_return_any = False\n",
    ),
    "setup.cfg mypy section": (
        "setup.cfg",
        "[metadata]\nname = app\n\n[mypy-app.utils.dates]\nignore_missing_imports = True\n",
        "[metadata]\nname = app\n\n[mypy-app.common.utils.dates]\nignore_missing_imports = True\n",
    ),
    "pytest plugin in pyproject addopts": (
        "pyproject.toml",
        '[tool.pytest.ini_options]\naddopts = "-ra -p app.utils.plugin --strict-markers"\n',
        '[tool.pytest.ini_options]\naddopts = "-ra -p app.common.utils.plugin --strict-markers"\n',
    ),
    "pytest plugin in pytest.ini": (
        "pytest.ini",
        "[pytest]\naddopts = -ra -p app.utils.plugin\n",
        "[pytest]\naddopts = -ra -p app.common.utils.plugin\n",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_tool_configuration_follows_the_move_in_the_value_alone(tmp_path, case):
    name, before, after = CASES[case]
    mapping = write_project(tmp_path, {**FILES, name: before}, MAPPING)
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert plan.exit_code == 0, plan.output
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / name).read_text() == after


def test_a_pattern_of_a_package_that_did_not_move_stays(tmp_path):
    text = '[[tool.mypy.overrides]]\nmodule = ["app.*", "app.utilsx.*"]\n'
    mapping = write_project(tmp_path, {**FILES, "pyproject.toml": text}, MAPPING)
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes").exit_code == 0
    assert (tmp_path / "proj/pyproject.toml").read_text() == text


PATH_MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - phase: 1
    title: Move
    moves:
      - {from: app.utils, to: app.common.utils}
      - {from: app.report, to: app.reporting.report}
"""

PATH_CASES = {
    "ruff per-file-ignores": (
        "pyproject.toml",
        '[tool.ruff.lint.per-file-ignores]\n"src/app/utils/dates.py" = ["E501"]\n"src/app/utils/*" = ["D"]\n"src/app/report.py" = ["F401"]\n"src/app/other.py" = ["E"]\n',
        '[tool.ruff.lint.per-file-ignores]\n"src/app/common/utils/dates.py" = ["E501"]\n"src/app/common/utils/*" = ["D"]\n"src/app/reporting/report.py" = ["F401"]\n"src/app/other.py" = ["E"]\n',
    ),
    "coverage omit in setup.cfg": (
        "setup.cfg",
        "[coverage:run]\nomit =\n    src/app/utils/*\n    src/app/report.py\n    src/app/other.py\n",
        "[coverage:run]\nomit =\n    src/app/common/utils/*\n    src/app/reporting/report.py\n    src/app/other.py\n",
    ),
    "coverage omit in pyproject": (
        "pyproject.toml",
        '[tool.coverage.run]\nomit = ["./src/app/utils/", "src/app/utils/**/*.py"]\n',
        '[tool.coverage.run]\nomit = ["./src/app/common/utils/", "src/app/common/utils/**/*.py"]\n',
    ),
    "a config in a subfolder, paths relative to it": (
        "src/app/setup.cfg",
        "[coverage:run]\nomit = utils/dates.py\n",
        "[coverage:run]\nomit = common/utils/dates.py\n",
    ),
}


@pytest.mark.parametrize("case", PATH_CASES)
def test_config_values_naming_relocated_files_follow_them(tmp_path, case):
    name, before, after = PATH_CASES[case]
    files = {**FILES, "src/app/report.py": "X = 1\n", "src/app/other.py": "", name: before}
    mapping = write_project(tmp_path, files, PATH_MAPPING)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / name).read_text() == after
