"""The import probe of `migrate verify`, run by file path in a fresh interpreter.

`python /abs/path/verify_probe.py` reads one JSON job from stdin — `roots` (folders to
put first on `sys.path`), `tops` (top-level names of the target's modules), `modules`
(to import, each against a clean table of the target's modules), `facades` ([old, new,
names]: every name must be the very same object through both paths) and `symbols`
([old module, name, new module, new name]) — and prints one line: `MARKER` followed by
`{"imports": [[module, error or null]], "facades": [[old, new, name or null, problem]],
"checked": N}`.

It imports nothing but the standard library, so it runs in an interpreter where migrator
is not installed; as a module it only defines functions (`main` runs the job).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import warnings
from types import ModuleType

#: Precedes the result line on stdout, so output the target prints while it is
#: imported cannot be mistaken for it.
MARKER = "@@migrate-verify@@"


class _Table:
    """The interpreter's module table and import path as they were before any target
    module was imported; `reset` goes back to them."""

    def __init__(self, tops: set[str]):
        self.tops = tops
        self.meta = list(sys.meta_path)
        self.path = list(sys.path)

    def reset(self) -> None:
        for name in list(sys.modules):
            if name.split(".")[0] in self.tops:
                del sys.modules[name]
        sys.meta_path[:] = self.meta
        sys.path[:] = self.path
        importlib.invalidate_caches()


def load(name: str) -> tuple[ModuleType | None, str | None]:
    """(the module, None) or (None, `Type: message` of whatever importing it raised)."""
    try:
        return importlib.import_module(name), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        return None, f"{type(exc).__name__}: {exc}"


def check_imports(table: _Table, modules: list[str]) -> list[list]:
    """[module, error or None] for every module, each imported on a clean table."""
    out = []
    for name in modules:
        table.reset()
        _, error = load(name)
        out.append([name, error])
    return out


def check_facades(table: _Table, facades: list) -> tuple[list[list], int]:
    """The problems of every moved module's names through its old path, and how many
    names were checked."""
    problems: list[list] = []
    checked = 0
    for old, new, names in facades:
        table.reset()
        old_mod, error = load(old)
        if error:
            problems.append([old, new, None, "the old path does not import: " + error])
            continue
        new_mod, error = load(new)
        if error:
            problems.append([old, new, None, "the new path does not import: " + error])
            continue
        for n in names:
            checked += 1
            problem = _same_object(old_mod, n, new_mod, n, "path")
            if problem is not None:
                problems.append([old, new, n, problem])
    return problems, checked


def check_symbols(table: _Table, symbols: list) -> tuple[list[list], int]:
    """The problems of every moved symbol through its old module, and how many were checked."""
    problems: list[list] = []
    checked = 0
    for old, n, new, new_n in symbols:
        table.reset()
        checked += 1
        old_mod, error = load(old)
        if error:
            problems.append([old, new, n, "the old module does not import: " + error])
            continue
        new_mod, error = load(new)
        if error:
            problems.append([old, new, n, "the new module does not import: " + error])
            continue
        problem = _same_object(old_mod, n, new_mod, new_n, "module")
        if problem is not None:
            problems.append([old, new, n, problem])
    return problems, checked


def _same_object(old_mod: ModuleType, old_name: str, new_mod: ModuleType, new_name: str, what: str) -> str | None:
    """What is wrong with `old_mod.old_name` as `new_mod.new_name` (`what`: "path" or
    "module", for the message), or None when both are the very same object."""
    missing = object()
    a, b = getattr(old_mod, old_name, missing), getattr(new_mod, new_name, missing)
    if a is missing:
        return f"not reachable through the old {what}"
    if b is missing:
        return f"missing at the new {what}"
    if a is not b:
        return f"a different object at the old {what} than at the new one"
    return None


def run(job: dict) -> dict:
    """Run one job in this interpreter (it changes `sys.path` and the module table)."""
    sys.path[:0] = job["roots"]
    table = _Table(set(job["tops"]))
    warnings.simplefilter("ignore")
    imports = check_imports(table, job["modules"])
    facades, checked = check_facades(table, job["facades"])
    symbols, symbols_checked = check_symbols(table, job["symbols"])
    return {"imports": imports, "facades": facades + symbols, "checked": checked + symbols_checked}


def main() -> None:
    # Run by path, the interpreter put this file's folder first on sys.path; the target
    # sees its working directory there instead, as with `python -c`.
    if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
        sys.path[0] = ""
    result = run(json.loads(sys.stdin.read()))
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
