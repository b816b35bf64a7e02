"""`migrate status` says what made each edit since a phase: a later phase, `check --fix`,
`retire`, or the user (content no record of migrate wrote).

`check --fix` is recorded in the state (the files it wrote, with their sha256) so that
its edits are told apart from the user's; `status --format json` keeps every key it had
and adds `edits` and `steps`.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from migrator.adapters.state import read_state
from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - phase: 1
    title: Split utils
    moves:
      - {from: app.utils.dates, to: app.dates}
  - phase: 2
    title: Entry point
    moves:
      - {from: "app.main:run", to: app.entry}
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
    "src/app/main.py": "from app.utils.dates import today\n\n\ndef run():\n    return today()\n",
    "tests/test_main.py": "from app.utils.dates import today\nfrom app.main import run\n\n\ndef test_run():\n    assert run() == today()\n",
}


@pytest.fixture
def applied(tmp_path):
    mapping = write_project(tmp_path, FILES, MAPPING)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    return mapping, tmp_path / "proj"


def _status(mapping) -> dict:
    result = run_cli("status", "--mapping", str(mapping), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by(data: dict) -> dict[tuple[int, str], tuple]:
    return {(e["phase"], e["path"]): (e["by"], e["by_phase"]) for e in data["edits"]}


def test_an_edit_by_a_later_phase_is_attributed_to_that_phase(applied):
    mapping, _ = applied
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "2").exit_code == 0

    data = _status(mapping)
    assert _by(data) == {(1, "src/app/main.py"): ("phase", 2), (1, "tests/test_main.py"): ("phase", 2)}
    assert data["phases"][0]["modified_files"] == ["src/app/main.py", "tests/test_main.py"]  # the keys it had stay as they were
    assert data["phases"][0]["tree_matches"] is False
    text = run_cli("status", "--mapping", str(mapping)).stdout
    assert "phase 1: src/app/main.py edited since it was applied, by phase 2" in text
    assert "by hand" not in text


def test_an_edit_by_check_fix_is_recorded_and_attributed_to_it(applied):
    mapping, root = applied
    test_file = root / "tests/test_main.py"
    test_file.write_text(test_file.read_text(encoding="utf-8") + "\n\ndef test_more():\n    import app.utils.dates\n", encoding="utf-8")
    assert _by(_status(mapping))[(1, "tests/test_main.py")] == ("user", None)

    fixed = run_cli("check", "--fix", "--mapping", str(mapping))
    assert fixed.exit_code == 0, fixed.output

    (step,) = read_state(root).steps
    assert step.kind == "fix" and step.after == 1
    assert step.files == {"tests/test_main.py": hashlib.sha256(test_file.read_bytes()).hexdigest()}
    data = _status(mapping)
    assert _by(data)[(1, "tests/test_main.py")] == ("fix", None)
    assert [s["kind"] for s in data["steps"]] == ["fix"]
    text = run_cli("status", "--mapping", str(mapping)).stdout
    assert "phase 1: tests/test_main.py edited since it was applied, by `migrate check --fix`" in text
    assert "1 file(s) edited since: 1 by check --fix" in text

    # Not undone by rollback: it is the user's code brought up to date. The phase cannot
    # be rolled back over it (the file changed since), as with any edit.
    refused = run_cli("rollback", "--mapping", str(mapping))
    assert refused.exit_code == 3 and "tests/test_main.py" in refused.output


def test_an_edit_no_record_explains_is_the_users(applied):
    mapping, root = applied
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "2").exit_code == 0
    main = root / "src/app/main.py"
    main.write_bytes(main.read_bytes() + b"# mine\n")

    data = _status(mapping)
    assert _by(data)[(1, "src/app/main.py")] == ("user", None)
    assert _by(data)[(2, "src/app/main.py")] == ("user", None)
    text = run_cli("status", "--mapping", str(mapping)).stdout
    assert "phase 1: src/app/main.py edited since it was applied, by hand" in text
    assert "1 file(s) edited since: 1 by hand" in text


def test_facades_removed_by_retire_are_attributed_to_it(applied):
    mapping, _ = applied
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0

    data = _status(mapping)
    assert _by(data)[(1, "src/app/utils/dates.py")] == ("retire", None)
    assert data["steps"][0]["kind"] == "retire" and data["steps"][0]["phases"] == [1]
    text = run_cli("status", "--mapping", str(mapping)).stdout
    assert "src/app/utils/dates.py edited since it was applied, removed by `migrate retire`" in text
    assert "facades of phase(s) 1 retired at" in text


def test_a_phase_rolled_back_takes_the_check_fix_records_made_on_top_of_it(applied):
    mapping, root = applied
    (root / "src/app/late.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    assert run_cli("check", "--fix", "--mapping", str(mapping)).exit_code == 0
    assert read_state(root).steps

    assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0  # late.py is not a file the phase wrote

    assert read_state(root).steps == () and read_state(root).applied == ()
