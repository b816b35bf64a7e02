"""The shortcuts that spare work on files that cannot need it give the answers of the
long way: the prefilter's word test without a leading `\\b`, and the prose scan that
skips tokenizing a file whose moved names appear only on clean import lines."""

from __future__ import annotations

import re

from hypothesis import example, given, settings, strategies as st

from migrator.analysis import pyast
from migrator.engine.prefilter import Prefilter, may_refer
from migrator.model.plan import MoveSet
from migrator.engine import prose

MOVES = MoveSet(modules={"app.utils.dates": "app.time.dates", "app.fmt": "app.text.fmt"}, symbols={"app.core.helper": "app.tools.helper"})

# --------------------------------------------------------------------------- prefilter

_FRAGMENTS = ["dates", "fmt", "helper", "xdates", "dates_", "_fmt", "é", "helperx", " ", ".", "\n", "app", "utils", "from . import x", "import app.utils as u", "(", "ñfmt", "fmt9"]


def _old_hits(pattern: Prefilter, text: str) -> set[str]:
    """The words the prefilter found before the shortcut: one `\\b…\\b` regex."""
    return set(re.findall(r"\b(?:" + "|".join(sorted(map(re.escape, pattern.reach))) + r")\b", text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12))
def test_word_start_check_matches_the_word_boundary_regex(parts):
    text = "".join(parts)
    few = Prefilter(MOVES)
    assert few._each is not None and few.hits(text) == _old_hits(few, text)
    # the many-words path (more than 16 moved names) finds the same words
    many = Prefilter(MoveSet(modules={**MOVES.modules, **{f"pkg.m{i}": f"pkg.n{i}" for i in range(20)}}, symbols=MOVES.symbols))
    assert many._each is None and many.hits(text) == _old_hits(many, text)


def test_a_word_inside_a_longer_identifier_is_no_hit():
    pattern = Prefilter(MOVES)
    assert not pattern.may_refer("import app.utils.xdates\nmydates = 1\n")
    assert pattern.may_refer("import app.utils.dates\n")
    assert pattern.may_refer("é = 1\nfrom app.utils import dates\n")
    assert not pattern.may_refer("édates = app.utils\n")  # `é` is a word character, as for `\w`


def test_a_file_without_the_words_in_its_bytes_is_not_decoded_yet_same_answer():
    pattern = Prefilter(MOVES)
    assert not may_refer("a.py", "x = 'app.utils'\n".encode(), pattern)
    assert may_refer("a.py", "# é\nfrom app.utils import dates\n".encode(), pattern)
    assert may_refer("b.py", b"\xff\xfe broken \nfrom app.utils import dates\n", pattern)  # decoded with replacement


def test_relative_imports_however_spaced_are_resolved():
    pattern = Prefilter(MOVES)
    assert pattern.may_refer("from\t. import dates\n", package="app.utils")
    assert not pattern.may_refer("from  . import dates\n", package="app.other")


_IMPORT_FRAGMENTS = [
    "from", "from ", "from\t", " ", "\t", ".", "..", "x", "app.utils", " import ", "import", "(", ")", "\n", "\\\n",
    "#", ";", "é", "_", "a, b", " as c", "'", "xfrom", "from . import dates", "    from .. import (\n  x,\n)",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_IMPORT_FRAGMENTS), max_size=16))
# A `from` inside a comment whose would-be match runs over a real import on the next line.
@example(["#", "from ", "x", " import ", "(", "\n", "from . import dates", "\n", ")"])
@example(["x", " ", "from ", "x", " import ", "\\\n", "from . import dates"])
def test_the_fast_import_searches_find_what_the_line_anchored_regexes_find(parts):
    # `from` found by fast literal search, its line start checked on each match: the
    # same matches (spans and groups) as the anchored pattern tried at every line, and
    # the same count of relative imports as a lookbehind at the front.
    from migrator.engine import prefilter

    text = "".join(parts)
    slow = [(m.span(), m.groups()) for m in prefilter._FROM_IMPORT.finditer(text)]
    assert [(m.span(), m.groups()) for m in prefilter._from_imports(text)] == slow
    relative = len(re.findall(r"(?<!\w)from\s+\.", text))
    assert prefilter._relative_froms(text) == relative
    assert prefilter._relative_froms(text, first=True) == min(relative, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\x0c", "\u2028", "\x85", "\n\n"]), max_size=14), st.booleans())
def test_python_lines_without_carriage_returns_split_as_the_regex_does(parts, keepends):
    from migrator.model.text import _LINE_END, python_lines

    text = "".join(parts)
    lines = [line for line in _LINE_END.split(text) if line]
    assert python_lines(text, keepends) == (lines if keepends else [line.rstrip("\r\n") for line in lines])


# A package that stays (`pkg.api`) re-exports `helper` from a module that moves.
REEXPORTS = MoveSet(
    modules={"pkg.impl": "pkg.core.impl"}, known_modules=frozenset({"pkg", "pkg.api", "pkg.impl"}),
    reexports={"pkg.api.helper": "pkg.core.impl.helper"},
)
_REEXPORT_FRAGMENTS = [
    "from pkg.api import settings\n", "from pkg.api import helper\n", "from pkg.api import (\n    settings,\n    helper,\n)\n",
    "from pkg.api import *\n", "from pkg.api import helper as h\n", "from pkg.api \\\n    import helper\n",
    "import pkg.api as a\n", "import pkg.api\n", "from pkg import api\n", "x = helper()\n", "y = a.helper\n",
    "z = api.helper\n", "w = pkg.api.helper\n", "s = 'pkg.api.helper'\n", "# helper from pkg.api\n", "from pkg.apix import helper\n",
]


def test_a_reexported_name_needs_more_than_its_package_name():
    pattern = Prefilter(REEXPORTS)
    # `from pkg.api import settings` cannot reach `pkg.api.helper`: the word alone is no clue.
    assert not pattern.may_refer("from pkg.api import settings\nhelper = 1\n")
    assert pattern.may_refer("from pkg.api import (\n    settings,\n    helper,\n)\n")
    assert pattern.may_refer("from pkg.api import *\nhelper()\n")
    assert pattern.may_refer("from pkg.api \\\n    import helper\n")  # not a line the search reads: kept
    assert pattern.may_refer("import pkg.api as a\na.helper()\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_REEXPORT_FRAGMENTS), min_size=1, max_size=6))
def test_a_file_the_prefilter_drops_is_one_no_rule_changes(parts):
    # The property the prefilter stands on: what it drops, every rule over the whole
    # file leaves as it is.
    from migrator.engine.rewrite import rewrite_file
    from migrator.model.plan import FileContext

    text = "".join(parts)
    if may_refer("app/use.py", text.encode(), Prefilter(REEXPORTS), "app"):
        return
    ctx = FileContext("app/use.py", "app.use", "app.use")
    data, edits, _ = rewrite_file("app/use.py", text.encode(), ctx, REEXPORTS, statements_alone=False)
    assert data == text.encode() and not edits


# --------------------------------------------------------------------------- prose

_LINES = [
    "from app.utils.dates import parse\n",
    "from app.utils.dates import parse  # see app.utils.dates.parse\n",
    "import app.fmt\n",
    "import app.fmt; x = 'app.fmt.render'\n",
    '"""Docstring naming app.utils.dates.parse."""\n',
    "x = app.fmt.render()\n",
    "# app.core.helper is the one\n",
    "from app.core import (\n    helper,  # app.core.helper\n)\n",
    "from app.core import (\n    helper,\n)\n",
    's = """\nfrom app.utils.dates import parse\n"""\n',
    "def f():\n    '''app.fmt.render'''\n    import app.fmt\n",
    "y = 'app.utils.dates' \\\n    'tail'\n",
    "\x0cimport app.fmt\n",
    "z = 1\r\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=8))
def test_prose_scan_with_the_import_shortcut_finds_what_tokenizing_finds(lines):
    text = "".join(lines)
    scan = pyast.scan(text)
    if scan[1] is not None:
        return  # the shortcut is only used on files that parse
    assert prose.prose_edits(text, MOVES, scan[0]) == prose.prose_edits(text, MOVES)


def test_clean_import_lines_spare_the_tokenizer(monkeypatch):
    calls = []
    real = prose.tokenize.generate_tokens
    monkeypatch.setattr(prose.tokenize, "generate_tokens", lambda readline: calls.append(1) or real(readline))
    clean = "from app.utils.dates import parse\nimport app.fmt\n\nx = parse(1)\n"
    assert prose.prose_edits(clean, MOVES, pyast.scan(clean)[0]) == []
    assert calls == []
    commented = "import app.fmt  # app.fmt.render\n"
    assert [e.old for _, _, e in prose.prose_edits(commented, MOVES, pyast.scan(commented)[0])] == ["app.fmt.render"]
    assert calls == [1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS + ["from app.utils.dates import parse\n", "import app.fmt as f\n", "f.render\n"]), max_size=12))
def test_the_triage_word_search_outside_imports_matches_the_word_boundary_regex(parts):
    # The triage's "a moved name's last part outside the import statements" without a
    # leading `\b`: the answer of the `\b…\b` regex it replaced.
    from migrator.engine import fastpath

    text = "".join(parts)
    scanned = pyast.scan(text.encode())
    if scanned[1] is not None:
        return
    spans = [((r[0], r[1]), (r[2], r[3])) for r in scanned[0]]
    _, words = fastpath._names_of(MOVES)
    for fast in (words.strings, words.chains):
        slow = re.compile(r"\b" + fast.pattern)
        assert fastpath._outside(text, fast, spans) == fastpath._outside(text, slow, spans)
