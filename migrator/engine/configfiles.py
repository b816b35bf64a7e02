"""Rewrite dotted paths that appear as values in YAML, TOML, INI and setup.cfg files.

A value is rewritten only when the whole value (or a `module:attr` entry point) is a
dotted path under a moved name; prose that merely mentions a path is left alone. Edits
are spliced into the original text at the value's exact position, so formatting,
comments and quoting stay as they were.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable

from migrator.model.plan import Edit, RefKind

DOTTED_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?::[A-Za-z_][A-Za-z0-9_.]*)?$")
#: A module pattern, as mypy's `module = "pkg.mod.*"` and `[mypy-pkg.mod.*]` write it.
MODULE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.\*$")
#: `-p pkg.plugin` inside an option string (pytest's `addopts`): the plugin module.
_PLUGIN_OPTION = re.compile(r"(?:^|\s)-p\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?=\s|$)")
#: An INI section that names modules: `[mypy-pkg.mod]`, `[mypy-pkg.a.*,pkg.b]`.
_MYPY_SECTION = re.compile(r"^\[mypy-([^\]]+)\]")

Resolver = Callable[[str], "str | None"]


def rewrite_value(value: str, resolve: Resolver) -> str | None:
    """The new text of a config value that is a dotted path under a moved name (or a
    module pattern `pkg.mod.*` whose module moved), else None."""
    if MODULE_PATTERN.match(value):
        new = resolve(value[:-2])
        return None if new is None else new + ".*"
    if not DOTTED_VALUE.match(value):
        return None
    module, colon, attr = value.partition(":")
    new = resolve(module)
    if new is None:
        return None
    return new + colon + attr


def rewrite_path_value(value: str, config_dir: str, resolve_path: Resolver) -> str | None:
    """The new text of a config value that names a file or folder the phase relocates
    (`src/pkg/mod.py`, `src/pkg/`, `./src/pkg/*.py`: the part before a glob counts),
    relative to the config file's folder as the value was; else None."""
    if "/" not in value and not value.endswith(".py"):
        return None
    prefix = "./" if value.startswith("./") else ""
    parts = value[len(prefix) :].split("/")
    cut = next((i for i, part in enumerate(parts) if any(c in part for c in "*?[")), len(parts))
    head = "/".join(parts[:cut]).rstrip("/")
    if not head or head.startswith(("/", "..")) or any(c in head for c in " :=,"):
        return None
    new = resolve_path(posixpath.normpath(posixpath.join(config_dir, head)))
    if new is None:
        return None
    rel = posixpath.relpath(new, config_dir) if config_dir else new
    rest = value[len(prefix) :][len("/".join(parts[:cut]).rstrip("/")) :]
    return prefix + rel + rest


def rewrite_config(path: str, text: str, resolve: Resolver, resolve_path: Resolver | None = None) -> tuple[str, tuple[Edit, ...]]:
    """Rewrite dotted-path values (and, with `resolve_path`, values naming relocated
    files) in a config file; the format follows the suffix."""
    if path.endswith((".yaml", ".yml")):
        spans = _yaml_scalars(text)
    elif path.endswith(".toml"):
        spans = _quoted_strings(text)
    else:
        spans = _ini_values(text) + (_ini_paths(text) if resolve_path else [])
        spans.sort()
    config_dir = posixpath.dirname(path)

    def new_value(value: str) -> str | None:
        found = rewrite_value(value, resolve)
        if found is None and resolve_path is not None:
            found = rewrite_path_value(value, config_dir, resolve_path)
        return found

    return _splice(text, spans, new_value)


def _splice(text: str, spans, new_value: Callable[[str], "str | None"]) -> tuple[str, tuple[Edit, ...]]:
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    for start, end, value in spans:
        if start < last:
            continue  # inside a value already rewritten
        new = new_value(value)
        if new is None or new == value:
            continue
        out.append(text[last:start])
        out.append(new)
        last = end
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        edits.append(Edit(RefKind.CONFIG, line, value, new, col))
    if not edits:
        return text, ()
    out.append(text[last:])
    return "".join(out), tuple(edits)


def _yaml_scalars(text: str):
    """(start, end, value) of every scalar whose raw text equals its value."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.tokens import ScalarToken

    yaml = YAML(typ="rt")
    try:
        tokens = list(yaml.scan(text))
    except YAMLError:
        return []
    spans = []
    for tok in tokens:
        if not isinstance(tok, ScalarToken):
            continue
        start, end = tok.start_mark.index, tok.end_mark.index
        raw = text[start:end]
        if tok.style in ("'", '"'):
            start, end = start + 1, end - 1
            raw = text[start:end]
        if raw == tok.value:
            spans.append((start, end, tok.value))
    return spans


_TOML_STRING = re.compile(r'"([^"\\\n]*)"|\'([^\'\n]*)\'')


def _quoted_strings(text: str):
    """Every TOML string on a line of its own, and each `-p plugin` inside one."""
    spans = []
    for line_start, line in _lines(text):
        code = _strip_comment(line)
        for m in _TOML_STRING.finditer(code):
            group = 1 if m.group(1) is not None else 2
            start = line_start + m.start(group)
            spans.append((start, line_start + m.end(group), m.group(group)))
            spans.extend((start + p.start(1), start + p.end(1), p.group(1)) for p in _PLUGIN_OPTION.finditer(m.group(group)))
    return spans


_INI_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*(?:\.\*)?")


def _ini_values(text: str):
    spans = []
    for line_start, line in _lines(text):
        stripped = line.lstrip()
        section = _MYPY_SECTION.match(stripped)
        if section:  # [mypy-a.b, c.d.*]: each comma-separated pattern
            at = line_start + (len(line) - len(stripped)) + section.start(1)
            for m in re.finditer(r"[^,\s]+", section.group(1)):
                spans.append((at + m.start(), at + m.end(), m.group()))
            continue
        if not stripped or stripped[0] in "#;[":
            continue
        for m in _INI_TOKEN.finditer(line):
            before = line[m.start() - 1] if m.start() else " "
            after = line[m.end()] if m.end() < len(line) else " "
            if before in " \t=:'\",[" and after in " \t\r\n'\",]":
                spans.append((line_start + m.start(), line_start + m.end(), m.group()))
    return spans


_INI_PATH = re.compile(r"[\w.*?\[\]-]*(?:/[\w.*?\[\]-]*)+")


def _ini_paths(text: str):
    """Values of INI lines that look like paths (`omit = src/pkg/*.py`)."""
    spans = []
    for line_start, line in _lines(text):
        stripped = line.lstrip()
        if not stripped or stripped[0] in "#;[":
            continue
        for m in _INI_PATH.finditer(line):
            before = line[m.start() - 1] if m.start() else " "
            if before in " \t=,'\"" and "/" in m.group():
                spans.append((line_start + m.start(), line_start + m.end(), m.group()))
    return spans


def _lines(text: str):
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, line
        pos += len(line)


def _strip_comment(line: str) -> str:
    """The part of a TOML line before a comment (a '#' outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line
