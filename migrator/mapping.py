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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    warning: bool = Field(True, description="Importing a facade emits one DeprecationWarning.")
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

    phase: int = Field(ge=0, description="The phase number (the seed's numbering).")
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
        description="How `migrate verify` runs the target's tests (from the target root).",
    )
    phases: tuple[PhaseSpec, ...] = Field(min_length=1, description="The phases, in order.")


@dataclass(frozen=True)
class Mapping:
    """A loaded, validated mapping and where it came from."""

    spec: MappingSpec
    path: Path
    positions: dict = field(default_factory=dict, compare=False, repr=False)

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


class MappingError(Exception):
    """A mistake in the mapping file, with where it is and how to fix it."""

    def __init__(self, path: Path | str, line: int | None, col: int | None, message: str):
        self.path = str(path)
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
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- loading


def load_mapping(path: Path | str) -> Mapping:
    """Read, parse and validate a mapping file. Raises MappingError on any mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(path, None, None, "mapping file not found — pass --mapping FILE or create mapping.yaml") from None
    except UnicodeDecodeError as exc:
        raise MappingError(path, None, None, f"not UTF-8 ({exc.reason}) — save the file as UTF-8") from None
    data, positions = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise MappingError(path, 1, 1, "the mapping must be a YAML mapping with keys version, target, phases — see mapping.schema.json")
    try:
        spec = MappingSpec.model_validate(data)
    except ValidationError as exc:
        raise _first_error(path, exc, positions, data) from None
    _check_semantics(path, spec, positions)
    return Mapping(spec=spec, path=path.resolve(), positions=positions)


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        hint = " — keys must be unique; remove or rename one" if "duplicate" in str(exc).lower() else " — fix the YAML syntax"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise MappingError(path, line, col, f"{problem}{hint}") from None
    except YAMLError as exc:  # pragma: no cover - ruamel raises marked errors for text input
        raise MappingError(path, None, None, f"invalid YAML: {exc}") from None
    positions: dict[tuple, tuple[int, int]] = {}
    data = _plain(doc, (), positions)
    return data, positions


def _plain(node: Any, loc: tuple, positions: dict[tuple, tuple[int, int]]) -> Any:
    """Convert ruamel nodes to plain Python, recording (line, col) of every key/item."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        out = {}
        if loc not in positions:
            positions[loc] = (node.lc.line + 1, node.lc.col + 1)
        for key in node:
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            positions[loc + (key, "@key")] = (kline + 1, kcol + 1)
            positions[loc + (key,)] = (vline + 1, vcol + 1)
            out[key] = _plain(node[key], loc + (key,), positions)
        return out
    if isinstance(node, CommentedSeq):
        if loc not in positions:
            positions[loc] = (node.lc.line + 1, node.lc.col + 1)
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            positions[loc + (i,)] = (line + 1, col + 1)
            items.append(_plain(item, loc + (i,), positions))
        return items
    if isinstance(node, str):
        return str(node)
    return node


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
