"""A notebook changes in exactly the source lines that changed (issue 15, notebooks).

Jupyter writes nbformat 4.4 with indent 1, sorted keys of its own, a final newline and no
cell ids; other writers keep other key orders, write a string `source`, or escape
non-ASCII. Whatever the writer did stays: only the rewritten line's string changes.
"""

from __future__ import annotations

import json
import warnings

import nbformat
import pytest

from migrator.engine.notebooks import NotebookError, code_cells, rewrite_notebook
from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
phases:
  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return '2026-11-26'\n",
}


def jupyter_notebook(code_lines: list[str], *, ids: bool = False, minor: int = 4) -> str:
    """The text Jupyter (notebook 6 / nbformat 4.4) writes: indent 1, a final newline,
    kernelspec keys in the order the kernel gave them, no cell ids before 4.5."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": code_lines}
    if ids:
        cell = {"cell_type": "code", "execution_count": None, "id": "a1b2c3", "metadata": {}, "outputs": [], "source": code_lines}
    nb = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Dates — résumé"]}, cell],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
        "nbformat": 4,
        "nbformat_minor": minor,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _plan_notebook(tmp_path, text: str) -> tuple[str, object]:
    mapping = write_project(tmp_path, {**FILES, "notebooks/explore.ipynb": text}, MAPPING)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    return (tmp_path / "proj/notebooks/explore.ipynb").read_text(encoding="utf-8"), result


def test_a_jupyter_notebook_changes_in_exactly_its_import_line(tmp_path):
    before = jupyter_notebook(["from app.utils.dates import today\n", "today()"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nbformat's MissingIDFieldWarning would fail here
        after, result = _plan_notebook(tmp_path, before)
    assert "MissingIDField" not in result.output
    assert after == before.replace('"from app.utils.dates import today\\n"', '"from app.dates import today\\n"')
    assert after.endswith("}\n")
    assert '"kernelspec": {\n   "name": "python3",\n   "display_name"' in after  # not re-sorted
    nbformat.validate(nbformat.reads(after, as_version=4))


def test_cell_ids_are_kept_and_never_invented(tmp_path):
    with_ids = jupyter_notebook(["import app.utils.dates\n", "app.utils.dates.today()"], ids=True, minor=5)
    after, _ = _plan_notebook(tmp_path, with_ids)
    assert '"id": "a1b2c3"' in after and after.count('"id"') == 1
    assert after == with_ids.replace("import app.utils.dates\\n", "import app.dates\\n").replace('"app.utils.dates.today()"', '"app.dates.today()"')


def test_two_plans_of_the_same_tree_give_the_same_json(tmp_path):
    # nbformat 4.5 without ids: nbformat itself would invent random ones on writing
    notebook = jupyter_notebook(["from app.utils.dates import today\n", "today()"], minor=5)
    mapping = write_project(tmp_path, {**FILES, "notebooks/explore.ipynb": notebook}, MAPPING)
    first = run_cli("plan", "--mapping", str(mapping), "--format", "json", "--no-cache")
    second = run_cli("plan", "--mapping", str(mapping), "--format", "json", "--no-cache")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    assert "MissingIDField" not in first.output


def _lines(source: str) -> str:
    return source.replace("app.utils.dates", "app.dates")


def test_a_string_source_stays_a_string_and_other_values_stay_byte_for_byte():
    text = '{"nbformat": 4, "nbformat_minor": 2, "metadata": {"z": 1, "a": [1,2]},\n"cells": [{"cell_type": "code", "source": "import app.utils.dates\\nx = 1", "outputs": [{"output_type": "stream", "text": "app.utils.dates"}], "metadata": {}, "execution_count": 3}]}'
    new, _, _ = rewrite_notebook("nb.ipynb", text, lambda s: (_lines(s), ()))
    assert new == text.replace('"import app.utils.dates\\nx = 1"', '"import app.dates\\nx = 1"')
    assert '"text": "app.utils.dates"' in new  # outputs are not code


def test_non_ascii_is_written_as_the_file_wrote_it():
    raw = jupyter_notebook(["# café\n", "import app.utils.dates"])
    escaped = json.dumps(json.loads(raw), indent=1, ensure_ascii=True) + "\n"
    for text in (raw, escaped):
        new, _, _ = rewrite_notebook("nb.ipynb", text, lambda s: (_lines(s), ()))
        assert new == text.replace('"import app.utils.dates"', '"import app.dates"')
    assert "\\u00e9" in escaped and "é" in raw


def test_a_rewrite_that_changes_the_line_count_keeps_the_list_layout():
    text = jupyter_notebook(["from app.utils.dates import today, later\n", "today()"])
    new, _, _ = rewrite_notebook("nb.ipynb", text, lambda s: (s.replace("from app.utils.dates import today, later\n", "from app.dates import today\nfrom app.utils.dates import later\n"), ()))
    assert new == text.replace(
        '"from app.utils.dates import today, later\\n",',
        '"from app.dates import today\\n",\n    "from app.utils.dates import later\\n",',
    )
    nbformat.validate(nbformat.reads(new, as_version=4))


def test_magics_are_kept_and_cells_counted_across_the_notebook():
    text = jupyter_notebook(["%load_ext autoreload\n", "!pip list\n", "import app.utils.dates"])
    assert code_cells(text) == [(1, "%load_ext autoreload\n!pip list\nimport app.utils.dates")]
    new, _, _ = rewrite_notebook("nb.ipynb", text, lambda s: (_lines(s), ()))
    assert new == text.replace('"import app.utils.dates"', '"import app.dates"')


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"nbformat": 3, "worksheets": [{"cells": []}]}',
        '{"cells": {"a": 1}}',
        '{"cells": [{"cell_type": "code", "source": [1, 2]}]}',
        "[1, 2]",
    ],
)
def test_text_that_is_not_a_nbformat_4_notebook_is_refused_as_such(text):
    with pytest.raises(NotebookError):
        rewrite_notebook("nb.ipynb", text, lambda s: (s, ()))


def test_cells_no_rule_can_change_are_not_given_to_the_rules(monkeypatch):
    # Each cell is triaged as a file is: libcst sees only the cells that name a moved
    # module, and the notebook comes out as the rules over every cell make it.
    from migrator.engine import rewrite
    from migrator.model.plan import FileContext, MoveSet

    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in (["import os\n", "print(os.sep)"], ["%matplotlib inline\n", "from app.utils.dates import today"], ["x = 1"], ["y = 'app.utils.dates'"])
    ]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}, indent=1) + "\n"
    moves = MoveSet(modules={"app.utils.dates": "app.dates"}, known_modules=frozenset({"app", "app.utils", "app.utils.dates"}))
    ctx = FileContext("notebooks/demo.ipynb")
    every_rule = rewrite.rewrite("notebooks/demo.ipynb", text.encode(), ctx, moves, statements_alone=False)
    given = []
    real = rewrite.rewrite_python_text
    monkeypatch.setattr(rewrite, "rewrite_python_text", lambda source, *a, **k: given.append(source) or real(source, *a, **k))
    triaged = rewrite.rewrite("notebooks/demo.ipynb", text.encode(), ctx, moves)
    assert triaged == every_rule
    assert b"from app.dates import today" in triaged.data and b"'app.dates'" in triaged.data
    assert len(given) == 2  # the two cells that name app.utils.dates
