"""The harness's pure logic: mappings as text, junit outcomes, verdicts against a baseline.

No disk, no subprocess: run.py does those. tests/test_realworld_harness.py covers this.
"""

from __future__ import annotations

import fnmatch
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from projects import Known

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


def mapping_text(source_root: str, title: str, moves: tuple[tuple[str, str], ...], style: str, cycles: str | None = None) -> str:
    """mapping.yaml for one phase of `moves` with `facades: {style: ...}` (and `cycles:` when given)."""
    lines = [
        "version: 1",
        "target:",
        "  root: .",
        f"  source_roots: [{source_root}]",
        f"facades: {{style: {style}}}",
        *([f"cycles: {cycles}"] if cycles else []),
        "phases:",
        "  - phase: 1",
        f"    title: {json.dumps(title)}",
        "    moves:",
    ]
    lines += [f"      - {{from: {json.dumps(old)}, to: {json.dumps(new)}}}" for old, new in moves]
    return "\n".join(lines) + "\n"


def junit_outcomes(xml_text: str) -> dict[str, str]:
    """Test id (`classname::name`) -> passed / failed / skipped, from pytest's junit xml.

    An error (in setup or teardown) counts as failed; a test reported twice (a call
    that passed and a teardown that errored) keeps the worse outcome.
    """
    order = {PASSED: 0, SKIPPED: 1, FAILED: 2}
    outcomes: dict[str, str] = {}
    for case in ET.fromstring(xml_text).iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        tags = {child.tag for child in case}
        outcome = FAILED if tags & {"failure", "error"} else SKIPPED if "skipped" in tags else PASSED
        if order[outcome] >= order[outcomes.get(test_id, PASSED)]:
            outcomes[test_id] = outcome
    return outcomes


def normalized(outcomes: dict[str, str], volatile: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """`outcomes` with each (regex, replacement) of `volatile` applied to the test ids (the worse outcome wins)."""
    order = {PASSED: 0, SKIPPED: 1, FAILED: 2}
    out: dict[str, str] = {}
    for test_id, outcome in outcomes.items():
        for pattern, replacement in volatile:
            test_id = re.sub(pattern, replacement, test_id)
        if order[outcome] >= order[out.get(test_id, PASSED)]:
            out[test_id] = outcome
    return out


def counts(outcomes: dict[str, str]) -> dict[str, int]:
    """How many tests passed, failed and were skipped."""
    return {kind: sum(1 for o in outcomes.values() if o == kind) for kind in (PASSED, FAILED, SKIPPED)}


@dataclass(frozen=True)
class Verdict:
    """How a run after a move compares with the baseline."""

    status: str  # "match", "explained", "differs"
    lost: tuple[str, ...]  # passed in the baseline, not after (unexplained)
    explained: tuple[tuple[str, str], ...]  # (test id, reason) of known, unrelated losses
    gained: tuple[str, ...]  # passed after, not in the baseline


def compare(baseline: dict[str, str], after: dict[str, str], known: tuple[Known, ...], scenario: str, style: str) -> Verdict:
    """`match` when the same tests pass; `explained` when every lost test is a known, unrelated one."""
    passed_before = {t for t, o in baseline.items() if o == PASSED}
    passed_after = {t for t, o in after.items() if o == PASSED}
    lost, explained = [], []
    for test_id in sorted(passed_before - passed_after):
        reason = known_reason(test_id, known, scenario, style)
        if reason is None:
            lost.append(test_id)
        else:
            explained.append((test_id, reason))
    gained = tuple(sorted(passed_after - passed_before))
    status = "differs" if lost or gained else "explained" if explained else "match"
    return Verdict(status, tuple(lost), tuple(explained), gained)


def known_reason(test_id: str, known: tuple[Known, ...], scenario: str, style: str) -> str | None:
    """The reason a known, unrelated entry gives for `test_id` in this run, or None."""
    for entry in known:
        if style in entry.styles and (not entry.scenarios or scenario in entry.scenarios) and fnmatch.fnmatchcase(test_id, entry.pattern):
            return entry.reason
    return None


def first_line(text: str) -> str:
    """The first non-blank line of a command's output, without box-drawing borders."""
    for line in text.splitlines():
        line = line.strip().strip("│╭╮╰╯─ ").strip()
        if line:
            return line[:160]
    return ""


def refusal_line(text: str) -> str:
    """The line of migrate's output that says why it refused: the first `error` line, else the first line."""
    for line in text.splitlines():
        if line.lstrip().lower().startswith("error"):
            return first_line(line)
    return first_line(text)


def row_notes(row: dict) -> str:
    """What a table row says beside its status: the refusal, lost tests, known reasons."""
    notes = [row["reason"]] if row.get("reason") else []
    if row.get("lost"):
        shown = ", ".join(row["lost"][:3]) + (" …" if len(row["lost"]) > 3 else "")
        notes.append(f"{len(row['lost'])} lost: {shown}")
    if row.get("gained"):
        notes.append(f"{len(row['gained'])} newly passing")
    for test_id, reason in row.get("explained", []):
        notes.append(f"known: {test_id}: {reason}")
    return "; ".join(notes)


def markdown_table(rows: list[dict], baselines: dict[str, dict]) -> str:
    """The run as a Markdown table (project × scenario × facade style), for README.md."""
    out = ["| project | scenario | facades | result | passed / failed / skipped | notes |",
           "| --- | --- | --- | --- | --- | --- |"]
    for name, base in baselines.items():
        if "counts" in base:
            c = base["counts"]
            out.append(f"| {name} | baseline | | | {c['passed']} / {c['failed']} / {c['skipped']} | {base['seconds']} s |")
        else:
            out.append(f"| {name} | baseline | | unavailable | | {base.get('error', '')} |")
    for row in rows:
        c = row.get("counts")
        figures = f"{c['passed']} / {c['failed']} / {c['skipped']}" if c else ""
        notes = row_notes(row).replace("|", "\\|")
        out.append(f"| {row['project']} | {row['scenario']} | {row['style']} | {row['status']} | {figures} | {notes} |")
    return "\n".join(out) + "\n"
