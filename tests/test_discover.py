"""Without `--mapping`, commands find the mapping as ruff finds its configuration: the
nearest `mapping.yaml` from the working directory up to the repository root, or a
`pyproject.toml` there whose `[tool.migrator] mapping` names it; messages show the
mapping's path relative to the working directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from migrator.mapping.discover import MappingNotFound, find_mapping, folders
from migrator.mapping.spec import MappingError, shown_path
from tests.helpers import run_cli

MAPPING = """\
version: 1
target: {root: ., source_roots: [src]}
phases:
  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}
"""
FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
}


def _find(files: dict[str, str], start: str, stop: str | None = "/r"):
    """find_mapping over an in-memory tree (absolute posix paths → text)."""
    return find_mapping(
        Path(start), stop=Path(stop) if stop else None,
        is_file=lambda p: p.as_posix() in files, read_text=lambda p: files[p.as_posix()],
    )


# --------------------------------------------------------------------------- the rules, pure


def test_the_nearest_mapping_yaml_wins():
    files = {"/r/mapping.yaml": "", "/r/a/mapping.yaml": ""}
    assert _find(files, "/r/a/b").path == Path("/r/a/mapping.yaml")
    assert _find(files, "/r").path == Path("/r/mapping.yaml")


def test_a_pyproject_entry_points_at_the_mapping_relative_to_itself():
    files = {"/r/pyproject.toml": '[tool.migrator]\nmapping = "migration/plan.yaml"\n', "/r/migration/plan.yaml": ""}
    found = _find(files, "/r/src/app")
    assert found.path == Path("/r/migration/plan.yaml") and "[tool.migrator]" in found.origin


def test_a_closer_mapping_yaml_beats_a_pyproject_entry_further_up():
    files = {"/r/pyproject.toml": '[tool.migrator]\nmapping = "m.yaml"\n', "/r/m.yaml": "", "/r/sub/mapping.yaml": ""}
    assert _find(files, "/r/sub").path == Path("/r/sub/mapping.yaml")


def test_a_pyproject_without_the_entry_does_not_stop_the_search():
    files = {"/r/mapping.yaml": "", "/r/sub/pyproject.toml": "[project]\nname = 'x'\n", "/r/sub2/pyproject.toml": "[tool.migrator]\nother = 1\n"}
    assert _find(files, "/r/sub").path == Path("/r/mapping.yaml")
    assert _find(files, "/r/sub2").path == Path("/r/mapping.yaml")


def test_one_folder_naming_two_different_mappings_is_an_error_not_a_guess():
    files = {"/r/mapping.yaml": "", "/r/pyproject.toml": '[tool.migrator]\nmapping = "other.yaml"\n', "/r/other.yaml": ""}
    with pytest.raises(MappingError, match="keep one"):
        _find(files, "/r")
    same = {"/r/mapping.yaml": "", "/r/pyproject.toml": '[tool.migrator]\nmapping = "./mapping.yaml"\n'}
    assert _find(same, "/r").path == Path("/r/mapping.yaml")


@pytest.mark.parametrize(
    "pyproject,message",
    [
        pytest.param('[tool.migrator]\nmapping = "gone.yaml"\n', "no such file", id="names a missing file"),
        pytest.param("[tool.migrator]\nmapping = 3\n", "must be the path", id="not a string"),
        pytest.param("[tool.migrator\nmapping = 'x'\n", "not valid TOML", id="broken TOML"),
    ],
)
def test_a_bad_pyproject_entry_names_the_pyproject(pyproject, message):
    with pytest.raises(MappingError, match=message) as info:
        _find({"/r/pyproject.toml": pyproject}, "/r")
    assert info.value.path.endswith("pyproject.toml")


def test_the_search_stops_at_the_repository_root():
    files = {"/mapping.yaml": "", "/home/mapping.yaml": ""}
    with pytest.raises(MappingNotFound) as info:
        _find(files, "/home/r/sub", stop="/home/r")
    assert "no mapping.yaml in /home/r/sub or its parents up to /home/r (the repository root)" in str(info.value)
    assert "run `migrate init`" in str(info.value) and "--mapping" in str(info.value)
    assert _find(files, "/home/r/sub", stop=None).path == Path("/home/mapping.yaml")  # outside git: up to /


def test_folders_are_nearest_first_and_include_the_stop():
    assert folders(Path("/a/b/c"), Path("/a/b")) == [Path("/a/b/c"), Path("/a/b")]
    assert folders(Path("/a"), Path("/elsewhere")) == [Path("/a"), Path("/")]


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert shown_path(tmp_path / "a" / "b" / "m.yaml") == "m.yaml"
    assert shown_path(tmp_path / "a" / "b" / "c" / "m.yaml") == "c/m.yaml"
    assert shown_path(tmp_path / "mapping.yaml") == "../../mapping.yaml"
    assert shown_path(Path("/elsewhere/mapping.yaml")) == "/elsewhere/mapping.yaml"


# --------------------------------------------------------------------------- through the CLI


def _git_project(base: Path, mapping_at: str = "mapping.yaml") -> Path:
    repo = base / "repo"
    for rel, text in FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    (repo / mapping_at).parent.mkdir(parents=True, exist_ok=True)
    (repo / mapping_at).write_text(MAPPING.replace("root: .", "root: " + ("/".join([".."] * mapping_at.count("/")) or ".")), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def test_a_command_run_in_a_subfolder_finds_the_mapping_at_the_repository_root(tmp_path, monkeypatch):
    repo = _git_project(tmp_path)
    monkeypatch.chdir(repo / "src" / "app")
    result = run_cli("plan", "--format", "summary", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "Split utils" in result.stdout


def test_a_pyproject_entry_is_followed_through_the_cli(tmp_path, monkeypatch):
    repo = _git_project(tmp_path, "migration/plan.yaml")
    (repo / "pyproject.toml").write_text('[tool.migrator]\nmapping = "migration/plan.yaml"\n', encoding="utf-8")
    monkeypatch.chdir(repo / "src")
    result = run_cli("status")
    assert result.exit_code == 0, result.output
    assert "Split utils" in result.stdout


def test_no_mapping_up_to_the_repository_root_is_exit_2_with_what_to_do(tmp_path, monkeypatch):
    repo = _git_project(tmp_path)
    (repo / "mapping.yaml").rename(tmp_path / "mapping.yaml")  # above the repository: not ours
    monkeypatch.chdir(repo / "src")
    result = run_cli("plan")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"no mapping.yaml in {(repo / 'src').resolve()} or its parents up to {repo.resolve()} (the repository root)" in text
    assert "run `migrate init` to write one, or pass --mapping FILE" in text


def test_an_error_in_a_mapping_found_in_a_parent_shows_its_path_from_here(tmp_path, monkeypatch):
    repo = _git_project(tmp_path)
    (repo / "mapping.yaml").write_text(MAPPING.replace("title: Split utils", "titel: Split utils"), encoding="utf-8")
    monkeypatch.chdir(repo / "src" / "app")
    result = run_cli("status")
    assert result.exit_code == 2
    assert "../../mapping.yaml:4:16: unknown key 'titel'" in result.output


def test_no_such_phase_names_the_mapping_from_here(tmp_path, monkeypatch):
    repo = _git_project(tmp_path)
    monkeypatch.chdir(repo / "src")
    result = run_cli("plan", "--phase", "7")
    assert result.exit_code == 2
    assert "../mapping.yaml: there is no phase 7 — phases are 1" in result.output


def test_a_move_refused_in_a_mapping_found_in_a_parent_names_it_from_here(tmp_path, monkeypatch):
    repo = _git_project(tmp_path)
    (repo / "mapping.yaml").write_text(MAPPING.replace("app.utils.dates, to", "app.utils.nope, to"), encoding="utf-8")
    monkeypatch.chdir(repo / "src")
    result = run_cli("plan", "--no-cache")
    assert result.exit_code == 3
    assert "../mapping.yaml:4:" in result.output and "MIG101" in result.output
