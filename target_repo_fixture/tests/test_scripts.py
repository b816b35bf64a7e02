"""The helper scripts under scripts/ (run in-process via runpy)."""

import json
import os
import runpy
import sys
from pathlib import Path

import pytest

import orchestration.index_manager

FIXTURE_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = FIXTURE_ROOT / "scripts"


def _run(script, argv, monkeypatch):
    monkeypatch.chdir(FIXTURE_ROOT)
    monkeypatch.setattr(sys, "argv", [str(script), *argv])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(script), run_name="__main__")
    return exit_info.value.code


def test_run_selection_script(tmp_path, candidates, monkeypatch, capsys):
    source = tmp_path / "candidates.json"
    source.write_text(json.dumps(candidates))
    assert _run(SCRIPTS / "run_selection.py", ["bert_base", "--candidates", str(source)], monkeypatch) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["selected"] == "trial-1"
    assert payload["final_training"]["batch_size"] == 32 and payload["final_training"]["source_run_id"] == "trial-1"
    assert len(payload["spec_fp"]) == 16


def test_run_selection_is_executable():
    script = SCRIPTS / "run_selection.py"
    assert script.read_text().startswith("#!/usr/bin/env python3")
    assert os.access(script, os.X_OK)


def test_show_index_script(tmp_path, monkeypatch, capsys):
    index_path = tmp_path / "index.json"
    assert _run(SCRIPTS / "show_index.py", [str(index_path)], monkeypatch) == 0
    assert "empty" in capsys.readouterr().out
    index = orchestration.index_manager.IndexManager(index_path)
    index.add("hpo:abc", {"stage": "hpo", "run_id": "run-1"})
    index.add("conversion:def", {"stage": "conversion", "path": "m.onnx"})
    assert _run(SCRIPTS / "show_index.py", [str(index_path)], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "[hpo]\n  hpo:abc -> run-1" in out and "conversion:def -> m.onnx" in out
