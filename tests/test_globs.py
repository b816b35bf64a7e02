"""`target.exclude` and `keep_on_facades` globs match as `PurePosixPath.match` does (plus
`**` spanning folders), without building a path object per file."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from migrator.analysis.project import _suffix_match, matches_any

_PART = st.sampled_from(["a", "b", "src", "tests", "x.py", "y.ipynb", "test_a.py", ".hidden"])
_GLOB_PART = st.sampled_from(["a", "src", "*", "**", "*.py", "test_*.py", "?.py", "[ab]", ".hidden"])


@given(st.lists(_PART, min_size=1, max_size=5), st.lists(_GLOB_PART, min_size=1, max_size=4), st.booleans())
def test_suffix_match_is_pure_posix_path_match(parts, pattern_parts, absolute):
    path = "/".join(parts)
    pattern = ("/" if absolute else "") + "/".join(pattern_parts)
    assert _suffix_match(path, pattern) == PurePosixPath(path).match(pattern)


def test_the_globs_of_the_seed_mapping():
    assert matches_any("notebooks/drive/demo.ipynb", ["notebooks/**"])
    assert matches_any("tests/test_legacy_imports.py", ["tests/test_legacy_imports.py"])
    assert matches_any("src/pkg/deep/mod.py", ["src/**/mod.py"])
    assert not matches_any("src/pkg/deep/mod.py", ["tests/**", "*.ipynb"])


_ANY_PART = st.sampled_from(["a", "b", "x.py", "a.py", ".hidden", ".", "", "*", "*.py", "[ab]", "**"])


@given(st.lists(_ANY_PART, min_size=1, max_size=5), st.lists(_ANY_PART, min_size=1, max_size=4), st.booleans(), st.booleans())
def test_the_literal_shortcut_answers_as_the_general_match(parts, pattern_parts, absolute, trailing):
    # A listing's paths against an exclude list of files take a shortcut; any path and
    # pattern, clean or not, with or without wildcards, get the general test's answer.
    from migrator.analysis.project import _general_match, _glob_match

    path = "/".join(parts) + ("/" if trailing else "")
    pattern = ("/" if absolute else "") + "/".join(pattern_parts)
    assert _glob_match(path, pattern) == _general_match(path, pattern)
