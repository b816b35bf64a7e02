"""Moving what real trees contain: files that do not parse, names below plain modules,
package folders that `facades: none` must not leave behind as namespace packages.

Each test builds a small project, runs the real CLI in-process and checks the exit
code, the message and the tree on disk afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import run_cli, tree_files, write_project


def _mapping(moves: str, facades: str = "alias", target_extra: str = "") -> str:
    return (
        "version: 1\n"
        f"target: {{root: proj, source_roots: [src]{target_extra}}}\n"
        f"facades: {{style: {facades}}}\n"
        "phases:\n"
        "  - phase: 1\n"
        "    title: Move\n"
        "    moves:\n" + textwrap.indent(textwrap.dedent(moves).strip() + "\n", "      ")
    )


def _refused(mapping: Path, *extra: str) -> str:
    """`plan` and `apply` both refuse (exit 3) and nothing on disk changes; returns apply's output."""
    root = mapping.parent / "proj"
    before = tree_files(root)
    plan = run_cli("plan", "--mapping", str(mapping), *extra)
    assert plan.exit_code == 3, plan.output
    apply = run_cli("apply", "--mapping", str(mapping), "--phase", "1", *extra)
    assert apply.exit_code == 3, apply.output
    assert "refused phase 1 was not applied; nothing changed" in apply.output
    assert tree_files(root) == before
    return apply.output


# --------------------------------------------------------------------------- below a plain module

REPORT = {
    "src/app/__init__.py": "",
    "src/app/report.py": "TITLE = 'report'\n",
    "src/app/models.py": "class Model:\n    pass\n",
    "src/app/main.py": "from app.models import Model\nfrom app.report import TITLE\n",
}


def test_a_move_below_a_plain_module_is_refused_naming_the_mapping_line_and_the_fix(tmp_path):
    mapping = write_project(tmp_path, REPORT, _mapping("- {from: app.models, to: app.report.models}"))
    out = _refused(mapping)
    assert "mapping.yaml:8:" in out and "MIG112" in out
    assert "cannot move 'app.models' to 'app.report.models': 'app.report.models' would lie below 'app.report', but 'app.report' is a plain module (src/app/report.py), not a package" in out
    assert "choose a destination that is not below 'app.report', or turn 'app.report' into a package by hand first (its code in src/app/report/__init__.py)" in out


def test_a_symbol_moved_below_a_plain_module_is_refused(tmp_path):
    mapping = write_project(tmp_path, REPORT, _mapping('- {from: "app.models:Model", to: app.report.models}'))
    out = _refused(mapping)
    assert "MIG112" in out and "'app.report.models' would lie below 'app.report'" in out


def test_one_move_making_a_plain_module_where_another_needs_a_package_is_refused(tmp_path):
    files = {**REPORT, "src/app/tables.py": "ROWS = []\n"}
    mapping = write_project(
        tmp_path,
        files,
        _mapping(
            """
            - {from: app.models, to: app.output.models}
            - {from: app.tables, to: app.output}
            """,
            facades="none",
        ),
    )
    out = _refused(mapping)
    assert "mapping.yaml:8:" in out and "MIG112" in out
    assert "'app.output.models' would lie below 'app.output', but the move 'app.tables' → 'app.output' makes 'app.output' a plain module (src/app/output.py)" in out


def test_a_module_retargeted_onto_a_package_that_stays_does_not_count_as_a_plain_module(tmp_path):
    files = {**REPORT, "src/app/pkg/__init__.py": "class Model:\n    pass\n", "src/app/tables.py": "ROWS = []\n"}
    mapping = write_project(
        tmp_path,
        files,
        _mapping(
            """
            - {from: app.models, to: app.pkg, prefer: destination}
            - {from: app.tables, to: app.pkg.tables}
            """
        ),
    )
    plan = run_cli("plan", "--mapping", str(mapping))
    assert plan.exit_code == 0, plan.output
    assert "MIG112" not in plan.output


# --------------------------------------------------------------------------- emptied folders

UTILS = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-12-02'\n",
    "src/app/utils/data.txt": "payload\n",
    "src/app/utils/sub/__init__.py": "",
    "src/app/utils/sub/x.py": "X = 1\n",
    "src/app/main.py": "from app.utils.dates import today\n",
}


def _imports(root: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=root / "src", capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root / "src")})


def test_a_package_moved_with_facades_none_leaves_no_folder_behind_and_rollback_recreates_it(tmp_path):
    mapping = write_project(tmp_path, UTILS, _mapping("- {from: app.utils, to: app.lib}", facades="none"))
    root = tmp_path / "proj"
    for cache in ("src/app/utils/__pycache__/dates.cpython-311.pyc", "src/app/utils/only_caches/__pycache__/old.cpython-311.pyc"):
        (root / cache).parent.mkdir(parents=True)
        (root / cache).write_bytes(b"\0cache")
    before = tree_files(root)

    plan = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert plan.exit_code == 0, plan.output
    phase = json.loads(plan.stdout)["phases"][0]
    assert phase["removed_dirs"] == ["src/app/utils/only_caches", "src/app/utils/sub", "src/app/utils"]
    assert phase["summary"]["dirs_removed"] == 3
    summary = run_cli("plan", "--mapping", str(mapping), "--format", "summary")
    assert "folders removed" in summary.stdout

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 0, result.output
    assert "3 emptied folder(s) removed" in result.output
    assert not (root / "src/app/utils").exists()
    assert (root / "src/app/lib/data.txt").read_bytes() == b"payload\n"
    assert (root / "src/app/lib/sub/x.py").is_file()
    gone = _imports(root, "import app.utils")
    assert "ModuleNotFoundError: No module named 'app.utils'" in gone.stderr  # not an empty namespace package
    assert _imports(root, "import app.main, app.lib.sub.x").returncode == 0

    back = run_cli("rollback", "--mapping", str(mapping))
    assert back.exit_code == 0, back.output
    assert {p: d for p, d in tree_files(root).items() if "__pycache__" not in p} == {p: d for p, d in before.items() if "__pycache__" not in p}
    assert (root / "src/app/utils/only_caches").is_dir()


def test_a_folder_that_still_holds_a_file_the_plan_does_not_read_is_kept(tmp_path):
    mapping = write_project(
        tmp_path,
        {**UTILS, "src/app/utils/NOTES.md": "keep me\n"},
        _mapping("- {from: app.utils, to: app.lib}", facades="none", target_extra=', exclude: ["src/app/utils/NOTES.md"]'),
    )
    root = tmp_path / "proj"
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert json.loads(plan.stdout)["phases"][0]["removed_dirs"] == ["src/app/utils/sub"]

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "src/app/utils").iterdir()) == ["NOTES.md"]
    assert not (root / "src/app/utils/sub").exists()


def test_a_package_moved_with_alias_facades_keeps_its_folder(tmp_path):
    mapping = write_project(tmp_path, UTILS, _mapping("- {from: app.utils, to: app.lib}"))
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert json.loads(plan.stdout)["phases"][0]["removed_dirs"] == []


# --------------------------------------------------------------------------- files that do not parse

HALF_FINISHED = (
    "from .dates import today\n"
    "from ..config import SETTINGS\n"
    "import app.utils.dates\n"
    "\n"
    "\n"
    "def half_finished(:\n"
    "    return today()\n"
)
PACKAGE = {
    "src/app/__init__.py": "",
    "src/app/config.py": "SETTINGS = {}\n",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-12-02'\n",
    "src/app/utils/draft.py": HALF_FINISHED,
    "src/app/main.py": "from app.utils.dates import today\n\n\ndef run():\n    return today()\n",
    "tests/test_main.py": "from app.main import run\n\n\ndef test_run():\n    assert run() == '2026-12-02'\n",
}


def _tests_pass(root: Path) -> bool:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root / "src")},
    )
    return run.returncode == 0


def test_without_the_flag_an_unparsable_file_in_a_moved_package_refuses_naming_file_line_col_and_how_to_proceed(tmp_path):
    mapping = write_project(tmp_path, PACKAGE, _mapping("- {from: app.utils, to: app.lib}"))
    out = _refused(mapping)
    assert "src/app/utils/draft.py:6:19: MIG201 does not parse" in out
    assert "pass --skip-unparsable or exclude the file in the mapping's target.exclude" in out
    assert "a file the phase moves then moves byte for byte" in out


def test_with_skip_unparsable_a_moved_package_carries_its_unparsable_file_byte_for_byte(tmp_path):
    mapping = write_project(tmp_path, PACKAGE, _mapping("- {from: app.utils, to: app.lib}"))
    root = tmp_path / "proj"
    assert _tests_pass(root)

    plan = run_cli("plan", "--mapping", str(mapping), "--skip-unparsable", "--format", "json")

    assert plan.exit_code == 0, plan.output
    phase = json.loads(plan.stdout)["phases"][0]
    found = [(d["path"], d["line"], d["col"], d["code"]) for d in phase["diagnostics"] if d["code"] in ("MIG201", "MIG203")]
    # `.dates` still reaches the moved `dates` from the new package; `..config` still reaches app.config.
    assert found == [("src/app/lib/draft.py", 6, 19, "MIG201"), ("src/app/lib/draft.py", 3, 8, "MIG203")]
    assert phase["summary"]["hand_fixes"] == 1
    assert "hand fixes (MIG203)" in run_cli("plan", "--mapping", str(mapping), "--skip-unparsable", "--format", "summary").stdout

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--skip-unparsable")

    assert result.exit_code == 0, result.output
    assert "src/app/lib/draft.py:3:8: MIG203 mentions 'app.utils.dates', which this phase moves to 'app.lib.dates'" in result.output
    assert (root / "src/app/lib/draft.py").read_bytes() == HALF_FINISHED.encode()
    assert (root / "src/app/main.py").read_text().startswith("from app.lib.dates import today\n")
    assert "app.lib.draft" in (root / "src/app/utils/draft.py").read_text()  # an alias facade: needs no names
    assert _tests_pass(root)


def test_a_module_that_does_not_parse_moves_byte_for_byte_with_its_relative_imports_listed(tmp_path):
    mapping = write_project(
        tmp_path,
        {**PACKAGE, "src/app/report.py": "from app.utils.draft import half_finished\n"},
        _mapping("- {from: app.utils.draft, to: app.draft}", facades="reexport"),
    )
    root = tmp_path / "proj"

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--skip-unparsable")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "src/app/draft.py:1:6: MIG203 the relative import `from .dates import` reaches another module from where the file moves to: it must import from 'app.utils.dates'" in out
    assert "src/app/draft.py:2:6: MIG203 the relative import `from ..config import` reaches another module" in out
    assert "src/app/draft.py:3:8: MIG203" not in out  # app.utils.dates does not move
    assert "src/app/utils/draft.py: MIG915 does not parse, so its public names are unknown" in out
    assert (root / "src/app/draft.py").read_bytes() == HALF_FINISHED.encode()
    assert (root / "src/app/report.py").read_text() == "from app.draft import half_finished\n"
    assert '_sys.modules[__name__] = _importlib.import_module("app.draft")' in (root / "src/app/utils/draft.py").read_text()


def test_a_move_of_an_excluded_module_says_it_is_excluded_and_moves_it_byte_for_byte(tmp_path):
    mapping = write_project(
        tmp_path,
        {**PACKAGE, "src/app/report.py": "from app.utils.draft import half_finished\n"},
        _mapping("- {from: app.utils.draft, to: app.draft}", target_extra=", exclude: [src/app/utils/draft.py]"),
    )
    root = tmp_path / "proj"

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 0, result.output
    assert "no such module" not in result.output
    assert "src/app/draft.py: MIG205 excluded by target.exclude, so never rewritten: moved byte for byte from src/app/utils/draft.py; 2 mention(s)" in result.output
    assert (root / "src/app/draft.py").read_bytes() == HALF_FINISHED.encode()
    assert (root / "src/app/report.py").read_text() == "from app.draft import half_finished\n"


def test_a_symbol_cannot_be_moved_out_of_a_file_that_does_not_parse_or_is_excluded(tmp_path):
    mapping = write_project(tmp_path, PACKAGE, _mapping('- {from: "app.utils.draft:half_finished", to: app.drafts}'))
    out = _refused(mapping, "--skip-unparsable")
    assert "MIG201 cannot move 'app.utils.draft:half_finished': src/app/utils/draft.py:6:19 (invalid syntax) does not parse, and a symbol can only be moved out of a file that parses" in out

    excluded = write_project(tmp_path / "x", PACKAGE, _mapping('- {from: "app.utils.draft:half_finished", to: app.drafts}', target_extra=", exclude: [src/app/utils/draft.py]"))
    out = _refused(excluded)
    assert "MIG205 cannot move 'app.utils.draft:half_finished': src/app/utils/draft.py is excluded by target.exclude" in out


def test_check_lists_the_hand_fixes_left_in_a_file_moved_byte_for_byte_until_they_are_done(tmp_path):
    mapping = write_project(tmp_path, PACKAGE, _mapping("- {from: app.utils, to: app.lib}"))
    root = tmp_path / "proj"
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--skip-unparsable").exit_code == 0

    check = run_cli("check", "--mapping", str(mapping))

    assert check.exit_code == 1, check.output
    assert "src/app/lib/draft.py:3:8: MIG203 mentions 'app.utils.dates' — moved to 'app.lib.dates' (the file does not parse: update it by hand)" in check.output
    assert "src/app/lib/draft.py:6:19: MIG013 does not parse: invalid syntax — fix the syntax; 1 mention(s) of old paths in it are listed" in check.output

    draft = root / "src/app/lib/draft.py"
    draft.write_text(HALF_FINISHED.replace("import app.utils.dates", "import app.lib.dates").replace("half_finished(:", "half_finished():"))
    assert run_cli("check", "--mapping", str(mapping)).exit_code == 0


def test_a_symbol_cannot_be_moved_into_a_file_that_does_not_parse(tmp_path):
    mapping = write_project(tmp_path, PACKAGE, _mapping('- {from: "app.config:SETTINGS", to: app.utils.draft}'))
    out = _refused(mapping, "--skip-unparsable")
    assert "mapping.yaml:8:16: MIG201 cannot move 'app.config:SETTINGS' into 'app.utils.draft': src/app/utils/draft.py:6:19 (invalid syntax) does not parse" in out


def test_a_later_phase_planned_in_memory_removes_the_folder_an_earlier_phase_began_to_empty(tmp_path):
    text = _mapping("- {from: app.utils.dates, to: app.dates}", facades="none") + (
        "  - phase: 2\n    title: Rest\n    moves:\n      - {from: app.utils, to: app.lib}\n"
    )
    mapping = write_project(tmp_path, UTILS, text)
    planned = json.loads(run_cli("plan", "--mapping", str(mapping), "--format", "json").stdout)
    assert [p["removed_dirs"] for p in planned["phases"]] == [[], ["src/app/utils/sub", "src/app/utils"]]

    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    again = json.loads(run_cli("plan", "--mapping", str(mapping), "--phase", "2", "--format", "json").stdout)
    assert again["phases"][0]["digest"] == planned["phases"][1]["digest"]
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "2").exit_code == 0
    assert not (tmp_path / "proj/src/app/utils").exists()


def test_with_facades_none_a_package_all_naming_a_moved_submodule_is_reported(tmp_path):
    mapping = write_project(
        tmp_path,
        {
            "src/pkg/__init__.py": '__all__ = ["easter", "tz"]\n',
            "src/pkg/easter.py": "def easter(year):\n    return year\n",
            "src/pkg/tz.py": "UTC = 0\n",
        },
        "version: 1\ntarget: {root: proj, source_roots: [src]}\nfacades: {style: none}\n"
        "phases:\n  - {phase: 1, title: Calendars, moves: [{from: pkg.easter, to: pkg.calendars.easter}]}\n",
    )
    result = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert result.exit_code == 0, result.output
    found = [d for p in json.loads(result.stdout)["phases"] for d in p["diagnostics"] if d["code"] == "MIG916"]
    assert [(d["path"], d["line"], d["col"]) for d in found] == [("src/pkg/__init__.py", 1, 12)], found
    assert "from pkg.calendars import easter" in found[0]["message"]
