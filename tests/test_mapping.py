"""mapping.yaml: the seed's plan loads, and every mistake is named at its line:col."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from migrator.mapping.spec import MappingError, json_schema_text, load_mapping

REPO = Path(__file__).resolve().parents[1]

# The seed's "File Mapping" section, old → new, as the mapping resolves it. Where the
# seed contradicts itself, the mapping's documented choice is on the right:
#   environment.py: config/ or azureml/ → Azure-specific, and azureml/ would shadow the
#   Azure ML SDK → azure_ml.environment; jobs/<x>/ vs top-level <x>/ → top-level, as the
#   seed's proposed structure and Phase 8 say.
SEED_FILE_MAPPING = {
    "orchestration.config_loader": "config.loader",
    "orchestration.conversion_config": "config.conversion",
    "orchestration.final_training_config": "config.training",
    "orchestration.environment": "azure_ml.environment",
    "orchestration.config_compat": "config.validation",
    "orchestration.fingerprints": "fingerprints.compute",
    "orchestration.index_manager": "metadata.index",
    "orchestration.metadata_manager": "metadata.training",
    "orchestration.constants": "constants.orchestration",
    "orchestration.data_assets": "azure_ml.data_assets",
    "orchestration.drive_backup": "storage.drive",
    "orchestration.jobs.selection": "selection",
    "orchestration.jobs.benchmarking": "benchmarking",
    "orchestration.jobs.conversion": "conversion",
    "orchestration.jobs.final_training": "training",
    "orchestration.jobs.hpo": "hpo",
}


def _moves(mapping):
    return {m.source: m.to for p in mapping.spec.phases for m in p.moves}


def test_the_seed_mapping_loads_with_the_seed_phase_numbers_and_titles():
    mapping = load_mapping(REPO / "mapping.yaml")
    assert mapping.phase_numbers == (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
    titles = {p.phase: p.title for p in mapping.spec.phases}
    assert titles[2] == "Create config module"
    assert titles[8] == "Reorganize jobs"
    assert titles[11] == "Update internal imports"
    assert mapping.root == (REPO / "target_repo_fixture").resolve()
    assert "notebooks/**" in mapping.spec.target.keep_on_facades


@pytest.mark.parametrize("old,new", sorted(SEED_FILE_MAPPING.items()), ids=lambda v: v)
def test_every_row_of_the_seed_file_mapping_is_a_move(old, new):
    assert _moves(load_mapping(REPO / "mapping.yaml")).get(old) == new


def test_the_seed_dry_consolidations_are_symbol_moves():
    moves = _moves(load_mapping(REPO / "mapping.yaml"))
    assert moves["orchestration.path_resolution:validate_path_before_mkdir"] == "paths.validation"
    assert moves["orchestration.mlflow_utils:setup_mlflow_for_stage"] == "tracking.mlflow.setup"
    assert moves["orchestration.path_resolution:resolve_hpo_output_dir"].startswith("hpo.")
    assert moves["orchestration.benchmark_utils"] == "benchmarking.utils"


def test_the_published_json_schema_is_generated_from_the_loader_model():
    committed = (REPO / "migrator" / "mapping.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(), "run `migrate schema > migrator/mapping.schema.json`"
    schema = json.loads(committed)
    assert schema["properties"]["facades"]["$ref"].endswith("FacadeSpec")
    assert "from" in schema["$defs"]["MoveSpec"]["properties"]


VALID_HEAD = """\
version: 1
target:
  root: .
phases:
  - phase: 2
    title: Config
    moves:
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


INVALID = [
    pytest.param(
        VALID_HEAD + "      - {form: a.b, to: c.d}\n",
        8, 10, "unknown key 'form'", "did you mean 'from'?",
        id="misspelled key suggests the right one",
    ),
    pytest.param(
        VALID_HEAD + "      - from: a.b\n        too: c.d\n",
        9, 9, "unknown key 'too'", "did you mean 'to'?",
        id="misspelled key in block style",
    ),
    pytest.param(
        VALID_HEAD + "      - from: a.b\n",
        8, 9, "is missing the key 'to'", "add `to: ...`",
        id="missing destination",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: src/a/b.py, to: c.d}\n",
        8, 16, "'src/a/b.py', which is not a valid path", "dotted module path",
        id="file path instead of dotted path",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.b, to: 'c.d:Name'}\n",
        8, 25, "not a valid path", "dotted module path like `pkg.module`",
        id="symbol syntax is only for sources",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.class, to: c.d}\n",
        8, 16, "'class' is a Python keyword", "rename it",
        id="python keyword as module name",
    ),
    pytest.param(
        "version: 1\nfacades: {style: aliases}\nphases:\n  - {phase: 2, title: T}\n",
        2, 18, "facades.style is 'aliases', which is not allowed", "'alias', 'reexport' or 'none'",
        id="unknown facade style",
    ),
    pytest.param(
        "version: 1\ncycles: forbid\nphases:\n  - {phase: 2, title: T}\n",
        2, 9, "cycles is 'forbid'", "'forbid-new' or 'warn'",
        id="unknown cycle policy",
    ),
    pytest.param(
        "version: 2\nphases:\n  - {phase: 2, title: T}\n",
        1, 10, "version is 2", "use one of 1",
        id="unsupported version",
    ),
    pytest.param(
        "target: {root: .}\nphases:\n  - {phase: 2, title: T}\n",
        1, 1, "is missing the key 'version'", "add `version: ...`",
        id="missing version",
    ),
    pytest.param(
        "version: 1\nphases:\n  - {phase: two, title: T}\n",
        3, 13, "phases[0].phase is 'two'", "whole number",
        id="phase number that is not a number",
    ),
    pytest.param(
        "version: 1\nphases:\n  - {phase: 2, title: A}\n  - {phase: 2, title: B}\n",
        4, 13, "phase 2 appears twice", "its own number",
        id="duplicate phase number",
    ),
    pytest.param(
        "version: 1\nphases:\n  - {phase: 3, title: A}\n  - {phase: 2, title: B}\n",
        4, 13, "phase 2 comes after phase 3", "ascending order",
        id="phases out of order",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.b, to: c.d}\n      - {from: a.b, to: e.f}\n",
        9, 16, "'a.b' is moved twice", "one move per source",
        id="same source moved twice",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.b, to: c.d}\n      - {from: a.x, to: c.d}\n",
        9, 25, "two moves go to 'c.d'", "merge",
        id="two moves to one destination",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.b, to: a.b.c}\n",
        8, 25, "cannot move 'a.b' into itself", "outside it",
        id="move into itself",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: a.b, to: a.b}\n",
        8, 16, "moves nothing", "change `to`",
        id="move onto itself",
    ),
    pytest.param(
        VALID_HEAD + "      - {from: 'a.b:f', to: c.d, merge: true}\n",
        8, 41, "`merge` applies to package moves", "remove it",
        id="merge on a symbol move",
    ),
    pytest.param(
        "version: 1\nphases:\n  - phase: 2\n    title: A\n   moves: []\n",
        5, 4, "", "fix the YAML syntax",
        id="broken indentation",
    ),
    pytest.param(
        "version: 1\nversion: 1\nphases:\n  - {phase: 2, title: A}\n",
        2, 1, "duplicate", "keys must be unique",
        id="duplicate key",
    ),
    pytest.param(
        "version: 1\nphases:\n  - {phase: 2, title: A, moves: {from: a, to: b}}\n",
        3, 33, "phases[0].moves", "must be a list",
        id="moves not a list",
    ),
    pytest.param(
        "- just\n- a list\n",
        1, 1, "must be a YAML mapping", "mapping.schema.json",
        id="not a mapping at all",
    ),
]


@pytest.mark.parametrize("text", ["version: 1\nphases: []\n", "version: 1\nphases:\n  # - {phase: 1, title: A}\n"], ids=["empty list", "only comments"])
def test_a_mapping_without_phases_yet_loads(tmp_path, text):
    """`migrate init` writes one: its example phase is a comment under `phases:`."""
    assert load_mapping(_write(tmp_path, text)).phase_numbers == ()


@pytest.mark.parametrize("text,line,col,what,fix", INVALID)
def test_each_mistake_is_reported_at_its_line_and_column_with_a_fix(tmp_path, text, line, col, what, fix):
    path = _write(tmp_path, text)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    err = info.value
    assert (err.line, err.col) == (line, col), str(err)
    assert str(err).startswith(f"{path}:{line}:{col}: ")
    assert what in err.message
    assert fix in err.message


def test_a_missing_mapping_file_says_how_to_get_one(tmp_path):
    with pytest.raises(MappingError, match="check the path, or run `migrate init` to write one"):
        load_mapping(tmp_path / "nope.yaml")


def test_defaults_fill_in_what_a_small_mapping_leaves_out(tmp_path):
    path = _write(tmp_path, VALID_HEAD + "      - {from: a.b, to: c.d}\n")
    mapping = load_mapping(path)
    assert mapping.spec.facades.style == "alias"
    assert mapping.spec.cycles == "forbid-new"
    assert mapping.spec.target.source_roots == ("src",)
    move = mapping.spec.phases[0].moves[0]
    assert (move.source, move.to, move.merge, move.prefer) == ("a.b", "c.d", False, None)
    assert mapping.location(move) == (8, 16)
