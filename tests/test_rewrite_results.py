"""`rewrite` of one file comes to one closed result (Changed | Unchanged | Skipped |
Failed), never an exception for what the file holds, and the results cross process
boundaries as they are (`rewrite_all` with workers gives what a serial run gives)."""

from __future__ import annotations

import pickle

import pytest

from migrator.engine.rewrite import Changed, Failed, FileRewriteError, Skipped, Unchanged, rewrite, rewrite_all, rewrite_file
from migrator.model.plan import FileContext, MoveSet

MOVES = MoveSet(modules={"pkg.old": "pkg.new"})

CASES = [
    ("src/user.py", b"from pkg.old import f\n", Changed, None),
    ("src/other.py", b"import os\n", Unchanged, None),
    ("src/broken.py", b"from pkg.old import (\n", Failed, "MIG201"),
    ("src/wide.py", "from pkg.old import f\n".encode("utf-16"), Failed, "MIG202"),
    ("src/cr.py", b"from pkg.old import f\rx = 1\r", Failed, "MIG202"),
    ("conf/app.yaml", b"handler: pkg.old.f\n", Changed, None),
    ("conf/latin.yaml", "handler: pkg.old.f  # é\n".encode("latin-1"), Skipped, "MIG912"),
    ("nb/book.ipynb", b"{not json", Skipped, "MIG911"),
    ("README.md", b"pkg.old\n", Unchanged, None),
]


@pytest.mark.parametrize(("path", "data", "kind", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_file_comes_to_one_closed_result(path, data, kind, code):
    result = rewrite(path, data, FileContext(path=path), MOVES)
    assert type(result) is kind
    if kind is Changed:
        assert result.data != data and result.edits
    if kind is Skipped:
        assert result.reason.code == code
    if kind is Failed:
        assert result.diagnostic.code == code
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize(("path", "data", "kind", "code"), CASES, ids=[c[0] for c in CASES])
def test_rewrite_file_gives_the_bytes_or_raises_the_failure(path, data, kind, code):
    ctx = FileContext(path=path)
    if kind is Failed:
        with pytest.raises(FileRewriteError) as caught:
            rewrite_file(path, data, ctx, MOVES)
        assert caught.value.diagnostic == rewrite(path, data, ctx, MOVES).diagnostic
        return
    new, _, diagnostics = rewrite_file(path, data, ctx, MOVES)
    assert (new != data) is (kind is Changed)
    assert [d.code for d in diagnostics if d.code == code] == ([code] if code else [])


def test_workers_give_the_results_of_a_serial_run():
    files = [(path, data, FileContext(path=path)) for path, data, _, _ in CASES]
    assert rewrite_all(files, MOVES, jobs=2) == rewrite_all(files, MOVES, jobs=1)
