"""Rendering: the only place that turns plans and findings into text, tables and JSON.

People get a git-style unified diff (coloured on a terminal), rich tables and messages
that name file:line and the fix; machines get stable JSON (`PLAN_JSON_VERSION`).
"""

from __future__ import annotations

import difflib
import os
from contextlib import contextmanager
from typing import Iterable, Iterator

from migrator.model.plan import ChangeRole, Diagnostic, FileChange, PhasePlan, Plan, Progress, Severity

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
                "removed_dirs": list(p.removed_dirs),
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


# --------------------------------------------------------------------------- graph


def print_graphs(console, views) -> None:
    """Summary of each labelled import graph, then the cycles its fresh imports fail on
    (graph.ImportGraph.failing_cycles), edge by edge, with the modules that fail.

    The summary counts the import-time components too, and of them those that are only
    a package whose ``__init__`` imports its own submodules (which Python runs fine);
    the cycles of the others that run fine are not listed."""
    from rich.markup import escape
    from rich.table import Table

    from migrator.commands.audit import is_package_init_cycle

    table = Table(title="migrate graph")
    for col in ("graph", "modules", "edges (top / lazy / typing)", "failing import cycles", "import-time cycles (package __init__ only)", "lazy/typing-only cycles"):
        table.add_column(col)
    for label, g in views:
        edges = [e for e in g.edges() if not e.implicit]
        kinds = [sum(1 for e in edges if e.kind == k) for k in ("top", "lazy", "typing")]
        cycles = g.import_time_cycles()
        own = sum(1 for c in cycles if is_package_init_cycle(c))
        table.add_row(label, str(len(g.modules())), " / ".join(map(str, kinds)), str(len(g.failing_cycles())), f"{len(cycles)} ({own})", str(len(g.lazy_and_typing_cycles())))
    console.print(table)
    for label, g in views:
        failing = g.failing_cycles()
        if not failing:
            continue
        console.print(f"\n[bold]{escape(label)}: import cycles a fresh import fails on[/]")
        for cycle, modules in failing:
            console.print(escape(cycle.describe()), highlight=False)
            console.print(f"  fails: {escape(', '.join('import ' + m for m in modules))}", highlight=False)


# --------------------------------------------------------------------------- audit

AUDIT_JSON_FORMAT = "migrator.audit/2"

_OVERLAP_ORDER = {"identical": 0, "near-identical": 1, "same-name-different-body": 2}


def _cycle_data(cycle) -> dict:
    from migrator.commands.audit import is_package_init_cycle

    return {
        "modules": list(cycle.modules),
        "package_init": is_package_init_cycle(cycle),
        "edges": [
            {"source": e.source, "target": e.target, "path": e.path, "line": e.line, "kind": e.kind, "implicit": e.implicit, "conditional": e.guarded}
            for e in cycle.edges
        ],
    }


def _definition_data(d) -> dict:
    return {"module": d.module, "name": d.name, "kind": d.kind, "path": d.path, "line": d.line}


def audit_json(audit) -> dict:
    """The documented, stable JSON form of an audit (see docs/audit-verify-json.md)."""
    return {
        "format": AUDIT_JSON_FORMAT,
        "mapping": audit.mapping,
        "target": audit.target,
        "packages": [{"name": name, "overlaps": counts} for name, counts in audit.packages],
        "overlaps": [
            {"kind": o.kind, "similarity": o.similarity, "subject": _definition_data(o.subject), "other": _definition_data(o.other), "planned": o.planned}
            for o in audit.overlaps
        ],
        "module_overlaps": [
            {
                "subject": m.subject, "subject_path": m.subject_path, "other": m.other, "other_path": m.other_path,
                "kind": m.kind, "similarity": m.similarity, "shared_definitions": m.shared, "planned": m.planned,
            }
            for m in audit.module_overlaps
        ],
        "modules": [
            {
                "module": u.module,
                "path": u.path,
                "destination": u.destination,
                "phase": u.phase,
                "symbols": [{"name": s.name, "destination": s.destination, "phase": s.phase} for s in u.symbols],
                "classification": u.classification,
                "evidence": u.evidence,
                "areas": [{"area": a, "sites": n} for a, n in u.areas],
                "import_sites": [
                    {"path": s.path, "line": s.line, "cell": s.cell, "importer": s.importer, "kind": s.kind, "role": s.role, "area": s.area}
                    for s in u.sites
                ],
            }
            for u in audit.modules
        ],
        "facades": [
            {"module": f.module, "path": f.path, "targets": list(f.targets), "style": f.style, "planned": f.planned, "warning": f.warning}
            for f in audit.facades
        ],
        "cycles": {
            "existing": [_cycle_data(c) for c in audit.existing_cycles],
            "phases": [
                {"phase": p.phase, "title": p.title, "status": p.status, "new_cycles": [_cycle_data(c) for c in p.new_cycles], "errors": list(p.errors)}
                for p in audit.phases
            ],
        },
        "unparsable": list(audit.unparsable),
        "notes": list(audit.notes),
    }


def _sorted_overlaps(audit):
    return sorted(audit.overlaps, key=lambda o: (_OVERLAP_ORDER[o.kind], o.subject.module, o.subject.line))


def _where(d) -> str:
    return f"{d.path}:{d.line}"


def _site_list(sites, limit: int | None = None) -> str:
    locs = [s.location() for s in sites]
    if limit is not None and len(locs) > limit:
        return ", ".join(locs[:limit]) + f", … (+{len(locs) - limit})"
    return ", ".join(locs)


def _split_cycles(cycles):
    from migrator.commands.audit import is_package_init_cycle

    real = [c for c in cycles if not is_package_init_cycle(c)]
    return real, len(cycles) - len(real)


def print_audit(console, audit) -> None:
    """The audit for people: overlaps, copies, usage, facades, cycles, in that order."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]migrate audit[/]: {escape(audit.target)} ({len(audit.modules)} moved modules)")

    table = Table(title="Overlaps: definitions of moved modules that exist elsewhere")
    for col in ("kind", "similarity", "moved definition", "other copy", "the mapping"):
        table.add_column(col, overflow="fold")
    for o in _sorted_overlaps(audit):
        style = {"identical": "green", "near-identical": "yellow"}.get(o.kind, "dim")
        table.add_row(
            f"[{style}]{o.kind}[/]", f"{o.similarity:.2f}",
            escape(f"{o.subject.qualified}\n{_where(o.subject)}"), escape(f"{o.other.qualified}\n{_where(o.other)}"),
            escape(o.planned or "not addressed"),
        )
    console.print(table)
    if audit.packages:
        parts = [f"{name}: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n) if any(counts.values()) else f"{name}: none" for name, counts in audit.packages]
        console.print("overlaps per package: " + escape("; ".join(parts)))

    if audit.module_overlaps:
        table = Table(title="Module copies (imports rewritten as the mapping's moves would)")
        for col in ("kind", "similarity", "moved module", "other module", "shared defs", "the mapping"):
            table.add_column(col, overflow="fold")
        for m in audit.module_overlaps:
            table.add_row(m.kind, f"{m.similarity:.2f}", escape(m.subject_path), escape(m.other_path), str(m.shared), escape(m.planned or "not addressed"))
        console.print(table)

    table = Table(title="Moved modules: who imports them")
    for col in ("module", "moves to", "class", "evidence", "import sites"):
        table.add_column(col, overflow="fold")
    for u in audit.modules:
        dest = u.destination or ""
        if u.symbols:
            dest = "; ".join(filter(None, [dest, *(f"{s.name} → {s.destination}" for s in u.symbols)]))
        phase = u.phase if u.phase is not None else (u.symbols[0].phase if u.symbols else "")
        table.add_row(
            escape(u.module), escape(f"{dest} (phase {phase})"), u.classification, escape(u.evidence),
            escape(f"{len(u.sites)}: {_site_list(u.sites, 2)}" if u.sites else "0"),
        )
    console.print(table)

    if audit.facades:
        table = Table(title="Facades already in the target (modules that only re-export)")
        for col in ("facade", "forwards to", "style", "the mapping"):
            table.add_column(col, overflow="fold")
        for f in audit.facades:
            plan = escape(f.planned or "not moved")
            if f.warning:
                plan += f"\n[red]{escape(f.warning)}[/]"
            table.add_row(escape(f.path), escape(", ".join(f.targets)), f.style, plan)
        console.print(table)

    real, benign = _split_cycles(audit.existing_cycles)
    console.print(f"\n[bold]Import cycles a fresh import fails on now[/]: {len(real)}" + (f" (+{benign} package __init__ importing its own submodules)" if benign else ""))
    for cycle in real:
        console.print(escape(cycle.describe()), highlight=False)
    table = Table(title="Cycles each phase would create")
    for col in ("phase", "title", "status", "new cycles"):
        table.add_column(col)
    for p in audit.phases:
        real_new, benign_new = _split_cycles(p.new_cycles)
        status = {"ok": "[green]ok[/]", "refused": "[red]refused[/]", "new-cycles": "[yellow]new cycles[/]" if real_new else "[green]ok[/]", "not-simulated": "[dim]not simulated[/]"}[p.status]
        detail = "\n".join(str(c) for c in real_new)
        if benign_new:
            detail = "\n".join(filter(None, [detail, f"{benign_new} package __init__ cycle(s)"]))
        if p.errors:
            detail = "\n".join(p.errors)
        table.add_row(str(p.phase), escape(p.title), status, escape(detail or "-"))
    console.print(table)
    for line in [*audit.unparsable, *audit.notes]:
        console.print(f"[yellow]note[/] {escape(line)}")


def audit_text(audit, width: int = 160) -> str:
    """`print_audit`'s output as plain text (for `--output` files)."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=True, record=True)
    print_audit(console, audit)
    return console.export_text()


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def audit_markdown(audit) -> str:
    """The audit as a Markdown document a team can review in a pull request."""
    out: list[str] = [
        "# Migration audit",
        "",
        f"- mapping: `{audit.mapping}`",
        f"- target: `{audit.target}`",
        f"- moved modules: {len(audit.modules)}; overlaps: {len(audit.overlaps)}; facades: {len(audit.facades)}",
        "",
        "## Overlaps",
        "",
        "Definitions of moved modules that also exist elsewhere (docstrings, comments, formatting and local names ignored).",
        "",
        "| kind | similarity | moved definition | other copy | the mapping |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for o in _sorted_overlaps(audit):
        out.append(
            f"| {o.kind} | {o.similarity:.2f} | `{o.subject.qualified}`<br>{_md(_where(o.subject))} | "
            f"`{o.other.qualified}`<br>{_md(_where(o.other))} | {_md(o.planned or 'not addressed')} |"
        )
    if audit.packages:
        out += ["", "Per package:", ""]
        for name, counts in audit.packages:
            out.append(f"- `{name}`: " + (", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no overlap"))
    if audit.module_overlaps:
        out += [
            "", "## Module copies", "",
            "Compared whole, after rewriting imports as the mapping's moves would.", "",
            "| kind | similarity | moved module | other module | shared definitions | the mapping |",
            "| --- | ---: | --- | --- | ---: | --- |",
        ]
        for m in audit.module_overlaps:
            out.append(f"| {m.kind} | {m.similarity:.2f} | `{m.subject_path}` | `{m.other_path}` | {m.shared} | {_md(m.planned or 'not addressed')} |")
    out += [
        "", "## Moved modules: generic or job-specific", "",
        "| module | moves to | classification | evidence |",
        "| --- | --- | --- | --- |",
    ]
    for u in audit.modules:
        dest = [f"`{u.destination}` (phase {u.phase})"] if u.destination else []
        dest += [f"`{s.name}` → `{s.destination}` (phase {s.phase})" for s in u.symbols]
        out.append(f"| `{u.module}` | {'<br>'.join(dest)} | {u.classification} | {_md(u.evidence)} |")
    out += ["", "### Import sites", ""]
    for u in audit.modules:
        out.append(f"<details><summary><code>{u.module}</code>: {len(u.sites)} import site(s)</summary>")
        out.append("")
        for s in u.sites:
            who = f"`{s.importer}`" if s.importer else "outside the source roots"
            out.append(f"- `{s.location()}` — {who}, {s.kind} import, {s.role}")
        out += ["", "</details>", ""]
    out += ["## Facades already in the target", ""]
    if audit.facades:
        out += ["| facade | forwards to | style | the mapping |", "| --- | --- | --- | --- |"]
        for f in audit.facades:
            plan = f.planned or "not moved"
            if f.warning:
                plan += f" — **{f.warning}**"
            out.append(f"| `{f.path}` | {', '.join(f'`{t}`' for t in f.targets)} | {f.style} | {_md(plan)} |")
    else:
        out.append("None.")
    real, benign = _split_cycles(audit.existing_cycles)
    out += ["", "## Import-time cycles", "", f"Existing (a fresh import fails on them): {len(real)}" + (f" (and {benign} package `__init__` importing its own submodules, which usually works)." if benign else "."), ""]
    for cycle in real:
        out += ["```", cycle.describe(), "```"]
    out += ["", "| phase | title | status | new cycles |", "| ---: | --- | --- | --- |"]
    for p in audit.phases:
        real_new, benign_new = _split_cycles(p.new_cycles)
        detail = [f"`{c}`" for c in real_new] + ([f"{benign_new} package `__init__` cycle(s)"] if benign_new else []) + list(p.errors)
        status = "ok" if p.status == "new-cycles" and not real_new else p.status
        out.append(f"| {p.phase} | {_md(p.title)} | {status} | {_md('<br>'.join(detail) or '-')} |")
    if audit.unparsable or audit.notes:
        out += ["", "## Notes", ""] + [f"- {_md(n)}" for n in [*audit.unparsable, *audit.notes]]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- verify

VERIFY_JSON_FORMAT = "migrator.verify/1"


def _test_run_data(run) -> dict | None:
    if run is None:
        return None
    return {
        "command": run.command,
        "returncode": run.returncode,
        "counts": run.counts() if run.per_test else None,
        "error": run.error,
        "outcomes": dict(sorted(run.outcomes.items())),
    }


def verify_json(result) -> dict:
    """The documented, stable JSON form of `migrate verify` (see docs/audit-verify-json.md)."""
    tests = result.tests
    return {
        "format": VERIFY_JSON_FORMAT,
        "target": result.target,
        "applied_phases": list(result.applied),
        "ok": result.ok,
        "tests": None if tests is None else {
            "baseline": tests.baseline,
            "now": _test_run_data(tests.now),
            "before": _test_run_data(tests.before),
            "regressions": [{"test": r.test, "before": r.before, "now": r.now} for r in tests.regressions],
            "fixed": list(tests.fixed),
            "still_failing": list(tests.still_failing),
            "new_failing": list(tests.new_failing),
            "renamed": list(tests.renamed),
        },
        "imports": {
            "modules": result.modules_imported,
            "failures": [{"module": f.module, "error": f.error, "cycle": f.cycle} for f in result.import_failures],
        },
        "facades": {
            "names_checked": result.facades_checked,
            "failures": [{"old": f.old, "new": f.new, "name": f.name, "problem": f.problem} for f in result.facade_failures],
        },
        "duplicates": [
            {"kind": d.kind, "similarity": d.similarity, "old": _definition_data(d.subject), "new": _definition_data(d.other)}
            for d in result.duplicates
        ],
        "check": [
            {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message}
            for f in result.check_findings
        ],
        "notes": list(result.notes),
    }


def print_verify(console, result) -> None:
    """Every finding with its location, then one summary table: one row per check."""
    from rich.markup import escape
    from rich.table import Table

    tests = result.tests
    if tests is not None:
        for r in tests.regressions:
            console.print(f"[bold red]regression[/] {escape(r.test)}: {r.before} before, {r.now} now")
        for t in tests.new_failing:
            console.print(f"[yellow]new failing test[/] {escape(t)}")
        if tests.now.returncode is None:
            console.print(f"[bold red]error[/] the tests did not run: {escape(tests.now.error or '')}")
        elif tests.regressions and tests.now.output_tail:
            console.print(escape(tests.now.output_tail[-2000:]), highlight=False)
    for f in result.import_failures:
        label = "import-time cycle" if f.cycle else "import error"
        console.print(f"[bold red]{label}[/] {escape(f.module)}: {escape(f.error)}")
    for f in result.facade_failures:
        what = f"{f.old}.{f.name}" if f.name else f.old
        console.print(f"[bold red]facade[/] {escape(what)} (→ {escape(f.new)}): {escape(f.problem)}")
    for d in result.duplicates:
        console.print(
            f"[bold red]duplicate[/] {escape(d.subject.qualified)} ({escape(_where(d.subject))}) is still a {d.kind} copy "
            f"({d.similarity:.2f}) of {escape(d.other.qualified)} ({escape(_where(d.other))}) — delete the old one, leave a re-export"
        )
    for f in result.check_findings:
        console.print(f"[bold red]check[/] {escape(f'{f.location()}: {f.code} {f.message}')}")
    for n in result.notes:
        console.print(f"[yellow]note[/] {escape(n)}")

    table = Table(title=f"migrate verify: {result.target} (applied phases: {', '.join(map(str, result.applied)) or 'none'})")
    for col in ("check", "result", "details"):
        table.add_column(col, overflow="fold")

    def row(name: str, ok: bool, details: str) -> None:
        table.add_row(name, "[green]ok[/]" if ok else "[bold red]FAIL[/]", escape(details))

    if tests is None:
        table.add_row("tests", "[dim]skipped[/]", "--no-tests")
    else:
        now = tests.now
        counts = now.counts()
        summary = f"now: {counts['passed']} passed, {counts['failed'] + counts['error']} failing" if now.per_test else f"now: exit {now.returncode}"
        if tests.before is not None:
            b = tests.before.counts()
            summary += f"; before: {b['passed']} passed, {b['failed'] + b['error']} failing" if tests.before.per_test else f"; before: exit {tests.before.returncode}"
        summary += f"; {len(tests.regressions)} regression(s)"
        if tests.fixed:
            summary += f", {len(tests.fixed)} fixed"
        if tests.renamed:
            summary += f", {len(tests.renamed)} passing under new parameter ids"
        summary += f" — baseline: {tests.baseline}"
        row("tests", not tests.regressions and now.returncode is not None, summary)
    cycles = sum(1 for f in result.import_failures if f.cycle)
    row("imports", not result.import_failures, f"{result.modules_imported} modules, {len(result.import_failures)} failed" + (f" ({cycles} import-time cycle(s))" if cycles else ""))
    row("facades", not result.facade_failures, f"{result.facades_checked} old names checked, {len(result.facade_failures)} problem(s)")
    row("duplicates", not result.duplicates, f"{len(result.duplicates)} definition(s) still at both the old and the new location")
    row("check", not result.check_findings, f"{len(result.check_findings)} stale reference(s) or edited facade(s)")
    console.print(table)
    console.print("[bold green]verified[/]" if result.ok else "[bold red]verify failed[/]")


#: Steps over fewer files than this finish too fast to deserve a bar.
PROGRESS_MIN_FILES = 300


@contextmanager
def progress(console) -> Iterator[Progress | None]:
    """A transient progress bar for long steps, on a terminal only.

    Yields the callback to hand to the engine, or None where nothing should move on
    screen: output to a file or pipe, or a CI run (the `CI` variable, which CI services
    set). Steps over fewer than `PROGRESS_MIN_FILES` files show no bar.
    """
    if not console.is_terminal or os.environ.get("CI"):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(what: str, done: int, total: int) -> None:
            if total < PROGRESS_MIN_FILES:
                return
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield update
