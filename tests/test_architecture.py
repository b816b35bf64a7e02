"""The layers of docs/ARCHITECTURE.md hold in the code, and stay small enough to read.

- import-linter checks the contracts in pyproject.toml ([tool.importlinter]): each layer
  imports only from layers below it, rules only from migrator.model, no rule from
  another rule, rich and typer only in the CLI and the renderer;
- the engine, the analysis, the model and the rules do no disk I/O (they work on the
  Snapshot's bytes; adapters read and write);
- no module in migrator/ or rules/ is longer than 700 lines, no function than 80.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80
PURE_PACKAGES = ("migrator/engine", "migrator/analysis", "migrator/model", "rules")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the tree at cwd (its pyproject.toml, its packages first on the path)."""
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_contract_is_kept():
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("migrator/engine/__init__.py", "import rich\n", "Only the CLI and the renderer use rich and typer"),
        ("migrator/analysis/__init__.py", "import migrator.engine\n", "Layers:"),
        ("rules/string_target.py", "import rules.import_from\n", "Each rule stands alone"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    """The contracts are not vacuous: one wrong import in a copy of the code breaks one."""
    for part in ("migrator", "rules"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / module, "a", encoding="utf-8") as f:
        f.write(line)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    assert contract in broken, result.stdout


_IO_CALLS = {"open"}
_IO_METHODS = {
    "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink", "rmdir",
    "replace", "touch", "chmod", "iterdir", "rglob", "glob", "stat",
}
_IO_MODULES = {"shutil", "subprocess", "tempfile"}


def disk_io(source: str) -> list[str]:
    """`line: call` for every call in source that reads or writes the disk by itself."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            out += [f"{node.lineno}: import {n}" for n in names if n.split(".")[0] in _IO_MODULES]
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in _IO_CALLS:
                out.append(f"{node.lineno}: {f.id}()")
            elif isinstance(f, ast.Attribute) and f.attr in _IO_METHODS:
                # str.replace is not I/O; os.replace and Path.replace are.
                if f.attr == "replace" and not (isinstance(f.value, ast.Name) and f.value.id == "os"):
                    continue
                out.append(f"{node.lineno}: .{f.attr}()")
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "os" and f.attr in {"remove", "rename", "makedirs", "listdir", "walk", "scandir", "open"}:
                out.append(f"{node.lineno}: os.{f.attr}()")
    return out


def test_the_io_finder_finds_io():
    found = disk_io("import shutil\nopen('x')\nPath('a').write_text('b')\nos.replace(a, b)\n'x'.replace('a', 'b')\n")
    assert found == ["1: import shutil", "2: open()", "3: .write_text()", "4: .replace()"]


def _python_files(*parts: str) -> list[Path]:
    return sorted(p for part in parts for p in (REPO / part).rglob("*.py"))


def test_the_engine_analysis_model_and_rules_do_no_disk_io():
    found = {
        p.relative_to(REPO).as_posix(): io
        for p in _python_files(*PURE_PACKAGES)
        if (io := disk_io(p.read_text(encoding="utf-8")))
    }
    assert found == {}, "disk I/O belongs in migrator/adapters/: " + repr(found)


def test_no_module_or_function_is_too_long_to_read():
    too_long = []
    for p in _python_files("migrator", "rules"):
        text = p.read_text(encoding="utf-8")
        rel = p.relative_to(REPO).as_posix()
        if (n := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {n} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (n := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                    too_long.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    assert too_long == [], "\n".join(too_long)
