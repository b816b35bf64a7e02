"""`migrate retire`: what was retired, or every reference and facade that stops it."""

from __future__ import annotations


def print_retire_refusal(console, plan) -> None:
    """Every remaining reference (`path:line:col: CODE message`), every file kept on the
    old paths, every facade not as written, each group with its fix; nothing changed."""
    from rich.markup import escape

    phases = ", ".join(map(str, plan.phases))
    console.print(f"[bold red]refused[/] the facades of phase(s) {phases} were not retired; nothing changed")
    if plan.references:
        console.print(f"\n{len(plan.references)} reference(s) still use their old paths:")
        for f in plan.references:
            console.print(f"  [bold]{escape(f.location())}:[/] [red]{f.code}[/] {escape(f.message)}")
        console.print("fix: run `migrate check --fix` to rewrite them (a `python -m` line, MIG006, you change by hand), then run `migrate retire` again")
    if plan.kept:
        files = sorted({f.path for f in plan.kept})
        console.print(f"\n{len(files)} file(s) keep the old paths on purpose (target.keep_on_facades) or are never rewritten (target.exclude): {escape(', '.join(files))}")
        for f in plan.kept:
            console.print(f"  [bold]{escape(f.location())}:[/] [red]{f.code}[/] {escape(f.message)}")
        console.print("fix: take them out of keep_on_facades (or target.exclude) and run `migrate check --fix`, or update them by hand; or keep these facades")
    if plan.edited:
        console.print(f"\n{len(plan.edited)} facade(s) are not what the phases wrote:")
        for path, why in plan.edited:
            console.print(f"  [bold]{escape(path)}:[/] {escape(why)}")


def print_retired(console, plan) -> None:
    phases = ", ".join(map(str, plan.phases))
    folders = f", {len(plan.changes.removed_dirs)} emptied folder(s) removed" if plan.changes.removed_dirs else ""
    console.print(
        f"retired the facades of phase(s) {phases}: {len(plan.changes.changes)} file(s) removed{folders}; "
        "imports of their old paths now fail — `migrate rollback` puts them back"
    )
