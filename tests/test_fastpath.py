"""The short way (from-import statements rewritten on their own, migrator/engine/fastpath.py)
gives exactly what the rules over the whole file give, and is really taken.

Users rely on `plan` showing the same diff however the engine gets there: these tests
compare both ways on every rule example, on hand-made layouts that stress the splice
(indentation, functions, CRLF, comments, continuation lines, no final newline), and on
every file of every seed phase.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from hypothesis import given
from hypothesis import strategies as st

from migrator.adapters.planning import plan_target
from migrator.engine import fastpath
from migrator.engine.rewrite import rewrite_file
from migrator import report
from migrator.mapping.spec import load_mapping
from migrator.model.plan import FileContext, MoveSet
from migrator.model.triggers import Trigger
from rules import ALL_RULES, PIPELINE_EXAMPLES
from rules.base import Rule

REPO = Path(__file__).resolve().parents[1]


def _both_ways(path: str, source: str, ctx: FileContext, moves: MoveSet):
    data = source.encode("utf-8")
    whole = rewrite_file(path, data, ctx, moves, statements_alone=False)
    short = rewrite_file(path, data, ctx, moves, statements_alone=True)
    return whole, short


_EXAMPLES = [
    pytest.param(example, id=f"{rule.name}: {example.id}")
    for rule in ALL_RULES
    for example in (*rule.EXAMPLES, *rule.UNCHANGED)
] + [pytest.param(example, id=f"pipeline: {example.id}") for example in PIPELINE_EXAMPLES]


@pytest.mark.parametrize("example", _EXAMPLES)
def test_every_rule_example_comes_out_the_same_either_way(example):
    ctx = example.context()
    whole, short = _both_ways(ctx.path, example.before, ctx, example.move_set())
    assert short == whole


MOVES = MoveSet({"pkg.old": "pkg.new", "pkg.sub": "other.sub", "legacy": "modern.core"})

# Sources where every reference is a from-import: the short way must be taken.
SPLICED = {
    "plain": "from pkg.old import f\n\nf()\n",
    "two statements, comments kept": (
        "# leading comment\n"
        "from pkg.old import f  # trailing\n"
        "import os\n"
        "from pkg.sub.mod import (  # why\n"
        "    g,  # first\n"
        "    h,\n"
        ")\n"
    ),
    "indented under if/try": (
        "import sys\n"
        "if sys.version_info > (3,):\n"
        "    try:\n"
        "        from pkg.old import f\n"
        "    except ImportError:  # pragma: no cover\n"
        "        from legacy import f\n"
    ),
    "lazy, in a method": (
        "class A:\n"
        "    def run(self):\n"
        "        from pkg.old import f\n"
        "        return f()\n"
    ),
    "backslash continuation": "from pkg.old import \\\n    f, g\n",
    "no final newline": "x = 1\nfrom pkg.old import f",
    "crlf": "import os\r\nfrom pkg.old import f\r\n\r\ndef g():\r\n    from pkg.sub import m\r\n    return m\r\n",
    "non-ascii before it": 'NAME = "Zoë"\nfrom pkg.old import f  # é\n',
    "module imported from its package": "from pkg import old, sub as s\n\nold.f()\n",
    "relative import inside the package": "from .old import f\nfrom . import sub\n",
    "star import": "from pkg.old import *\n",
}

# Layouts the splice cannot cut out exactly: the rules run over the whole file.
WHOLE = {
    "shares its line": "import os; from pkg.old import f\n",
    "after a compound header": "if True: from pkg.old import f\n",
    "followed by a statement": "from pkg.old import f; f()\n",
    "plain import elsewhere": "import pkg.old\nfrom pkg.old import f\n",
    "patch string": 'from pkg.old import f\nTARGET = "pkg.old.f"\n',
    "mixed line endings": "from pkg.old import f\r\nx = 1\n",
}


@pytest.mark.parametrize("name", sorted(SPLICED))
def test_from_import_layouts_take_the_short_way_with_the_same_result(name):
    source = SPLICED[name]
    ctx = FileContext("pkg/user.py", "pkg.user", "pkg.user")
    found = fastpath.triage(source, ctx, MOVES)
    assert found is not None and not found.whole_file
    assert fastpath.rewrite_statements(source, found.statements, ctx, MOVES) is not None, "the short way was not taken"
    whole, short = _both_ways(ctx.path, source, ctx, MOVES)
    assert short == whole
    assert short[0] != source.encode("utf-8"), "the example must change"


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_layouts_the_splice_cannot_cut_fall_back_to_the_whole_file(name):
    source = WHOLE[name]
    ctx = FileContext("pkg/user.py", "pkg.user", "pkg.user")
    found = fastpath.triage(source, ctx, MOVES)
    assert found is not None
    if not found.whole_file:
        assert fastpath.rewrite_statements(source, found.statements, ctx, MOVES) is None
    whole, short = _both_ways(ctx.path, source, ctx, MOVES)
    assert short == whole
    assert short[0] != source.encode("utf-8")


def test_files_without_references_are_cleared_without_the_rules():
    ctx = FileContext("pkg/user.py", "pkg.user", "pkg.user")
    # The last component appears, but nothing reaches a moved name.
    assert fastpath.triage("from pkg.older import old\n# pkg.old is documented elsewhere\n", ctx, MOVES) is None
    assert fastpath.triage('from pkg.old import f\nNOTE = "old"\n', ctx, MOVES) is not None


def _fake_rule(rule_name: str, triggers: frozenset[Trigger]) -> type[Rule]:
    return type(f"Fake_{rule_name}", (Rule,), {"name": rule_name, "description": "fake", "TRIGGERS": triggers})


def test_triage_picks_the_rules_whose_triggers_the_file_shows():
    ctx = FileContext("pkg/user.py", "pkg.user", "pkg.user")
    registry = (
        _fake_rule("strings", frozenset({Trigger.STRING})),
        _fake_rule("imports", frozenset({Trigger.IMPORT, Trigger.CHAIN})),
        _fake_rule("lazy", frozenset({Trigger.LAZY_EXPORTS})),
    )

    def picked(source: str):
        found = fastpath.triage(source, ctx, MOVES, registry=registry)
        return None if found is None else found.rules

    assert picked('TARGET = "pkg.old.f"\n') == {"strings"}
    assert picked("import pkg.old\n") == {"imports"}
    assert picked("import pkg as p\np.old.f()\n") == {"imports"}
    assert picked('import pkg.old\nTARGET = "pkg.old.f"\n') == {"strings", "imports"}
    # A file that shows only triggers no rule of the registry declares is cleared.
    assert picked("from pkg.old import f\n") is None
    assert picked('NOTE = "old"\n') is None
    # With every rule: a from-import statement (the short way's small module) is import_from's.
    assert [rule.name for rule in fastpath.rules_for({Trigger.FROM_IMPORT})] == ["import_from"]


def test_a_moving_file_runs_only_the_rules_its_references_and_relative_imports_trigger():
    moving = FileContext("pkg/user.py", "pkg.user", "lib.user")
    assert fastpath.triage("import os\n\nx = os.sep\n", moving, MOVES) is None  # moved as it is
    relative = fastpath.triage("from . import helpers\n", moving, MOVES)
    assert relative is not None and relative.whole_file and relative.rules == {"import_from"}
    both = fastpath.triage('from .helpers import h\nTARGET = "pkg.old.f"\n', moving, MOVES)
    assert both is not None and both.whole_file and both.rules == {"import_from", "string_target"}
    # the same file that stays where it is has no reason to be rewritten
    assert fastpath.triage("from . import helpers\n", FileContext("pkg/user.py", "pkg.user", "pkg.user"), MOVES) is None
    # kept on facades: every rule decides what stays
    kept = FileContext("pkg/user.py", "pkg.user", "lib.user", keep_on_facades=True)
    assert fastpath.triage("import os\n", kept, MOVES) is fastpath.WHOLE_FILE


def test_every_seed_phase_plans_the_same_either_way(tmp_path):
    shutil.copytree(REPO / "target_repo_fixture", tmp_path / "target_repo_fixture", ignore=shutil.ignore_patterns("__pycache__", ".migrator"))
    shutil.copy(REPO / "mapping.yaml", tmp_path / "mapping.yaml")
    mapping = load_mapping(tmp_path / "mapping.yaml")
    whole = plan_target(mapping, jobs=1, cache=False, statements_alone=False)
    short = plan_target(mapping, jobs=1, cache=False)
    assert not whole.errors
    assert report.plan_json(short) == report.plan_json(whole)
    assert report.plan_diff(short) == report.plan_diff(whole)


def _outside_by_rescanning(text, words, spans):
    """The plain definition `fastpath._outside` must keep: every match, its line and
    byte column counted from the start, tested against every span."""
    for m in words.finditer(text):
        start = m.start()
        line = text.count("\n", 0, start) + 1
        col = len(text[text.rfind("\n", 0, start) + 1:start].encode("utf-8"))
        if not any(a <= (line, col) < b for a, b in spans):
            return True
    return False


@given(
    st.lists(
        st.sampled_from(["import pkg.dates\n", "from pkg import dates as d\n", "x = dates\n", "# dates é\n", "y = 1\n", "s = 'pkg.dates'\n"]),
        max_size=40,
    )
)
def test_the_outside_search_equals_rescanning_from_the_start(lines):
    import ast
    import re

    from migrator.analysis import pyast

    text = "".join(lines)
    scan = pyast.scan(text)
    spans = [((r[0], r[1]), (r[2], r[3])) for r in scan[0]]
    words = re.compile(r"\bdates\b")
    assert ast.parse(text) is not None
    assert fastpath._outside(text, words, spans) == _outside_by_rescanning(text, words, spans)


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if not r.ON_KEPT_FILES], ids=lambda r: r.name)
def test_a_rule_that_says_it_leaves_kept_files_alone_does(rule):
    # The triage gives a file kept on facades only the rules with ON_KEPT_FILES: every
    # other rule must change nothing in one, and warn about nothing, on every example.
    import libcst as cst

    for example in (*rule.EXAMPLES, *rule.UNCHANGED):
        ctx = dataclasses.replace(example.context(), keep_on_facades=True)
        module = cst.parse_module(example.before)
        result = rule().rewrite(module, ctx, example.move_set())
        assert result.module is module and not result.edits and not result.diagnostics, example.id


def test_a_kept_file_gets_only_the_rules_that_can_change_it():
    kept = FileContext("pkg/user.py", "pkg.user", "pkg.user", keep_on_facades=True)
    # an import of a moved module: the facade serves it, no rule runs
    assert fastpath.triage("import pkg.old\n", kept, MOVES) is None
    # a write to sys.modules under an old name: string_target decides
    found = fastpath.triage("import sys\nsys.modules['pkg.old'] = None\n", kept, MOVES)
    assert found is not None and found.whole_file and found.rules == frozenset({"string_target"})
