"""Old paths in comments and docstrings (issue 15): listed by `plan` (MIG918, file:line),
rewritten (the dotted path alone) in the mapping's `target.prose`, guarded there by
`check` (MIG008)."""

from __future__ import annotations

from tests.helpers import run_cli, write_project

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
}

MAIN = '''\
"""Entry point; dates come from app.utils.dates (see app.utils.dates.today)."""

from app.utils.dates import today  # app.utils.dates is the source


def run():
    """Calls app.utils.dates.today, not app.utilsx."""
    label = "app.utils.dates is printed, not prose"
    return today(), label
'''


def _mapping(prose: str = "") -> str:
    return (
        "version: 1\n"
        f"target: {{root: proj, source_roots: [src]{prose}}}\n"
        "phases:\n"
        "  - {phase: 1, title: Move, moves: [{from: app.utils, to: app.common.utils}]}\n"
    )


def test_comments_and_docstrings_are_listed_and_left_alone(tmp_path):
    mapping = write_project(tmp_path, {**FILES, "src/app/main.py": MAIN}, _mapping())
    plan = run_cli("plan", "--mapping", str(mapping), "--format", "summary")
    assert plan.exit_code == 0, plan.output
    listed = sorted(" ".join(line.split()) for line in plan.stderr.splitlines() if "MIG918" in line)
    where = [line.split(" MIG918")[0].split()[-1] for line in listed]
    assert where == ["src/app/main.py:1:33:", "src/app/main.py:1:54:", "src/app/main.py:3:38:", "src/app/main.py:7:14:"]
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes").exit_code == 0
    after = (tmp_path / "proj/src/app/main.py").read_text()
    assert after == MAIN.replace("from app.utils.dates import today", "from app.common.utils.dates import today")


def test_in_target_prose_they_follow_the_move_and_check_guards_them(tmp_path):
    mapping = write_project(tmp_path, {**FILES, "src/app/main.py": MAIN}, _mapping(', prose: ["src/**"]'))
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes").exit_code == 0
    after = (tmp_path / "proj/src/app/main.py").read_text()
    expected = MAIN.replace("app.utils.dates", "app.common.utils.dates").replace(
        '"app.common.utils.dates is printed, not prose"', '"app.utils.dates is printed, not prose"'
    )
    assert after == expected  # the string value is code, not prose: the rules decide it (MIG909)
    (tmp_path / "proj/src/app/later.py").write_text("# moved from app.utils.dates\nX = 1\n")
    result = run_cli("check", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if ": MIG" in line] == [
        "src/app/later.py:1:14: MIG008 comment or docstring naming 'app.utils.dates' — moved to 'app.common.utils.dates'"
    ]
