"""verify's import probe is a module run by file path: it works where migrator is not
installed, reports imports, facades and moved symbols, and sees the target, not itself."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

from migrator.commands import verify_probe

PROBE = Path(verify_probe.__file__).resolve()


def _probe(cwd: Path, job: dict) -> dict:
    """Run the probe by path with `-S` (no site-packages: migrator is not importable)."""
    proc = subprocess.run(
        [sys.executable, "-S", str(PROBE)], input=json.dumps(job), cwd=cwd, capture_output=True, text=True,
        env={"PYTHONDONTWRITEBYTECODE": "1"}, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert verify_probe.MARKER in proc.stdout, proc.stdout
    return json.loads(proc.stdout.rpartition(verify_probe.MARKER)[2])


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_probe_runs_where_migrator_cannot_be_imported(tmp_path):
    cannot = subprocess.run([sys.executable, "-S", "-c", "import migrator"], cwd=tmp_path, capture_output=True, text=True, env={})
    assert cannot.returncode != 0 and "ModuleNotFoundError" in cannot.stderr
    _write(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/new.py": "def run():\n    return 1\n\nclass Other:\n    pass\n",
        "src/app/old.py": "from app.new import run\n\nclass Other:\n    pass\n",
        "src/app/broken.py": "import app.nowhere\n",
        "src/app/loop_a.py": "from app.loop_b import B\nA = 1\n",
        "src/app/loop_b.py": "from app.loop_a import A\nB = 2\n",
    })
    job = {
        "roots": [str(tmp_path / "src")],
        "tops": ["app"],
        "modules": ["app", "app.broken", "app.loop_a", "app.new"],
        "facades": [["app.old", "app.new", ["run", "Other", "gone"]]],
        "symbols": [["app.old", "run", "app.new", "run"], ["app.missing", "x", "app.new", "x"]],
    }

    result = _probe(tmp_path, job)

    imports = dict(map(tuple, result["imports"]))
    assert imports["app"] is None and imports["app.new"] is None
    assert imports["app.broken"].startswith("ModuleNotFoundError: No module named 'app.nowhere'")
    assert "partially initialized module" in imports["app.loop_a"]
    assert result["facades"] == [
        ["app.old", "app.new", "Other", "a different object at the old path than at the new one"],
        ["app.old", "app.new", "gone", "not reachable through the old path"],
        ["app.missing", "app.new", "x", "the old module does not import: ModuleNotFoundError: No module named 'app.missing'"],
    ]
    assert result["checked"] == 5


def test_the_probe_sees_the_working_directory_and_not_its_own_folder(tmp_path):
    # `check`, `audit` and `verify` are modules beside the probe: the target must not see them.
    _write(tmp_path, {"top.py": "VALUE = 1\n"})
    job = {"roots": [], "tops": ["top", "check"], "modules": ["top", "check"], "facades": [], "symbols": []}

    imports = dict(map(tuple, _probe(tmp_path, job)["imports"]))

    assert imports["top"] is None
    assert imports["check"] == "ModuleNotFoundError: No module named 'check'"


def test_importing_the_probe_runs_nothing_and_its_comparison_names_the_problem():
    new = types.ModuleType("new")
    old = types.ModuleType("old")
    new.f = old.f = object()
    new.g, old.g = object(), object()
    assert verify_probe._same_object(old, "f", new, "f", "path") is None
    assert verify_probe._same_object(old, "g", new, "g", "module") == "a different object at the old module than at the new one"
    assert verify_probe._same_object(old, "h", new, "f", "path") == "not reachable through the old path"
    assert verify_probe._same_object(old, "f", new, "h", "module") == "missing at the new module"
    assert verify_probe.load("json.decoder")[1] is None
    assert verify_probe.load("no_such_module_anywhere")[1] == "ModuleNotFoundError: No module named 'no_such_module_anywhere'"
