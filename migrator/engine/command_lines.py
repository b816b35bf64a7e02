"""`python -m old.module` in the files that run a project. Pure.

Shell scripts (`*.sh`, `*.bash`), Makefiles (`Makefile`, `GNUmakefile`, `*.mk`), CI
workflows (`.github/workflows/*.yml`, `.gitlab-ci.yml`), `noxfile.py` and the task
tables of `pyproject.toml` run modules by name. Once a module moved, such a command runs
the facade (which runs the moved module as `__main__`) or, with `facades: none` or once
the facade is removed, fails with "No module named ...". (`tox.ini` and `setup.cfg` are
INI files: `configfiles` reads their values word by word and rewrites `-m old.mod`
there like any dotted value; `check` reports it as a stale config value, MIG004.)

Decision: these lines are reported — by `plan` as a warning for the phase that moves the
module, by `check` as a stale reference (MIG006) — each with the exact line to write
instead, and never rewritten. Their syntax is shell, make, YAML or TOML strings around a
command line, with quoting, variables and line continuations the rules cannot read the
way they read Python; a wrong edit there breaks CI silently, while a report at
file:line costs one hand edit. (`session.run("python", "-m", "old.mod")` in a noxfile
is Python: `string_target` rewrites its whole-value string like any other.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from migrator.analysis.project import Snapshot, is_command_file, matches_any
from migrator.model.names import renamed
from migrator.model.plan import Diagnostic, Severity

#: The code of a `python -m` line that runs an old path, in `plan` and `check` alike.
CODE = "MIG006"

# An interpreter (`python`, `python3.11`, `.venv/bin/python`, `$(PYTHON)`, `${PYTHON}`,
# `{envpython}`, `py`), then anything but a command separator, then `-m module`.
_COMMAND = re.compile(
    r"(?:(?<![\w.-])(?:[\w./-]*/)?python[\d.]*w?(?:\.exe)?(?![\w-])|\$\(PYTHON\)|\$\{?PYTHON\}?|\{envpython\}|(?<![\w.-])py(?![\w.-]))"
    r"[^\n;&|#]*?(?<!\S)-m[ \t]*(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?![\w.])"
)


@dataclass(frozen=True)
class CommandReference:
    """`python -m old` at `line`:`col` (of the module name); `replacement` is the whole
    line with the module re-spelled `new`."""

    path: str
    line: int
    col: int
    old: str
    new: str
    replacement: str

    def message(self, moved: str) -> str:
        return (
            f"`python -m {self.old}` runs a module {moved} `{self.new}` — migrate does not edit "
            f"commands in this kind of file; change the line to: {self.replacement.strip()}"
        )


def python_m_references(path: str, text: str, modules: Mapping[str, str]) -> list[CommandReference]:
    """Every `python -m X` in `text` (of a file `project.is_command_file` accepts) where
    `X` is a module of `modules` (old → new; a module below a moved package follows
    it), in line order."""
    if "-m" not in text or not modules:
        return []
    found: list[CommandReference] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "-m" not in line:
            continue
        for match in _COMMAND.finditer(line):
            old = match.group("module")
            new = renamed(old, modules)
            if new is None:
                continue
            start, end = match.span("module")
            found.append(CommandReference(path, number, start + 1, old, new, line[:start] + new + line[end:]))
    return found


def in_snapshot(snapshot: Snapshot, modules: Mapping[str, str], kept: Iterable[str] = ()) -> list[CommandReference]:
    """Every `python -m` of a module of `modules` in the command files of `snapshot`,
    except files in the `kept` globs (`keep_on_facades`: the facade runs it)."""
    kept = tuple(kept)
    found: list[CommandReference] = []
    for path, entry in snapshot.files.items():
        if is_command_file(path) and not matches_any(path, kept):
            found.extend(python_m_references(path, entry.data.decode("utf-8", "replace"), modules))
    return found


def plan_warnings(snapshot: Snapshot, modules: Mapping[str, str], kept: Iterable[str] = ()) -> list[Diagnostic]:
    """The warnings `plan` shows for a phase moving `modules`: one per command line."""
    return [
        Diagnostic(Severity.WARNING, CODE, ref.message("this phase moves to"), ref.path, ref.line, ref.col)
        for ref in in_snapshot(snapshot, modules, kept)
    ]
