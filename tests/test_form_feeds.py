"""Form feeds (`^L`, PEP 8's page breaks) and other characters `str.splitlines` treats as
line ends survive a rewrite byte for byte (issue 15)."""

from __future__ import annotations

import ast

import pytest

from migrator.engine.rewrite import keep_form_feeds
from migrator.model.text import python_lines
from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
facades: {style: none}
phases:
  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}
"""

BEFORE = (
    "import os\n"
    "\x0c\n"
    "from app.utils.dates import today\n"
    "\x0c\x0cimport app.utils.dates\n"
    "\x0cx = app.utils.dates.today()\n"
    "if x:\n"
    "    pass\n"
    "    \x0cz = app.utils.dates\n"
    "def f():\n"
    "\x0c    return today()\n"
)


def test_form_feeds_before_rewritten_and_untouched_statements_are_kept(tmp_path):
    files = {
        "src/app/__init__.py": "",
        "src/app/utils/__init__.py": "",
        "src/app/utils/dates.py": "def today():\n    return 1\n",
        "src/app/main.py": BEFORE,
    }
    mapping = write_project(tmp_path, files, MAPPING)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    after = (tmp_path / "proj/src/app/main.py").read_text(encoding="utf-8")
    assert after == BEFORE.replace("app.utils.dates", "app.dates")


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("\x0cx = a.b\n", "x = c\n", "\x0cx = c\n"),
        ("y = 1\n\x0cx = a.b\n", "y = 1\nimport q\nx = c\n", "y = 1\n\x0cimport q\nx = c\n"),  # a split statement
        ("\x0c    return 1\n", "\x0c    return 2\n", "\x0c    return 2\n"),  # libcst kept this one
        ("x = 1\r\n\x0cy = 2\r\n", "x = 1\r\ny = 3\r\n", "x = 1\r\n\x0cy = 3\r\n"),
        ("no feeds\n", "changed\n", "changed\n"),
    ],
)
def test_keep_form_feeds_puts_each_lead_back_on_its_line(old, new, expected):
    assert keep_form_feeds(old, new) == expected


def test_python_lines_are_the_lines_ast_numbers():
    text = 's = "a\u2028b"\x0c\nx = 1\r\ny = 2\rz = 3  # \x85\nw = 4\n'
    lines = python_lines(text)
    for node in ast.parse(text).body:
        assert lines[node.lineno - 1].lstrip("\x0c").startswith(ast.unparse(node.targets[0]))
    assert python_lines(text, keepends=True)[1] == "x = 1\r\n"
    assert "".join(python_lines(text, keepends=True)) == text
