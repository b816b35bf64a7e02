"""Load and validate `mapping.yaml` into frozen objects; publish its JSON Schema.

One pydantic model describes the file: it validates what the loader reads and it
generates `mapping.schema.json`, so the schema editors use and the loader cannot drift.
ruamel.yaml keeps the line and column of every node, so every mistake is reported as
`mapping.yaml:LINE:COL: what is wrong — how to fix it`.
"""

from __future__ import annotations

import difflib
import json
import keyword
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
SOURCE_PATTERN = rf"^{DOTTED}(:[A-Za-z_][A-Za-z0-9_]*)?$"
DEST_PATTERN = rf"^{DOTTED}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TargetSpec(_Strict):
    """Which codebase the mapping reorganizes."""

    root: str = Field(".", description="The target repository, relative to the mapping file.")
    source_roots: tuple[str, ...] = Field(
        ("src",),
        description="Folders (relative to root) that are import roots: `src/a/b.py` is module `a.b`.",
    )
    keep_on_facades: tuple[str, ...] = Field(
        (),
        description="Globs (relative to root) whose references keep the old paths and rely on facades.",
    )
    exclude: tuple[str, ...] = Field(
        (),
        description="Globs (relative to root) the tool neither reads nor rewrites.",
    )
    prose: tuple[str, ...] = Field(
        (),
        description=(
            "Globs (relative to root) of Python files whose comments and docstrings follow moves (a dotted "
            "path under a moved name is rewritten), e.g. [\"src/**\"]; elsewhere they are listed (MIG918)."
        ),
    )
    docs: tuple[str, ...] = Field(
        (),
        description=(
            "Globs (relative to root) of documentation whose references to moved paths are rewritten "
            "(Sphinx directives and roles, mkdocstrings `:::`), e.g. [\"docs/**\"]; elsewhere they are listed (MIG917)."
        ),
    )


class FacadeSpec(_Strict):
    """What stays behind at every old path."""

    style: Literal["alias", "reexport", "none"] = Field(
        "alias",
        description=(
            "alias: the old module *is* the new one (sys.modules aliasing; patching the old "
            "path patches the real object). reexport: explicit re-exports plus PEP 562 "
            "__getattr__. none: no facade, the old file is removed."
        ),
    )
    warning: bool = Field(True, strict=True, description="Importing a facade emits one DeprecationWarning.")
    package_exports: Literal["eager", "lazy"] = Field(
        "eager",
        description=(
            "How a package that stays re-exports names that moved out of it. eager: "
            "`from new.home import name` in its __init__ (the style it had). lazy: a "
            "PEP 562 __getattr__ table, so importing the package does not import the moved "
            "code (no import cycle through the package's __init__)."
        ),
    )


class MoveSpec(_Strict):
    """One move: a module, a package (every module under it) or a symbol (`module:Name`)."""

    source: str = Field(
        alias="from",
        pattern=SOURCE_PATTERN,
        description="Old dotted path: `pkg.module`, `pkg.package`, or `pkg.module:Name` for a symbol.",
    )
    to: str = Field(pattern=DEST_PATTERN, description="New dotted path (a module or package).")
    merge: bool = Field(
        False,
        strict=True,
        description="Move a package into an existing package; never overwrites a file.",
    )
    prefer: Literal["source", "destination"] | None = Field(
        None,
        description=(
            "When the destination already holds a different copy: which one wins "
            "(`destination` keeps the existing code and points references at it)."
        ),
    )

    @field_validator("source", "to")
    @classmethod
    def _no_keywords(cls, value: str) -> str:
        for part in re.split(r"[.:]", value):
            if keyword.iskeyword(part):
                raise ValueError(f"{part!r} is a Python keyword and cannot be a module or name")
        return value

    @property
    def is_symbol(self) -> bool:
        return ":" in self.source

    @property
    def source_module(self) -> str:
        return self.source.partition(":")[0]

    @property
    def symbol(self) -> str | None:
        return self.source.partition(":")[2] or None


class PhaseSpec(_Strict):
    """A numbered step of the plan; phases apply in the order of their numbers."""

    phase: int = Field(ge=0, strict=True, description="The phase number; phases apply in ascending order, and numbers may skip (1, 2, 5).")
    title: str = Field(min_length=1, description="What the phase does, for people.")
    note: str | None = Field(None, description="Why the phase looks the way it does.")
    moves: tuple[MoveSpec, ...] = Field((), description="The moves of this phase.")


class MappingSpec(_Strict):
    """A reorganization plan: phases of moves, and the policies that guard them."""

    version: Literal[1] = Field(description="Schema version of this file; currently 1.")
    target: TargetSpec = Field(default_factory=TargetSpec)
    facades: FacadeSpec = Field(default_factory=FacadeSpec)
    cycles: Literal["forbid-new", "warn"] = Field(
        "forbid-new",
        description="forbid-new refuses a phase that creates or grows an import-time cycle; warn reports it.",
    )
    test_command: str = Field(
        "python -m pytest -q",
        description="How `migrate verify` runs the target's tests (from the target root); `python` is the test interpreter.",
    )
    test_interpreter: str | None = Field(
        None,
        description=(
            "The Python that runs the target's tests and `migrate verify`'s import check: a path "
            "(relative to the target root) or a command on PATH. Default: the active virtualenv "
            "(VIRTUAL_ENV), else a .venv in the target root or a folder above it up to the "
            "repository root, else `python` on PATH."
        ),
    )
    format: tuple[str, ...] | None = Field(
        None,
        description=(
            "A formatter run on every Python file a phase writes, before the diff is shown: the "
            "command and its arguments, reading the file on stdin and printing it formatted, run "
            "from the target root; `{path}` stands for the file's path there. E.g. "
            "[\"ruff\", \"format\", \"--stdin-filename\", \"{path}\", \"-\"] or [\"black\", \"-q\", \"-\"]."
        ),
        min_length=1,
    )
    #: May be empty (`phases: []`) or hold only comments (`phases:` then a commented-out
    #: example, as `migrate init` writes it): every command runs on a mapping without
    #: phases ("nothing to plan"), and uncommenting the example gives a valid phase.
    phases: tuple[PhaseSpec, ...] = Field(description="The phases, in order (empty until the first one is written).")

    @field_validator("phases", mode="before")
    @classmethod
    def _no_phases_yet(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_a_number(cls, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise PydanticCustomError("literal_error", "Input should be 1", {"expected": "1"})
        return value


@dataclass(frozen=True)
class Mapping:
    """A loaded, validated mapping and where it came from."""

    spec: MappingSpec
    path: Path
    positions: dict = field(default_factory=dict, compare=False, repr=False)
    #: The path as messages show it: relative to the working directory (`shown_path`).
    shown: str = field(default="", compare=False)

    def location(self, move: "MoveSpec") -> tuple[int | None, int | None]:
        """Line and column of a move's `from:` value in the mapping file."""
        for pi, phase in enumerate(self.spec.phases):
            for mi, m in enumerate(phase.moves):
                if m is move:
                    return _position(self.positions, ("phases", pi, "moves", mi, "from"))
        return (None, None)

    @property
    def root(self) -> Path:
        return (self.path.parent / self.spec.target.root).resolve()

    def phase(self, number: int) -> PhaseSpec:
        for p in self.spec.phases:
            if p.phase == number:
                return p
        raise KeyError(number)

    @property
    def phase_numbers(self) -> tuple[int, ...]:
        return tuple(p.phase for p in self.spec.phases)


def shown_path(path: Path | str) -> str:
    """A path as messages show it to the person at the terminal: relative to the working
    directory when it lies below it (`mapping.yaml`, `sub/mapping.yaml`) or in one of
    its parents (`../mapping.yaml`, where discovery finds a mapping); absolute
    otherwise, since a path that climbs out and down again is harder to read than the
    absolute one."""
    absolute = Path(os.path.abspath(path))
    try:
        cwd = Path.cwd()
    except OSError:  # the working directory was removed
        return str(absolute)
    if absolute.is_relative_to(cwd):
        return str(absolute.relative_to(cwd)) if absolute != cwd else "."
    if cwd.is_relative_to(absolute.parent):
        ups = len(cwd.relative_to(absolute.parent).parts)
        return os.path.join(*[os.pardir] * ups, absolute.name)
    return str(absolute)


class MappingError(Exception):
    """A mistake in the mapping file, with where it is and how to fix it; `path` is the
    file as `shown_path` shows it."""

    def __init__(self, path: Path | str, line: int | None, col: int | None, message: str):
        self.path = shown_path(path)
        self.line = line
        self.col = col
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return f"{loc}: {self.message}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of mapping files, generated from the loader's own model."""
    schema = MappingSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://migrator.dev/mapping.schema.json"
    schema["title"] = "migrator mapping"
    # `phases:` with nothing but comments below it is null in YAML, and loads as no phases.
    schema["properties"]["phases"]["type"] = ["array", "null"]
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- loading


#: Deepest nesting of collections a mapping file may have (the schema needs five);
#: checked before the YAML parser runs, whose cost grows with the square of the depth.
MAX_DEPTH = 32

#: Values (after aliases are expanded) a mapping may hold beyond twice the nodes it
#: spells out: aliases may share a list, not multiply one (an "alias bomb").
MAX_EXPANSION = 100_000

#: The only YAML tags a mapping's values may carry (explicit or resolved): plain data.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


def load_mapping(path: Path | str) -> Mapping:
    """Read, parse and validate a mapping file. Raises MappingError on any mistake.

    The YAML must be plain data: no tags beyond the standard scalar ones, no merge keys
    (`<<`), at most MAX_DEPTH levels of nesting, aliases that do not multiply the
    document, UTF-8 without NUL bytes. Each is reported at its line:col.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MappingError(path, None, None, "mapping file not found — check the path, or run `migrate init` to write one") from None
    except IsADirectoryError:
        raise MappingError(path, None, None, f"is a directory, not a mapping file — pass the file itself, e.g. --mapping {shown_path(path / 'mapping.yaml')}") from None
    except OSError as exc:
        raise MappingError(path, None, None, f"cannot be read ({exc.strerror or exc}) — check the path and its permissions") from None
    return parse_mapping(path, raw)


def parse_mapping(path: Path | str, raw: bytes) -> Mapping:
    """The mapping `raw` holds, as `load_mapping` would load it from `path` (which is
    not read: `migrate init` checks the text it is about to write)."""
    path = Path(path)
    text = _decode(path, raw)
    data, positions = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise MappingError(path, 1, 1, "the mapping must be a YAML mapping with keys version, target, phases — see mapping.schema.json")
    try:
        spec = MappingSpec.model_validate(data)
    except ValidationError as exc:
        raise _first_error(path, exc, positions, data) from None
    _check_semantics(path, spec, positions)
    return Mapping(spec=spec, path=path.resolve(), positions=positions, shown=shown_path(path))


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` (columns count bytes for bytes, characters for str)."""
    nl = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(nl, 0, offset) + 1
    return line, offset - (data.rfind(nl, 0, offset) + 1) + 1


def _decode(path: Path, raw: bytes) -> str:
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise MappingError(path, line, col, "holds a NUL byte — remove it (a mapping file is UTF-8 text)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise MappingError(path, line, col, f"not UTF-8 (byte 0x{raw[exc.start]:02x}: {exc.reason}) — save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _check_depth(path: Path, text: str) -> None:
    """Refuse flow collections nested deeper than MAX_DEPTH, before the parser sees them.

    A bracket counts where YAML can open a flow collection: at the start of a value
    (after `key: `, `- `, `? `, `,`, another bracket, or at a line's start), outside
    quotes and comments. Block nesting needs indentation, so it cannot get deep cheaply;
    the parser's own depth is checked again on the composed nodes.
    """
    depth = 0
    i, n = 0, len(text)
    prev = "\n"  # the last significant character
    while i < n:
        ch = text[i]
        if ch in "'\"" and prev in "\n:-?,[{ \t":
            end = _quote_end(text, i)
            prev, i = "x", end
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if ch in "[{" and prev in "\n:-?,[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _line_col(text, i)
                raise MappingError(path, line, col, f"collections nested more than {MAX_DEPTH} deep — a mapping needs a few levels; flatten it")
        elif ch in "]}" and depth:
            depth -= 1
        if ch not in " \t":
            prev = ch
        i += 1


def _quote_end(text: str, i: int) -> int:
    """The index after the quoted scalar that starts at `i` (or the end of the text)."""
    quote, j = text[i], i + 1
    while j < len(text):
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            if quote == "'" and text[j + 1 : j + 2] == "'":
                j += 2
                continue
            return j + 1
        j += 1
    return len(text)


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    _check_depth(path, text)
    yaml = YAML(typ="safe", pure=True)
    try:
        doc = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise MappingError(path, line, col, f"{problem} — fix the YAML syntax") from None
    except RecursionError:
        raise MappingError(path, None, None, "nested too deeply for a mapping file — flatten it") from None
    except YAMLError as exc:
        raise MappingError(path, None, None, f"invalid YAML: {exc} — fix the YAML syntax") from None
    positions: dict[tuple, tuple[int, int]] = {}
    if doc is None:
        return None, positions
    budget = [max(MAX_EXPANSION, 2 * len(text))]
    data = _plain(path, yaml, doc, (), positions, budget, 0)
    return data, positions


def _plain(path: Path, yaml, node, loc: tuple, positions: dict[tuple, tuple[int, int]], budget: list[int], depth: int) -> Any:
    """Convert composed YAML nodes to plain Python, recording (line, col) of every
    key/item; refuses tags that are not plain data, merge keys, duplicate keys, and
    aliases that expand beyond the budget."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    budget[0] -= 1
    if budget[0] < 0:
        raise MappingError(path, line, col, "aliases expand this document beyond any mapping's size (an alias bomb?) — write the values out instead of nesting aliases")
    if depth > MAX_DEPTH:
        raise MappingError(path, line, col, f"collections nested more than {MAX_DEPTH} deep — a mapping needs a few levels; flatten it")
    tag = str(node.tag)
    if tag not in _PLAIN_TAGS:
        raise MappingError(path, line, col, f"the YAML tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed — mapping files hold plain values; remove the tag")
    positions.setdefault(loc, (line, col))
    if isinstance(node, MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            ktag = str(key_node.tag)
            if ktag == "tag:yaml.org,2002:merge":
                raise MappingError(path, kline, kcol, "merge keys (`<<: *anchor`) are not supported — write the keys out in full")
            if not isinstance(key_node, ScalarNode):
                raise MappingError(path, kline, kcol, "a key must be a plain word, not a list or a mapping — fix the key")
            if ktag not in _PLAIN_TAGS:
                raise MappingError(path, kline, kcol, f"the YAML tag {ktag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed — mapping files hold plain values; remove the tag")
            key = str(key_node.value)
            if key in out:
                raise MappingError(path, kline, kcol, f"duplicate key {key!r} — keys must be unique; remove or rename one")
            positions[loc + (key, "@key")] = (kline, kcol)
            positions[loc + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _plain(path, yaml, value_node, loc + (key,), positions, budget, depth + 1)
        return out
    if isinstance(node, SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            positions[loc + (i,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_plain(path, yaml, item, loc + (i,), positions, budget, depth + 1))
        return items
    try:
        return yaml.constructor.construct_object(node)
    except Exception:  # ruamel raises several types for a scalar it cannot build
        raise MappingError(path, line, col, f"{node.value!r} is not a valid {tag.rsplit(':', 1)[-1]} — fix or quote the value") from None


def _position(positions: dict[tuple, tuple[int, int]], loc: tuple) -> tuple[int | None, int | None]:
    while True:
        if loc in positions:
            return positions[loc]
        if not loc:
            return (None, None)
        loc = loc[:-1]


def _key_label(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fields_of(data: Any, loc: tuple) -> list[str] | None:
    """The allowed keys at `loc`, found by walking the model along the location."""
    model: Any = MappingSpec
    for part in loc:
        if isinstance(part, int):
            continue
        field = _model_field(model, part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
        if model is None:
            return None
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_field(model: Any, key: str):
    for name, f in model.model_fields.items():
        if (f.alias or name) == key:
            return f
    return None


def _inner_model(annotation: Any):
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def _first_error(path: Path, exc: ValidationError, positions, data) -> MappingError:
    errors = exc.errors()
    # An item that fails also makes its list look short; a typo'd key explains the
    # "missing" key next to it: report the most telling error first.
    if len(errors) > 1:
        errors = [e for e in errors if e["type"] != "too_short"] or errors
    rank = {"extra_forbidden": 0}
    err = sorted(errors, key=lambda e: (rank.get(e["type"], 1), _position(positions, tuple(e["loc"])) or (0, 0)))[0]
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    where = _key_label(loc)
    if kind == "extra_forbidden":
        line, col = _position(positions, loc + ("@key",)) if loc + ("@key",) in positions else _position(positions, loc)
        allowed = _fields_of(data, loc[:-1]) or []
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        fix = f"did you mean {guess[0]!r}?" if guess else f"allowed keys: {', '.join(allowed)}"
        return MappingError(path, line, col, f"unknown key {loc[-1]!r} in {_key_label(loc[:-1])} — {fix}")
    line, col = _position(positions, loc)
    if kind == "missing":
        allowed = _fields_of(data, loc[:-1])
        return MappingError(path, line, col, f"{_key_label(loc[:-1])} is missing the key {loc[-1]!r} — add `{loc[-1]}: ...`" + (f" (keys: {', '.join(allowed)})" if allowed else ""))
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return MappingError(path, line, col, f"{where} is {value!r}, which is not allowed — use one of {expected}")
    if kind == "string_pattern_mismatch":
        what = "a dotted module path like `pkg.module`, or `pkg.module:Name` for a symbol" if loc[-1] == "from" else "a dotted module path like `pkg.module`"
        return MappingError(path, line, col, f"{where} is {value!r}, which is not a valid path — write {what}")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return MappingError(path, line, col, f"{where} is {value!r} — it must be a whole number")
    if kind in {"bool_parsing", "bool_type"}:
        return MappingError(path, line, col, f"{where} is {value!r} — it must be true or false")
    if kind in {"string_type"}:
        return MappingError(path, line, col, f"{where} is {value!r} — it must be a string")
    if kind in {"tuple_type", "list_type"}:
        return MappingError(path, line, col, f"{where} is {value!r} — it must be a list (`- item` lines or `[a, b]`)")
    if kind in {"model_type", "dict_type"}:
        return MappingError(path, line, col, f"{where} is {value!r} — it must be a mapping of keys to values")
    if kind == "too_short":
        return MappingError(path, line, col, f"{where} is empty — add at least one entry")
    if kind == "greater_than_equal":
        return MappingError(path, line, col, f"{where} is {value!r} — it must be 0 or more")
    if kind == "value_error":
        msg = str(err.get("ctx", {}).get("error", err["msg"]))
        return MappingError(path, line, col, f"{where}: {msg} — rename it")
    return MappingError(path, line, col, f"{where}: {err['msg']} (got {value!r})")


def _check_semantics(path: Path, spec: MappingSpec, positions) -> None:
    """Checks the schema cannot express: unique ascending phases, sane moves."""
    seen_phase: dict[int, int] = {}
    prev = None
    destinations: dict[str, tuple[int, int]] = {}
    sources: dict[str, tuple[int, int]] = {}
    for pi, phase in enumerate(spec.phases):
        line, col = _position(positions, ("phases", pi, "phase"))
        if phase.phase in seen_phase:
            raise MappingError(path, line, col, f"phase {phase.phase} appears twice (first as phases[{seen_phase[phase.phase]}]) — give each phase its own number")
        if prev is not None and phase.phase < prev:
            raise MappingError(path, line, col, f"phase {phase.phase} comes after phase {prev} — list phases in ascending order")
        seen_phase[phase.phase] = pi
        prev = phase.phase
        for mi, move in enumerate(phase.moves):
            loc = ("phases", pi, "moves", mi)
            mline, mcol = _position(positions, loc + ("from",))
            tline, tcol = _position(positions, loc + ("to",))
            if move.source_module == move.to and not move.is_symbol:
                raise MappingError(path, mline, mcol, f"move from {move.source!r} to {move.to!r} moves nothing — change `to` or remove the move")
            if not move.is_symbol and (move.to.startswith(move.source + ".")):
                raise MappingError(path, tline, tcol, f"cannot move {move.source!r} into itself ({move.to!r}) — choose a destination outside it")
            if move.is_symbol and move.merge:
                raise MappingError(path, _position(positions, loc + ("merge",))[0], _position(positions, loc + ("merge",))[1], "`merge` applies to package moves, not to a symbol move — remove it")
            if move.source in sources:
                first = sources[move.source]
                raise MappingError(path, mline, mcol, f"{move.source!r} is moved twice (first at line {first[0]}) — keep one move per source")
            sources[move.source] = (mline or 0, mcol or 0)
            if move.is_symbol or move.prefer == "destination":
                continue  # several symbols, or several old copies, may land in one module
            if move.to in destinations:
                first = destinations[move.to]
                raise MappingError(path, tline, tcol, f"two moves go to {move.to!r} (the first at line {first[0]}) — give each its own destination, or use one package move with merge")
            destinations[move.to] = (tline or 0, tcol or 0)
