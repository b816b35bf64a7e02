"""Rollback trusts nothing it has not checked: pre-images, links, modes, names."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from migrator.adapters.state import read_state
from tests.helpers import run_cli
from tests.test_safety_transactions import FILES, MAPPING, tree_state, write_tree


@pytest.fixture
def applied(tmp_path: Path) -> tuple[Path, Path, dict]:
    """Phase 1 applied; returns the mapping, the root and the tree before the phase."""
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    root = tmp_path / "proj"
    before = tree_state(root)
    assert run_cli("apply", "--phase", "1", "--mapping", str(mapping)).exit_code == 0
    return mapping, root, before


def _journal(root: Path) -> tuple[Path, dict]:
    undo = root / ".migrator/applied/1"
    return undo, json.loads((undo / "journal.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("damage", ["deleted", "other bytes"])
def test_rollback_with_a_damaged_pre_image_refuses_before_touching_anything(applied, damage):
    mapping, root, _ = applied
    undo, journal = _journal(root)
    entry = next(e for e in journal["entries"] if e["existed"] and e["path"].endswith("dates.py"))
    if damage == "deleted":
        (undo / entry["pre"]).unlink()
    else:
        (undo / entry["pre"]).write_bytes(b"def today():\n    return 'tampered'\n")
    after = tree_state(root)

    result = run_cli("rollback", "--mapping", str(mapping))

    assert result.exit_code == 3, result.output
    assert "undo record of phase 1" in result.output and "is damaged" in result.output
    assert f"{entry['path']}: its pre-image" in result.output
    assert tree_state(root) == after
    assert read_state(root).is_applied(1)


def test_rollback_refuses_to_delete_through_a_created_folder_replaced_by_a_link_out_of_the_target(applied, tmp_path):
    mapping, root, _ = applied
    created = root / "src/app/common"
    outside = tmp_path / "outside"
    created.rename(outside)
    created.symlink_to(outside, target_is_directory=True)
    files_outside = {p: p.read_bytes() for p in outside.rglob("*.py")}
    assert files_outside

    result = run_cli("rollback", "--mapping", str(mapping))

    assert result.exit_code == 3, result.output
    assert "src/app/common is a symbolic link now" in result.output
    assert {p: p.read_bytes() for p in outside.rglob("*.py")} == files_outside
    assert read_state(root).is_applied(1)


def test_pre_images_keep_the_mode_of_the_file_and_the_state_folder_is_private(tmp_path):
    files = dict(FILES)
    files["src/app/utils/dates.py"] = (FILES["src/app/utils/dates.py"], 0o600)
    write_tree(tmp_path / "proj", files)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    root = tmp_path / "proj"

    assert run_cli("apply", "--phase", "1", "--mapping", str(mapping)).exit_code == 0

    undo, journal = _journal(root)
    modes = {e["path"]: stat.S_IMODE((undo / e["pre"]).stat().st_mode) for e in journal["entries"] if e["existed"]}
    assert modes["src/app/utils/dates.py"] == 0o600
    assert all(mode == e["mode"] for e in journal["entries"] if e["existed"] for mode in [modes[e["path"]]])
    assert stat.S_IMODE((root / ".migrator").stat().st_mode) == 0o700


def test_a_module_with_a_250_character_name_is_moved_and_rolled_back(tmp_path):
    name = "m" * 250
    files = {"src/app/__init__.py": b"", f"src/app/{name}.py": b"X = 1\n", "src/app/use.py": f"from app.{name} import X\n".encode()}
    write_tree(tmp_path / "proj", files)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(f"version: 1\ntarget: {{root: proj, source_roots: [src]}}\nphases:\n  - phase: 1\n    title: Long\n    moves:\n      - {{from: app.{name}, to: app.sub.{name}}}\n", encoding="utf-8")
    root = tmp_path / "proj"
    before = tree_state(root)

    applied = run_cli("apply", "--phase", "1", "--mapping", str(mapping))
    assert applied.exit_code == 0, applied.output
    assert (root / f"src/app/sub/{name}.py").read_bytes() == b"X = 1\n"
    rolled = run_cli("rollback", "--mapping", str(mapping))
    assert rolled.exit_code == 0, rolled.output
    assert tree_state(root) == before


def test_the_state_folder_is_private_when_a_reading_command_creates_it(tmp_path):
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")

    assert run_cli("plan", "--mapping", str(mapping)).exit_code == 0

    assert stat.S_IMODE((tmp_path / "proj/.migrator").stat().st_mode) == 0o700
