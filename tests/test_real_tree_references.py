"""References real trees carry, through the real plan/apply/check path (issue 11, §2).

Each test writes a small project, runs the CLI in-process and, where behaviour at run
time is the point, the project's own code in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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
