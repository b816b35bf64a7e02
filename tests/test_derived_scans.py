"""A rewritten file's import scan is worked out from its scan before, not parsed again
(issue 16: the cycle gate parsed every rewritten file although only module names in its
import statements changed): `pyast.rescan` gives exactly what `pyast.scan` gives, or
None, and then the file is parsed."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from migrator.adapters.planning import plan_target
from migrator.analysis import pyast
from migrator.mapping.spec import load_mapping
from tests.helpers import copy_fixture

REPO = Path(__file__).resolve().parents[1]

#: Statement lines a module can hold (each ends its line); `{i}` is the indentation.
_LINES = [
    "{i}import old.mod\n",
    "{i}import old.mod as m\n",
    "{i}from old.mod import a, b\n",
    "{i}from old import mod\n",
    "{i}from old.mod import (\n{i}    a,  # old.mod\n{i}    b,\n{i})\n",
    "{i}from old.mod import a; x = 1\n",
    "{i}x = 1; from old.mod import a\n",
    "{i}from . import mod\n",
    "{i}from .old.mod import *\n",
    "{i}import os, old.mod\n",
    "{i}from old.mod \\\n{i}    import a\n",
    "{i}y = 'old.mod'\n",
    "{i}# old.mod\n",
    "{i}from __future__ import annotations\n",
    "{i}pass\n",
]
#: Block headers: what follows is indented one step more.
_HEADERS = ["def f():\n", "class K:\n", "if TYPE_CHECKING:\n", "try:\n", "if x:\n"]
#: Rewrites of the text (what the rules may do, and what they never do).
_REWRITES = [
    ("old.mod", "new.place"),
    ("old.mod", "old.mod2"),
    ("from old import mod", "from new import mod"),
    ("from old import mod", "from new import place as mod"),
    ("import old.mod as m", "import new.place as m"),
    ("import old.mod\n", "import old.mod, json\n"),
    ("from old.mod import a, b", "from new.place import (\n    a,\n    b,\n)"),
    ("a, b", "b, a"),
    ("a, b", "a as b, b"),
    ("import", "import "),
    ("    a,", "a,"),
    ("x = 1", "x = 2"),
    ("x = 1", "import json"),
    ("    from", "  from"),
    ("    from", "from"),
    ("old.mod", "__future__"),
    ("\n", "\r\n"),
]


def _module(draw_lines: list[tuple[int, int]]) -> str:
    out = []
    depth = 0
    for kind, step in draw_lines:
        if kind < len(_HEADERS) and step == 0 and depth < 2:
            out.append("    " * depth + _HEADERS[kind])
            depth += 1
            continue
        out.append(_LINES[kind % len(_LINES)].format(i="    " * depth))
        if step == 1 and depth:
            depth -= 1
    if depth:
        out.append("    " * depth + "pass\n")
    return "".join(out)


_MODULES = st.lists(st.tuples(st.integers(0, len(_LINES) - 1), st.integers(0, 2)), min_size=1, max_size=10).map(_module)


@settings(max_examples=400, deadline=None)
@given(_MODULES, st.lists(st.sampled_from(_REWRITES), min_size=1, max_size=3), st.integers(0, 3))
@example("import old.mod\nx = old.mod.f()\n", [("old.mod", "new.place")], 0)
@example("from old.mod import a; x = 1\n", [("x = 1", "import json")], 0)  # a statement joins the line
@example("x = 1; from old.mod import a\n", [("x = 1", "import json")], 0)
@example("def f():\n    from old.mod import a\n    pass\n", [("    from", "  from")], 0)  # re-indented
@example("from old.mod import a, b\n", [("from old.mod import a, b", "from new.place import (\n    a,\n    b,\n)")], 0)
def test_a_derived_scan_is_the_parsed_scan(before, rewrites, which):
    after = before
    for old, new in rewrites:
        # One occurrence, or all: a rule rewrites one statement, or every one.
        after = after.replace(old, new, 1) if which % 2 else after.replace(old, new)
    scanned = pyast.scan(before.encode())
    if scanned[1] is not None:
        return  # the generated module does not parse (a `from __future__` late, say)
    derived = pyast.rescan(before, scanned, after)
    if derived is not None:
        assert derived == pyast.scan(after.encode())


def test_renamed_modules_in_import_statements_are_derived_not_parsed():
    before = "import os\nfrom old.mod import a  # why\n\n\ndef f():\n    import old.mod as m\n    return m, a\n"
    after = before.replace("old.mod", "new.place")
    derived = pyast.rescan(before, pyast.scan(before.encode()), after)
    assert derived is not None and derived == pyast.scan(after.encode())
    # A change outside import statements, or one that moves lines, is left to the parser.
    assert pyast.rescan(before, pyast.scan(before.encode()), after.replace("return m", "return  m")) is None
    assert pyast.rescan(before, pyast.scan(before.encode()), after.replace("import os\n", "")) is None


def test_every_derived_scan_of_the_seed_plan_is_the_parsed_one(tmp_path, monkeypatch):
    # The fixture's ten phases, planned with every derived scan checked against a parse.
    results = {"derived": 0, "parsed": 0}
    real = pyast.rescan

    def checked(before_text, before_scan, after_text):
        derived = real(before_text, before_scan, after_text)
        if derived is not None:
            assert derived == pyast.scan(after_text.encode("utf-8"))
            results["derived"] += 1
        else:
            results["parsed"] += 1
        return derived

    monkeypatch.setattr(pyast, "rescan", checked)
    mapping = load_mapping(copy_fixture(tmp_path))
    plan = plan_target(mapping, cache=False)
    assert not plan.errors
    assert results["derived"] > 0, results


def test_the_generated_trees_derive_their_rewritten_scans(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "bench"))
    from gen_repo import generate

    tree = tmp_path / "tree"
    generate(tree, modules=300, moves=5, seed=7, cycles=True)
    seen = []
    real = pyast.rescan

    def checked(before_text, before_scan, after_text):
        derived = real(before_text, before_scan, after_text)
        seen.append(derived is not None)
        if derived is not None:
            assert derived == pyast.scan(after_text.encode("utf-8"))
        return derived

    monkeypatch.setattr(pyast, "rescan", checked)
    plan = plan_target(load_mapping(tree / "mapping.yaml"), cache=False)
    assert plan.phases and sum(seen) > 0, seen


def test_files_with_an_encoding_of_their_own_are_parsed_not_derived():
    # A BOM or an encoding declaration: the parser applies its rules, so no derivation.
    assert pyast.source_text(b"\xef\xbb\xbfimport old.mod\n") is None
    assert pyast.source_text(b"# -*- coding: latin-1 -*-\nimport old.mod\n") is None
    assert pyast.source_text(b"\xff = 1\n") is None
    assert pyast.source_text(b"import old.mod\n") == "import old.mod\n"
