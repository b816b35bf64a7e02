"""The consoles the renderers print on, the diff and diagnostics printers, the progress bar."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterable, Iterator

from migrator.model.plan import Diagnostic, Progress, Severity


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
