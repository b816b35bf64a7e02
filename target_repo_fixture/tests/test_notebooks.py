"""Execute every notebook's code cells in order (plain Python, no Jupyter kernel)."""

import json
import os
from pathlib import Path

import pytest

FIXTURE_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((FIXTURE_ROOT / "notebooks").glob("*.ipynb"))


def _code(cell):
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    return "".join(line for line in source.splitlines(keepends=True) if not line.lstrip().startswith(("%", "!")))


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_nbformat(notebook):
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.read(str(notebook), as_version=4))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook, tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURE_ROOT)
    monkeypatch.setenv("MLOPS_OUTPUT_ROOT", str(tmp_path / "outputs"))
    monkeypatch.delenv("MLOPS_DRIVE_ROOT", raising=False)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    namespace = {"__name__": "__main__"}
    for index, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        exec(compile(_code(cell), f"{notebook.name}[{index}]", "exec"), namespace)
    assert namespace.get("NOTEBOOK_DONE") is True
    assert os.path.isdir(tmp_path / "outputs")
