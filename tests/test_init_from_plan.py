"""`migrate init --from-plan PLAN.md`: a reorganization plan written in Markdown becomes a
mapping that loads; what the plan leaves open is commented out at its place with the
plan's words and line, never chosen for the user; nothing is dropped."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from migrator.commands.init import detect_layout
from migrator.commands.init_plan import read_plan, resolve
from migrator.mapping.spec import load_mapping
from tests.helpers import FIXTURE, REPO, run_cli

#: A verbatim copy of the seed's plan (../shared/seed/), so the suite runs in a clone.
SEED_PLAN = REPO / "tests" / "plans" / "orchestration-reorganization-plan.md"


def _cited(plan: Path, folder: Path) -> str:
    """How the written mapping names the plan (README): relative to the mapping's folder,
    absolute when the two share no folder but the file system root."""
    if Path(os.path.commonpath([plan, folder])) == Path(plan.anchor):
        return plan.as_posix()
    return Path(os.path.relpath(plan, folder)).as_posix()
SHARED_SEED = REPO.parent / "shared" / "seed" / "orchestration-reorganization-plan.md"

APP = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "import datetime\n\n\ndef today():\n    return datetime.date.today().isoformat()\n",
    "src/app/utils/text.py": "def shout(s):\n    return s.upper()\n",
    "src/app/report.py": "from app.utils.dates import today\n\n\ndef banner():\n    return today()\n",
}


def _write(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return base


def _moves(mapping: Path) -> set[tuple]:
    """(phase, from, to, merge, prefer) of every move the mapping holds (not its comments)."""
    spec = load_mapping(mapping).spec
    return {(p.phase, m.source, m.to, m.merge, m.prefer) for p in spec.phases for m in p.moves}


def _from_plan(tmp_path: Path, monkeypatch, plan: str, *extra: str):
    _write(tmp_path, APP)
    (tmp_path / "PLAN.md").write_text(plan, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return run_cli("init", "--from-plan", "PLAN.md", *extra)


def _flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the seed


#: Every difference between what `init --from-plan` makes of the seed's plan and the
#: repository's hand-written mapping.yaml, each with the mapping.yaml comment that
#: documents the decision taken there (the test checks each quote is in mapping.yaml).
ENVIRONMENT = "The seed hesitates between config/environment.py and azureml/environment.py. The module is \"Azure ML environment config\" — Azure specific — so it moves with the Azure ML module in phase 6."
AZURE_ML = "`azure_ml` keeps the seed's intent without the shadowing."
STRUCTURE = "The seed's \"File Mapping\" says jobs/selection/, jobs/benchmarking/, ... but its Phase 8 and \"Proposed Module Structure\" say top-level selection/, benchmarking/, conversion/, training/. We follow the structure"
TRAINING = "src/training/ already exists (the trainer): merge, never overwrite."
GENERIC = "benchmark_utils (latency statistics) has no job-specific code: generic, so it becomes benchmarking/utils.py (the seed's \"if generic\" branch)."
HPO = "Complete the HPO migration (seed DRY check 4), with the seed's file names."
TRACKING = "Generic MLflow utilities leave jobs/tracking (seed DRY check 3); trackers, run index and run finder are job-specific and stay in orchestration.jobs.tracking."
VALIDATE = "Identical to paths.validation's copy: a consolidation, references go there."
HPO_PATHS = "HPO-specific (seed DRY check 1): hpo/utils/paths.py, with the constant it uses."
MLFLOW = "A copy of tracking.mlflow.setup's function (seed DRY check 2)."
HAND_MADE = "Internal code still imports through the facades of the earlier, hand-made moves (orchestration.paths, .naming, ...). Point those references at the real modules"

DOCUMENTED: dict[tuple[str, tuple], str] = {
    # phase 6: the plan's azureml/ package, renamed
    ("generated only", (6, "orchestration.data_assets", "azureml.data_assets", False, None)): AZURE_ML,
    ("hand-written only", (6, "orchestration.data_assets", "azure_ml.data_assets", False, None)): AZURE_ML,
    # the plan's "or" / "(if Azure-specific)": decided for phase 6
    ("hand-written only", (6, "orchestration.environment", "azure_ml.environment", False, None)): ENVIRONMENT,
    # phase 8: File Mapping and Phase 8 disagree; the structure was followed
    ("hand-written only", (8, "orchestration.jobs.selection", "selection", False, None)): STRUCTURE,
    ("hand-written only", (8, "orchestration.jobs.benchmarking", "benchmarking", False, None)): STRUCTURE,
    ("hand-written only", (8, "orchestration.jobs.conversion", "conversion", False, None)): STRUCTURE,
    ("hand-written only", (8, "orchestration.jobs.final_training", "training", True, None)): TRAINING,
    ("hand-written only", (8, "orchestration.benchmark_utils", "benchmarking.utils", False, None)): GENERIC,
    # phase 8: "(verify what's already moved)" and the DRY check's rows outside every phase
    ("hand-written only", (8, "orchestration.jobs.hpo", "hpo", True, None)): HPO,
    ("hand-written only", (8, "orchestration.jobs.hpo.local_sweeps", "hpo.execution.local.sweep", False, "destination")): HPO,
    ("hand-written only", (8, "orchestration.jobs.hpo.hpo_helpers", "hpo.utils.helpers", False, None)): HPO,
    ("hand-written only", (8, "orchestration.jobs.hpo.search_space", "hpo.core.search_space", False, None)): HPO,
    ("hand-written only", (8, "orchestration.jobs.hpo.study_extractor", "hpo.core.study", False, None)): HPO,
    ("hand-written only", (8, "orchestration.jobs.hpo.azureml", "hpo.execution.azureml", False, None)): HPO,
    ("hand-written only", (8, "orchestration.jobs.tracking.config", "tracking.config", False, None)): TRACKING,
    ("hand-written only", (8, "orchestration.jobs.tracking.artifacts", "tracking.artifacts", False, None)): TRACKING,
    # phase 9: the plan's checklist names no move; the DRY checks leave each open
    ("hand-written only", (9, "orchestration.path_resolution:validate_path_before_mkdir", "paths.validation", False, None)): VALIDATE,
    ("hand-written only", (9, "orchestration.path_resolution:HPO_OUTPUT_SUBDIR", "hpo.utils.paths", False, None)): HPO_PATHS,
    ("hand-written only", (9, "orchestration.path_resolution:resolve_hpo_output_dir", "hpo.utils.paths", False, None)): HPO_PATHS,
    ("hand-written only", (9, "orchestration.mlflow_utils:setup_mlflow_for_stage", "tracking.mlflow.setup", False, None)): MLFLOW,
    # phase 11: the plan's checklist names no move; the hand-made facades are pointed home
    **{
        ("hand-written only", (11, source, to, False, "destination")): HAND_MADE
        for source, to in [
            ("orchestration.paths", "paths"),
            ("orchestration.naming_centralized", "paths"),
            ("orchestration.naming", "naming"),
            ("orchestration.tokens", "naming.context_tokens"),
            ("orchestration.normalize", "core.normalize"),
            ("orchestration.jobs.tracking.naming.run_names", "naming.mlflow.run_names"),
            ("orchestration.jobs.tracking.utils.mlflow_setup", "tracking.mlflow.setup"),
            ("orchestration.jobs.tracking.utils.mlflow_runs", "tracking.mlflow.runs"),
            ("orchestration.jobs.tracking.utils.mlflow_artifacts", "tracking.mlflow.artifacts"),
        ]
    },
}


def test_the_plan_copy_is_the_seed_plan():
    if not SHARED_SEED.is_file():
        pytest.skip("the seed folder is not beside this repository")
    assert SEED_PLAN.read_bytes() == SHARED_SEED.read_bytes()


def test_the_seed_plan_matches_the_hand_written_mapping_except_where_it_documents_a_decision(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    result = run_cli("init", "--target", str(FIXTURE), "--from-plan", str(SEED_PLAN), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    generated, hand_written = _moves(mapping), _moves(REPO / "mapping.yaml")
    differences = {("generated only", m) for m in generated - hand_written} | {("hand-written only", m) for m in hand_written - generated}
    undocumented = sorted(differences - set(DOCUMENTED))
    assert not undocumented, "differences no mapping.yaml comment documents:\n" + "\n".join(map(str, undocumented))
    assert differences == set(DOCUMENTED), sorted(set(DOCUMENTED) - differences)  # the list is not stale
    comments = _flat(" ".join(line.split("#", 1)[1] if "#" in line else line for line in (REPO / "mapping.yaml").read_text(encoding="utf-8").splitlines()))
    for quote in set(DOCUMENTED.values()):
        assert _flat(quote) in comments, quote
    assert len(generated & hand_written) == 9  # phases 2, 3, 4, 5 and 7 as written by hand


def test_the_seeds_open_choices_are_commented_out_with_its_words_and_line(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    assert run_cli("init", "--target", str(FIXTURE), "--from-plan", str(SEED_PLAN), "--mapping", str(mapping)).exit_code == 0
    text = mapping.read_text(encoding="utf-8")
    plan = _cited(SEED_PLAN, mapping.parent)
    assert not {m for m in _moves(mapping) if m[1] == "orchestration.environment"}  # no alternative is chosen
    # the "or" row, with the two other rows about the same module
    block = text[text.index(f"# TO DECIDE {plan}:165: Move `environment.py` → `config/environment.py` (or `azureml/environment.py`)"):]
    block = block[: block.index("- {from: orchestration.config_compat")]
    assert f"{plan}:192: Move `environment.py` → `azureml/environment.py` (if Azure-specific)" in block
    assert f"{plan}:274:" in block
    assert "# - {from: orchestration.environment, to: config.environment}" in block
    assert "# - {from: orchestration.environment, to: azureml.environment}" in block
    # two rows that disagree: Phase 8 against the File Mapping
    assert f"# TO DECIDE {plan}:204: Move `orchestration/jobs/selection/` → `selection/` (keep internal structure)" in text
    assert f"{plan}:300: `orchestration/jobs/selection/` → `jobs/selection/`" in text
    # "verify", "if generic", a phase without moves, a row that names no source
    assert f"# TO DECIDE {plan}:221: Move remaining `orchestration/jobs/hpo/` → `hpo/` (verify what's already moved)" in text
    assert '(if generic) or keep in `benchmarking/` if job-specific' in text and 'the plan leaves it open: "if", "or"' in text
    assert f"# TO DECIDE {plan}:237 Phase 10: Create Legacy Facades — lists no move" in text
    assert f"# NOT READ {plan}:226: Move generic utilities to `tracking/` if not already there" in text
    # a symbol move read from "`name()` … move to `x`", its module from the enclosing item
    assert '# - {from: "orchestration.path_resolution:resolve_hpo_output_dir", to: hpo}' in text


def test_the_seeds_summary_table_counts_what_was_taken_left_and_not_read(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    result = run_cli("init", "--target", str(FIXTURE), "--from-plan", str(SEED_PLAN), "--mapping", str(mapping))
    out = result.stdout
    row = next(line for line in out.splitlines() if line.startswith("│  162 "))
    assert [c.strip() for c in row.strip("│").split("│")] == ["162", "2", "taken", "orchestration.config_loader → config.loader", "-"]
    row = next(line for line in out.splitlines() if line.startswith("│  204 "))
    assert "to decide" in row and "line 300" in row
    assert "wrote" in out and "10 moves in 7 phases; 23 left for you to decide and 7 not read" in _flat(out)


# --------------------------------------------------------------------------- other shapes


def test_a_table_without_phase_headings_is_one_phase_named_after_the_plan(tmp_path, monkeypatch):
    plan = (
        "# Split the app\n\n"
        "| Old path | New path | Note |\n"
        "| --- | --- | --- |\n"
        "| `src/app/utils/dates.py` | `src/app/dates.py` | |\n"
        "| `app/utils/text.py` | `app/text.py` | only if we keep it |\n"
        "| `app/report.py:banner` | `app/banner.py` | |\n"
    )
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == {
        (1, "app.utils.dates", "app.dates", False, None),
        (1, "app.report:banner", "app.banner", False, None),
    }
    spec = load_mapping(tmp_path / "mapping.yaml").spec
    assert spec.phases[0].title == "Split the app"
    text = (tmp_path / "mapping.yaml").read_text(encoding="utf-8")
    assert "# TO DECIDE PLAN.md:6: `app/utils/text.py` | `app/text.py` | only if we keep it" in text
    assert "# - {from: app.utils.text, to: app.text}" in text
    planned = run_cli("plan", "--format", "json", "--no-cache")
    assert planned.exit_code == 0, planned.output
    assert '"from": "app.utils.dates"' in planned.stdout and '"path": "src/app/report.py"' in planned.stdout


def test_a_nested_list_gives_phases_and_a_symbol_in_the_module_its_parent_names(tmp_path, monkeypatch):
    plan = (
        "# Reorganization\n\n"
        "- Phase 1: Dates\n"
        "  - Utilities\n"
        "    - `utils/dates.py` → `app/dates.py`\n"
        "- Phase 2: Reports\n"
        "  - In `app/report.py`:\n"
        "    - `banner()` - presentation only, move to `app/banner.py`\n"
    )
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == {
        (1, "app.utils.dates", "app.dates", False, None),
        (2, "app.report:banner", "app.banner", False, None),
    }
    assert [p.title for p in load_mapping(tmp_path / "mapping.yaml").spec.phases] == ["Dates", "Reports"]
    assert run_cli("plan", "--format", "summary", "--no-cache", "--no-pager").exit_code == 0


def test_plain_arrows_under_setext_headings_and_a_source_the_target_lacks(tmp_path, monkeypatch):
    plan = (
        "Phase 1 - Dates\n"
        "===============\n\n"
        "* src/app/utils/dates.py -> src/app/dates.py\n"
        "* app.utils.date -> app.when\n"
        "* Phase 2: not a phase inside a phase -> prose\n\n"
        "Phase 2 - Text\n"
        "==============\n\n"
        "1. app/utils/text.py -> app/text/\n"
    )
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == {
        (1, "app.utils.dates", "app.dates", False, None),
        (2, "app.utils.text", "app.text", False, None),
    }
    text = (tmp_path / "mapping.yaml").read_text(encoding="utf-8")
    assert "# NOT READ PLAN.md:5: app.utils.date -> app.when" in text
    assert "#   no such module under src/: `app.utils.date` — did you mean app.utils.dates?" in text
    row = next(line for line in result.stdout.splitlines() if line.startswith("│    5 "))
    assert "not read" in row


def test_rows_that_disagree_or_share_a_destination_are_all_left_open(tmp_path, monkeypatch):
    plan = (
        "## Phase 1: One\n\n"
        "- [ ] Move `app/utils/dates.py` → `app/dates.py`\n"
        "- [x] Move `app/utils/text.py` → `app/common.py`\n"
        "- [ ] Move `app/report.py` → `app/common.py`\n\n"
        "## Phase 2: Two\n\n"
        "- `app/utils/dates.py` → `app/when.py`\n\n"
        "## Phase 2: Again\n\n"
        "- `app/utils/` → `app/helpers/`\n"
    )
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == set()
    text = (tmp_path / "mapping.yaml").read_text(encoding="utf-8")
    assert "# TO DECIDE PLAN.md:3: Move `app/utils/dates.py` → `app/dates.py`" in text
    assert "#   PLAN.md:9: `app/utils/dates.py` → `app/when.py`" in text
    assert "# TO DECIDE PLAN.md:4: Move `app/utils/text.py` → `app/common.py`" in text
    assert "#   another row also moves a module to app.common; keep one:" in text
    assert "# TO DECIDE PLAN.md:11 Phase 2: Again — phase 2 appears twice in the plan" in text
    assert "#     # - {from: app.utils, to: app.helpers}" in text  # its row, commented with it
    assert [p.phase for p in load_mapping(tmp_path / "mapping.yaml").spec.phases] == [1, 2]


def test_reading_is_pure_and_cites_lines():
    reading = read_plan("## Phase 3: Later\n\nSome prose `a` → `b` is not a row.\n\n- `x.py` -> `y.py`\n- `z.py` -> `w.py`\n", "P.md")
    assert [(p.number, p.title, p.line) for p in reading.phases] == [(3, "Later", 1)]
    assert [(r.line, r.phase, r.sources, r.destinations) for r in reading.rows] == [(5, 3, ("x.py",), ("y.py",)), (6, 3, ("z.py",), ("w.py",))]
    layout = detect_layout(["src/pkg/__init__.py", "src/pkg/x.py"], None)
    (phase,) = resolve(reading, layout).phases
    taken, missing = phase.entries
    assert (taken.kind, taken.moves[0].source, taken.moves[0].destination) == ("taken", "pkg.x", "y")  # the one module named x
    assert missing.kind == "unread" and missing.reason.startswith("no such module under src/: `z.py`")


# --------------------------------------------------------------------------- bad input


def test_a_plan_with_no_recognizable_move_is_exit_2_and_writes_nothing(tmp_path, monkeypatch):
    result = _from_plan(tmp_path, monkeypatch, "# Ideas\n\n- tidy things up\n- maybe split `app`\n\n```\nsrc/ → lib/\n```\n")
    assert result.exit_code == 2
    assert "PLAN.md: no move found" in _flat(result.output) and "nothing written" in result.output
    assert not (tmp_path / "mapping.yaml").exists()


def test_a_missing_or_binary_plan_is_exit_2(tmp_path, monkeypatch):
    _write(tmp_path, APP)
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--from-plan", "NOPE.md")
    assert result.exit_code == 2 and "NOPE.md: cannot be read" in _flat(result.output)
    (tmp_path / "BIN.md").write_bytes(b"\xff\xfe\x00bad")
    result = run_cli("init", "--from-plan", "BIN.md")
    assert result.exit_code == 2 and "BIN.md: cannot be read" in _flat(result.output)
    assert not (tmp_path / "mapping.yaml").exists()


def test_an_existing_mapping_is_never_overwritten_without_force(tmp_path, monkeypatch):
    _write(tmp_path, {"mapping.yaml": "version: 1\nphases: []\n# mine\n"})
    plan = "## Phase 1: Dates\n\n- `app/utils/dates.py` → `app/dates.py`\n"
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 2 and "already exists" in result.output and "--force" in result.output
    assert (tmp_path / "mapping.yaml").read_text(encoding="utf-8") == "version: 1\nphases: []\n# mine\n"
    assert run_cli("init", "--from-plan", "PLAN.md", "--force").exit_code == 0
    assert _moves(tmp_path / "mapping.yaml") == {(1, "app.utils.dates", "app.dates", False, None)}


@pytest.mark.parametrize(
    "row",
    [
        pytest.param("- `app/utils/dates.py` → `app/class/dates.py`", id="a keyword in the destination"),
        pytest.param("- `app/utils/` → `app/utils/inner/`", id="a package into itself"),
        pytest.param("- `dates.py` → `app:today`", id="a symbol as destination"),
    ],
)
def test_a_row_that_cannot_be_a_move_is_not_read_and_the_mapping_still_loads(tmp_path, monkeypatch, row):
    result = _from_plan(tmp_path, monkeypatch, f"## Phase 1: Bad\n\n{row}\n- `app/utils/text.py` → `app/text.py`\n")
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == {(1, "app.utils.text", "app.text", False, None)}
    assert re.search(r"# NOT READ PLAN\.md:3: ", (tmp_path / "mapping.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- README


def test_the_readme_example_is_what_init_from_plan_prints_and_writes(tmp_path, monkeypatch):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### From a plan you already wrote"): text.index("## Your own project in five lines")]
    plan = re.search(r"```markdown\n(.*?)```", section, re.S).group(1)
    printed = re.findall(r"```console\n(.*?)```", section, re.S)[1]
    phases = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert result.stdout == printed
    written = (tmp_path / "mapping.yaml").read_text(encoding="utf-8")
    assert written[written.index("phases:"):].rstrip("\n") == phases.rstrip("\n")
    assert run_cli("plan", "--format", "summary", "--no-cache", "--no-pager").exit_code == 0


def test_a_table_cell_without_a_path_is_not_a_destination(tmp_path, monkeypatch):
    plan = "## Phase 1 Dates\n\n| old | new |\n| --- | --- |\n| app/utils/text.py | N/A |\n| app/utils/dates.py | app/dates.py |\n"
    result = _from_plan(tmp_path, monkeypatch, plan)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "mapping.yaml") == {(1, "app.utils.dates", "app.dates", False, None)}
    assert load_mapping(tmp_path / "mapping.yaml").spec.phases[0].title == "Dates"  # "Phase 1 Dates": no colon needed
    text = (tmp_path / "mapping.yaml").read_text(encoding="utf-8")
    assert "# NOT READ PLAN.md:5: app/utils/text.py | N/A" in text and "#   names no destination" in text
