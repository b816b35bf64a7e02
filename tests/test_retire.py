"""`migrate retire`: facades go once nothing uses their old paths, as a recorded step
that `migrate rollback` undoes; `check` then knows they are gone on purpose.

Through the real CLI: refused (exit 1) while references remain, each listed at
path:line:col with the fix, and while a kept-on-facades file uses an old path; refused
(exit 3) for a facade edited since; nothing changes when refused. Retired, the old
imports fail in a fresh interpreter, `check` is clean (no MIG012) and still finds a new
stale import; a rollback puts the facades back byte for byte; a fault at any disk
change of a retire restores the tree and the state.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.adapters.state import read_state
from tests.faults import faulty_disk
from tests.helpers import run_cli, write_project
from tests.test_safety_transactions import FILES as PACKAGE_FILES
from tests.test_safety_transactions import MAPPING as PACKAGE_MAPPING
from tests.test_safety_transactions import tree_state, write_tree

MAPPING = """\
version: 1
target:
  root: proj
  source_roots: [src]
  keep_on_facades: ["legacy/**"]
phases:
  - phase: 1
    title: Split utils
    moves:
      - {from: app.utils.dates, to: app.dates}
  - phase: 2
    title: Entry point
    moves:
      - {from: app.main, to: app.entry}
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
    "src/app/main.py": "from app.utils.dates import today\n\n\ndef run():\n    return today()\n",
}

FACADE = "src/app/utils/dates.py"


@pytest.fixture
def applied(tmp_path):
    mapping = write_project(tmp_path, FILES, MAPPING)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    return mapping, tmp_path / "proj"


def _state_bytes(root: Path) -> dict[str, bytes]:
    """Every file of `.migrator/` but the lock and the cache."""
    sdir = root / ".migrator"
    return {
        p.relative_to(sdir).as_posix(): p.read_bytes()
        for p in sorted(sdir.rglob("*"))
        if p.is_file() and p.name != "lock" and "cache" not in p.relative_to(sdir).parts
    }


def _imports(root: Path, module: str) -> subprocess.CompletedProcess:
    """`import module` in a fresh interpreter with the target's source root on the path."""
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-W", "ignore", "-c", f"import {module}"], env=env, capture_output=True, text=True)


def test_retire_is_refused_listing_every_remaining_reference_and_changes_nothing(applied):
    mapping, root = applied
    (root / "src/app/report.py").write_text("import os\nfrom app.utils.dates import today\n", encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests/test_report.py").write_text("import app.utils.dates\n\napp.utils.dates.today()\n", encoding="utf-8")
    before, state_before = tree_state(root), _state_bytes(root)

    result = run_cli("retire", "--mapping", str(mapping))

    assert result.exit_code == 1, result.output
    assert "src/app/report.py:2:1: MIG001 import of 'app.utils.dates' — moved to 'app.dates'" in result.output
    assert "tests/test_report.py:1:1: MIG001" in result.output
    assert "tests/test_report.py:3:1: MIG002" in result.output
    assert "`migrate check --fix`" in result.output
    assert "nothing changed" in result.output
    assert tree_state(root) == before and _state_bytes(root) == state_before
    assert (root / FACADE).is_file()


def test_a_file_kept_on_the_facades_refuses_retirement_by_name(applied):
    mapping, root = applied
    (root / "legacy").mkdir()
    (root / "legacy/old_job.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    assert run_cli("check", "--mapping", str(mapping)).exit_code == 0  # kept on purpose: not stale while the facade stays
    before, state_before = tree_state(root), _state_bytes(root)

    result = run_cli("retire", "--mapping", str(mapping))

    assert result.exit_code == 1, result.output
    assert "legacy/old_job.py:1:1: MIG014 keeps 'app.utils.dates' on purpose (target.keep_on_facades)" in result.output
    assert "keep_on_facades" in result.output and "legacy/old_job.py" in result.output.splitlines()[2]
    assert tree_state(root) == before and _state_bytes(root) == state_before


def test_a_facade_edited_since_the_phase_is_not_deleted(applied):
    mapping, root = applied
    facade = root / FACADE
    facade.write_bytes(facade.read_bytes() + b"\nEXTRA = 1\n")
    before, state_before = tree_state(root), _state_bytes(root)

    result = run_cli("retire", "--mapping", str(mapping))

    assert result.exit_code == 3, result.output
    assert f"{FACADE}: the facade phase 1 wrote was edited since" in result.output
    assert tree_state(root) == before and _state_bytes(root) == state_before


def test_retired_facades_are_gone_old_imports_fail_and_check_knows_it_was_on_purpose(applied):
    mapping, root = applied
    assert _imports(root, "app.utils.dates").returncode == 0

    result = run_cli("retire", "--mapping", str(mapping))

    assert result.exit_code == 0, result.output
    assert "retired the facades of phase(s) 1: 1 file(s) removed" in result.output
    assert not (root / FACADE).exists()
    assert (root / "src/app/utils/__init__.py").is_file()  # the package's own file, not a facade: stays
    failed = _imports(root, "app.utils.dates")
    assert failed.returncode != 0 and "ModuleNotFoundError: No module named 'app.utils.dates'" in failed.stderr
    assert _imports(root, "app.dates").returncode == 0
    step = read_state(root).steps[0]
    assert (step.kind, step.phases, step.files, step.after) == ("retire", (1,), {FACADE: None}, 1)

    check = run_cli("check", "--mapping", str(mapping))
    assert check.exit_code == 0, check.output
    assert "MIG012" not in check.output

    (root / "src/app/late.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    (root / "legacy").mkdir()
    (root / "legacy/job.py").write_text("import app.utils.dates\n", encoding="utf-8")
    check = run_cli("check", "--mapping", str(mapping), "--format", "json")
    assert check.exit_code == 1
    found = {(f["path"], f["code"]) for f in json.loads(check.stdout)["findings"]}
    assert found == {("src/app/late.py", "MIG001"), ("legacy/job.py", "MIG014")}

    again = run_cli("retire", "--mapping", str(mapping))
    assert again.exit_code == 0 and "no facade of the applied phases is left to retire" in again.output


def test_rollback_of_a_retirement_puts_the_facades_and_their_folders_back_byte_for_byte(tmp_path):
    write_tree(tmp_path / "proj", PACKAGE_FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(PACKAGE_MAPPING, encoding="utf-8")
    root = tmp_path / "proj"
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    os.chmod(root / "src/app/utils/text.py", 0o600)
    with_facades, state_with_facades = tree_state(root), read_state(root)

    retired = run_cli("retire", "--mapping", str(mapping))
    assert retired.exit_code == 0, retired.output
    assert "1 emptied folder(s) removed" in retired.output
    assert not (root / "src/app/utils").exists()

    refused = run_cli("rollback", "--mapping", str(mapping), "--phase", "1")
    assert refused.exit_code == 3 and "run `migrate rollback` without --phase" in refused.output

    result = run_cli("rollback", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "put back the 3 facade(s) of phase(s) 1" in result.output
    assert tree_state(root) == with_facades  # bytes, modes and the folder
    assert read_state(root) == state_with_facades
    assert not (root / ".migrator/retired").exists() and not (root / ".migrator/rollback.json").exists()

    assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0  # then the phase itself
    assert read_state(root).applied == ()


def test_a_file_written_at_a_retired_path_stops_the_rollback_of_the_retirement(applied):
    mapping, root = applied
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0
    (root / FACADE).write_text("# mine now\n", encoding="utf-8")
    before = tree_state(root)

    result = run_cli("rollback", "--mapping", str(mapping))

    assert result.exit_code == 3, result.output
    assert FACADE in result.output and "they are yours" in result.output
    assert tree_state(root) == before and read_state(root).steps


def test_retire_of_one_phase_keeps_the_facades_of_the_others(applied):
    mapping, root = applied
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "2").exit_code == 0
    assert (root / "src/app/main.py").is_file() and (root / FACADE).is_file()

    result = run_cli("retire", "--mapping", str(mapping), "--phase", "2")

    assert result.exit_code == 0, result.output
    assert not (root / "src/app/main.py").exists() and (root / FACADE).is_file()
    assert read_state(root).steps[0].phases == (2,)
    assert run_cli("retire", "--mapping", str(mapping), "--phase", "3").exit_code == 2
    assert run_cli("check", "--mapping", str(mapping)).exit_code == 0


ERRORS = [pytest.param(errno.ENOSPC, id="disk full"), pytest.param(errno.EACCES, id="permission denied")]


def _package_project(base: Path) -> tuple[Path, Path]:
    write_tree(base / "proj", PACKAGE_FILES)
    mapping = base / "mapping.yaml"
    mapping.write_text(PACKAGE_MAPPING, encoding="utf-8")
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    return mapping, base / "proj"


@pytest.mark.parametrize("error", ERRORS)
def test_a_fault_at_any_disk_change_of_a_retire_restores_the_tree_and_the_state(tmp_path, error):
    mapping, root = _package_project(tmp_path / "count")
    with faulty_disk() as disk:
        assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0
    calls = disk.calls
    assert any(op == "unlink" for op, _ in calls) and any(op == "rmdir" for op, _ in calls)
    mapping, root = _package_project(tmp_path / "faults")
    before, state_before = tree_state(root), _state_bytes(root)

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, error) as disk:
            result = run_cli("retire", "--mapping", str(mapping))
        assert disk.failed is not None, n
        assert result.exit_code == 3, result.output
        assert "Traceback" not in result.output and os.strerror(error) in result.output
        assert "every file was restored" in result.output, (n, disk.failed, result.output)
        assert tree_state(root) == before, (n, disk.failed)
        assert _state_bytes(root) == state_before, (n, disk.failed)

    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0


@pytest.mark.parametrize("error", ERRORS)
def test_a_fault_at_any_disk_change_of_the_rollback_of_a_retire_leaves_it_retired_or_finishes(tmp_path, error):
    mapping, root = _package_project(tmp_path / "count")
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0
    with faulty_disk() as disk:
        assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0
    calls = disk.calls
    mapping, root = _package_project(tmp_path / "faults")
    with_facades = tree_state(root)
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0
    retired, state_retired = tree_state(root), _state_bytes(root)

    for n in range(1, len(calls) + 1):
        with faulty_disk(n, error) as disk:
            result = run_cli("rollback", "--mapping", str(mapping))
        assert disk.failed is not None, n
        assert result.exit_code == 3 and "Traceback" not in result.output, result.output
        if "the tree was put back as it was" in result.output:
            assert tree_state(root) == retired and _state_bytes(root) == state_retired, (n, disk.failed)
        else:
            assert "run `migrate rollback` again to finish" in result.output, result.output
            assert tree_state(root) == with_facades, (n, disk.failed)
            assert run_cli("rollback", "--mapping", str(mapping)).exit_code == 0
            assert tree_state(root) == with_facades and not read_state(root).steps
            assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0
            retired, state_retired = tree_state(root), _state_bytes(root)


def test_a_state_file_written_before_steps_existed_still_reads_and_keeps_its_entries(applied):
    mapping, root = applied
    path = root / ".migrator/state.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"version", "applied"}  # no step yet: written exactly as before
    # As the release before retire wrote it: the same keys, the same layout.
    path.write_text(json.dumps({"version": 1, "applied": data["applied"]}, indent=2) + "\n", encoding="utf-8")
    phase_before = read_state(root).get(1)

    assert run_cli("status", "--mapping", str(mapping)).exit_code == 0
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0

    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["applied"] == data["applied"] and read_state(root).get(1) == phase_before
    assert [s["kind"] for s in after["steps"]] == ["retire"]


@pytest.mark.parametrize(
    "steps, message",
    [
        pytest.param([{"kind": "undo", "id": 1, "at": "x", "files": {}}], "steps[0].kind is 'undo'", id="unknown kind"),
        pytest.param([{"kind": "retire", "at": "x", "files": {}}], "steps[0].id is missing", id="no id"),
        pytest.param([{"kind": "fix", "id": 1, "at": "x", "files": {"a.py": 3}}], "steps[0].files['a.py'] is 3", id="bad digest"),
    ],
)
def test_a_damaged_step_record_refuses_with_its_key(applied, steps, message):
    mapping, root = applied
    path = root / ".migrator/state.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "steps": steps}), encoding="utf-8")
    before = tree_state(root)

    result = run_cli("retire", "--mapping", str(mapping))

    assert result.exit_code == 3, result.output
    assert message in result.output and "Traceback" not in result.output
    assert tree_state(root) == before


@pytest.mark.parametrize("k", [pytest.param(1, id="after the first removal"), pytest.param(4, id="after the state was written")])
def test_a_killed_retire_is_detected_and_rollback_puts_every_facade_back(tmp_path, k):
    mapping, root = _package_project(tmp_path)
    with_facades, state_with_facades = tree_state(root), read_state(root)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "MIGRATOR_CRASH_AFTER_WRITES": str(k)}

    killed = subprocess.run([sys.executable, "-m", "migrator", "retire", "--mapping", str(mapping)], env=env, capture_output=True, text=True, timeout=120)

    assert killed.returncode == -9, killed.stderr
    assert tree_state(root) != with_facades
    check = run_cli("check", "--mapping", str(mapping))
    assert check.exit_code == 3 and "an earlier `migrate retire` was interrupted" in check.output
    assert json.loads(run_cli("status", "--mapping", str(mapping), "--format", "json").stdout)["interruption"]["op"] == "retire"

    rolled = run_cli("rollback", "--mapping", str(mapping))

    assert rolled.exit_code == 0, rolled.output
    assert tree_state(root) == with_facades and read_state(root) == state_with_facades


def test_verify_does_not_count_retired_facades_as_broken(tmp_path):
    mapping, root = _package_project(tmp_path)
    assert run_cli("retire", "--mapping", str(mapping)).exit_code == 0

    result = run_cli("verify", "--mapping", str(mapping), "--format", "json")

    data = json.loads(result.stdout)
    assert data["facades"]["failures"] == [], data["facades"]
    assert any("retired by `migrate retire`" in note for note in data["notes"])
