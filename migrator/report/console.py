"""The consoles the renderers print on, the diff and diagnostics printers, the progress
bar, and the pager a long diff goes through on a terminal (the one process `report`
starts: output for people, as `git diff` pages its own)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

from migrator.model.plan import Diagnostic, Progress, Severity


def make_console(stderr: bool = False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal and console.width < 160:
        # Pipes and CI logs have no width; keep tables readable there.
        console = Console(stderr=stderr, highlight=False, soft_wrap=True, width=160)
    return console


def print_diff(console, text: str) -> None:
    """A git-style diff: on a terminal in colour (`coloured_diff`), elsewhere the bytes
    of the patch as they are (a pipe gets a patch `git apply` takes)."""
    if not text:
        return
    if console.is_terminal:
        console.print(coloured_diff(text), soft_wrap=True, highlight=False)
    else:
        console.file.write(text)
        console.file.flush()


#: Token colours: the terminal's own palette, so they suit light and dark themes.
SYNTAX_THEME = "ansi_dark"
#: Grounds of added and removed lines: exact in the 256-colour palette (dark green, dark red).
_ADDED, _REMOVED = "on color(22)", "on color(52)"
_HEADERS = ("diff --git ", "index ", "new file mode", "deleted file mode", "rename ", "copy ", "similarity ", "--- ", "+++ ", "Binary files ", "old mode", "new mode")


def coloured_diff(text: str):
    """The diff as rich Text, as a reviewer reads it: file headers bold, hunk headers
    cyan, added and removed lines on a green and a red ground, and the code of Python
    files in Python syntax colour (each side of a file highlighted as one piece, so a
    line inside a docstring is coloured as a string)."""
    from rich.text import Text

    out = Text()
    lines = text.split("\n")  # only at newlines: a form feed in a line is part of it
    if lines and lines[-1] == "":
        lines.pop()
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    for begin, end in zip(starts, starts[1:] + [len(lines)]):
        _file_text(out, lines[begin:end])
    return out


def _file_text(out, lines: list[str]) -> None:
    from rich.text import Text

    first = lines[0] if lines else ""
    code = _highlighted(lines) if first.startswith("diff --git ") and first.rsplit(" b/", 1)[-1].endswith((".py", ".pyi")) else {}
    in_hunk = False
    for i, line in enumerate(lines):
        if line.startswith("@@"):
            in_hunk = True
            out.append(line + "\n", style="cyan")
        elif not in_hunk or line.startswith("diff --git "):
            in_hunk = False
            out.append(line + "\n", style="bold" if line.startswith(_HEADERS) else "")
        elif line.startswith(("+", "-")):
            row = Text()
            row.append(line[0], style="bold green" if line[0] == "+" else "bold red")
            row.append_text(code.get(i) or Text(line[1:]))
            row.stylize(_ADDED if line[0] == "+" else _REMOVED)  # last, so it is the ground under the tokens
            out.append_text(row)
            out.append("\n")
        elif line.startswith("\\"):
            out.append(line + "\n", style="dim")
        else:
            out.append(line[:1])
            out.append_text(code.get(i) or Text(line[1:]))
            out.append("\n")


def _highlighted(lines: list[str]) -> dict:
    """Line index → the code of that line in Python syntax colour, for the lines of the
    hunks of one file: the old side (context and removed lines) and the new side
    (context and added lines) are each highlighted as one text."""
    from rich.syntax import Syntax
    from rich.text import Span, Text

    old: list[int] = []
    new: list[int] = []
    in_hunk = False
    for i, line in enumerate(lines):
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line[:1] in ("+", "-", " "):
            if line[:1] != "+":
                old.append(i)
            if line[:1] != "-":
                new.append(i)
    syntax = Syntax("", "python", theme=SYNTAX_THEME, background_color="default")
    out: dict[int, object] = {}
    for side in (old, new):  # the new side last: context lines take its colours
        if not side:
            continue
        highlighted = syntax.highlight("\n".join(lines[i][1:] for i in side)).split("\n", allow_blank=True)
        if len(highlighted) == len(side) + 1 and not highlighted[-1].plain:
            highlighted = highlighted[:-1]
        if len(highlighted) != len(side):
            continue  # a line the lexer split differently: leave this side plain
        for i, piece in zip(side, highlighted):
            out[i] = Text(piece.plain, spans=[Span(sp.start, sp.end, _without_ground(sp.style)) for sp in piece.spans])
    return out


def _without_ground(style):
    """A token's colour without the theme's ground (the line's shows through) or underline."""
    from rich.style import Style

    style = Style.parse(style) if isinstance(style, str) else style
    return Style(color=style.color, bold=style.bold, italic=style.italic)


# --------------------------------------------------------------------------- the pager


def pager_command(env: Mapping[str, str]) -> str | None:
    """The pager a long output goes through on a terminal, chosen as git chooses its own:
    `MIGRATOR_PAGER` (as `GIT_PAGER`), else `PAGER`, else `less`. An empty value or
    `cat` means no pager."""
    for key in ("MIGRATOR_PAGER", "PAGER"):
        if key in env:
            command = env[key].strip()
            return None if command in ("", "cat") else command
    return "less"


def pager_env(env: Mapping[str, str]) -> dict[str, str]:
    """The pager's environment: git's defaults where the user set none — `LESS=FRX`
    (quit when it fits on one screen, pass colours through, leave the screen as it was)
    and `LV=-c` (colours in lv)."""
    return {"LESS": "FRX", "LV": "-c", **env}


def _runnable(command: str) -> bool:
    """Whether the shell will find the pager (a missing one would swallow the output)."""
    import shlex
    import shutil

    try:
        words = [w for w in shlex.split(command) if "=" not in w.split("/")[0]]
    except ValueError:
        return False
    return bool(words) and shutil.which(words[0]) is not None


def _show_in_pager(command: str, content: str) -> None:
    """Feed `content` to `command` through the shell and wait for the user to quit it;
    Ctrl-C belongs to the pager meanwhile (as with git). A pager that cannot start
    leaves the output on stdout."""
    import subprocess
    import sys

    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=pager_env(os.environ))
    except OSError:
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    try:
        proc.stdin.write(content.encode("utf-8", "replace"))
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the user quit before the end
    while True:
        try:
            proc.wait()
            return
        except KeyboardInterrupt:
            continue


@contextmanager
def paged(console, *, enabled: bool = True) -> Iterator[None]:
    """Send what the body prints on `console` through the pager (`pager_command`) in
    colour, when `console` is a terminal, `enabled`, and not in CI (the `CI` variable);
    otherwise print it as usual. The pager gets everything at once, when the body ends."""
    command = pager_command(os.environ)
    if not enabled or not console.is_terminal or os.environ.get("CI") or command is None or not _runnable(command):
        yield
        return
    from rich.pager import Pager

    class _Command(Pager):
        def show(self, content: str) -> None:
            _show_in_pager(command, content)

    with console.pager(_Command(), styles=True):
        yield


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
