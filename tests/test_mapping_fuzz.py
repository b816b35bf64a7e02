"""Fuzzing mapping files through the real CLI: whatever the YAML, `migrate` ends with
exit 0, 2 or 3 and a message, never a traceback.

The inputs start from a valid mapping of a small project and mutate it twice over: as
data (a value replaced by a random scalar, list or mapping; a random key added) and as
text (YAML punctuation, anchors, aliases, tags, merge keys, brackets, NUL and non-UTF-8
bytes spliced in at random offsets). `HYPOTHESIS_PROFILE=large` runs many more.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from tests.helpers import run_cli, write_project

LARGE = os.environ.get("HYPOTHESIS_PROFILE") == "large"
PROFILE = settings(
    max_examples=500 if LARGE else 30,
    derandomize=not LARGE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
    "src/app/report.py": "from app.utils.dates import today\n",
}
VALID = {
    "version": 1,
    "target": {"root": "proj", "source_roots": ["src"], "exclude": []},
    "facades": {"style": "alias", "warning": True},
    "phases": [
        {"phase": 1, "title": "Split utils", "moves": [{"from": "app.utils.dates", "to": "app.dates", "merge": False}]},
    ],
}

#: Words and paths a value may become; no `/` or `.` alone, so `target.root` stays
#: inside the test's folder.
WORDS = st.sampled_from(["proj", "src", "app.dates", "app.utils.dates", "app.utils:today", "x", "", "alias", "warn", "1", "yes", "null", "~"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), WORDS, st.text("ab_:-1 ", max_size=6))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(WORDS, inner, max_size=3)), max_leaves=6)

FRAGMENTS = st.sampled_from([
    "[", "]", "{", "}", ",", ": ", "- ", "? ", "&a ", "*a", "&b [1, 2] ", "*b", "<<: *a\n", "<<: ",
    "!!python/object/apply:os.system ", "!!str ", "!!binary ", "!custom ", "!!set ", "!!timestamp ",
    "\0", "\xff", "\ufeff", "\t", "\n", "\n  ", "---\n", "...\n", "%YAML 1.1\n", "#", '"', "'", "|\n", ">\n",
    "[" * 200, "]" * 200, "{a: " * 50, "phase: true", "merge: 'yes'", "phase: 1.0", "version: 2",
])


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _replace(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


@st.composite
def mapping_bytes(draw) -> bytes:
    data = VALID
    for _ in range(draw(st.integers(0, 2))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()):
            data = _replace(data, path, draw(VALUES))
        else:
            target = data
            for part in path:
                target = target[part]
            if isinstance(target, dict):
                data = _replace(data, path, {**target, draw(WORDS): draw(VALUES)})
    text = _to_yaml(data, flow=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(FRAGMENTS) + text[at:]
    raw = text.encode("utf-8", "surrogatepass")
    if b"\xc3\xbf" in raw and draw(st.booleans()):
        raw = raw.replace(b"\xc3\xbf", b"\xff")  # a lone non-UTF-8 byte
    return raw


def _to_yaml(data, flow: bool) -> str:
    """JSON is YAML (flow style); the block form is what people write."""
    if flow or not isinstance(data, dict):
        return json.dumps(data) + "\n"
    return "".join(f"{json.dumps(k)}: {json.dumps(v)}\n" for k, v in data.items())


def test_the_unmutated_mapping_plans_cleanly(tmp_path):
    mapping = write_project(tmp_path, FILES, "")
    mapping.write_text(_to_yaml(VALID, flow=False))
    result = run_cli("plan", "--mapping", str(mapping), "--format", "summary", "--jobs", "1", "--no-cache")
    assert result.exit_code == 0, result.output


@PROFILE
@given(raw=mapping_bytes())
@example(raw=b'{!!set "version": 1, "phases": [{"phase": 1, "title": "t"}]}\n')
@example(raw=b"version: 1\nbase: &b {phase: 1, title: t}\nphases: [{<<: *b}]\n")
def test_any_mapping_file_ends_in_exit_0_2_or_3_with_a_message(tmp_path_factory, raw):
    base = tmp_path_factory.mktemp("fuzz")
    mapping = write_project(base, FILES, "")
    mapping.write_bytes(raw)
    note(repr(raw))
    # catch_exceptions=False: an exception escaping the CLI fails the test with it.
    result = run_cli("plan", "--mapping", str(mapping), "--format", "summary", "--jobs", "1", "--no-cache")
    assert result.exit_code in (0, 2, 3), result.output
    assert result.output.strip(), "no message"
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith(f"error {mapping}"), result.output
