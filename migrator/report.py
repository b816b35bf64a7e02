"""Rendering: the only place that turns plans and findings into text, tables and JSON.

People get a git-style unified diff (coloured on a terminal), rich tables and messages
that name file:line and the fix; machines get stable JSON (`PLAN_JSON_VERSION`).
"""

from __future__ import annotations

import difflib
from typing import Iterable

from migrator.model import ChangeRole, Diagnostic, FileChange, PhasePlan, Plan, Severity

PLAN_JSON_VERSION = 1


# --------------------------------------------------------------------------- diff


def file_diff(change: FileChange) -> str:
    """A git-style diff of one change: renames show as `rename from/to`."""
    old_path = change.renamed_from or change.path
    head = [f"diff --git a/{old_path} b/{change.path}\n"]
    if change.before is None:
        head.append("new file mode 100%o\n" % (change.mode or 0o644))
    elif change.after is None:
        head.append("deleted file mode 100644\n")
    if change.renamed_from:
        verb = "copy" if change.source_kept else "rename"
        head.append(f"{verb} from {change.renamed_from}\n{verb} to {change.path}\n")
    a_label = "/dev/null" if change.before is None else f"a/{old_path}"
    b_label = "/dev/null" if change.after is None else f"b/{change.path}"
    try:
        before = (change.before or b"").decode("utf-8")
        after = (change.after or b"").decode("utf-8")
    except UnicodeDecodeError:
        return "".join(head) + f"Binary files {a_label} and {b_label} differ\n"
    body = list(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), a_label, b_label
        )
    )
    fixed = []
    for line in body:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        fixed.append(line)
    return "".join(head) + "".join(fixed)


def phase_diff(phase: PhasePlan) -> str:
    """The phase as one git-style patch (`git apply` reproduces what `apply` writes)."""
    rename_sources = {c.renamed_from for c in phase.changes if c.renamed_from and not c.source_kept}
    return "".join(
        file_diff(c)
        for c in phase.changes
        if not (c.after is None and c.path in rename_sources)
    )


def plan_diff(plan: Plan) -> str:
    return "".join(phase_diff(p) for p in plan.phases)


# --------------------------------------------------------------------------- summary


def phase_summary(phase: PhasePlan) -> dict:
    roles = [c.role for c in phase.changes]
    return {
        "modules_moved": sum(1 for m in phase.moves if not m.consolidated),
        "modules_consolidated": sum(1 for m in phase.moves if m.consolidated),
        "symbols_moved": len(phase.symbol_moves),
        "files_moved": roles.count(ChangeRole.MOVED),
        "files_edited": roles.count(ChangeRole.EDITED),
        "files_created": roles.count(ChangeRole.CREATED),
        "files_deleted": roles.count(ChangeRole.DELETED),
        "facades_written": roles.count(ChangeRole.FACADE),
        "references_rewritten": phase.edit_counts(),
        "references_kept_on_facades": len(phase.kept_references),
    }


def summary_table(plan: Plan):
    from rich.table import Table

    table = Table(title="migrate plan: summary", show_lines=False)
    for col, justify in (
        ("phase", "right"), ("title", "left"), ("modules moved", "right"), ("files edited", "right"),
        ("references rewritten", "left"), ("facades", "right"), ("kept on facades", "right"), ("status", "left"),
    ):
        table.add_column(col, justify=justify)
    for p in plan.phases:
        s = phase_summary(p)
        refs = ", ".join(f"{k} {v}" for k, v in s["references_rewritten"].items()) or "-"
        moved = str(s["modules_moved"])
        if s["modules_consolidated"]:
            moved += f" (+{s['modules_consolidated']} consolidated)"
        if s["symbols_moved"]:
            moved += f" (+{s['symbols_moved']} symbols)"
        status = "[red]refused[/red]" if p.errors else "[green]ok[/green]"
        table.add_row(
            str(p.phase), p.title, moved, str(s["files_edited"] + s["files_moved"]), refs,
            str(s["facades_written"]), str(s["references_kept_on_facades"]), status,
        )
    return table


# --------------------------------------------------------------------------- JSON


def diagnostic_json(d: Diagnostic) -> dict:
    return {
        "severity": d.severity.value,
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "col": d.col,
    }


def plan_json(plan: Plan, *, include_diff: bool = True) -> dict:
    """The documented, stable JSON form of a plan (see docs/plan-json.md)."""
    return {
        "version": PLAN_JSON_VERSION,
        "mapping": plan.mapping_path,
        "target": plan.target_root,
        "ok": not plan.errors,
        "phases": [
            {
                "phase": p.phase,
                "title": p.title,
                "status": "refused" if p.errors else "planned",
                "digest": p.digest(),
                "moves": [
                    {"from": m.old, "to": m.new, "from_path": m.old_path, "to_path": m.new_path, "consolidated": m.consolidated}
                    for m in p.moves
                ],
                "symbol_moves": [{"from": a, "to": b} for a, b in p.symbol_moves],
                "files": [
                    {
                        "path": c.path,
                        "role": c.role.value,
                        "renamed_from": c.renamed_from,
                        "edits": [{"kind": e.kind.value, "line": e.line, "old": e.old, "new": e.new} for e in c.edits],
                        **({"diff": file_diff(c)} if include_diff else {}),
                    }
                    for c in p.changes
                ],
                "summary": phase_summary(p),
                "diagnostics": [diagnostic_json(d) for d in p.diagnostics],
                "kept_references": [diagnostic_json(d) for d in p.kept_references],
            }
            for p in plan.phases
        ],
    }


# --------------------------------------------------------------------------- console


def make_console(stderr: bool = False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal and console.width < 160:
        # Pipes and CI logs have no width; keep tables readable there.
        console = Console(stderr=stderr, highlight=False, soft_wrap=True, width=160)
    return console


def print_diff(console, text: str) -> None:
    if not text:
        return
    if console.is_terminal:
        from rich.syntax import Syntax

        console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default", word_wrap=False))
    else:
        console.file.write(text)
        console.file.flush()


def print_diagnostics(console, diagnostics: Iterable[Diagnostic]) -> None:
    styles = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for d in diagnostics:
        loc = d.location()
        prefix = f"{loc}: " if loc else ""
        first, _, rest = d.message.partition("\n")
        from rich.markup import escape

        console.print(f"[{styles[d.severity]}]{d.severity.value}[/] {escape(prefix + d.code + ' ' + first)}", markup=True, highlight=False)
        if rest:
            console.print(rest, markup=False, highlight=False)


# --------------------------------------------------------------------------- check

CHECK_JSON_VERSION = 1


def check_json(findings, state) -> dict:
    return {
        "version": CHECK_JSON_VERSION,
        "applied_phases": list(state.applied_numbers),
        "ok": not findings,
        "findings": [
            {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message, "old": f.old, "new": f.new}
            for f in findings
        ],
    }


def check_github(findings, root) -> str:
    """GitHub workflow commands: one `::error` annotation per finding."""
    out = []
    for f in findings:
        message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::error file={f.path},line={f.line},col={f.col},title={f.code}::{message}\n")
    if not findings:
        out.append("::notice title=migrate check::no stale references\n")
    return "".join(out)


def print_check(console, findings, state) -> None:
    from rich.markup import escape

    for f in findings:
        console.print(f"[bold]{escape(f.path)}:{f.line}:{f.col}:[/] [red]{f.code}[/] {escape(f.message)}")
    phases = ", ".join(map(str, state.applied_numbers)) or "none"
    if findings:
        files = len({f.path for f in findings})
        console.print(f"\n[red]{len(findings)} finding(s) in {files} file(s)[/] (applied phases: {phases}); `migrate check --fix` rewrites stale references")
    else:
        console.print(f"[green]clean[/]: no stale references (applied phases: {phases})")
