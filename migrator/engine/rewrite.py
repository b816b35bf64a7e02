"""Rewriting the references of one file, and of many in parallel. Pure: bytes → bytes.

`rewrite` is the one entry point for a file of any supported kind (Python, notebook,
config) and never raises for what a file holds: its outcome is one of the closed
results `Changed | Unchanged | Skipped | Failed`, which the planner matches on and
which cross process boundaries as they are (`rewrite_all`). `rewrite_file` is the same
rewrite for callers that want the bytes and treat a failure as an exception.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import difflib
import os
import re
import tokenize
from dataclasses import dataclass
from io import BytesIO
from typing import Union

from migrator.analysis import pyast
from migrator.analysis.scans import ScanCache, content_key, gc_paused, result_key
from migrator.analysis.project import CONFIG_SUFFIXES, DOC_SUFFIXES, NOTEBOOK_SUFFIX
from migrator.engine import configfiles, docfiles, fastpath, notebooks, prose
from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, Progress, Severity
from migrator.model.stored import diagnostic_json, diagnostic_of, edit_json, edit_of
from migrator.model.text import python_lines


# --------------------------------------------------------------------------- text I/O


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool


def decode_python(data: bytes) -> Decoded:
    """Decode a Python file by its PEP 263 declaration (UTF-8 by default), keeping the BOM."""
    encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    bom = data.startswith(b"\xef\xbb\xbf")
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    raw = data[3:] if bom else data
    return Decoded(raw.decode(encoding), encoding, bom)


def encode_python(text: str, like: Decoded) -> bytes:
    data = text.encode(like.encoding)
    return b"\xef\xbb\xbf" + data if like.bom else data


def newline_of(text: str) -> str:
    """The line ending a text uses (that of its first line), "\\n" when it has none."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def with_newline(text: str, newline: str) -> str:
    return text if newline == "\n" else text.replace("\r\n", "\n").replace("\n", newline)


def is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def unreadable_python(data: bytes) -> str | None:
    """Why Python could not read this file as source at all (UTF-16, NUL bytes), with
    the fix; None when it can be decoded as text."""
    if data.startswith(_UTF16_BOMS) or b"\0" in data:
        what = "UTF-16 (or UTF-32)" if data.startswith(_UTF16_BOMS) else "not text: it holds NUL bytes (UTF-16 without a BOM?)"
        return (
            f"is {what}, which Python cannot import — save it as UTF-8, or list it in "
            "target.exclude (or pass --skip-unparsable) to leave it alone"
        )
    return None


def searchable_text(data: bytes) -> str:
    """A file's text for searching by eye: UTF-16 by its BOM, else UTF-8 (errors replaced)."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Changed:
    """The rewrite changed the file: its new bytes, the edits made, notes found on the way."""

    data: bytes
    edits: tuple[Edit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Unchanged:
    """Nothing to change: the file keeps its bytes (a rule may still leave notes, and
    report an edit whose text came out the same)."""

    edits: tuple[Edit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """The file could not be looked at and is left as it is (an unreadable notebook, a
    config file that is not UTF-8): `reason` is the warning that says so."""

    reason: Diagnostic


@dataclass(frozen=True)
class Failed:
    """The file cannot be rewritten (does not parse, cannot be decoded): the error."""

    diagnostic: Diagnostic


#: What rewriting one file comes to.
FileResult = Union[Changed, Unchanged, Skipped, Failed]

#: Codes of files `--skip-unparsable` may leave alone: does not parse, cannot be decoded.
SKIPPABLE = frozenset({"MIG201", "MIG202"})


class FileRewriteError(Exception):
    """A file that cannot be rewritten (does not parse, is not decodable)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


#: Why a file whose expressions nest deeper than the parsers' recursion allows is refused.
TOO_DEEP = (
    "does not parse: an expression nests too deeply to be parsed and rewritten (a chain of "
    "thousands of operators?) — split it into several statements, or exclude the file in "
    "the mapping's target.exclude (or pass --skip-unparsable)"
)


# --------------------------------------------------------------------------- form feeds

#: The whitespace that starts a line up to its last form feed (`\x0c`, `^L`).
_FORM_FEED_LEAD = re.compile(r"[ \t\x0c]*\x0c")


def keep_form_feeds(old: str, new: str) -> str:
    """`new` with the form feeds that started lines of `old` put back.

    libcst drops the whitespace before a statement up to a form feed (`\x0cx = 1` comes
    out as `x = 1`), even in a statement it did not change. The tokenizer resets the
    column at a form feed, so the lines mean the same, but the bytes are not the user's.
    Lines are matched by difflib (after taking those leads off `old`): an equal line, or
    one of a replaced run of the same length (the rewritten statement), gets its lead back;
    a run rewritten into another number of lines gets the lead of its first line.
    """
    if "\x0c" not in old:
        return new
    old_lines = python_lines(old, keepends=True)
    leads: dict[int, str] = {}
    for i, line in enumerate(old_lines):
        found = _FORM_FEED_LEAD.match(line)
        if found and line[found.end() :].strip():
            leads[i] = found.group()
    if not leads:
        return new
    bare = [line[len(leads[i]) :] if i in leads else line for i, line in enumerate(old_lines)]
    new_lines = python_lines(new, keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, bare, new_lines, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs = [(i1 + k, j1 + k) for k in range(i2 - i1)]
        elif tag == "replace":  # a statement rewritten into more or fewer lines: its start
            pairs = [(i1, j1)]
        else:
            continue
        for i, j in pairs:
            lead = leads.get(i)
            if lead is not None and not new_lines[j].startswith(lead):
                new_lines[j] = lead + new_lines[j]
    return "".join(new_lines)


# --------------------------------------------------------------------------- one file


def rewrite_python_text(
    text: str, ctx: FileContext, moves: MoveSet, only: frozenset[str] | None = None
) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """The rules (those named in `only`, default all) over one Python source.

    Raises FileRewriteError when the source does not parse (notebook cells report it
    through the same exception)."""
    from libcst import ParserSyntaxError

    from rules import ALL_RULES, rewrite_source

    try:
        return rewrite_source(text, ctx, moves, ALL_RULES if only is None else tuple(r for r in ALL_RULES if r.name in only))
    except RecursionError:
        raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG201", TOO_DEEP, ctx.path)) from None
    except ParserSyntaxError as exc:
        line, col, message = exc.raw_line, exc.raw_column + 1, exc.message
        try:
            ast.parse(text)
        except SyntaxError as precise:  # CPython's parser points at the real spot
            line, col, message = precise.lineno or line, precise.offset or col, precise.msg
        except ValueError:
            pass
        raise FileRewriteError(
            Diagnostic(
                Severity.ERROR,
                "MIG201",
                f"does not parse: {message} — fix the syntax, or pass --skip-unparsable or exclude the file in the mapping's target.exclude "
                "to leave it as it is (a file the phase moves then moves byte for byte; its mentions of moved paths are listed for a hand fix)",
                ctx.path,
                line,
                col,
            )
        ) from None


def rewrite(
    path: str, data: bytes, ctx: FileContext, moves: MoveSet, scan: pyast.Scan | None = None, *, statements_alone: bool = True
) -> FileResult:
    """Rewrite references in one file of any supported kind. Pure; never raises for
    what the file holds.

    `scan`: the file's `pyast.scan`, when known already (saves parsing it again).
    `statements_alone`: rewrite files whose only references are `from` imports
    statement by statement, and run only the rules that can find work in a file
    (migrator/engine/fastpath.py); off only to compare both ways."""
    try:
        if is_python(path):
            return _rewrite_python(path, data, ctx, moves, scan, statements_alone=statements_alone)
        if path.endswith(NOTEBOOK_SUFFIX):
            return _rewrite_notebook(path, data, ctx, moves, statements_alone=statements_alone)
    except FileRewriteError as exc:
        return Failed(exc.diagnostic)
    if path.endswith(DOC_SUFFIXES):
        return _rewrite_docs(path, data, ctx, moves)
    if path.endswith(CONFIG_SUFFIXES):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Skipped(Diagnostic(Severity.WARNING, "MIG912", "config file is not UTF-8; left unchanged", path))
        new_text, edits = configfiles.rewrite_config(path, text, moves.resolve, moves.resolve_path if moves.paths else None)
        return Unchanged(edits) if new_text == text else Changed(new_text.encode("utf-8"), edits)
    return Unchanged()


def rewrite_file(
    path: str, data: bytes, ctx: FileContext, moves: MoveSet, scan: pyast.Scan | None = None, *, statements_alone: bool = True
) -> tuple[bytes, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """`rewrite` for callers that want the bytes: (bytes after, edits, diagnostics); a
    file that cannot be rewritten raises FileRewriteError."""
    match rewrite(path, data, ctx, moves, scan, statements_alone=statements_alone):
        case Changed(new, edits, diagnostics):
            return new, edits, diagnostics
        case Unchanged(edits, diagnostics):
            return data, edits, diagnostics
        case Skipped(reason):
            return data, (), (reason,)
        case Failed(diagnostic):
            raise FileRewriteError(diagnostic)


def _rewrite_python(
    path: str, data: bytes, ctx: FileContext, moves: MoveSet, scan: pyast.Scan | None, *, statements_alone: bool
) -> FileResult:
    unreadable = unreadable_python(data)
    if unreadable is not None:
        return Failed(Diagnostic(Severity.ERROR, "MIG202", unreadable, path))
    try:
        decoded = decode_python(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        return Failed(Diagnostic(Severity.ERROR, "MIG202", f"cannot be decoded ({exc}) — save it as UTF-8 or declare its encoding (PEP 263)", path))
    if "\r" in decoded.text and "\n" not in decoded.text:
        # libcst would drop the last line ending of such a file: report, never mangle.
        return Failed(Diagnostic(Severity.ERROR, "MIG202", "has old Mac line endings (CR only) — convert it to LF or CRLF", path))
    if scan is not None and scan[1] is not None and scan[1][2] == pyast.TOO_DEEP:
        return Failed(Diagnostic(Severity.ERROR, "MIG201", TOO_DEEP, path))
    try:
        found = fastpath.triage(decoded.text, ctx, moves, scan)
    except RecursionError:
        return Failed(Diagnostic(Severity.ERROR, "MIG201", TOO_DEEP, path))
    imports = scan[0] if scan is not None and scan[1] is None else None
    if found is None:
        return _with_prose(Unchanged(), decoded, ctx, moves, imports)
    done = None
    if not found.whole_file and statements_alone:
        done = fastpath.rewrite_statements(decoded.text, found.statements, ctx, moves)
    if done is None:
        only = found.rules if statements_alone else None
        done = rewrite_python_text(decoded.text, ctx, moves, only)
    text, edits, diags = done
    if text == decoded.text:
        return _with_prose(Unchanged(edits, diags), decoded, ctx, moves, imports)
    return _with_prose(Changed(encode_python(keep_form_feeds(decoded.text, text), decoded), edits, diags), decoded, ctx, moves, imports)


def _with_prose(result: FileResult, decoded: Decoded, ctx: FileContext, moves: MoveSet, imports: tuple[pyast.ImportRecord, ...] | None = None) -> FileResult:
    """`result` with the old paths left in comments and docstrings: rewritten in
    `target.prose` files, else listed (MIG918). Files on facades keep theirs.
    `imports`: the import statements of `decoded` (its scan), which spare tokenizing a
    file that names moved paths only in them."""
    if ctx.keep_on_facades:
        return result
    if ctx.prose:  # rewritten in the text the rules left
        text = decode_python(result.data).text if isinstance(result, Changed) else decoded.text
        spans = prose.prose_edits(text, moves)
        if not spans:
            return result
        return Changed(encode_python(prose.rewrite_prose(text, spans), decoded), result.edits + tuple(e for _, _, e in spans), result.diagnostics)
    # listed where the user's file has them (the rules' edits may shift columns): the
    # original text's prose, less what a rule rewrote at that very place
    done = {(e.line, e.col) for e in result.edits}
    edits = tuple(e for _, _, e in prose.prose_edits(decoded.text, moves, imports) if (e.line, e.col) not in done)
    if not edits:
        return result
    listed = tuple(
        Diagnostic(Severity.WARNING, "MIG918", f"a comment or docstring names {e.old!r} — moved to {e.new!r}; update it, or add the file to the mapping's target.prose to have it rewritten", ctx.path, e.line, e.col)
        for e in edits
    )
    return dataclasses.replace(result, diagnostics=result.diagnostics + listed)


def _rewrite_notebook(path: str, data: bytes, ctx: FileContext, moves: MoveSet, *, statements_alone: bool = True) -> FileResult:
    """Every code cell through the rules; each cell is triaged first, as a file is (a
    cell no rule can change is not parsed by libcst; with `statements_alone` off, every
    rule runs over every cell, to compare both ways)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Failed(Diagnostic(Severity.ERROR, "MIG202", f"notebook is not UTF-8 ({exc.reason} at byte {exc.start}) — save it as UTF-8", path))
    cell_ctx = FileContext(path=path, keep_on_facades=ctx.keep_on_facades)

    def cell(source: str):
        only = None
        if statements_alone:
            found = fastpath.triage(source, cell_ctx, moves)
            if found is None:
                return source, ()
            only = found.rules
        new, edits, _ = rewrite_python_text(source, cell_ctx, moves, only)
        return keep_form_feeds(source, new), edits

    try:
        new_text, edits, diags = notebooks.rewrite_notebook(path, text, cell)
    except Exception as exc:
        if isinstance(exc, FileRewriteError):
            raise
        return Skipped(Diagnostic(Severity.WARNING, "MIG911", f"notebook could not be read ({exc}); left unchanged", path))
    if new_text == text:
        return Unchanged(edits, diags)
    return Changed(new_text.encode("utf-8"), edits, diags)


def _rewrite_docs(path: str, data: bytes, ctx: FileContext, moves: MoveSet) -> FileResult:
    """A docs file: rewritten in the mapping's `target.docs` globs, else each reference
    is listed (MIG917) and the file stays as it is."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Unchanged()
    new_text, edits = docfiles.rewrite_docs(text, moves.resolve)
    if not edits:
        return Unchanged()
    if ctx.docs:
        return Changed(new_text.encode("utf-8"), edits)
    listed = tuple(
        Diagnostic(Severity.WARNING, "MIG917", f"docs reference to {e.old!r} — moved to {e.new!r}; update it, or add the file to the mapping's target.docs to have it rewritten", path, e.line, e.col)
        for e in edits
    )
    return Unchanged((), listed)


# --------------------------------------------------------------------------- many files


def rewrite_all(
    files: list[tuple[str, bytes, FileContext]],
    moves: MoveSet,
    *,
    jobs: int | None = None,
    imports: ScanCache | None = None,
    progress: Progress | None = None,
    statements_alone: bool = True,
) -> dict[str, FileResult]:
    """`rewrite` over many files, spread over `jobs` processes (default: every core).

    Results are keyed by path and identical to a serial run: each file is rewritten on
    its own, and the caller walks them in path order. Small batches stay in-process,
    where starting workers would cost more than it saves. `imports` supplies the import
    scans of Python files it knows and learns the others (the workers parse each file
    once, for the triage and for the cache alike).
    """
    keys = {path: content_key(data) for path, data, _ in files if imports is not None and is_python(path)}
    known: dict[str, FileResult] = {}
    result_keys: dict[str, str] = {}
    if imports is not None:
        inputs = result_key("moves", moves_inputs(moves))
        for path, data, ctx in files:
            key = result_keys[path] = result_key("rewrite", RESULT_VERSION, path, keys.get(path) or content_key(data), dataclasses.astuple(ctx), inputs, statements_alone)
            found = decode_result(imports.result(key))
            if found is not None:
                known[path] = found
    jobs_in = [(path, data, ctx, imports.get(keys[path]) if path in keys else None) for path, data, ctx in files if path not in known]
    workers = _workers(jobs, len(jobs_in))
    # Contiguous chunks, several per worker: balanced, and a progress bar that moves.
    size = max(1, min(64, -(-len(jobs_in) // (workers * 8))))
    chunks = [jobs_in[i : i + size] for i in range(0, len(jobs_in), size)]
    out: dict = {path: (result, None) for path, result in known.items()}

    def done(part: dict) -> None:
        out.update(part)
        if progress is not None:
            progress("rewriting files", len(out), len(files))

    if workers <= 1:
        for chunk in chunks:
            done(_rewrite_chunk(chunk, moves, statements_alone))
    else:
        import multiprocessing
        from migrator.analysis.workers import pool as worker_pool
        import rules  # noqa: F401 — imported once here, so forked workers start with libcst loaded

        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with worker_pool(workers, context) as pool:
            for part in pool.map(_rewrite_chunk, chunks, [moves] * len(chunks), [statements_alone] * len(chunks)):
                done(part)
    results = {}
    for path, _, _ in files:
        outcome, scan = out[path]
        if scan is not None and path in keys and imports.get(keys[path]) is None:
            imports.put(keys[path], scan)
        if imports is not None and path not in known:
            imports.put_result(result_keys[path], encode_result(outcome))
        results[path] = outcome
    return results


# --------------------------------------------------------------------------- stored results

#: Part of every stored rewrite's key: raise it when `encode_result`'s shape changes
#: (the code digest of the on-disk cache covers any other change to the code).
RESULT_VERSION = 1


def moves_inputs(moves: MoveSet) -> list:
    """Everything of `moves` a rewrite can read, in a canonical order (for `result_key`)."""
    return [
        sorted(moves.modules.items()),
        sorted(moves.symbols.items()),
        sorted(moves.known_modules),
        sorted(moves.reexports.items()),
        sorted((module, sorted(names)) for module, names in moves.attributes.items()),
        sorted(moves.paths.items()),
    ]


def encode_result(result: FileResult) -> list:
    """`result` as a JSON value (`decode_result` gives it back, equal)."""
    match result:
        case Changed(data, edits, diagnostics):
            return ["changed", base64.b64encode(data).decode("ascii"), [edit_json(e) for e in edits], [diagnostic_json(d) for d in diagnostics]]
        case Unchanged(edits, diagnostics):
            return ["unchanged", [edit_json(e) for e in edits], [diagnostic_json(d) for d in diagnostics]]
        case Skipped(reason):
            return ["skipped", diagnostic_json(reason)]
        case Failed(diagnostic):
            return ["failed", diagnostic_json(diagnostic)]
    raise TypeError(f"not a FileResult: {result!r}")


def decode_result(value: object) -> FileResult | None:
    """The `FileResult` an `encode_result` value stands for; None for anything else (a
    missing, damaged or foreign entry is a miss, never an error)."""
    try:
        match value:
            case ["changed", str(data), list(edits), list(diagnostics)]:
                return Changed(base64.b64decode(data, validate=True), tuple(map(edit_of, edits)), tuple(map(diagnostic_of, diagnostics)))
            case ["unchanged", list(edits), list(diagnostics)]:
                return Unchanged(tuple(map(edit_of, edits)), tuple(map(diagnostic_of, diagnostics)))
            case ["skipped", reason]:
                return Skipped(diagnostic_of(reason))
            case ["failed", diagnostic]:
                return Failed(diagnostic_of(diagnostic))
    except (ValueError, TypeError):
        return None
    return None


#: Below this many files a phase is rewritten in-process.
PARALLEL_THRESHOLD = 64


def _workers(jobs: int | None, files: int) -> int:
    if jobs is not None:
        return max(1, min(jobs, files))
    if files < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, files // 16))


def _rewrite_chunk(files, moves: MoveSet, statements_alone: bool) -> dict[str, tuple[FileResult, pyast.Scan | None]]:
    """Each file's outcome, and its import scan (made here when not given)."""
    out = {}
    for path, data, ctx, scan in files:
        # One file at a time with the cyclic collector paused: its trees allocate
        # enough objects to set off full collections again and again, which find
        # nothing to free until the file is done (and then collect it as usual).
        with gc_paused():
            if scan is None and is_python(path):
                scan = pyast.scan(data, path)
            out[path] = (rewrite(path, data, ctx, moves, scan, statements_alone=statements_alone), scan)
    return out
