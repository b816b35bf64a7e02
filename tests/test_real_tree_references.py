"""References real trees carry, through the real plan/apply/check path (issue 11, §2).

Each test writes a small project, runs the CLI in-process and, where behaviour at run
time is the point, the project's own code in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_cli, write_project


def _mapping(move_from: str, move_to: str, style: str = "alias") -> str:
    return textwrap.dedent(
        f"""\
        version: 1
        target: {{root: proj, source_roots: [src]}}
        facades: {{style: {style}}}
        phases:
          - phase: 1
            title: Move it
            moves:
              - {{from: {move_from}, to: {move_to}}}
        """
    )


def _python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in `root` with only `src` on the path (no user site, no PYTHON* vars)."""
    return subprocess.run(
        [sys.executable, "-I", "-c", "import sys, runpy; sys.path.insert(0, 'src'); "
         "sys.argv = sys.argv[1:]; runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)", *args],
        cwd=root, capture_output=True, text=True, timeout=120,
    )


def _apply(mapping: Path) -> None:
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output


# ------------------------------------------- dotted uses whose root several imports bind

COMPAT_FILES = {
    "src/pkg/__init__.py": "",
    "src/pkg/utils.py": "def helper():\n    return 1\n",
    "src/pkg/_impl.py": "VALUE = 2\n",
    "src/pkg/_compat.py": "WIN = False\n\n\ndef isatty(stream):\n    return False\n",
    "tests/test_tty.py": textwrap.dedent(
        """\
        import pkg.utils
        import pkg._impl
        from pkg._compat import WIN


        def test_isatty_is_patched(monkeypatch):
            monkeypatch.setattr(pkg._compat, "isatty", lambda stream: True)
            assert pkg._compat.isatty(None) and not WIN
            assert pkg.utils.helper() + pkg._impl.VALUE == 3
        """
    ),
}


def test_monkeypatch_of_a_module_whose_root_several_imports_bind_runs_without_facades(tmp_path):
    mapping = write_project(tmp_path, COMPAT_FILES, _mapping("pkg._compat", "pkg.sub._compat", style="none"))
    root = tmp_path / "proj"

    plan = run_cli("plan", "--mapping", str(mapping), "--no-cache")
    _apply(mapping)

    assert "MIG902" not in plan.output
    test_file = (root / "tests/test_tty.py").read_text(encoding="utf-8")
    assert 'monkeypatch.setattr(pkg.sub._compat, "isatty"' in test_file
    assert not (root / "src/pkg/_compat.py").exists()
    run = _python(root, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_tty.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run_cli("check", "--mapping", str(mapping)).exit_code == 0


# --------------------------------------------------------- string targets: real references

KEY_FILES = {
    "src/mypkg/__init__.py": "",
    "src/mypkg/debug/__init__.py": "from .console import write\n\nENABLED = False\n",
    "src/mypkg/debug/console.py": "import sys\n\n\ndef write(text):\n    sys.stdout.write(text)\n",
    "src/mypkg/app.py": textwrap.dedent(
        """\
        import importlib
        import os
        import sys
        from contextvars import ContextVar

        PRESERVE = os.environ.get("mypkg.debug.preserve_context")
        stream = ContextVar("mypkg.debug.console.stream")
        console = importlib.import_module("mypkg.debug.console")
        loaded = "mypkg.debug" in sys.modules
        """
    ),
    "tests/test_app.py": textwrap.dedent(
        """\
        from unittest import mock


        def test_patches():
            with mock.patch("mypkg.debug.console.write"), mock.patch("mypkg.debug.ENABLED", True):
                with mock.patch("mypkg.debug.console.sys.stdout"):
                    pass
        """
    ),
}


def test_keys_that_only_start_with_a_moved_path_stay_and_are_reported_at_their_line(tmp_path):
    mapping = write_project(tmp_path, KEY_FILES, _mapping("mypkg.debug", "mypkg.tools"))
    root = tmp_path / "proj"

    plan = run_cli("plan", "--mapping", str(mapping), "--no-cache")
    _apply(mapping)

    warnings = [line for line in plan.output.splitlines() if "MIG909" in line]
    assert [w.split(" MIG909")[0] for w in warnings] == ["warning src/mypkg/app.py:6:", "warning src/mypkg/app.py:7:"]
    app = (root / "src/mypkg/app.py").read_text(encoding="utf-8")
    assert 'os.environ.get("mypkg.debug.preserve_context")' in app
    assert 'ContextVar("mypkg.debug.console.stream")' in app
    assert 'importlib.import_module("mypkg.tools.console")' in app and '"mypkg.tools" in sys.modules' in app
    tests = (root / "tests/test_app.py").read_text(encoding="utf-8")
    assert 'mock.patch("mypkg.tools.console.write"), mock.patch("mypkg.tools.ENABLED", True)' in tests
    assert 'mock.patch("mypkg.tools.console.sys.stdout")' in tests
    check = run_cli("check", "--mapping", str(mapping))
    assert check.exit_code == 0, check.output
    run = _python(root, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_app.py")
    assert run.returncode == 0, run.stdout + run.stderr


# ------------------------------------------------- facades of modules run with python -m

TOOL_FILES = {
    "src/app/__init__.py": "",
    "src/app/tool.py": textwrap.dedent(
        """\
        import sys


        def main(argv):
            print("tool", __name__, *argv)
            return len(argv)


        if __name__ == "__main__":
            sys.exit(main(sys.argv[1:]))
        """
    ),
}


def _run_module(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root / "src")}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("style", ["alias", "reexport"])
def test_python_m_of_an_old_path_runs_the_moved_module_as_main(tmp_path, style):
    mapping = write_project(tmp_path, TOOL_FILES, _mapping("app.tool", "app.cli.tool", style=style))
    root = tmp_path / "proj"
    _apply(mapping)

    run = _run_module(root, "-m", "app.tool", "a", "b")

    assert (run.returncode, run.stdout) == (2, "tool __main__ a b\n"), run.stderr
    assert "DeprecationWarning: python -m app.tool is deprecated and will be removed; run python -m app.cli.tool instead" in run.stderr
    imported = _run_module(
        root, "-W", "error::DeprecationWarning", "-c",
        "import warnings, sys\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import app.tool\n"
        "import app.cli.tool\n"
        "print(app.tool is app.cli.tool, app.tool.main([]), [str(w.message) for w in caught])\n",
    )
    assert imported.returncode == 0, imported.stderr
    same = "True" if style == "alias" else "False"
    assert imported.stdout == f"tool app.cli.tool\n{same} 0 ['app.tool is deprecated and will be removed; import app.cli.tool instead']\n"


def test_python_m_of_an_old_package_runs_the_moved_package_main(tmp_path):
    files = {
        "src/app/__init__.py": "",
        "src/app/tool/__init__.py": "",
        "src/app/tool/helper.py": "NAME = 'helper'\n",
        "src/app/tool/__main__.py": "import sys\nfrom . import helper\n\nprint(__name__, helper.NAME, *sys.argv[1:])\n",
    }
    mapping = write_project(tmp_path, files, _mapping("app.tool", "app.cli.tool"))
    root = tmp_path / "proj"
    _apply(mapping)

    run = _run_module(root, "-m", "app.tool", "x")

    assert (run.returncode, run.stdout) == (0, "__main__ helper x\n"), run.stderr


# ------------------------------------------ python -m old.path in the files that run things

COMMAND_FILES = {
    **TOOL_FILES,
    "scripts/release.sh": "#!/bin/sh\nset -e\npython -m app.tool --check\n",
    "Makefile": "PYTHON ?= python3\n\nrelease:\n\t$(PYTHON) -X dev -m app.tool build\n",
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python -m pytest && python -m app.tool --ci\n"
    ),
    "tox.ini": "[testenv]\ncommands =\n    {envpython} -m app.tool\n",
    "pyproject.toml": '[project]\nname = "app"\n\n[tool.poe.tasks]\ntool = "python -m app.tool"\nother = "python -m app.toolbox"\n',
    "docs/notes.sh.txt": "python -m app.tool\n",
}
#: (path, line, the line to write instead); the column is that of the module name.
EXPECTED_COMMANDS = [
    (".github/workflows/ci.yml", 6, "      - run: python -m pytest && python -m app.cli.tool --ci"),
    ("Makefile", 4, "\t$(PYTHON) -X dev -m app.cli.tool build"),
    ("pyproject.toml", 5, 'tool = "python -m app.cli.tool"'),
    ("scripts/release.sh", 3, "python -m app.cli.tool --check"),
]
WHERE = [(path, line, new.index("app.cli.tool") + 1) for path, line, new in EXPECTED_COMMANDS]


def test_python_m_of_a_moved_module_in_scripts_ci_and_task_tables_is_reported_with_its_new_line(tmp_path):
    mapping = write_project(tmp_path, COMMAND_FILES, _mapping("app.tool", "app.cli.tool", style="none"))
    root = tmp_path / "proj"
    before = {rel: (root / rel).read_bytes() for rel in COMMAND_FILES}

    plan = run_cli("plan", "--mapping", str(mapping), "--format", "json", "--no-cache")
    _apply(mapping)
    check = run_cli("check", "--mapping", str(mapping), "--format", "json")

    warnings = [d for d in json.loads(plan.stdout)["phases"][0]["diagnostics"] if d["code"] == "MIG006"]
    assert [(d["path"], d["line"], d["col"]) for d in warnings] == WHERE
    for d, (_, _, line) in zip(warnings, EXPECTED_COMMANDS):
        assert d["severity"] == "warning"
        assert d["message"].endswith(f"change the line to: {line.strip()}")
    assert check.exit_code == 1
    findings = [f for f in json.loads(check.stdout)["findings"] if f["code"] == "MIG006"]
    assert [(f["path"], f["line"], f["col"]) for f in findings] == WHERE
    assert all(f["message"].startswith("`python -m app.tool` runs a module moved to `app.cli.tool`") for f in findings)
    unchanged = {rel for rel in COMMAND_FILES if rel not in ("src/app/tool.py", "tox.ini")}
    assert {rel: (root / rel).read_bytes() for rel in unchanged} == {rel: before[rel] for rel in unchanged}
    # INI values are words: the config rule rewrites this one like any dotted value.
    assert (root / "tox.ini").read_text(encoding="utf-8").endswith("    {envpython} -m app.cli.tool\n")


@pytest.mark.parametrize(
    "source, names",
    [
        pytest.param(
            "import os.path, json as j\nfrom .x import a, b as c\nX = Y = 1\nfor i, (k, v) in []: pass\n"
            "try:\n    import fast\nexcept ImportError as exc:\n    fast = None\n"
            "with open('f') as fh: pass\nclass K: inner = 1\ndef f():\n    global G\n    local = 1\n",
            {"os", "j", "a", "c", "X", "Y", "i", "k", "v", "fast", "exc", "fh", "K", "f", "G"},
            id="every top-level binding, conditional ones too, no locals",
        ),
        pytest.param("from x import *\n", None, id="a star import: anything may exist"),
        pytest.param("def __getattr__(name):\n    return name\n", None, id="a module __getattr__: anything may exist"),
        pytest.param("def broken(:\n", None, id="does not parse: nothing is known"),
    ],
)
def test_module_attributes_are_what_the_code_binds_at_the_top_level(source, names):
    from migrator.analysis.pyast import module_attributes

    assert module_attributes(source) == (frozenset(names) if names is not None else None)
