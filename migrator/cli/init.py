"""`migrate init`: write a starter mapping.yaml for the project (or from a Markdown plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from migrator.cli._common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    _console,
    _escape,
    _find_mapping,
    app,
)


@app.command()
def init(
    target: Path = typer.Option(Path("."), "--target", "-t", help="The project folder to describe (default: this folder).", show_default=False),
    mapping: Path = typer.Option(Path("mapping.yaml"), "--mapping", "-m", help="Where to write the mapping (default: mapping.yaml in this folder).", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace the mapping file if it exists."),
    from_plan: Optional[Path] = typer.Option(
        None, "--from-plan", help="Take the phases from a reorganization plan written in Markdown (PLAN.md).", show_default=False
    ),
) -> None:
    """Write a starter mapping.yaml: the project's source roots and packages, and an example phase, or the phases of a Markdown plan (--from-plan)."""
    from migrator import report
    from migrator.adapters.snapshot import listing
    from migrator.commands import init as starter
    from migrator.mapping.spec import MappingError, load_mapping, parse_mapping, shown_path

    err = _console(stderr=True)
    root = target.resolve()
    if not root.is_dir():
        err.print(f"[bold red]error[/] {_escape(shown_path(target))}: not a folder — pass --target the project's folder")
        raise typer.Exit(EXIT_USAGE)
    if (mapping.exists() or mapping.is_symlink()) and not force:
        err.print(
            f"[bold red]error[/] {_escape(shown_path(mapping))} already exists — edit it, pass --force to replace it, "
            "or --mapping OTHER.yaml to write another; nothing changed"
        )
        raise typer.Exit(EXIT_USAGE)
    pyproject = root / "pyproject.toml"
    try:
        layout = starter.detect_layout(listing(root), pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None)
    except starter.InitError as exc:
        err.print(f"[bold red]error[/] {_escape(str(root) if target.resolve() == Path.cwd() else shown_path(root))}: {_escape(str(exc))}; nothing written")
        raise typer.Exit(EXIT_USAGE)
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[bold red]error[/] {_escape(shown_path(pyproject))}: cannot be read ({_escape(str(exc))}); nothing written")
        raise typer.Exit(EXIT_USAGE)
    folder = mapping.parent.resolve()
    shadowed = _shadowed(mapping)
    from_markdown = _read_plan(err, from_plan, layout, folder) if from_plan is not None else None
    if from_markdown is None:
        text = starter.mapping_text(layout, target_root=_relative(root, folder), schema_ref=_schema_ref(folder))
    else:
        from migrator.commands.init_plan import phases_writer

        text = starter.mapping_text(
            layout, target_root=_relative(root, folder), schema_ref=_schema_ref(folder),
            phases=phases_writer(from_markdown), plan=from_markdown.reading.name,
        )
    try:
        parse_mapping(mapping, text.encode("utf-8"))  # what is written must load
        _write(mapping, text.encode("utf-8"))
        load_mapping(mapping)
    except MappingError as exc:
        err.print(f"[bold red]error[/] the starter mapping does not load ({_escape(str(exc))}) — a bug in `migrate init`, please report it")
        raise typer.Exit(EXIT_REFUSED)
    except OSError as exc:
        err.print(f"[bold red]error[/] {_escape(shown_path(mapping))}: cannot be written ({_escape(exc.strerror or str(exc))}); nothing written")
        raise typer.Exit(EXIT_REFUSED)
    if from_markdown is not None:
        report.print_init_from_plan(_console(), from_markdown, wrote=shown_path(mapping), next_command=_next_command(mapping), notes=layout.notes)
    else:
        report.print_init(_console(), layout, wrote=shown_path(mapping), example=starter.example_move(layout), next_command=_next_command(mapping))
    if shadowed is not None:
        where = "here" if mapping.parent.resolve() == Path.cwd().resolve() else f"in {shown_path(mapping.parent)}"
        err.print(f"[yellow]note[/] {_escape(shown_path(shadowed))}, further up, is no longer the mapping commands find {_escape(where)}")


def _read_plan(err, plan: Path, layout, folder: Path):
    """The plan read and resolved against the layout; exit 2 when it cannot be read or
    names no move. Its lines are cited by its path relative to the mapping's folder."""
    from migrator.commands.init_plan import read_plan, resolve
    from migrator.mapping.spec import shown_path

    try:
        text = plan.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.print(f"[bold red]error[/] {_escape(shown_path(plan))}: cannot be read ({_escape(why)}) — pass --from-plan a Markdown file; nothing written")
        raise typer.Exit(EXIT_USAGE)
    result = resolve(read_plan(text, _relative(plan.resolve(), folder)), layout)
    if not result.entries():
        err.print(
            f"[bold red]error[/] {_escape(shown_path(plan))}: no move found — write each move as a list item, checklist "
            "item or table row such as `old/module.py` → `new/module.py` (or `->`, \"Move `a` to `b`\", a table with "
            "from/to columns), under headings like \"Phase 1: title\"; nothing written"
        )
        raise typer.Exit(EXIT_USAGE)
    return result


def _relative(path: Path, start: Path) -> str:
    """`target.root` for the target at `path` and the mapping in `start`: relative (posix),
    so the pair can be committed and cloned, unless they share no folder but the file
    system root (`/tmp/plan` for `/home/me/proj`): then absolute."""
    import os

    if Path(os.path.commonpath([path, start])) == Path(path.anchor):
        return path.as_posix()
    return Path(os.path.relpath(path, start)).as_posix()


def _schema_ref(folder: Path) -> str:
    """Where the editor finds the schema, offline: the `mapping.schema.json` the installed
    migrator ships, relative to the mapping when it lies below the mapping's folder (this
    repository, or a virtualenv inside the project), else by its absolute path."""
    from importlib.resources import files

    schema = Path(str(files("migrator") / "mapping.schema.json")).resolve()
    if schema.is_relative_to(folder):
        return "./" + schema.relative_to(folder).as_posix()
    return schema.as_posix()


def _write(path: Path, data: bytes) -> None:
    from migrator.adapters import disk

    disk.atomic_write(disk.current_disk(), path, data, None)


def _shadowed(mapping: Path) -> Path | None:
    """The mapping commands found from the new one's folder before it was written, when
    that is another file (a mapping in a parent folder, which the new one now hides)."""
    from migrator.mapping.discover import MAPPING_NAME, MappingNotFound
    from migrator.mapping.spec import MappingError

    if mapping.name != MAPPING_NAME or not mapping.parent.is_dir():
        return None
    try:
        found = _find_mapping(mapping.parent).path
    except (MappingNotFound, MappingError):
        return None
    return found if found.resolve() != mapping.resolve() else None


def _next_command(mapping: Path) -> str:
    """`migrate plan`, with `--mapping` when it would not find this mapping by itself."""
    from migrator.mapping.discover import MappingNotFound
    from migrator.mapping.spec import MappingError, shown_path

    try:
        if _find_mapping(Path.cwd()).path.resolve() == mapping.resolve():
            return "migrate plan"
    except (MappingNotFound, MappingError):
        pass
    return f"migrate plan --mapping {shown_path(mapping)}"
