"""The work of rewriting one file is linear in the file's size: 4× the dotted uses of a
moved module costs at most ~4× the operations.

Nothing is timed (the machine is shared and noisy): the operations are counted while
`engine.rewrite.rewrite` rewrites one file (the fast path's triage, the rules, libcst's
visits and code generation): every Python function call, anywhere (libcst's visitors
included, so a rule that walks the tree again per use is seen), and every line run in
migrator's and the rules' own code (so a loop that re-reads every use or chain of the
file per use is seen, even without a call in it). A quadratic step shows as a ratio of
~16; the base cost of a file makes a linear one a little under 4.

Loops in C (`str.count` over the whole text per match) are not seen this way;
bench/bench_dotted_uses.py times that, and tests/test_fastpath.py pins the fast path's
word search against rescanning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator.engine.rewrite import Changed, rewrite
from migrator.model.plan import FileContext, MoveSet

REPO = Path(__file__).resolve().parent.parent
OWN_CODE = (str(REPO / "migrator") + "/", str(REPO / "rules") + "/")
USES = 50
LIMIT = 4.5


@dataclass(frozen=True)
class Shape:
    """A file of `n` uses of a moved module, the move, and what a use becomes."""

    head: str
    use: str  # with {i}
    moves: dict[str, str]
    old: str
    new: str

    def source(self, n: int) -> str:
        return self.head + "".join(self.use.format(i=i) for i in range(n))


SHAPES = {
    "statements": Shape("import a.b.c\n\n", "a.b.c.f()\n", {"a.b.c": "a.n.c"}, "a.b.c.f()", "a.n.c.f()"),
    "assignments": Shape("import a.b.c\n\n", "v{i} = a.b.c.f()\n", {"a.b.c": "a.n.c"}, "a.b.c.f()", "a.n.c.f()"),
    "in functions": Shape("import a.b.c\n\n", "def g{i}():\n    return a.b.c.f()\n", {"a.b.c": "a.n.c"}, "a.b.c.f()", "a.n.c.f()"),
    # `x` is a variable of the file, so the uses go through `import x.c as x_c`
    "through an alias": Shape("import a.b.c\nx = 1\n\n", "v{i} = a.b.c.f()\n", {"a.b.c": "x.c"}, "a.b.c.f()", "x_c.f()"),
}


@dataclass(frozen=True)
class Work:
    calls: int
    own_lines: int


def _rewrite_counting(shape: Shape, n: int) -> Work:
    """Rewrite the file of `n` uses, counting calls and lines run; check what it wrote."""
    calls = lines = 0

    def in_own_code(frame, event, arg):
        nonlocal lines
        if event == "line":
            lines += 1
        return in_own_code

    def on_call(frame, event, arg):
        nonlocal calls
        calls += 1
        return in_own_code if frame.f_code.co_filename.startswith(OWN_CODE) else None

    data = shape.source(n).encode("utf-8")
    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        result = rewrite("src/app/uses.py", data, FileContext(path="src/app/uses.py"), MoveSet(modules=shape.moves))
    finally:
        sys.settrace(previous)
    assert isinstance(result, Changed), result
    text = result.data.decode("utf-8")
    assert text.count(shape.new) == n and shape.old not in text, text[:500]
    return Work(calls, lines)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_four_times_the_uses_in_one_file_cost_at_most_four_times_the_work(shape):
    small = _rewrite_counting(shape, USES)
    large = _rewrite_counting(shape, 4 * USES)

    for what in ("calls", "own_lines"):
        ratio = getattr(large, what) / getattr(small, what)
        # More than 3×: the count is of work done per use, not of a fixed cost.
        assert 3.0 < ratio <= LIMIT, f"{what}: {getattr(small, what)} for {USES} uses, {getattr(large, what)} for {4 * USES} ({ratio:.2f}×)"
