"""The registry of diagnostic codes (migrator/model/diagnostics.py) and the code agree.

Emitters spell codes as literals; these tests read the source of `migrator/` and
`rules/` (and the docs) and fail when a code is spelled but not registered, registered
but never reported, reported though retired, or reported with a severity the registry
does not list for it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from migrator.model.diagnostics import CODES, REGISTRY
from migrator.model.plan import Severity

ROOT = Path(__file__).resolve().parents[1]
REGISTRY_FILE = ROOT / "migrator" / "model" / "diagnostics.py"
CODE = re.compile(r"MIG\d{3}")


def _sources() -> list[Path]:
    files = sorted((ROOT / "migrator").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py"))
    return [p for p in files if p != REGISTRY_FILE]


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _emitted(tree: ast.AST) -> set[str]:
    """Codes spelled as a whole string literal (`"MIG109"`): what the code reports."""
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.fullmatch(n.value)}


#: Helpers that make a diagnostic of one severity from a code: (name, arguments before the code).
IMPLIED = {
    "refuse": ("ERROR", 1),      # engine/expand.py: a refusal at a mapping line
    "_warning": ("WARNING", 0),  # rules/import_module.py
    "_Refusal": ("WARNING", 0),  # rules/import_from.py, rules/string_target.py: left with a warning
}


def _diagnostic_calls(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, severity name, code) of every `Diagnostic(Severity.X, "MIGnnn", ...)` whose
    severity and code are both spelled out (positionally or by keyword), and of every
    call of a helper of `IMPLIED` with a literal code."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in IMPLIED:
            severity_name, position = IMPLIED[name]
            code = node.args[position] if len(node.args) > position else None
            if isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.fullmatch(code.value):
                out.append((node.lineno, severity_name, code.value))
            continue
        if name != "Diagnostic":
            continue
        args = dict(zip(("severity", "code"), node.args))
        args.update({k.arg: k.value for k in node.keywords if k.arg in ("severity", "code")})
        severity, code = args.get("severity"), args.get("code")
        if (
            isinstance(severity, ast.Attribute) and isinstance(severity.value, ast.Name) and severity.value.id == "Severity"
            and isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.fullmatch(code.value)
        ):
            out.append((node.lineno, severity.attr, code.value))
    return out


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_code_spelled_in_the_source_or_the_docs_is_registered():
    unknown = {
        f"{_rel(path)}: {code}"
        for path in _sources() + _docs()
        for code in CODE.findall(path.read_text(encoding="utf-8"))
        if code not in REGISTRY
    }
    assert not unknown, f"codes used but not in migrator/model/diagnostics.py: {sorted(unknown)}"


def test_every_registered_code_is_reported_and_no_retired_one_is():
    emitted: dict[str, list[str]] = {}
    for path in _sources():
        for code in _emitted(ast.parse(path.read_text(encoding="utf-8"))):
            emitted.setdefault(code, []).append(_rel(path))
    never = [c.code for c in CODES if not c.retired and c.code not in emitted]
    assert not never, f"registered but never reported: {never}"
    revived = {c.code: emitted[c.code] for c in CODES if c.retired and c.code in emitted}
    assert not revived, f"retired codes are reported again (choose a new code): {revived}"


def test_emitters_use_a_severity_the_registry_lists():
    wrong = []
    for path in _sources():
        for line, severity, code in _diagnostic_calls(ast.parse(path.read_text(encoding="utf-8"))):
            if code in REGISTRY and Severity[severity] not in REGISTRY[code].severities:
                wrong.append(f"{_rel(path)}:{line}: {code} as {severity.lower()}")
    assert not wrong, f"severities the registry does not list: {wrong}"


def test_the_severity_scan_sees_the_emitters():
    """The scan above is not vacuous: it reads every spelling of an emitter."""
    calls = {code for path in _sources() for _, _, code in _diagnostic_calls(ast.parse(path.read_text(encoding="utf-8")))}
    assert {"MIG109", "MIG201", "MIG902", "MIG904", "MIG907", "MIG908", "MIG020"} <= calls


@pytest.mark.parametrize("entry", CODES, ids=lambda c: c.code)
def test_every_entry_says_what_and_how_to_fix(entry):
    assert CODE.fullmatch(entry.code)
    assert entry.summary.strip() and entry.fix.strip()
    assert entry.severities and len(set(entry.severities)) == len(entry.severities)
    # Several severities: the entry must say what picks one; one severity: nothing to pick.
    assert bool(entry.decided_by.strip()) == (len(entry.severities) > 1)


def test_codes_are_listed_once_in_order():
    codes = [c.code for c in CODES]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)


def test_check_reports_its_findings_as_errors_under_codes_that_allow_it():
    """`check` names its codes through constants; each finding is an error diagnostic."""
    from migrator.commands import check
    from migrator.engine import command_lines

    assert set(check.CODES.values()) == set(check.WHAT)
    assert all(REGISTRY[code].severities == (Severity.ERROR,) for code in check.WHAT)
    others = (check.FACADE_EDITED, check.MOVED_FILE_MISSING, check.PARSE_ERROR, check.NEW_CYCLE, check.MENTION, command_lines.CODE)
    assert all(Severity.ERROR in REGISTRY[code].severities for code in others)


DOC = ROOT / "docs" / "diagnostic-codes.md"


def _codes_page() -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# Diagnostic codes",
        "",
        "Every code `migrate` reports, from `migrator/model/diagnostics.py` (this page is",
        "generated from it by `tests/test_diagnostic_codes.py`; regenerate it with",
        "`MIGRATOR_UPDATE_GOLDEN=1 python -m pytest tests/test_diagnostic_codes.py`).",
        "A code keeps its meaning for good: a retired one is never reused.",
        "",
        "| code | severity | what | fix |",
        "|---|---|---|---|",
    ]
    for c in CODES:
        severity = " / ".join(s.value for s in c.severities)
        if c.decided_by:
            severity += f": {c.decided_by}"
        lines.append(f"| {c.code}{' (retired)' if c.retired else ''} | {cell(severity)} | {cell(c.summary)} | {cell(c.fix)} |")
    return "\n".join(lines) + "\n"


def test_the_codes_page_of_the_docs_is_the_registry():
    import os

    if os.environ.get("MIGRATOR_UPDATE_GOLDEN") == "1":
        DOC.write_text(_codes_page(), encoding="utf-8")
    assert DOC.exists(), f"{DOC} is missing: run with MIGRATOR_UPDATE_GOLDEN=1 to create it"
    assert DOC.read_text(encoding="utf-8") == _codes_page(), "docs/diagnostic-codes.md differs from the registry: regenerate it"
