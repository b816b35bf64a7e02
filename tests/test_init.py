"""`migrate init`: a starter mapping.yaml from the project's own layout, which loads, on
which every command runs, and whose commented example is a phase `plan` can show."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from migrator.commands.init import InitError, detect_layout, example_move
from migrator.mapping.spec import load_mapping
from tests.helpers import run_cli

SRC_LAYOUT = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "import datetime\n\n\ndef today():\n    return datetime.date.today().isoformat()\n",
    "src/app/report.py": "from app.utils.dates import today\n\n\ndef banner():\n    return today()\n",
    "tests/test_report.py": "from app.report import banner\n",
}

FLAT_LAYOUT = {
    "shop/__init__.py": "",
    "shop/cart.py": "from shop.pricing import total\n\n\ndef checkout(items):\n    return total(items)\n",
    "shop/pricing.py": "def total(items):\n    return sum(items)\n",
    "tests/__init__.py": "",
    "tests/test_cart.py": "from shop.cart import checkout\n",
    "setup.py": "from setuptools import setup\nsetup()\n",
}


def _write(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return base


def _uncomment_example(mapping: Path) -> None:
    """Uncomment the example phase the way a person would: drop `# ` before its lines."""
    text = mapping.read_text(encoding="utf-8")
    block = re.search(r"^  # - phase: 1\n(?:  #   .*\n)+", text, re.M)
    assert block, text
    mapping.write_text(text.replace(block.group(0), re.sub(r"^  # ", "  ", block.group(0), flags=re.M)), encoding="utf-8")


def test_a_src_layout_gets_its_root_packages_and_a_mapping_that_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, SRC_LAYOUT))
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    mapping = load_mapping(tmp_path / "mapping.yaml")
    assert mapping.spec.target.source_roots == ("src",)
    assert mapping.root == tmp_path.resolve() and mapping.phase_numbers == ()
    row = next(line for line in result.stdout.splitlines() if "src/ layout" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["src", "src/ layout", "app", "-"]
    out = " ".join(result.stdout.split())
    assert "wrote mapping.yaml: the source roots above, and no phase yet" in out
    assert "run `migrate plan`" in out  # found from here: no --mapping needed


def test_the_starter_mapping_plans_nothing_and_its_uncommented_example_is_a_valid_move(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, SRC_LAYOUT))
    assert run_cli("init").exit_code == 0
    plan = run_cli("plan")
    assert plan.exit_code == 0, plan.output
    assert "has no phases yet; nothing to plan" in " ".join(plan.output.split())
    for command in (["status"], ["check", "--no-cache"], ["audit"]):
        result = run_cli(*command)
        assert result.exit_code == 0, (command, result.output)
    _uncomment_example(tmp_path / "mapping.yaml")
    planned = run_cli("plan", "--format", "json", "--no-cache")
    assert planned.exit_code == 0, planned.output
    assert '"from": "app.utils.dates"' in planned.stdout and '"to": "app.dates"' in planned.stdout
    assert '"path": "src/app/report.py"' in planned.stdout  # its importer follows the move


def test_a_flat_layout_is_the_top_folder_without_tests_or_setup_py(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, FLAT_LAYOUT))
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    assert "flat layout" in result.stdout
    layout = detect_layout(FLAT_LAYOUT, None)
    assert [(r.path, r.packages, r.modules) for r in layout.roots] == [(".", ("shop",), ())]
    assert load_mapping(tmp_path / "mapping.yaml").spec.target.source_roots == (".",)
    _uncomment_example(tmp_path / "mapping.yaml")
    planned = run_cli("plan", "--format", "summary", "--no-cache")
    assert planned.exit_code == 0, planned.output
    move = example_move(layout)
    assert move is not None and move.source in ("shop.cart", "shop.pricing") and move.destination.startswith("shop.")


def test_a_folder_without_a_python_package_is_one_message_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, {"run.py": "print('hi')\n", "tests/test_run.py": "", "docs/conf.py": ""}))
    result = run_cli("init")
    assert result.exit_code == 2
    assert "no Python package found" in result.output and "--target DIR" in result.output
    assert str(tmp_path) in result.output  # names the folder it looked at
    assert not (tmp_path / "mapping.yaml").exists()


def test_an_existing_mapping_is_never_overwritten_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, SRC_LAYOUT))
    (tmp_path / "mapping.yaml").write_text("version: 1\nphases: []\n# mine\n", encoding="utf-8")
    result = run_cli("init")
    assert result.exit_code == 2
    assert "mapping.yaml already exists" in result.output and "--force" in result.output and "nothing changed" in result.output
    assert (tmp_path / "mapping.yaml").read_text(encoding="utf-8") == "version: 1\nphases: []\n# mine\n"
    assert run_cli("init", "--force").exit_code == 0
    assert "source_roots: [src]" in (tmp_path / "mapping.yaml").read_text(encoding="utf-8")


def test_a_target_elsewhere_is_written_relative_to_the_mapping_and_the_next_command_names_it(tmp_path, monkeypatch):
    _write(tmp_path / "proj", SRC_LAYOUT)
    (tmp_path / "plans").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--target", "proj", "--mapping", "plans/mapping.yaml")
    assert result.exit_code == 0, result.output
    assert "root: ../proj" in (tmp_path / "plans" / "mapping.yaml").read_text(encoding="utf-8")
    assert load_mapping(tmp_path / "plans" / "mapping.yaml").root == (tmp_path / "proj").resolve()
    assert "migrate plan --mapping plans/mapping.yaml" in " ".join(result.stdout.split())


def test_the_schema_line_points_at_a_schema_file_that_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(_write(tmp_path, SRC_LAYOUT))
    assert run_cli("init").exit_code == 0
    first = (tmp_path / "mapping.yaml").read_text(encoding="utf-8").splitlines()[0]
    ref = first.removeprefix("# yaml-language-server: $schema=")
    assert ref != first
    schema = (tmp_path / ref).resolve() if not Path(ref).is_absolute() else Path(ref)
    assert schema.is_file() and schema.name == "mapping.schema.json"
    assert schema.read_text(encoding="utf-8") == run_cli("schema").stdout


def test_a_mapping_beside_the_schema_refers_to_it_relatively(tmp_path):
    from migrator.cli.init import _schema_ref
    from tests.helpers import REPO

    assert _schema_ref(REPO) == "./migrator/mapping.schema.json"  # as this repository's own mapping.yaml
    assert Path(_schema_ref(tmp_path)).is_absolute()


def test_in_git_the_listing_is_what_git_sees(tmp_path, monkeypatch):
    _write(tmp_path, SRC_LAYOUT)
    _write(tmp_path, {"vendored/lib/__init__.py": "", ".gitignore": "vendored/\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").exit_code == 0
    assert load_mapping(tmp_path / "mapping.yaml").spec.target.source_roots == ("src",)


# --------------------------------------------------------------------------- layouts


def test_pyproject_package_dir_names_the_root_even_without_a_src_folder():
    files = ["lib/pkg/__init__.py", "lib/pkg/core.py", "other/x/__init__.py"]
    layout = detect_layout(files, '[tool.setuptools]\npackage-dir = {"" = "lib"}\n')
    assert [(r.path, r.origin) for r in layout.roots] == [("lib", "pyproject.toml [tool.setuptools] package-dir")]


def test_pyproject_packages_find_where_can_name_several_roots():
    files = ["src/a/__init__.py", "plugins/b/__init__.py", "plugins/b/m.py"]
    layout = detect_layout(files, '[tool.setuptools.packages.find]\nwhere = ["src", "plugins"]\n')
    assert layout.source_roots == ("plugins", "src")
    assert "a.__init__" not in layout.module_names and {"a", "b", "b.m"} <= set(layout.module_names)


def test_a_declared_root_without_code_is_noted_and_the_tree_decides():
    layout = detect_layout(["src/app/__init__.py"], '[tool.setuptools.packages.find]\nwhere = ["source"]\n')
    assert layout.source_roots == ("src",)
    assert any("'source'" in n and "ignored" in n for n in layout.notes)


def test_a_pyproject_that_does_not_parse_is_noted_and_the_tree_decides():
    layout = detect_layout(["app/__init__.py"], "[tool.setuptools\n")
    assert layout.source_roots == (".",) and "not valid TOML" in layout.notes[0]


def test_several_roots_put_the_deepest_first_so_each_file_has_one_module_name():
    files = ["app/__init__.py", "services/api/src/api/__init__.py", "services/api/src/api/views.py", "tests/fixtures/proj/src/x/__init__.py"]
    layout = detect_layout(files, None)
    assert layout.source_roots == ("services/api/src", ".")
    assert "api.views" in layout.module_names and not any(n.startswith("services") for n in layout.module_names)


def test_namespace_packages_under_src_count():
    layout = detect_layout(["src/ns/part/mod.py", "src/single.py"], None)
    assert [(r.path, r.packages, r.modules) for r in layout.roots] == [("src", ("ns",), ("single",))]


@pytest.mark.parametrize(
    "files",
    [
        pytest.param([], id="empty folder"),
        pytest.param(["script.py", "setup.py"], id="scripts only"),
        pytest.param(["tests/__init__.py", "tests/test_a.py", "docs/conf.py"], id="tests and docs only"),
    ],
)
def test_no_package_is_an_init_error(files):
    with pytest.raises(InitError, match="no Python package found"):
        detect_layout(files, None)


def test_the_example_never_takes_a_name_that_exists():
    names = ["a/__init__.py", "a/b/__init__.py", "a/b/c.py", "a/c.py", "a/core.py"]
    move = example_move(detect_layout(names, None))
    # a.b.c cannot flatten onto a.c, and a.core is a plain module: a.b.core.c is free
    assert move is not None and (move.source, move.destination) == ("a.b.c", "a.b.core.c")


def test_the_readme_shows_what_init_prints(tmp_path, monkeypatch):
    """README "Getting started": the output block is `migrate init` on the README's own
    example project, verbatim."""
    from tests.helpers import REPO
    from tests.test_readme_example import FILES

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Getting started") : text.index("## Your own project in five lines")]
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    assert blocks[0] == "$ migrate init\n"
    monkeypatch.chdir(_write(tmp_path, FILES))
    result = run_cli("init")
    assert result.exit_code == 0
    assert result.stdout == blocks[1]


def test_a_mapping_further_up_that_the_new_one_hides_is_pointed_out(tmp_path, monkeypatch):
    _write(tmp_path, {"mapping.yaml": "version: 1\nphases: []\n", **{f"sub/{k}": v for k, v in SRC_LAYOUT.items()}})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path / "sub")
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    assert "note ../mapping.yaml, further up, is no longer the mapping commands find here" in " ".join(result.output.split())
