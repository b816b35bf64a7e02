"""Safety gates: refuse (exit 3), say where and how to fix it, write nothing.

Each test builds a small project, runs `plan` and `apply` through the CLI, and checks the
message (code, file:line, the fix) and that the tree did not change at all.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.helpers import copy_fixture, run_cli
from tests.test_safety_transactions import tree_state, write_tree

BASE = {
    "src/app/__init__.py": b"",
    "src/app/utils/__init__.py": b"",
    "src/app/utils/dates.py": b"def today():\n    return '2026-11-26'\n\n\nHOLIDAY = 'xmas'\n",
    "src/app/utils/data.txt": b"payload\n",
    "src/app/main.py": b"from app.utils.dates import today\n\n\ndef run():\n    return today()\n",
}


def _project(tmp_path: Path, moves: str, files: dict | None = None, target_extra: str = "") -> tuple[Path, Path]:
    root = tmp_path / "proj"
    write_tree(root, {**BASE, **(files or {})})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\n"
        f"target: {{root: proj, source_roots: [src]{target_extra}}}\n"
        "phases:\n"
        "  - phase: 1\n"
        "    title: Gate\n"
        "    moves:\n" + textwrap.indent(textwrap.dedent(moves).strip() + "\n", "      "),
        encoding="utf-8",
    )
    return mapping, root


def _refused(mapping: Path, root: Path, *extra: str) -> str:
    """Plan and apply both refuse with exit 3 and change nothing; returns the message."""
    before = tree_state(root)
    plan = run_cli("plan", "--mapping", str(mapping), *extra)
    assert plan.exit_code == 3, plan.output
    apply = run_cli("apply", "--mapping", str(mapping), "--phase", "1", *extra)
    assert apply.exit_code == 3, apply.output
    assert "refused phase 1 was not applied; nothing changed" in apply.output
    assert tree_state(root) == before
    assert not (root / ".migrator").exists() or not any((root / ".migrator").rglob("*.json"))
    return apply.output


# --------------------------------------------------------------------------- destinations


def test_a_package_moved_onto_an_existing_package_is_refused_without_merge(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils, to: app.lib}", {"src/app/lib/__init__.py": b""})
    out = _refused(mapping, root)
    assert "mapping.yaml:7:" in out and "MIG104" in out
    assert "package src/app/lib/ already exists — add `merge: true`" in out


def test_a_merge_that_would_overwrite_a_file_is_refused(tmp_path):
    mapping, root = _project(
        tmp_path,
        "- {from: app.utils, to: app.lib, merge: true}",
        {"src/app/lib/__init__.py": b"", "src/app/lib/data.txt": b"another payload\n"},
    )
    out = _refused(mapping, root)
    assert "MIG106" in out and "moving 'app.utils' would overwrite src/app/lib/data.txt" in out


def test_a_merge_onto_a_module_with_different_code_is_refused_with_a_diff(tmp_path):
    mapping, root = _project(
        tmp_path,
        "- {from: app.utils, to: app.lib, merge: true}",
        {"src/app/lib/__init__.py": b"", "src/app/lib/dates.py": b"def today():\n    return 'tomorrow'\n"},
    )
    out = _refused(mapping, root)
    assert "MIG301" in out and "src/app/lib/dates.py already exists with different code" in out
    assert "prefer: source" in out


def test_a_merge_without_collisions_goes_ahead_and_overwrites_nothing(tmp_path):
    mapping, root = _project(
        tmp_path,
        "- {from: app.utils, to: app.lib, merge: true}",
        {"src/app/lib/__init__.py": b"X = 1\n", "src/app/lib/other.py": b"Y = 2\n"},
    )
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert (root / "src/app/lib/other.py").read_bytes() == b"Y = 2\n"
    assert (root / "src/app/lib/__init__.py").read_bytes().startswith(b"X = 1\n")
    assert (root / "src/app/lib/dates.py").exists()


# --------------------------------------------------------------------------- shadowing


def test_a_new_top_level_package_named_like_the_stdlib_is_refused(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils, to: json.utils}")
    out = _refused(mapping, root)
    assert "MIG110" in out and "would shadow the standard-library module 'json'" in out
    assert "choose another name, e.g. 'json_utils.utils'" in out


def test_a_new_top_level_package_named_like_a_declared_dependency_is_refused(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils, to: requests.helpers}", {"requirements.txt": b"requests>=2\n"})
    out = _refused(mapping, root)
    assert "would shadow the import name of requests (declared in requirements.txt)" in out


def test_the_seeds_azureml_package_is_refused_for_shadowing_the_azure_ml_sdk(tmp_path):
    mapping = copy_fixture(
        tmp_path,
        textwrap.dedent(
            """\
            version: 1
            target: {root: target_repo_fixture, source_roots: [src]}
            phases:
              - phase: 6
                title: Create Azure ML module
                moves:
                  - {from: orchestration.data_assets, to: azureml.data_assets}
            """
        ),
    )
    root = tmp_path / "target_repo_fixture"
    before = tree_state(root)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "6")
    assert result.exit_code == 3
    assert "mapping.yaml:7:" in result.output
    assert "the new top-level package 'azureml' would shadow the import name of azureml-core" in result.output
    assert "choose another name, e.g. 'azureml_utils.data_assets'" in result.output
    assert tree_state(root) == before


# --------------------------------------------------------------------------- collisions


def test_two_modules_landing_on_one_name_are_refused(tmp_path):
    mapping, root = _project(
        tmp_path,
        """
        - {from: app.main, to: lib.dates}
        - {from: app.utils, to: lib}
        """,
    )
    out = _refused(mapping, root)
    assert "MIG109" in out
    assert "'app.utils.dates' and 'app.main' would both become 'lib.dates'" in out or "'app.main' and 'app.utils.dates' would both become 'lib.dates'" in out


def test_two_symbols_landing_on_one_name_are_refused(tmp_path):
    mapping, root = _project(
        tmp_path,
        """
        - {from: "app.utils.dates:today", to: app.days}
        - {from: "app.main:today", to: app.days}
        """,
        {"src/app/main.py": b"def today():\n    return 'main'\n\n\ndef run():\n    return today()\n"},
    )
    out = _refused(mapping, root)
    assert "MIG109" in out and "'app.main:today' and 'app.utils.dates:today' would both become 'app.days.today'" in out


def test_two_moves_to_one_destination_are_a_mapping_error(tmp_path):
    mapping, root = _project(
        tmp_path,
        """
        - {from: app.main, to: app.core}
        - {from: app.utils.dates, to: app.core}
        """,
    )
    before = tree_state(root)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 2  # caught when the mapping is read: a bad mapping
    assert "mapping.yaml:8:" in result.output and "two moves go to 'app.core' (the first at line 7)" in result.output
    assert tree_state(root) == before


def test_a_move_into_a_package_that_moves_away_is_refused(tmp_path):
    mapping, root = _project(
        tmp_path,
        """
        - {from: app.utils, to: lib}
        - {from: app.main, to: app.utils.main}
        """,
    )
    out = _refused(mapping, root)
    assert "MIG103" in out
    assert "'app.main' → 'app.utils.main' lands inside 'app.utils', which this phase moves to 'lib' — move it to 'lib.main' instead" in out


def test_a_symbol_moved_into_a_package_that_moves_away_is_refused(tmp_path):
    mapping, root = _project(
        tmp_path,
        """
        - {from: app.utils, to: lib}
        - {from: "app.main:run", to: app.utils.entry}
        """,
    )
    out = _refused(mapping, root)
    assert "MIG103" in out and "move it to 'lib.entry' instead" in out


# --------------------------------------------------------------------------- sources


def test_a_source_that_does_not_exist_is_refused_with_did_you_mean(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils.date, to: app.dates}")
    out = _refused(mapping, root)
    assert "mapping.yaml:7:" in out and "MIG101" in out
    assert "cannot move 'app.utils.date': no such module or package under src — did you mean 'app.utils.dates'?" in out


def test_a_symbol_that_is_not_defined_there_is_refused_with_did_you_mean(tmp_path):
    mapping, root = _project(tmp_path, '- {from: "app.utils.dates:todya", to: app.days}')
    out = _refused(mapping, root)
    assert "MIG102" in out
    assert "'todya' is not defined at the top level of src/app/utils/dates.py — did you mean app.utils.dates:today?" in out


# --------------------------------------------------------------------------- unparsable files

BROKEN = b"from app.utils.dates import today\n\n\ndef half_finished(:\n    return today()\n"
LATIN1 = "from app.utils.dates import today\nNAME = 'caf\xe9'\n".encode("latin-1")


def test_a_file_that_does_not_parse_refuses_the_phase_naming_file_line_col(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils.dates, to: app.dates}", {"src/app/broken.py": BROKEN})
    out = _refused(mapping, root)
    assert "src/app/broken.py:4:" in out and "MIG201 does not parse" in out
    assert "exclude the file in the mapping's target.exclude" in out


def test_a_file_that_is_not_utf8_is_reported_and_not_mangled(tmp_path):
    mapping, root = _project(tmp_path, "- {from: app.utils.dates, to: app.dates}", {"src/app/legacy.py": LATIN1})
    out = _refused(mapping, root)
    assert "src/app/legacy.py: MIG202 cannot be decoded" in out
    assert "declare its encoding (PEP 263)" in out
    assert (root / "src/app/legacy.py").read_bytes() == LATIN1


def test_a_notebook_that_is_not_utf8_is_reported_not_a_crash(tmp_path):
    nb = b'{"cells": [{"cell_type": "code", "source": ["from app.utils.dates import today # caf\xe9"]}]}'
    mapping, root = _project(tmp_path, "- {from: app.utils.dates, to: app.dates}", {"notebooks/n.ipynb": nb})
    out = _refused(mapping, root)
    assert "notebooks/n.ipynb: MIG202 notebook is not UTF-8" in out


def test_skip_unparsable_goes_ahead_and_lists_every_mention_in_the_skipped_files(tmp_path):
    mapping, root = _project(
        tmp_path,
        "- {from: app.utils.dates, to: app.dates}",
        {"src/app/broken.py": BROKEN, "src/app/legacy.py": LATIN1, "src/app/utils/rel.py": b"from .dates import (\n    HOLIDAY,\n)\nx = 'app.utils.dates.today'\nfrom . import dates\ndef f(:\n"},
    )
    plan = run_cli("plan", "--mapping", str(mapping), "--skip-unparsable", "--format", "json")
    assert plan.exit_code == 0, plan.output
    diags = [(d["path"], d["line"], d["code"], d["severity"]) for d in json.loads(plan.stdout)["phases"][0]["diagnostics"] if d["code"] in ("MIG201", "MIG202", "MIG203")]
    assert diags == [
        ("src/app/broken.py", 4, "MIG201", "warning"),
        ("src/app/broken.py", 1, "MIG203", "warning"),
        ("src/app/legacy.py", None, "MIG202", "warning"),
        ("src/app/legacy.py", 1, "MIG203", "warning"),
        ("src/app/utils/rel.py", 6, "MIG201", "warning"),
        ("src/app/utils/rel.py", 1, "MIG203", "warning"),
        ("src/app/utils/rel.py", 4, "MIG203", "warning"),
        ("src/app/utils/rel.py", 5, "MIG203", "warning"),
    ]
    before = {p: (root / p).read_bytes() for p in ("src/app/broken.py", "src/app/legacy.py", "src/app/utils/rel.py")}

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--skip-unparsable")

    assert result.exit_code == 0, result.output
    assert "src/app/broken.py:1:6: MIG203 mentions 'app.utils.dates', which this phase moves to 'app.dates'" in result.output
    assert "update it by hand" in result.output
    assert "src/app/utils/rel.py:4:6: MIG203 mentions 'app.utils.dates.today'" in result.output
    assert {p: (root / p).read_bytes() for p in before} == before
    assert (root / "src/app/main.py").read_bytes().startswith(b"from app.dates import today\n")


def test_skip_unparsable_does_not_skip_a_file_the_phase_consolidates_onto_an_existing_module(tmp_path):
    mapping, root = _project(
        tmp_path, "- {from: app.utils.dates, to: app.dates}", {"src/app/utils/dates.py": BROKEN, "src/app/dates.py": b"def today():\n    return 1\n"}
    )
    out = _refused(mapping, root, "--skip-unparsable")
    assert "src/app/utils/dates.py:4:" in out
    assert "this phase moves it onto the existing module it must be compared with, so it must parse even with --skip-unparsable" in out


def test_excluded_files_are_left_alone_and_their_mentions_listed(tmp_path):
    mapping, root = _project(
        tmp_path,
        "- {from: app.utils.dates, to: app.dates}",
        {"src/app/broken.py": BROKEN, "vendor/hooks.py": b"import app.utils.dates as d\n", "config/jobs.yaml": b"handler: app.utils.dates.today\n"},
        target_extra=', exclude: ["src/app/broken.py", "vendor/**", "config/*.yaml"]',
    )
    before = {p: (root / p).read_bytes() for p in ("src/app/broken.py", "vendor/hooks.py", "config/jobs.yaml")}
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "config/jobs.yaml:1:10: MIG203 mentions 'app.utils.dates.today', which this phase moves to 'app.dates.today', but the file is excluded by target.exclude" in out
    assert "src/app/broken.py:1:6: MIG203 mentions 'app.utils.dates'" in out
    assert "vendor/hooks.py:1:8: MIG203 mentions 'app.utils.dates'" in out
    assert {p: (root / p).read_bytes() for p in before} == before


def test_a_config_file_that_is_not_utf8_is_left_unchanged_with_its_mentions_listed(tmp_path):
    data = "# caf\xe9\nhandler: app.utils.dates.today\n".encode("latin-1")
    mapping, root = _project(tmp_path, "- {from: app.utils.dates, to: app.dates}", {"config/jobs.yaml": data})
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert "config/jobs.yaml: MIG912 config file is not UTF-8; left unchanged" in result.output
    assert "config/jobs.yaml:2:10: MIG203 mentions 'app.utils.dates.today', which this phase moves to 'app.dates.today'" in result.output
    assert (root / "config/jobs.yaml").read_bytes() == data


def test_installed_import_names_are_what_the_installed_metadata_says():
    # One distribution is looked up by name (not every installed one): for each one
    # installed here, the names are those `packages_distributions` gives it.
    from importlib.metadata import distributions, packages_distributions

    from migrator.adapters.environment import installed_import_names
    from migrator.engine.shadowing import _normalize, import_names

    expected: dict[str, set[str]] = {}
    for top, dists in packages_distributions().items():
        for dist in dists:
            expected.setdefault(_normalize(dist), set()).add(top)
    names = {_normalize(d.metadata["Name"]) for d in distributions()} & set(expected)
    assert "pytest" in names and "pyyaml" in names
    assert {n: set(import_names(n, installed_import_names)) for n in names} == {n: expected[n] for n in names}
