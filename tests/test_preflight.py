"""Every path a phase writes is checked against the real file system, by plan and apply alike.

Whatever the planner read (excluded files, skipped folders, links are not read), a phase
is refused (exit 3, the path named, nothing written) when the disk would not take what
it writes; `plan` reports the same refusal as `apply`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from migrator.adapters import apply as applier
from migrator.adapters.planning import plan_target
from migrator.adapters.preflight import preflight
from migrator.mapping.spec import load_mapping
from tests.helpers import run_cli
from tests.test_safety_transactions import FILES, tree_state, write_tree

SYMBOL_MOVE = """\
version: 1
target: {root: proj, source_roots: [src]%s}
phases:
  - phase: 1
    title: Entry point
    moves:
      - {from: "app.main:run", to: app.entry}
"""


def _project(tmp_path: Path, exclude: str = "") -> tuple[Path, Path]:
    write_tree(tmp_path / "proj", FILES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(SYMBOL_MOVE % (f", exclude: [{exclude!r}]" if exclude else ""), encoding="utf-8")
    return mapping, tmp_path / "proj"


def _plan_and_apply_refuse(mapping: Path, root: Path, words: str) -> None:
    before = tree_state(root)
    plan = run_cli("plan", "--mapping", str(mapping))
    apply = run_cli("apply", "--phase", "1", "--mapping", str(mapping))
    for result in (plan, apply):
        assert result.exit_code == 3, result.output
        assert "src/app/entry.py" in result.output and words in result.output, result.output
        assert "Traceback" not in result.output
    assert tree_state(root) == before


def test_an_excluded_file_at_the_destination_refuses_the_move(tmp_path):
    mapping, root = _project(tmp_path, exclude="src/app/entry.py")
    (root / "src/app/entry.py").write_bytes(b"# hand-written, excluded from the tool\n")
    _plan_and_apply_refuse(mapping, root, "excluded by target.exclude")


def test_a_folder_at_a_destination_file_path_refuses_the_move(tmp_path):
    mapping, root = _project(tmp_path)
    (root / "src/app/entry.py").mkdir()
    _plan_and_apply_refuse(mapping, root, "a folder is there")


def test_a_symlinked_destination_is_refused(tmp_path):
    mapping, root = _project(tmp_path)
    (tmp_path / "elsewhere.py").write_bytes(b"")
    (root / "src/app/entry.py").symlink_to(tmp_path / "elsewhere.py")
    _plan_and_apply_refuse(mapping, root, "is a symbolic link")
    assert (tmp_path / "elsewhere.py").read_bytes() == b""


def test_a_written_python_file_that_would_not_compile_is_refused_before_writing(tmp_path):
    mapping, root = _project(tmp_path)
    plan = plan_target(load_mapping(mapping), [1]).phases[0]
    change = next(c for c in plan.changes if c.path == "src/app/entry.py")
    broken = dataclasses.replace(plan, changes=tuple(
        dataclasses.replace(c, after=c.after + b"NAME = 'a\0b'\n") if c is change else c for c in plan.changes
    ))

    problems = preflight(root, broken)

    assert [p for p, _ in problems] == ["src/app/entry.py"]
    assert "does not parse" in problems[0][1]
    before = tree_state(root)
    with pytest.raises(applier.ApplyError, match="src/app/entry.py: the rewritten file does not parse"):
        applier.apply_phase(root, broken)
    assert tree_state(root) == before


def test_a_name_longer_than_the_file_system_allows_is_refused_by_plan(tmp_path):
    mapping, root = _project(tmp_path)
    plan = plan_target(load_mapping(mapping), [1]).phases[0]
    long_path = "src/app/" + "n" * 300 + ".py"
    too_long = dataclasses.replace(plan, changes=plan.changes + (dataclasses.replace(plan.changes[0], path=long_path, renamed_from=None),))

    problems = dict(preflight(root, too_long))

    assert "more than this file system allows" in problems[long_path]


# --------------------------------------------------------------------------- which files are read


def test_outside_git_folders_are_ignored_by_name_only_at_the_top_and_virtualenvs_anywhere(tmp_path):
    from migrator.adapters.snapshot import read_tree

    write_tree(tmp_path, {
        "src/app/__init__.py": b"",
        "src/app/build/__init__.py": b"",
        "src/app/env/settings.py": b"",
        "src/app/dist/x.py": b"",
        "src/app/venv/y.py": b"",
        "src/app/__pycache__/z.py": b"",
        "build/lib/app/__init__.py": b"",
        "venv/lib/site.py": b"",
        "tools/myenv/pyvenv.cfg": b"home = /usr\n",
        "tools/myenv/lib/site.py": b"",
        "tools/run.py": b"",
    })

    files = set(read_tree(tmp_path, ["src"]).files)

    assert files == {
        "src/app/__init__.py", "src/app/build/__init__.py", "src/app/env/settings.py", "src/app/dist/x.py",
        "src/app/venv/y.py", "tools/run.py",
    }


def test_in_a_git_work_tree_git_decides_which_files_are_read(tmp_path):
    import subprocess

    from migrator.adapters.snapshot import read_tree

    write_tree(tmp_path, {
        ".gitignore": b"generated/\nsrc/app/local_settings.py\n",
        "src/app/__init__.py": b"",
        "src/app/build/x.py": b"",
        "src/app/local_settings.py": b"",
        "src/app/untracked.py": b"",
        "generated/out.py": b"",
    })
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "src/app/__init__.py", "src/app/build/x.py"], check=True)

    files = set(read_tree(tmp_path, ["src"]).files)

    assert files == {"src/app/__init__.py", "src/app/build/x.py", "src/app/untracked.py"}


def test_a_git_ignored_file_at_the_destination_refuses_the_move(tmp_path):
    import subprocess

    mapping, root = _project(tmp_path)
    (root / ".gitignore").write_text("src/app/entry.py\n")
    (root / "src/app/entry.py").write_bytes(b"# generated locally, ignored by git\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _plan_and_apply_refuse(mapping, root, "git ignores it")


@pytest.mark.parametrize("prefer", ["", ", prefer: source"], ids=["plain move", "prefer source"])
def test_an_excluded_file_where_a_module_moves_is_never_overwritten(tmp_path, prefer):
    write_tree(tmp_path / "proj", FILES)
    root = tmp_path / "proj"
    (root / "src/app/dates.py").write_bytes(b"# hand-written, excluded from the tool\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\ntarget: {root: proj, source_roots: [src], exclude: ['src/app/dates.py']}\n"
        f"phases:\n  - {{phase: 1, title: Dates up, moves: [{{from: app.utils.dates, to: app.dates{prefer}}}]}}\n",
        encoding="utf-8",
    )
    before = tree_state(root)
    for result in (run_cli("plan", "--mapping", str(mapping)), run_cli("apply", "--phase", "1", "--mapping", str(mapping))):
        assert result.exit_code == 3, result.output
        assert "src/app/dates.py" in result.output, result.output
        assert "Traceback" not in result.output
    assert tree_state(root) == before


def test_a_rewritten_file_the_gate_scanned_is_not_compiled_again_and_a_broken_one_still_is(tmp_path, monkeypatch):
    mapping, root = _project(tmp_path)
    plan = plan_target(load_mapping(mapping), [1]).phases[0]
    compiled: list[str] = []
    real = compile
    monkeypatch.setattr("builtins.compile", lambda source, path, *a, **k: compiled.append(path) or real(source, path, *a, **k))
    assert preflight(root, plan) == []
    assert "src/app/entry.py" not in compiled  # the cycle gate parsed exactly these bytes
    # bytes nobody has parsed are compiled, and a file that does not parse is still refused
    change = next(c for c in plan.changes if c.path == "src/app/entry.py")
    broken = dataclasses.replace(plan, changes=tuple(
        dataclasses.replace(c, after=c.after + b"def (:\n") if c is change else c for c in plan.changes
    ))
    problems = preflight(root, broken)
    assert compiled.count("src/app/entry.py") == 1
    assert [p.split(":")[0] for p, _ in problems] == ["src/app/entry.py"]
    assert preflight(root, broken) == problems  # a failure is never remembered as parsing


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_list_the_target_once(tmp_path, monkeypatch, command):
    # The preflight asks why a file it would overwrite was not read only of files the
    # planner did not read, so the tree is listed (git ls-files) once per command.
    from migrator.adapters import snapshot

    mapping, root = _project(tmp_path)
    calls = []
    real = snapshot.listing

    def counted(where):
        calls.append(where)
        return real(where)

    monkeypatch.setattr(snapshot, "listing", counted)
    args = ["plan"] if command == "plan" else ["apply", "--phase", "1", "--yes"]
    result = run_cli(*args, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert len(calls) == 1


def test_a_file_the_planner_read_is_answered_without_the_disk(tmp_path):
    from migrator.adapters.snapshot import unread_reason

    why = unread_reason(tmp_path / "nowhere", read={"src/app/main.py"})
    assert why("src/app/main.py") is None
