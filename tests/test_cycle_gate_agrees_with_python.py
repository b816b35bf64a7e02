"""The cycle gate asks what Python does: does a fresh import that worked before the phase
fail after it? Three cycles that exist before a phase and that Python runs fine apply
through the real CLI (every module still imports in a fresh interpreter); a phase that
really breaks an import is refused with its cycle, file:line per edge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli, tree_digest, write_project

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
cycles: {policy}
phases:
  - phase: 1
    title: Move
    moves:
      - {{from: {old}, to: {new}}}
"""

#: A name defined before the import that closes the cycle (rich's `_compat` / `_console`
#: shape); the moved `util` joins the cycle through `pkg._console`.
DEFINED_FIRST = {
    "src/pkg/__init__.py": "from . import _compat\n",
    "src/pkg/_compat.py": "class Wrapper:\n    pass\n\n\nfrom ._console import get_stream\n",
    "src/pkg/_console.py": "from util import helper\nfrom ._compat import Wrapper\n\n\ndef get_stream():\n    return helper(Wrapper)\n",
    "src/util.py": "def helper(x):\n    return x\n",
}

#: An import guarded by a platform check closes the cycle; `util` joins it.
GUARDED = {
    "src/pkg/__init__.py": "from .term import COLOR\n",
    "src/pkg/term.py": "import sys\n\nif sys.platform.startswith('win'):\n    from pkg._win import enable\n\nCOLOR = 1\n",
    "src/pkg/_win.py": "from util import helper\nfrom pkg.term import COLOR\n\n\ndef enable():\n    return helper(COLOR)\n",
    "src/util.py": "def helper(x):\n    return x\n",
}

#: A new package (`pkg.sub`) joins a working cycle closed by a bottom-of-module import.
NEW_PACKAGE = {
    "src/pkg/__init__.py": "from .http import get\n",
    "src/pkg/http.py": "from .util import helper\n\n\ndef get():\n    return helper()\n\n\nfrom . import ds\n",
    "src/pkg/ds.py": "from .http import get\n\nDATA = get\n",
    "src/pkg/util.py": "def helper():\n    return 1\n",
}

#: `import lib` fails once `lib.helpers` lives in `util`: util/__init__ reads `run` from
#: the half-initialized lib.
BREAKS = {
    "src/lib/__init__.py": "from lib.helpers import helper\nfrom lib.api import run\n",
    "src/lib/helpers.py": "def helper():\n    return 1\n",
    "src/lib/api.py": "def run():\n    return 2\n",
    "src/util/__init__.py": "from lib import run\n",
}


def _imports(src: Path, modules: list[str]) -> dict[str, str | None]:
    """Per module, the last line of a fresh interpreter's error importing it, or None."""
    out = {}
    for module in modules:
        run = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(src)!r}); import {module}"], capture_output=True, text=True)
        out[module] = None if run.returncode == 0 else run.stderr.strip().splitlines()[-1]
    return out


def _modules(src: Path) -> list[str]:
    names = []
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize(
    "files,old,new",
    [
        pytest.param(DEFINED_FIRST, "util", "pkg.util", id="a name defined before the import that closes the cycle"),
        pytest.param(GUARDED, "util", "pkg.util", id="an import guarded by a platform check"),
        pytest.param(NEW_PACKAGE, "pkg.util", "pkg.sub.util", id="a new package joining a working cycle"),
    ],
)
def test_a_phase_that_breaks_no_import_applies_and_every_module_still_imports(tmp_path, files, old, new):
    mapping = write_project(tmp_path, files, MAPPING.format(policy="forbid-new", old=old, new=new))
    src = tmp_path / "proj" / "src"
    assert set(_imports(src, _modules(src)).values()) == {None}, "the project works before the phase"
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert "MIG401" not in result.output
    after = _imports(src, _modules(src))
    assert new in after and set(after.values()) == {None}, after


def test_a_phase_that_breaks_an_import_is_refused_with_the_cycle_and_every_edge(tmp_path):
    mapping = write_project(tmp_path, BREAKS, MAPPING.format(policy="forbid-new", old="lib.helpers", new="util.helpers"))
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    assert (
        "MIG401 this phase creates an import cycle that fails at import time: lib → util.helpers → util → lib"
        " — `import lib` worked before and fails now" in result.stderr
    )
    assert "src/lib/__init__.py:1: lib → util.helpers (top import)" in result.stderr
    assert "src/util/helpers.py: util.helpers → util (parent package)" in result.stderr
    assert "src/util/__init__.py:1: util → lib (top import)" in result.stderr
    assert tree_digest(tmp_path / "proj") == before


def test_the_refused_import_really_fails_in_a_fresh_interpreter(tmp_path):
    mapping = write_project(tmp_path, BREAKS, MAPPING.format(policy="warn", old="lib.helpers", new="util.helpers"))
    src = tmp_path / "proj" / "src"
    assert _imports(src, ["lib"]) == {"lib": None}
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert "MIG401" in result.stderr
    [error] = _imports(src, ["lib"]).values()
    assert error is not None and "partially initialized module 'lib'" in error


def test_audit_and_graph_report_the_cycle_the_gate_refuses_and_not_the_harmless_ones(tmp_path):
    mapping = write_project(tmp_path, {**BREAKS, **{f"src/other/{k[4:]}": v for k, v in NEW_PACKAGE.items()}}, MAPPING.format(policy="warn", old="lib.helpers", new="util.helpers"))
    import json

    audit = json.loads(run_cli("audit", "--mapping", str(mapping), "--format", "json").stdout)
    assert audit["cycles"]["existing"] == [], "the package cycles present now all run"
    [phase] = audit["cycles"]["phases"]
    assert [c["modules"] for c in phase["new_cycles"]] == [["lib", "util.helpers", "util"]]
    graph = json.loads(run_cli("graph", "--mapping", str(mapping), "--phase", "1", "--format", "json").stdout)
    assert graph["schema"] == "migrator.graph/2"
    now, after = graph["graphs"]
    assert now["failing_cycles"] == [] and now["import_time_cycles"], "components exist, none fails"
    assert [(c["modules"], c["fails"]) for c in after["failing_cycles"]] == [(["lib", "util.helpers", "util"], ["lib", "lib.api", "lib.helpers"])]
    text = run_cli("graph", "--mapping", str(mapping), "--phase", "1")
    assert "after phase 1: import cycles a fresh import fails on" in text.stdout
    listed = text.stdout.split("import cycles a fresh import fails on")[1]
    assert "fails: import lib, import lib.api, import lib.helpers" in listed
    assert "other." not in listed, "the working cycle is not listed"


def test_a_phase_that_routes_an_import_into_a_broken_cycle_off_its_path_is_refused(tmp_path):
    # p <-> p.x already fails, but `import c` worked; after moving helpers into p, it
    # runs p/__init__ first and fails. Neither p nor p.x leads back to a changed module,
    # so the gate's graphs must hold what the changed modules reach, not only cycles.
    files = {
        "src/c.py": "from helpers import h\n",
        "src/helpers.py": "def h():\n    return 1\n",
        "src/p/__init__.py": "from p import x\nP = 1\n",
        "src/p/x.py": "from p import P\n",
    }
    mapping = write_project(tmp_path, files, MAPPING.format(policy="forbid-new", old="helpers", new="p.helpers"))
    src = tmp_path / "proj" / "src"
    assert _imports(src, ["c"]) == {"c": None}
    result = run_cli("plan", "--mapping", str(mapping), "--format", "summary")
    assert result.exit_code == 3
    assert "`import c` worked before and fails now" in result.stderr
    assert "p → p.x → p" in result.stderr
