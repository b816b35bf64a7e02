"""`migrate audit`'s report: rich tables, plain text, markdown and the stable JSON."""

from __future__ import annotations


from migrator.report.schemas import dump, relative_to_root, schema_id
from migrator.report.schemas.audit import AuditOutput

AUDIT_JSON_SCHEMA = schema_id(AuditOutput)

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


def definition_data(d) -> dict:
    """A definition (audit and verify JSON): module, name, kind, path, line."""
    return {"module": d.module, "name": d.name, "kind": d.kind, "path": d.path, "line": d.line}


def audit_json(audit) -> dict:
    """The documented, stable JSON form of an audit (docs/audit-verify-json.md; its
    schema is `schemas.audit.AuditOutput`)."""
    return dump(AuditOutput, {
        "schema": AUDIT_JSON_SCHEMA,
        "mapping": relative_to_root(audit.mapping, audit.target),
        "target_absolute": audit.target,
        "packages": [{"name": name, "overlaps": counts} for name, counts in audit.packages],
        "overlaps": [
            {"kind": o.kind, "similarity": o.similarity, "subject": definition_data(o.subject), "other": definition_data(o.other), "planned": o.planned}
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
    })


def _sorted_overlaps(audit):
    return sorted(audit.overlaps, key=lambda o: (_OVERLAP_ORDER[o.kind], o.subject.module, o.subject.line))


def where(d) -> str:
    """`path:line` of a definition."""
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
            escape(f"{o.subject.qualified}\n{where(o.subject)}"), escape(f"{o.other.qualified}\n{where(o.other)}"),
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
            f"| {o.kind} | {o.similarity:.2f} | `{o.subject.qualified}`<br>{_md(where(o.subject))} | "
            f"`{o.other.qualified}`<br>{_md(where(o.other))} | {_md(o.planned or 'not addressed')} |"
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
