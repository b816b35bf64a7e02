"""`migrate verify`'s report: every finding, a table of the checks, and the stable JSON."""

from __future__ import annotations

from migrator.report.audit import definition_data, where


from migrator.report.schemas import dump, schema_id
from migrator.report.schemas.verify import VerifyOutput

VERIFY_JSON_SCHEMA = schema_id(VerifyOutput)


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
    """The documented, stable JSON form of `migrate verify` (docs/audit-verify-json.md;
    its schema is `schemas.verify.VerifyOutput`)."""
    tests = result.tests
    python = result.interpreter
    return dump(VerifyOutput, {
        "schema": VERIFY_JSON_SCHEMA,
        "target_absolute": result.target,
        "applied_phases": list(result.applied),
        "ok": result.ok,
        "interpreter": None if python is None else {"executable_absolute": python.path, "source": python.source, "reason": python.reason},
        "tests": None if tests is None else {
            "baseline": tests.baseline,
            "now": _test_run_data(tests.now),
            "before": _test_run_data(tests.before),
            "regressions": [{"test": r.test, "before": r.before, "now": r.now} for r in tests.regressions],
            "fixed": list(tests.fixed),
            "still_failing": list(tests.still_failing),
            "new_failing": list(tests.new_failing),
            "renamed": list(tests.renamed),
            "problem": tests.problem,
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
            {"kind": d.kind, "similarity": d.similarity, "old": definition_data(d.subject), "new": definition_data(d.other)}
            for d in result.duplicates
        ],
        "check": [
            {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message}
            for f in result.check_findings
        ],
        "notes": list(result.notes),
    })


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
        for t in tests.still_failing:
            console.print(f"[yellow]already failing[/] {escape(t)} (failed before the migration too)")
        if tests.problem is not None:
            console.print(f"[bold red]error[/] {escape(tests.problem)}")
        if (tests.regressions or tests.problem) and tests.now.output_tail:
            console.print(escape(tests.now.output_tail[-2000:]), highlight=False)
    if result.interpreter is not None:
        python = result.interpreter
        console.print(f"interpreter: {escape(python.path or 'none')} — {escape(python.reason)}", highlight=False)
    for f in result.import_failures:
        label = "import-time cycle" if f.cycle else "import error"
        console.print(f"[bold red]{label}[/] {escape(f.module)}: {escape(f.error)}")
    for f in result.facade_failures:
        what = f"{f.old}.{f.name}" if f.name else f.old
        console.print(f"[bold red]facade[/] {escape(what)} (→ {escape(f.new)}): {escape(f.problem)}")
    for d in result.duplicates:
        console.print(
            f"[bold red]duplicate[/] {escape(d.subject.qualified)} ({escape(where(d.subject))}) is still a {d.kind} copy "
            f"({d.similarity:.2f}) of {escape(d.other.qualified)} ({escape(where(d.other))}) — delete the old one, leave a re-export"
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
        if tests.still_failing:
            summary += f", {len(tests.still_failing)} already failing"
        if tests.fixed:
            summary += f", {len(tests.fixed)} fixed"
        if tests.renamed:
            summary += f", {len(tests.renamed)} passing under new parameter ids"
        summary += f" — baseline: {tests.baseline}"
        if tests.problem is not None:
            summary = "the tests prove nothing: see the error above"
        row("tests", tests.ok, summary)
    cycles = sum(1 for f in result.import_failures if f.cycle)
    row("imports", not result.import_failures, f"{result.modules_imported} modules, {len(result.import_failures)} failed" + (f" ({cycles} import-time cycle(s))" if cycles else ""))
    row("facades", not result.facade_failures, f"{result.facades_checked} old names checked, {len(result.facade_failures)} problem(s)")
    row("duplicates", not result.duplicates, f"{len(result.duplicates)} definition(s) still at both the old and the new location")
    row("check", not result.check_findings, f"{len(result.check_findings)} stale reference(s) or edited facade(s)")
    console.print(table)
    if not result.ok:
        console.print("[bold red]verify failed[/]")
    elif tests is not None and tests.still_failing:
        console.print(f"[bold green]verified[/] ({len(tests.still_failing)} test(s) already failing before the migration, listed above)")
    else:
        console.print("[bold green]verified[/]")
