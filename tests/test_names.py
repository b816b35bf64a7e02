"""migrator.model.names: the dotted-name helpers every layer uses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from migrator.model.names import absolute_module, ancestors, is_within, longest_prefix, package_of, parent, prefixes, renamed

part = st.sampled_from(["a", "b", "c", "ab", "_x"])
dotted = st.lists(part, min_size=1, max_size=5).map(".".join)


def test_parent_and_package_of():
    assert parent("a.b.c") == "a.b" and parent("a") == ""
    assert package_of("a.b", is_package=True) == "a.b"
    assert package_of("a.b", is_package=False) == "a"
    assert package_of("a", is_package=False) == ""
    assert package_of(None, is_package=False) is None


def test_absolute_module_resolves_dots_from_the_package():
    assert absolute_module("x", level=0, package="p.q") == "x"
    assert absolute_module("x", level=1, package="p.q") == "p.q.x"
    assert absolute_module(None, level=1, package="p.q") == "p.q"
    assert absolute_module("x", level=2, package="p.q") == "p.x"
    assert absolute_module("x", level=3, package="p.q") is None  # above the top level
    assert absolute_module("x", level=1, package="") is None  # a top-level module
    assert absolute_module("x", level=1, package=None) is None


@given(dotted)
def test_prefixes_are_every_split_longest_first(name):
    parts = name.split(".")
    assert list(prefixes(name)) == [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
    assert list(ancestors(name)) == list(prefixes(name))[1:]


@given(dotted, st.dictionaries(dotted, dotted, max_size=4))
def test_renamed_replaces_the_longest_moved_prefix(name, renames):
    parts = name.split(".")
    expected = None
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in renames:
            expected = ".".join([renames[".".join(parts[:end])], *parts[end:]])
            break
    assert renamed(name, renames) == expected
    prefix = longest_prefix(name, renames)
    assert (prefix is None) == (expected is None)
    assert prefix is None or is_within(name, prefix)


def test_is_within_stops_at_dots():
    assert is_within("a.b", "a.b") and is_within("a.b.c", "a.b")
    assert not is_within("a.bc", "a.b") and not is_within("a", "a.b")
