"""Plans for people and machines: the git-style diff, the summary table, the plan JSON."""

from __future__ import annotations

import difflib

from migrator.model.plan import ChangeRole, Diagnostic, FileChange, PhasePlan, Plan


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


def print_plan_diff(console, plan: Plan) -> None:
    """The plan's diff for people: on a terminal a header per phase above its coloured
    diff; elsewhere the patch itself, byte for byte `plan_diff` (what `git apply` takes)."""
    from rich.text import Text

    from migrator.report.console import print_diff

    if not console.is_terminal:
        print_diff(console, plan_diff(plan))
        return
    for p in plan.phases:
        text = phase_diff(p)
        if not text:
            continue
        files = sum(1 for line in text.splitlines() if line.startswith("diff --git "))
        console.rule(Text(f"phase {p.phase}: {p.title} ({files} file{'s' if files != 1 else ''})", style="bold"), align="left")
        print_diff(console, text)




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
        "dirs_removed": len(phase.removed_dirs),
        "hand_fixes": sum(1 for d in phase.diagnostics if d.code == "MIG203"),
    }


def summary_table(plan: Plan):
    from rich.table import Table

    table = Table(title="migrate plan: summary", show_lines=False)
    summaries = [phase_summary(p) for p in plan.phases]
    # Shown only when some phase has them, so the usual table stays as it was.
    extra = [(key, col) for key, col in (("hand_fixes", "hand fixes (MIG203)"), ("dirs_removed", "folders removed")) if any(s[key] for s in summaries)]
    for col, justify in (
        ("phase", "right"), ("title", "left"), ("modules moved", "right"), ("files edited", "right"),
        ("references rewritten", "left"), ("facades", "right"), ("kept on facades", "right"),
        *((col, "right") for _, col in extra), ("status", "left"),
    ):
        table.add_column(col, justify=justify)
    for p, s in zip(plan.phases, summaries):
        refs = ", ".join(f"{k} {v}" for k, v in s["references_rewritten"].items()) or "-"
        moved = str(s["modules_moved"])
        if s["modules_consolidated"]:
            moved += f" (+{s['modules_consolidated']} consolidated)"
        if s["symbols_moved"]:
            moved += f" (+{s['symbols_moved']} symbols)"
        status = "[red]refused[/red]" if p.errors else "[green]ok[/green]"
        table.add_row(
            str(p.phase), p.title, moved, str(s["files_edited"] + s["files_moved"]), refs,
            str(s["facades_written"]), str(s["references_kept_on_facades"]), *(str(s[key]) for key, _ in extra), status,
        )
    return table




def diagnostic_json(d: Diagnostic) -> dict:
    return {
        "severity": d.severity.value,
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "col": d.col,
    }


def plan_json(plan: Plan) -> dict:
    """The documented, stable JSON form of a plan (docs/plan-json.md; its schema is
    `schemas.plan.PlanOutput`). The schemas (pydantic) are imported here, not by the
    diff and the table."""
    from migrator.report.schemas import dump, relative_to_root, schema_id
    from migrator.report.schemas.plan import PlanOutput

    return dump(PlanOutput, {
        "schema": schema_id(PlanOutput),
        "mapping": relative_to_root(plan.mapping_path, plan.target_root),
        "target_absolute": plan.target_root,
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
                        "diff": file_diff(c),
                    }
                    for c in p.changes
                ],
                "summary": phase_summary(p),
                "diagnostics": [diagnostic_json(d) for d in p.diagnostics],
                "kept_references": [diagnostic_json(d) for d in p.kept_references],
                "removed_dirs": list(p.removed_dirs),
            }
            for p in plan.phases
        ],
    })
