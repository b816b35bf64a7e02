"""A diff on a terminal goes through a pager, as `git diff` does: `MIGRATOR_PAGER`, else
`PAGER`, else `less` with `LESS=FRX`; in colour, a header per phase. In a pipe, in CI
or with `--no-pager` it is printed directly, and a pipe gets the plain patch."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrator.report.console import coloured_diff, pager_command, pager_env
from tests.helpers import write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}
"""
FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": 'def today():\n    """The date."""\n    return "2026-12-03"\n',
    "src/app/report.py": "from app.utils.dates import today\n\n\ndef banner():\n    return today()\n",
}
MIGRATE = str(Path(sys.executable).with_name("migrate"))
ESC = b"\x1b["


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, FILES, MAPPING)


def _pager(tmp_path: Path) -> tuple[Path, Path]:
    """A pager that copies what it is given to a file, and records $LESS."""
    out = tmp_path / "paged.txt"
    script = tmp_path / "fake-pager"
    script.write_text(f'#!/bin/sh\ncat > "{out}"\necho "LESS=$LESS" > "{out}.env"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, out


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PAGER", "MIGRATOR_PAGER", "LESS", "NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="40", **extra)
    return env


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run `migrate ARGS` with a pseudo-terminal as stdin, stdout and stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([MIGRATE, *args], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=30), out


def test_on_a_terminal_the_diff_reaches_the_pager_in_colour_with_a_header_per_phase(tmp_path, project):
    pager, paged = _pager(tmp_path)
    rc, screen = _on_a_terminal(["plan", "--mapping", str(project), "--no-cache"], _env(PAGER=str(pager)))
    assert rc == 0, screen
    text = paged.read_bytes()
    assert ESC in text  # colours pass through
    assert b"phase 1: Split utils" in text and b"diff --git a/src/app/report.py b/src/app/report.py" in text
    assert b"migrate plan: summary" in text  # the summary follows the diff in the pager
    assert b"diff --git" not in screen  # ...and not on the screen
    assert (tmp_path / "paged.txt.env").read_text(encoding="utf-8").strip() == "LESS=FRX"  # git's default for less


def test_migrator_pager_wins_over_pager_and_an_empty_one_means_none(tmp_path, project):
    pager, paged = _pager(tmp_path)
    rc, _ = _on_a_terminal(["plan", "--mapping", str(project), "--no-cache"], _env(PAGER="false", MIGRATOR_PAGER=str(pager)))
    assert rc == 0 and paged.is_file()
    paged.unlink()
    rc, screen = _on_a_terminal(["plan", "--mapping", str(project), "--no-cache"], _env(PAGER=str(pager), MIGRATOR_PAGER=""))
    assert rc == 0 and not paged.exists()
    assert b"diff --git" in screen


@pytest.mark.parametrize("how", ["--no-pager", "CI"])
def test_no_pager_and_ci_print_on_the_terminal_directly(tmp_path, project, how):
    pager, paged = _pager(tmp_path)
    args = ["plan", "--mapping", str(project), "--no-cache"] + (["--no-pager"] if how == "--no-pager" else [])
    env = _env(PAGER=str(pager), **({"CI": "true"} if how == "CI" else {}))
    rc, screen = _on_a_terminal(args, env)
    assert rc == 0
    assert not paged.exists()
    assert b"diff --git a/src/app/report.py" in screen and b"phase 1: Split utils" in screen


def test_in_a_pipe_nothing_is_paged_and_the_patch_is_plain(tmp_path, project):
    pager, paged = _pager(tmp_path)
    proc = subprocess.run([MIGRATE, "plan", "--mapping", str(project), "--no-cache", "--format", "diff"], capture_output=True, env=_env(PAGER=str(pager)), check=False)
    assert proc.returncode == 0, proc.stderr
    assert not paged.exists()
    assert ESC not in proc.stdout and b"phase 1: Split utils (" not in proc.stdout  # a header would break the patch
    assert proc.stdout.startswith(b"diff --git a/src/app/utils/dates.py b/src/app/dates.py\n")
    applied = subprocess.run(["git", "apply", "--check", "-"], input=proc.stdout, cwd=project.parent / "proj", capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr


# --------------------------------------------------------------------------- the parts


@pytest.mark.parametrize(
    "env,expected",
    [
        pytest.param({}, "less", id="nothing set: less"),
        pytest.param({"PAGER": "more"}, "more", id="PAGER"),
        pytest.param({"PAGER": "more", "MIGRATOR_PAGER": "most"}, "most", id="MIGRATOR_PAGER first"),
        pytest.param({"PAGER": "cat"}, None, id="cat is no pager"),
        pytest.param({"PAGER": "more", "MIGRATOR_PAGER": ""}, None, id="empty is no pager"),
    ],
)
def test_the_pager_is_chosen_as_git_chooses_its_own(env, expected):
    assert pager_command(env) == expected


def test_less_gets_git_defaults_unless_the_user_set_their_own():
    assert pager_env({})["LESS"] == "FRX"
    assert pager_env({"LESS": "-R"})["LESS"] == "-R"


def test_the_coloured_diff_says_exactly_what_the_patch_says():
    patch = (
        "diff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1,4 +1,4 @@\n"
        ' """Doc\n-old line in a docstring\n+new line in a docstring\n """\n'
        "-import x\n+import y\n\\ No newline at end of file\n"
        "diff --git a/conf.yaml b/conf.yaml\n--- a/conf.yaml\n+++ b/conf.yaml\n@@ -1 +1 @@\n-a: x.y\n+a: x.z\n"
    )
    text = coloured_diff(patch)
    assert text.plain == patch

    def colours(piece: str) -> set:
        return {sp.style.color.name for sp in text.spans if text.plain[sp.start : sp.end] == piece and getattr(sp.style, "color", None)}

    doc, keyword = colours("new line in a docstring"), colours("import")
    assert doc and keyword and not doc & keyword  # a line inside a docstring is coloured as the string it is
    assert colours("a: x.z") == set()  # not Python: no token colours
