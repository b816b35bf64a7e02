"""Where the mapping is when `--mapping` is not given: found the way ruff finds its
configuration.

From the working directory up to the repository root (the git top level; the file
system root outside a git work tree), the first folder that has one wins:

1. a `mapping.yaml`;
2. a `pyproject.toml` whose `[tool.migrator]` table says `mapping = "PATH"` (relative
   to that `pyproject.toml`).

The closest folder wins, as with ruff: a `mapping.yaml` in a subfolder is used there
even when the repository's `pyproject.toml` points elsewhere. When one folder has both
and they name different files, nothing is guessed: that is an error naming both. A
`pyproject.toml` without `[tool.migrator] mapping` does not stop the search.

The search is pure: the caller says where it starts and stops and hands in how to ask
the disk (`is_file`, `read_text`), so the rules above are tested without a file system.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from migrator.mapping.spec import MappingError, shown_path

#: The mapping's file name in a folder (what `migrate init` writes).
MAPPING_NAME = "mapping.yaml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Found:
    """A mapping found by the search, and what pointed at it (for messages)."""

    path: Path
    #: `mapping.yaml`, or `pyproject.toml [tool.migrator]` with the file that said so.
    origin: str


class MappingNotFound(Exception):
    """No folder from `start` up to `stop` has a mapping; the message says what to do."""

    def __init__(self, start: Path, stop: Path | None):
        self.start = start
        self.stop = stop
        where = f"up to {stop} (the repository root)" if stop is not None else f"up to {Path(start.anchor)} (not in a git repository)"
        super().__init__(
            f"no {MAPPING_NAME} in {start} or its parents {where}, and no [tool.migrator] mapping "
            f"in a {PYPROJECT} there — run `migrate init` to write one, or pass --mapping FILE"
        )


def folders(start: Path, stop: Path | None) -> list[Path]:
    """`start` and its parents, nearest first, up to `stop` included (the file system
    root when `stop` is None or not above `start`)."""
    out = [start, *start.parents]
    if stop is not None and stop in out:
        out = out[: out.index(stop) + 1]
    return out


def find_mapping(start: Path, *, stop: Path | None, is_file: Callable[[Path], bool], read_text: Callable[[Path], str]) -> Found:
    """The mapping that commands run from `start` use. Raises MappingNotFound, or
    MappingError for a `pyproject.toml` that cannot be read or points nowhere."""
    for folder in folders(start, stop):
        beside = folder / MAPPING_NAME
        pointed = _pointed_by_pyproject(folder / PYPROJECT, is_file, read_text)
        if is_file(beside):
            if pointed is not None and pointed.path != beside:
                raise MappingError(
                    folder / PYPROJECT, None, None,
                    f"[tool.migrator] mapping names {shown_path(pointed.path)}, but {shown_path(beside)} is beside it — "
                    "keep one: remove the entry, or rename or remove the other file",
                )
            return Found(beside, MAPPING_NAME)
        if pointed is not None:
            return pointed
    raise MappingNotFound(start, stop)


def _pointed_by_pyproject(pyproject: Path, is_file: Callable[[Path], bool], read_text: Callable[[Path], str]) -> Found | None:
    if not is_file(pyproject):
        return None
    try:
        text = read_text(pyproject)
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(pyproject, None, None, f"cannot be read ({getattr(exc, 'strerror', None) or exc}) — fix it, or pass --mapping FILE") from None
    if "migrator" not in text:
        return None  # no [tool.migrator] table; do not fail on TOML that is none of our business
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(pyproject, None, None, f"is not valid TOML ({exc}) — fix it, or pass --mapping FILE") from None
    table = data.get("tool", {}).get("migrator") if isinstance(data.get("tool"), dict) else None
    if not isinstance(table, dict) or "mapping" not in table:
        return None
    value = table["mapping"]
    if not isinstance(value, str) or not value.strip():
        raise MappingError(pyproject, None, None, f"[tool.migrator] mapping is {value!r} — it must be the path of the mapping file, e.g. mapping = \"{MAPPING_NAME}\"")
    path = Path(os.path.normpath(pyproject.parent / value))
    if not is_file(path):
        raise MappingError(pyproject, None, None, f"[tool.migrator] mapping = {value!r}, but there is no such file ({shown_path(path)}) — fix the path, or run `migrate init --mapping {shown_path(path)}`")
    return Found(path, f"{shown_path(pyproject)} [tool.migrator]")
