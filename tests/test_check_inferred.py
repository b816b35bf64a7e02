"""`check` without a recorded state: the applied phases are read from the tree.

A clone where `.migrator/` was never committed still shows what the phases did; `check`
infers them (and says so), finds the stale references they leave, and fails on a phase
the tree shows done in part. It never calls such a tree clean.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migrator.adapters.snapshot import read_snapshot
from migrator.adapters.state import read_state
from migrator.commands.inferred import infer_state
from migrator.mapping.spec import load_mapping
from tests.helpers import copy_fixture, run_cli, write_project

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
    "src/app/utils/text.py": "def shout(s):\n    return s.upper() + '!'\n",
    "src/app/main.py": (
        "from app.utils.dates import today\nfrom app.utils.text import shout\n\n\n"
        "def helper():\n    return shout(today())\n\n\ndef run():\n    return helper()\n"
    ),
}


def _mapping(phases: str, facades: str = "alias") -> str:
    return f"version: 1\ntarget: {{root: proj, source_roots: [src]}}\nfacades: {{style: {facades}}}\nphases:\n{phases}"


def _applied_without_state(tmp_path: Path, phases: str, numbers: list[int], facades: str = "alias") -> Path:
    mapping = write_project(tmp_path, FILES, _mapping(phases, facades))
    for n in numbers:
        result = run_cli("apply", "--mapping", str(mapping), "--phase", str(n))
        assert result.exit_code == 0, result.output
    shutil.rmtree(tmp_path / "proj/.migrator")
    return mapping


def _check(mapping: Path, *args: str):
    return run_cli("check", "--mapping", str(mapping), *args)


TWO_PHASES = """\
  - phase: 1
    title: Dates
    moves: [{from: app.utils.dates, to: app.dates}]
  - phase: 2
    title: Text
    moves: [{from: app.utils.text, to: app.text}]
"""


def test_phases_done_but_not_recorded_are_inferred_and_their_stale_references_found(tmp_path):
    mapping = _applied_without_state(tmp_path, TWO_PHASES, [1, 2])
    (tmp_path / "proj/src/app/stale.py").write_text("import app.utils.dates\nfrom app.utils.text import shout\n", encoding="utf-8")

    result = _check(mapping)

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "no migration recorded in .migrator/state.json; phases 1, 2 inferred as applied from the tree"
    assert lines[1:3] == [
        "src/app/stale.py:1:1: MIG001 import of 'app.utils.dates' — moved to 'app.dates'",
        "src/app/stale.py:2:1: MIG001 import of 'app.utils.text' — moved to 'app.text'",
    ]
    assert "(applied phases: 1, 2, inferred)" in lines[-1]
    data = json.loads(_check(mapping, "--format", "json").stdout)
    assert data["applied_phases"] == [1, 2] and data["applied_phases_inferred"] is True and not data["ok"]


def test_inference_stops_at_the_first_phase_not_applied(tmp_path):
    mapping = _applied_without_state(tmp_path, TWO_PHASES, [1])
    result = _check(mapping)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "no migration recorded in .migrator/state.json; phase 1 inferred as applied from the tree",
        "clean: no stale references (applied phases: 1, inferred)",
    ]


def test_a_tree_with_nothing_applied_and_nothing_recorded_is_clean_and_says_why(tmp_path):
    mapping = write_project(tmp_path, FILES, _mapping(TWO_PHASES))
    result = _check(mapping)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "no migration recorded in .migrator/state.json, and the tree shows no phase of the mapping as applied",
        "clean: no stale references (applied phases: none)",
    ]


def test_a_phase_done_in_part_fails_the_check_at_its_mapping_line(tmp_path):
    # Phase 1 was applied; then a move was added to it (the tree has only the first done).
    mapping = _applied_without_state(tmp_path, TWO_PHASES, [1])
    grown = (
        "  - phase: 1\n    title: Dates\n    moves:\n      - {from: app.utils.dates, to: app.dates}\n"
        "      - {from: app.utils.text, to: app.text}\n"
    )
    mapping.write_text(_mapping(grown), encoding="utf-8")

    result = _check(mapping)

    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert text.startswith("no migration recorded in .migrator/state.json, and the tree shows no phase of the mapping as applied; phase 1 looks half-applied (MIG015)")
    assert "../mapping.yaml:9:16: MIG015 phase 1 (Dates) looks half-applied: 1 of 2 moves are done, not app.utils.text → app.text (not done)" in text
    assert "move them to a new phase" in text and "commit .migrator/state.json" in text
    github = _check(mapping, "--format", "github").stdout
    assert ",title=MIG015::phase 1 (Dates) looks half-applied" in github


def test_a_symbol_move_is_inferred_from_where_the_definition_is(tmp_path):
    phases = "  - phase: 1\n    title: Helper\n    moves: [{from: 'app.main:helper', to: app.helpers}]\n"
    mapping = _applied_without_state(tmp_path, phases, [1])
    (tmp_path / "proj/src/app/stale.py").write_text("from app.main import helper\n", encoding="utf-8")
    result = _check(mapping)
    assert result.exit_code == 1, result.output
    assert "src/app/stale.py:1:1: MIG001 import of 'app.main.helper' — moved to 'app.helpers.helper'" in result.stdout


def test_a_package_moved_without_facades_is_inferred_and_its_submodules_followed(tmp_path):
    phases = "  - phase: 1\n    title: Common\n    moves: [{from: app.utils, to: app.common}]\n"
    mapping = _applied_without_state(tmp_path, phases, [1], facades="none")
    assert not (tmp_path / "proj/src/app/utils").exists()
    (tmp_path / "proj/src/app/stale.py").write_text("from app.utils import dates\n", encoding="utf-8")
    result = _check(mapping)
    assert result.exit_code == 1, result.output
    assert "phase 1 inferred" in result.stdout
    assert "src/app/stale.py:1:1: MIG001" in result.stdout and "'app.common" in result.stdout


def test_a_module_moved_twice_without_facades_resolves_to_its_last_home(tmp_path):
    phases = (
        "  - phase: 1\n    title: Up\n    moves: [{from: app.utils.dates, to: app.dates}]\n"
        "  - phase: 2\n    title: Into time\n    moves: [{from: app.dates, to: app.time.dates}]\n"
    )
    mapping = _applied_without_state(tmp_path, phases, [1, 2], facades="none")
    (tmp_path / "proj/src/app/stale.py").write_text("from app.utils.dates import today\n", encoding="utf-8")
    result = _check(mapping)
    assert result.exit_code == 1, result.output
    assert "phases 1, 2 inferred" in result.stdout
    assert "src/app/stale.py:1:1: MIG001 import of 'app.utils.dates' — moved to 'app.time.dates'" in result.stdout


@pytest.mark.slow
def test_on_the_seed_every_applied_prefix_is_inferred_and_check_finds_what_the_record_finds(tmp_path):
    mapping_path = copy_fixture(tmp_path)
    mapping = load_mapping(mapping_path)
    root = tmp_path / "target_repo_fixture"
    assert infer_state(mapping, read_snapshot(mapping)).applied_numbers == ()
    for n in mapping.phase_numbers:
        if n > 11:
            break
        result = run_cli("apply", "--mapping", str(mapping_path), "--phase", str(n), "--yes")
        assert result.exit_code == 0, result.output
        recorded = read_state(root).applied_numbers
        if not mapping.phase(n).moves:  # a phase without moves shows nothing until a later one does
            recorded = recorded[:-1]
        assert infer_state(mapping, read_snapshot(mapping)).applied_numbers == recorded, n
    (root / "src/stale_user.py").write_text(
        "import orchestration.config_loader\n"
        "from orchestration.jobs.hpo.search_space import build\n"
        "from orchestration.path_resolution import validate_path_before_mkdir\n"
        "from orchestration.jobs.tracking import config\n",
        encoding="utf-8",
    )
    recorded = json.loads(_check(mapping_path, "--format", "json").stdout)
    shutil.rmtree(root / ".migrator")
    inferred = json.loads(_check(mapping_path, "--format", "json").stdout)
    assert inferred["applied_phases"] == recorded["applied_phases"] and inferred["applied_phases_inferred"]
    assert len(recorded["findings"]) == 4
    assert inferred["findings"] == recorded["findings"]
