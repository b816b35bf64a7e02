"""Sorted imports stay sorted, and the mapping's formatter runs (`format_files`): a rewritten or added import goes where the project's import
sorter puts it.

The project's own settings decide: `[tool.isort]` in pyproject.toml, `.isort.cfg`,
`[isort]` / `[tool:isort]` in setup.cfg or tox.ini, else ruff's (`[tool.ruff]` in
pyproject.toml, `ruff.toml`, `.ruff.toml`) when ruff's `I` rules are selected, read as
isort's `black` profile (which ruff's sorting mirrors) with ruff's `line-length` and
`[lint.isort]` settings. A project with neither has no import order to keep.

A file is sorted again only when it was sorted before under those settings (isort leaves
it byte for byte) and the phase left it unsorted; a file that was not sorted is not
sorted now either (a minimal diff). Files the phase creates (a symbol move's new module)
are sorted. isort does the sorting (decision: the reference implementation of the order
both tools use, pure Python, in process, a few milliseconds a file; running ruff instead
would need its binary, a process per file, and would sort every block of the file).
Placement is decided without the disk: the project's own top-level packages are first
party (`known_first_party`), and isort's `src_paths` search is turned off.
"""

from __future__ import annotations

import configparser
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from migrator.analysis.project import FileEntry, ProjectIndex, Snapshot
from migrator.analysis.scans import ScanCache, content_key, result_key
from migrator.engine.phase_work import FormatterError, PhaseWork, Refusal, before_bytes
from migrator.engine.rewrite import decode_python, encode_python, is_python
from migrator.model.plan import ChangeRole, Diagnostic, RefKind, Severity

#: ruff `[lint.isort]` settings → isort settings of the same meaning.
_RUFF_TO_ISORT = {
    "force-sort-within-sections": "force_sort_within_sections",
    "known-first-party": "known_first_party",
    "known-third-party": "known_third_party",
    "known-local-folder": "known_local_folder",
    "extra-standard-library": "extra_standard_library",
    "combine-as-imports": "combine_as_imports",
    "force-single-line": "force_single_line",
    "single-line-exclusions": "single_line_exclusions",
    "order-by-type": "order_by_type",
    "case-sensitive": "case_sensitive",
    "lines-after-imports": "lines_after_imports",
    "lines-between-types": "lines_between_types",
    "force-wrap-aliases": "force_wrap_aliases",
    "split-on-trailing-comma": "split_on_trailing_comma",
    "no-lines-before": "no_lines_before",
    "force-to-top": "force_to_top",
    "from-first": "from_first",
    "no-sections": "no_sections",
    "length-sort": "length_sort",
}
_LIST_SETTINGS = {"known_first_party", "known_third_party", "known_local_folder", "extra_standard_library", "single_line_exclusions", "no_lines_before", "force_to_top", "sections"}


@dataclass(frozen=True)
class ImportStyle:
    """The import order of a project: isort settings, and the file they were read from."""

    settings: tuple[tuple[str, Any], ...]
    source: str


def import_style(snapshot: Snapshot, index: ProjectIndex) -> ImportStyle | None:
    """The project's import order, or None when it configures no import sorter."""
    found = _isort_settings(snapshot) or _ruff_settings(snapshot)
    if found is None:
        return None
    settings, source = found
    first_party = set(settings.get("known_first_party", ())) | {name.partition(".")[0] for name in index.names()}
    settings["known_first_party"] = sorted(first_party)
    settings["src_paths"] = ()
    settings.setdefault("py_version", "311")
    return ImportStyle(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.items())), source)


def keep_sorted(before: str | None, after: str, style: ImportStyle, memo: ScanCache | None = None) -> str:
    """`after` with its imports sorted again if `before` was sorted (or is a new file).

    `memo`: where isort's answers are kept by content (a cache the next command reads),
    so a text sorted once is not sorted again."""
    if after == before:
        return after
    ordered = _sort(after, style, memo)
    if ordered == after or (before is not None and not _sorted(before, style, memo)):
        return after
    return ordered


def _sorted(text: str, style: ImportStyle, memo: ScanCache | None = None) -> bool:
    return _sort(text, style, memo) == text


def _sort(text: str, style: ImportStyle, memo: ScanCache | None = None) -> str:
    """`text` as isort orders it; through `memo` when given (a pure function of the
    text and the settings)."""
    if memo is None:
        return _isort(text, style)
    key = result_key("isort", 1, _style_inputs(style), content_key(text.encode("utf-8", "surrogatepass")))
    match memo.result(key):
        case ["same"]:
            return text
        case ["sorted", str(ordered)]:
            return ordered
    ordered = _isort(text, style)
    memo.put_result(key, ["same"] if ordered == text else ["sorted", ordered])
    return ordered


@lru_cache(maxsize=8)
def _style_inputs(style: ImportStyle) -> list:
    return [[k, list(v) if isinstance(v, tuple) else v] for k, v in style.settings]


def _isort(text: str, style: ImportStyle) -> str:
    import isort

    config = _config(style)
    try:
        with _copies_share_settings(config):
            return isort.code(text, config=config)
    except Exception:  # isort: skip_file, or a file isort cannot read: leave it as it is
        return text


@lru_cache(maxsize=8)
def _config(style: ImportStyle):
    import isort

    return isort.Config(**{k: (list(v) if isinstance(v, tuple) else v) for k, v in style.settings}, quiet=True)


@contextmanager
def _copies_share_settings(config) -> Iterator[None]:
    """While isort sorts one text: the copies of `config` it makes share their settings.

    isort sorts each indented import block (an import inside a function) with a copy of
    the config (`Config(config=..., line_length=...)`), and each copy starts with
    `dataclasses.asdict(config)`: a deep copy of some 100 settings, stdlib's module set
    among them, 0.6 ms a block, more than half of isort's time on Django. Settings are
    never changed in place (the config is a frozen dataclass), so here the copy is made
    once per config and each block's copy starts from a shallow copy of it. Output is
    the same byte for byte (tests/test_import_order_isort.py compares with isort's own). Only
    `isort.settings.asdict` is replaced, and only during the call; an isort without that
    name is left as it is."""
    import dataclasses

    import isort.settings as settings

    original = getattr(settings, "asdict", None)
    if original is not dataclasses.asdict:
        yield
        return
    made = _SETTINGS_OF.get(id(config))
    if made is None or made[0] is not config:
        if len(_SETTINGS_OF) >= 8:
            _SETTINGS_OF.clear()
        made = _SETTINGS_OF[id(config)] = (config, original(config))

    def asdict(obj, *, dict_factory=dict):
        if obj is config and dict_factory is dict:
            return dict(made[1])
        return original(obj, dict_factory=dict_factory)

    settings.asdict = asdict
    try:
        yield
    finally:
        settings.asdict = original


#: id(config) → (config, its settings as `dataclasses.asdict` gives them): see
#: `_copies_share_settings`.
_SETTINGS_OF: dict[int, tuple[Any, dict]] = {}


def order_imports(work: PhaseWork) -> Refusal | None:
    """The step: every Python file the phase writes (facades aside: they hold no imports
    to order) loses the imports its rewrite left unused (`tidy_unused`) and keeps the
    project's import order. Never refuses."""
    style = import_style(work.before, work.index)
    tree = work.tree
    cleaned = {work.index.modules[sm.module].path for sm in work.exp.symbol_moves if sm.module in work.index.modules}
    for path, entry in list(tree.after.items()):
        if entry is None or not is_python(path) or tree.roles.get(path) is ChangeRole.FACADE:
            continue
        origin = tree.renamed_from.get(path, path)
        old = before_bytes(work.before, origin)
        try:
            new_text = decode_python(entry.data)
            old_text = decode_python(old).text if old is not None else None
        except (UnicodeDecodeError, SyntaxError, LookupError):
            continue
        text = new_text.text
        # Only a rewritten dotted use (`mod.f` → `new.f`) can leave an import unused: an
        # import rewritten in place binds its name again. Symbol moves cleaned their sources.
        uses = any(e.kind is RefKind.DOTTED_USE for e in tree.edits.get(path, ()))
        if old_text is not None and origin not in cleaned and uses:
            text = tidy_unused(work, origin, old_text, text)
        if style is not None:
            text = keep_sorted(old_text, text, style, work.options.imports)
        if text != new_text.text:
            tree.after[path] = FileEntry(encode_python(text, new_text), entry.mode)
    return None


def tidy_unused(work: PhaseWork, path: str, before: str, after: str) -> str:
    """`after` without the imports the rewrite left unused (`from pkg import mod` once
    every `mod.f` reads `new.f`), unless another module imports that name from this one."""
    from migrator.engine.source_cleanup import drop_imports, imported_from, imports_left_unused

    unused = imports_left_unused(before, after)
    if not unused:
        return after
    info = work.index.module_of(path)
    keep = imported_from(work.before, work.index, info.name, unused) if info is not None else frozenset()
    return drop_imports(after, unused - keep)


def format_files(work: PhaseWork) -> Refusal | None:
    """The step after the import order: the mapping's `format` command over every Python
    file the phase creates or changes, so that `plan` shows what `apply` writes. A file
    moved unchanged stays byte for byte: a pure rename keeps its history (`git log
    --follow`), and its code is not the phase's to reformat. A file the formatter cannot
    format refuses the phase."""
    formatter = work.options.formatter
    if formatter is None:
        return None
    tree = work.tree
    for path, entry in sorted(tree.after.items()):
        if entry is None or not is_python(path) or entry.data == before_bytes(work.before, tree.renamed_from.get(path, path)):
            continue
        try:
            formatted = formatter(path, entry.data)
        except FormatterError as exc:
            work.diagnostics.append(Diagnostic(Severity.ERROR, "MIG121", f"the mapping's `format` command failed: {exc} — fix `format:` in the mapping, or remove it", path))
            continue
        if formatted != entry.data:
            tree.after[path] = FileEntry(formatted, entry.mode)
    return work.refusal()


# --------------------------------------------------------------------------- settings


def _toml(snapshot: Snapshot, path: str) -> dict | None:
    data = snapshot.get(path)
    if data is None:
        return None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def _isort_settings(snapshot: Snapshot) -> tuple[dict[str, Any], str] | None:
    pyproject = _toml(snapshot, "pyproject.toml") or {}
    section = pyproject.get("tool", {}).get("isort")
    if isinstance(section, dict):
        return {k.replace("-", "_"): v for k, v in section.items()}, "pyproject.toml [tool.isort]"
    for path, names in ((".isort.cfg", ("settings", "isort")), ("setup.cfg", ("isort", "tool:isort")), ("tox.ini", ("isort", "tool:isort"))):
        data = snapshot.get(path)
        if data is None:
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read_string(data.decode("utf-8"))
        except (configparser.Error, UnicodeDecodeError):
            continue
        for name in names:
            if parser.has_section(name):
                return {k.replace("-", "_"): _ini_value(k.replace("-", "_"), v) for k, v in parser.items(name)}, f"{path} [{name}]"
    return None


def _ini_value(key: str, value: str) -> Any:
    text = value.strip()
    if key in _LIST_SETTINGS:
        return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        return text


def _ruff_settings(snapshot: Snapshot) -> tuple[dict[str, Any], str] | None:
    for path in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        doc = _toml(snapshot, path)
        if doc is None:
            continue
        ruff = doc.get("tool", {}).get("ruff") if path == "pyproject.toml" else doc
        if not isinstance(ruff, dict):
            continue
        lint = ruff.get("lint", {}) if isinstance(ruff.get("lint"), dict) else {}
        selected = [*lint.get("select", ruff.get("select", [])), *lint.get("extend-select", ruff.get("extend-select", []))]
        if not any(code == "ALL" or "I001".startswith(code) for code in selected if isinstance(code, str)):
            return None
        isort = lint.get("isort", ruff.get("isort", {}))
        settings: dict[str, Any] = {"profile": "black", "line_length": ruff.get("line-length", 88)}
        settings.update({_RUFF_TO_ISORT[k]: v for k, v in (isort if isinstance(isort, dict) else {}).items() if k in _RUFF_TO_ISORT})
        return settings, f"{path} [tool.ruff]" if path == "pyproject.toml" else path
    return None
