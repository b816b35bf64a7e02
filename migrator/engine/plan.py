"""The planning engine: mapping × snapshot → Plan. Pure: reads a snapshot, writes nothing.

For one phase: expand the moves, rewrite every file that can refer to a moved name
(a text prefilter decides which files are parsed at all), relocate moved files, write
facades at the old paths, consolidate copies, move symbols, create new packages. The
result is a `PhasePlan` plus the snapshot after it, on which the next phase is planned.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import tokenize
from dataclasses import dataclass, field
from io import BytesIO
from typing import Iterable

from migrator.engine import command_lines as commands
from migrator.engine import configfiles, facades, fastpath, notebooks, symbols
from migrator.analysis import pyast
from migrator.analysis.scans import MemoryCache, ScanCache, content_key
from migrator.analysis.equivalence import equivalent, unified
from migrator.mapping.spec import Mapping, PhaseSpec
from migrator.model.plan import (
    ChangeRole,
    Diagnostic,
    Edit,
    FileChange,
    FileContext,
    MoveSet,
    PhasePlan,
    Plan,
    Progress,
    Severity,
)
from migrator.engine.cycle_gate import cycle_gate
from migrator.engine.expand import Expansion, expand
from migrator.analysis.project import (
    CONFIG_SUFFIXES,
    NOTEBOOK_SUFFIX,
    FileEntry,
    ProjectIndex,
    Snapshot,
    matches_any,
)


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


# --------------------------------------------------------------------------- rewriting


class FileRewriteError(Exception):
    """A file that cannot be rewritten (does not parse, is not decodable)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))

    def __reduce__(self):  # crosses process boundaries in rewrite_all
        return (FileRewriteError, (self.diagnostic,))


#: Why a file whose expressions nest deeper than the parsers' recursion allows is refused.
TOO_DEEP = (
    "does not parse: an expression nests too deeply to be parsed and rewritten (a chain of "
    "thousands of operators?) — split it into several statements, or exclude the file in "
    "the mapping's target.exclude (or pass --skip-unparsable)"
)


def rewrite_python_text(
    text: str, ctx: FileContext, moves: MoveSet, only: frozenset[str] | None = None
) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """The rules (those named in `only`, default all) over one Python source."""
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


#: Rewrite files whose only references are `from` imports statement by statement, and
#: run only the rules that can find work in a file (migrator/engine/fastpath.py). Off only in
#: tests that compare both ways.
STATEMENTS_ALONE = True


def rewrite_file(
    path: str, data: bytes, ctx: FileContext, moves: MoveSet, scan: pyast.Scan | None = None
) -> tuple[bytes, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """Rewrite references in one file of any supported kind. Pure.

    `scan`: the file's `pyast.scan`, when known already (saves parsing it again)."""
    if path.endswith((".py", ".pyi")):
        unreadable = _unreadable_python(data)
        if unreadable is not None:
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG202", unreadable, path))
        try:
            decoded = decode_python(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG202", f"cannot be decoded ({exc}) — save it as UTF-8 or declare its encoding (PEP 263)", path)) from None
        if "\r" in decoded.text and "\n" not in decoded.text:
            # libcst would drop the last line ending of such a file: report, never mangle.
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG202", "has old Mac line endings (CR only) — convert it to LF or CRLF", path))
        if scan is not None and scan[1] is not None and scan[1][2] == pyast.TOO_DEEP:
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG201", TOO_DEEP, path))
        try:
            found = fastpath.triage(decoded.text, ctx, moves, scan)
        except RecursionError:
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG201", TOO_DEEP, path)) from None
        if found is None:
            return data, (), ()
        done = None
        if not found.whole_file and STATEMENTS_ALONE:
            done = fastpath.rewrite_statements(decoded.text, found.statements, ctx, moves)
        if done is None:
            only = found.rules if STATEMENTS_ALONE else None
            done = rewrite_python_text(decoded.text, ctx, moves, only)
        text, edits, diags = done
        if text == decoded.text:
            return data, edits, diags
        return encode_python(text, decoded), edits, diags
    if path.endswith(NOTEBOOK_SUFFIX):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRewriteError(Diagnostic(Severity.ERROR, "MIG202", f"notebook is not UTF-8 ({exc.reason} at byte {exc.start}) — save it as UTF-8", path)) from None
        cell_ctx = FileContext(path=path, keep_on_facades=ctx.keep_on_facades)

        def cell(source: str):
            new, edits, _ = rewrite_python_text(source, cell_ctx, moves)
            return new, edits

        try:
            new_text, edits, diags = notebooks.rewrite_notebook(path, text, cell)
        except Exception as exc:
            if isinstance(exc, FileRewriteError):
                raise
            return data, (), (Diagnostic(Severity.WARNING, "MIG911", f"notebook could not be read ({exc}); left unchanged", path),)
        return (data if new_text == text else new_text.encode("utf-8")), edits, diags
    if path.endswith(CONFIG_SUFFIXES):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data, (), (Diagnostic(Severity.WARNING, "MIG912", "config file is not UTF-8; left unchanged", path),)
        new_text, edits = configfiles.rewrite_config(path, text, moves.resolve)
        return (data if new_text == text else new_text.encode("utf-8")), edits, ()
    return data, (), ()


def rewrite_all(
    files: list[tuple[str, bytes, FileContext]],
    moves: MoveSet,
    jobs: int | None = None,
    imports: ScanCache | None = None,
    progress: Progress | None = None,
) -> dict[str, tuple[bytes, tuple[Edit, ...], tuple[Diagnostic, ...]] | FileRewriteError]:
    """`rewrite_file` over many files, spread over `jobs` processes (default: every core).

    Results are keyed by path and identical to a serial run: each file is rewritten on
    its own, and the caller walks them in path order. Small batches stay in-process,
    where starting workers would cost more than it saves. `imports` supplies the import
    scans of Python files it knows and learns the others (the workers parse each file
    once, for the triage and for the cache alike).
    """
    keys = {path: content_key(data) for path, data, _ in files if imports is not None and _is_python(path)}
    jobs_in = [(path, data, ctx, imports.get(keys[path]) if path in keys else None) for path, data, ctx in files]
    workers = _workers(jobs, len(files))
    # Contiguous chunks, several per worker: balanced, and a progress bar that moves.
    size = max(1, min(64, -(-len(jobs_in) // (workers * 8))))
    chunks = [jobs_in[i : i + size] for i in range(0, len(jobs_in), size)]
    out: dict = {}

    def done(part: dict) -> None:
        out.update(part)
        if progress is not None:
            progress("rewriting files", len(out), len(jobs_in))

    if workers <= 1:
        for chunk in chunks:
            done(_rewrite_chunk(chunk, moves))
    else:
        import multiprocessing
        from migrator.analysis.workers import pool as worker_pool
        import rules  # noqa: F401 — imported once here, so forked workers start with libcst loaded

        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with worker_pool(workers, context) as pool:
            for part in pool.map(_rewrite_chunk, chunks, [moves] * len(chunks)):
                done(part)
    results = {}
    for path, _, _ in files:
        outcome, scan = out[path]
        if scan is not None and path in keys and imports.get(keys[path]) is None:
            imports.put(keys[path], scan)
        results[path] = outcome
    return results


def _is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _unreadable_python(data: bytes) -> str | None:
    """Why Python could not read this file as source at all (UTF-16, NUL bytes), with
    the fix; None when it can be decoded as text."""
    if data.startswith(_UTF16_BOMS) or b"\0" in data:
        what = "UTF-16 (or UTF-32)" if data.startswith(_UTF16_BOMS) else "not text: it holds NUL bytes (UTF-16 without a BOM?)"
        return (
            f"is {what}, which Python cannot import — save it as UTF-8, or list it in "
            "target.exclude (or pass --skip-unparsable) to leave it alone"
        )
    return None


def _as_text(data: bytes) -> str:
    """A file's text for searching by eye: UTF-16 by its BOM, else UTF-8 (errors replaced)."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")


#: Below this many files a phase is rewritten in-process.
PARALLEL_THRESHOLD = 64


def _workers(jobs: int | None, files: int) -> int:
    if jobs is not None:
        return max(1, min(jobs, files))
    if files < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, files // 16))


def _rewrite_one(path: str, data: bytes, ctx: FileContext, moves: MoveSet, scan: pyast.Scan | None):
    """One file's outcome, and its import scan (made here when not given)."""
    if scan is None and _is_python(path):
        scan = pyast.scan(data, path)
    try:
        return rewrite_file(path, data, ctx, moves, scan), scan
    except FileRewriteError as exc:
        return exc, scan


def _rewrite_chunk(files, moves):
    return {path: _rewrite_one(path, data, ctx, moves, scan) for path, data, ctx, scan in files}


class Prefilter:
    """Decides from text alone whether a file can refer to anything that moves.

    Stage one is one regex over the last components of every old name (every form of
    reference contains it). Stage two keeps a hit only if the file also shows a way to
    reach that name: a dotted tail of it (`pkg.mod`, `jobs.selection` after `from
    orchestration import jobs`), its parent's dotted name (`from pkg import mod`), an
    aliased import of one of its packages (`import pkg as p`), or a relative import.
    Files that pass are parsed; the rest are not looked at again.
    """

    def __init__(self, moves: MoveSet):
        self.reach: dict[str, list[tuple[str, ...]]] = {}
        for old in list(moves.modules) + list(moves.symbols) + list(moves.reexports):
            parts = old.split(".")
            clues = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [old]
            if len(parts) > 1:
                clues.append(".".join(parts[:-1]))
            clues.extend(".".join(parts[:i]) + " as " for i in range(1, len(parts)))
            self.reach.setdefault(parts[-1], []).append(tuple(clues))
        words = sorted(map(re.escape, self.reach))
        self.words = re.compile(r"\b(?:" + "|".join(words) + r")\b") if words else None
        # With few words, a plain substring test per word comes first: most files
        # contain none of them, and that test is much cheaper than the regex.
        self._each = {word: re.compile(r"\b" + re.escape(word) + r"\b") for word in self.reach} if len(self.reach) <= 16 else None

    def may_refer(self, text: str, package: str | None = None) -> bool:
        """Whether `text` may refer to a moved name. `package`: the package relative
        imports in it start from, when known; they are then resolved (else any relative
        import next to a hit counts)."""
        if self.words is None:
            return False
        if self._each is not None:
            hits = {word for word, pattern in self._each.items() if word in text and pattern.search(text)}
        else:
            hits = set(self.words.findall(text))
        if not hits:
            return False
        if "from ." in text or re.search(r"\bfrom\s+\.", text):
            resolved = _relative_imports(text, package)
            if resolved is None:
                return True
            text = text + "\n" + resolved
        return any(clue in text for word in hits for clues in self.reach[word] for clue in clues)


def _relative_imports(text: str, package: str | None) -> str | None:
    """The absolute names the relative imports of `text` reach (`pkg.base` and
    `pkg.base.name` each), one per line; None when some cannot be worked out."""
    if package is None:
        return None
    found = [m for m in _FROM_IMPORT.finditer(text) if m.group(1)]
    if len(found) != len(re.findall(r"\bfrom\s+\.", text)):
        return None  # a relative import the line-anchored pattern did not see
    out = []
    for m in found:
        absolute = pyast.absolute_module(m.group(2) or None, len(m.group(1)), package)
        if absolute is None:
            continue  # climbs above the top: reaches nothing
        out.append(absolute)
        out.extend(f"{absolute}.{name.group(1)}" for name in _IMPORTED.finditer(m.group(3)))
    return "\n".join(out)


def prefilter(moves: MoveSet) -> Prefilter:
    return Prefilter(moves)


# --------------------------------------------------------------------------- skipped files

#: Codes of files `--skip-unparsable` may leave alone: does not parse, cannot be decoded.
SKIPPABLE = frozenset({"MIG201", "MIG202"})
#: A textual mention of a moved path in a file the rules did not rewrite.
MENTION = "MIG203"
#: An excluded file the phase moves: byte for byte, never rewritten.
VERBATIM = "MIG205"
#: An unparsable module moved with `facades: reexport`: its names are unknown, so its
#: facade is an alias (which serves every name).
ALIAS_INSTEAD = "MIG915"
#: Warnings of files the rewrite leaves unchanged (unreadable notebook, non-UTF-8 config).
LEFT_UNCHANGED = frozenset({"MIG911", "MIG912"})

_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n#;\\]|\\\n)*)", re.M)
_IMPORTED = re.compile(r"([A-Za-z_]\w*)(?:\s+as\s+[A-Za-z_]\w*)?")


def mentions(
    path: str, data: bytes, moves: MoveSet, package: str | None = None, new_package: str | None = None
) -> list[tuple[int, int, str, str]]:
    """Every textual mention of a moved name in a file no rule rewrote: (line, col, old, new).

    Found by text alone, so nothing depends on the file parsing: a dotted name under a
    moved module or symbol (`old.mod`, `"old.mod.f"`), and `from X import name` where
    `X.name` moved (`X` relative to `package` when it starts with dots). For a file
    that moves itself, `new_package` is the package it lands in: a relative import that
    reaches another module from there than the one it meant (`from .helpers import x`
    leaving `app.utils`) is a mention too, with the absolute name it must import.
    """
    names = {**moves.modules, **moves.symbols}
    if not names:
        return []
    text = _as_text(data)
    found: dict[tuple[int, int], tuple[str, str]] = {}

    def at(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1

    dotted = re.compile(r"(?<![\w.])(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?:\.[A-Za-z_]\w*)*(?![\w])")
    for m in dotted.finditer(text):
        found.setdefault(at(m.start()), (m.group(0), moves.resolve(m.group(0)) or ""))
    moving = new_package is not None and new_package != package
    for m in _FROM_IMPORT.finditer(text):
        dots, base = m.group(1), m.group(2)
        reached = None  # for a file that moves: where its relative import reaches from there
        if dots:
            if package is None:
                continue
            rel = base
            base = pyast.absolute_module(rel or None, len(dots), package)
            if base is None:
                continue
            meant = moves.resolve(base) or base
            if moving:
                reached = pyast.absolute_module(rel or None, len(dots), new_package)
                if reached != meant:
                    found.setdefault(at(m.start(1)), (f"{dots}{rel}", meant))
                    continue
            elif moves.resolve(base) is not None:
                found.setdefault(at(m.start(1)), (base, meant))
                continue
        elif moves.resolve(base) is not None:
            continue  # reported as a dotted name
        for name in _IMPORTED.finditer(m.group(3)):
            full = f"{base}.{name.group(1)}"
            new = moves.resolve(full)
            if new is not None and (reached is None or new != f"{reached}.{name.group(1)}"):
                found.setdefault(at(m.start(3) + name.start(1)), (full, new))
    return [(line, col, old, new) for (line, col), (old, new) in sorted(found.items())]


def _module_package(path: str, source_roots: Iterable[str]) -> str | None:
    """The package relative imports of `path` start from, when it lies in a source root."""
    if not path.endswith((".py", ".pyi")):
        return None
    for root in source_roots:
        root = root.strip("/")
        prefix = "" if root in ("", ".") else root + "/"
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix):].rsplit(".", 1)[0].split("/")
        if not all(p.isidentifier() for p in parts):
            return None
        return ".".join(parts[:-1])
    return None


def _skipped_files(
    skipped: dict[str, Diagnostic], snapshot: Snapshot, moves: MoveSet, source_roots: Iterable[str], verbatim: dict[str, tuple[str, str | None]]
) -> list[Diagnostic]:
    """Warnings for files left alone: why, and every mention of a moved path in them.

    `verbatim`: files the phase moves byte for byte (old path → new path, new package);
    they are reported at their new path, where the hand fix is made, and their relative
    imports are checked from the package they land in.
    """
    out: list[Diagnostic] = []
    files = [(p, snapshot.get(p) or b"", d) for p, d in skipped.items()] + [(p, data, None) for p, data in snapshot.excluded.items()]
    for path, data, why in sorted(files, key=lambda f: verbatim.get(f[0], (f[0],))[0]):
        new_path, new_package = verbatim.get(path, (path, None))
        found = mentions(path, data, moves, _module_package(path, source_roots), new_package if path in verbatim else None)
        moved = f", moved byte for byte from {path}" if path in verbatim else ""
        if why is not None and why.code in LEFT_UNCHANGED:
            reason = "left unchanged (" + why.message.split(";")[0] + ")"  # the warning itself is reported already
        elif why is not None:
            reason = why.message.split(" — ")[0]
            out.append(dataclasses.replace(why, path=new_path, severity=Severity.WARNING, message=f"skipped (--skip-unparsable): {reason}{moved}; {len(found)} mention(s) of moved paths below must be updated by hand"))
            reason = "skipped: it " + reason + (" (moved byte for byte)" if moved else "")
        else:
            if moved:
                out.append(Diagnostic(Severity.WARNING, VERBATIM, f"excluded by target.exclude, so never rewritten: moved byte for byte from {path}; {len(found)} mention(s) of moved paths below must be updated by hand", new_path))
            reason = "excluded by target.exclude" + (" (moved byte for byte)" if moved else "")
        out.extend(
            Diagnostic(Severity.WARNING, MENTION, f"{_mention_text(old, new)}, but the file is {reason} — update it by hand", new_path, line, col)
            for line, col, old, new in found
        )
    return out


def _mention_text(old: str, new: str) -> str:
    if old.startswith("."):
        return f"the relative import `from {old} import` reaches another module from where the file moves to: it must import from {new!r}"
    return f"mentions {old!r}, which this phase moves to {new!r}"


# --------------------------------------------------------------------------- phases


@dataclass
class _Work:
    """The mutable state of one phase while it is planned."""

    before: Snapshot
    after: dict[str, FileEntry | None] = field(default_factory=dict)
    roles: dict[str, ChangeRole] = field(default_factory=dict)
    renamed_from: dict[str, str] = field(default_factory=dict)
    edits: dict[str, list[Edit]] = field(default_factory=dict)

    def current(self, path: str) -> bytes | None:
        if path in self.after:
            entry = self.after[path]
            return entry.data if entry else None
        return self.before.get(path)

    def put(self, path: str, data: bytes | None, role: ChangeRole, mode: int | None = None) -> None:
        if data is None:
            self.after[path] = None
        else:
            if mode is None:
                old = self.after.get(path) or self.before.files.get(path)
                mode = old.mode if old else 0o644
            self.after[path] = FileEntry(data, mode)
        self.roles[path] = role


def plan(
    mapping: Mapping,
    snapshot: Snapshot,
    phases: Iterable[int] | None = None,
    *,
    imports: ScanCache | None = None,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Plan the given phases (default: all) in order on `snapshot`, each on the result
    of the last; a refused phase ends the plan.

    With `skip_unparsable`, files that do not parse or decode are left as they are (a
    warning each, plus one per textual mention of a moved path) instead of refusing.
    `imports`: the scan cache the phases read and teach (never changes the result;
    default: one in memory; the commands pass the target's on-disk cache and save it
    unless the plan is refused). `baseline`: also work out each phase's
    `cycle_baseline` (the failing cycles of the whole tree after it), which `apply`
    records and `check` compares with; it needs the import graph of every module.
    `progress` is told how the long steps go.
    """
    numbers = list(phases) if phases is not None else list(mapping.phase_numbers)
    imports = imports if imports is not None else MemoryCache()
    out: list[PhasePlan] = []
    for number in numbers:
        phase_plan, snapshot = plan_phase(
            mapping, mapping.phase(number), snapshot, skip_unparsable=skip_unparsable, jobs=jobs, imports=imports, baseline=baseline, progress=progress
        )
        out.append(phase_plan)
        if phase_plan.errors:
            break
    return Plan(tuple(out), str(mapping.path), str(mapping.root))


def plan_phase(
    mapping: Mapping,
    phase: PhaseSpec,
    snapshot: Snapshot,
    *,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    imports: ScanCache | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
) -> tuple[PhasePlan, Snapshot]:
    """Plan one phase on `snapshot`; returns the plan and the snapshot after it."""
    target = mapping.spec.target
    # Excluded modules are known (importers of them are rewritten, moves of them go
    # ahead) but never read or rewritten: they move byte for byte.
    index = ProjectIndex.build(snapshot, target.source_roots, with_excluded=True)
    exp = expand(mapping, phase, index, snapshot)
    if exp.errors:
        return _refused(phase, exp.errors), snapshot
    moves = _with_reexports(exp.moveset, index, snapshot)
    exp.moveset = moves
    work = _Work(before=snapshot)
    diagnostics: list[Diagnostic] = []
    kept: list[Diagnostic] = []
    pattern = prefilter(moves)
    moved_modules = set(moves.modules)
    skipped: dict[str, Diagnostic] = {}
    #: Files moved byte for byte (unparsable with --skip-unparsable, or excluded): old path → (new path, new package).
    verbatim: dict[str, tuple[str, str | None]] = {}
    compared = {index.modules[o].path: "onto the existing module it must be compared with" for o in exp.onto_existing}
    compared.update({src: "into an existing package, merging its code" for src, _, _, _ in exp.init_merges})

    def byte_for_byte(path: str, data: bytes, mode: int | None) -> None:
        reloc = exp.relocations[path]
        work.put(reloc.new_path, data, ChangeRole.MOVED, mode)
        work.renamed_from[reloc.new_path] = path
        if reloc.module is not None:
            verbatim[path] = (reloc.new_path, (moves.modules[reloc.module] if reloc.is_package else moves.modules[reloc.module].rpartition(".")[0]))

    lazy_exports = mapping.spec.facades.package_exports == "lazy"

    def context(path: str) -> FileContext:
        info = index.module_of(path)
        module = info.name if info else None
        new_module = moves.modules.get(module, module) if module else None
        kept_here = matches_any(path, target.keep_on_facades)
        lazy = lazy_exports and bool(info and info.is_package) and module not in moved_modules
        return FileContext(path, module, new_module, bool(info and info.is_package), kept_here, lazy)

    # 1. Rewrite references everywhere (in parallel: each file is independent);
    #    relocated files land at their new paths.
    candidates = []
    for path, entry in snapshot.files.items():
        info = index.module_of(path)
        if info is not None and info.name in moved_modules or _may_refer(path, entry.data, pattern, info.package if info else None):
            candidates.append((path, entry.data, context(path)))
    rewritten = rewrite_all(candidates, moves, jobs, imports, progress)
    for path in snapshot.paths():
        entry = snapshot.files[path]
        ctx = context(path)
        module = ctx.module
        reloc = exp.relocations.get(path)
        kept_here = ctx.keep_on_facades
        must = module in moved_modules
        if path not in rewritten:
            if reloc:
                work.put(reloc.new_path, entry.data, ChangeRole.MOVED, entry.mode)
                work.renamed_from[reloc.new_path] = path
            continue
        try:
            outcome = rewritten[path]
            if isinstance(outcome, FileRewriteError):
                raise outcome
            data, edits, diags = outcome
        except FileRewriteError as exc:
            if skip_unparsable and path not in compared and exc.diagnostic.code in SKIPPABLE:
                skipped[path] = exc.diagnostic
                if reloc:
                    byte_for_byte(path, entry.data, entry.mode)
                continue
            if skip_unparsable and path in compared:
                exc = FileRewriteError(dataclasses.replace(exc.diagnostic, message=exc.diagnostic.message + f" (this phase moves it {compared[path]}, so it must parse even with --skip-unparsable)"))
            diagnostics.append(exc.diagnostic)
            continue
        diagnostics.extend(diags)
        for d in diags:
            if d.code in LEFT_UNCHANGED:
                skipped[path] = d  # its mentions are listed below
        if kept_here:
            # What stays on the old paths: everything a full rewrite would have touched.
            _, would, _ = rewrite_file(path, entry.data, dataclasses.replace(ctx, keep_on_facades=False), moves)
            done = {(e.line, e.col) for e in edits}
            kept.extend(
                Diagnostic(Severity.INFO, "MIG001", f"keeps {e.old!r} (→ {e.new!r}) through its facade", path, e.line, e.col)
                for e in would
                if (e.line, e.col) not in done
            )
        dest = reloc.new_path if reloc else path
        if module in exp.onto_existing:
            dest = None  # decided below, against the existing copy
            work.edits.setdefault("\0" + path, []).extend(edits)
            work.after["\0" + path] = FileEntry(data, entry.mode)
            continue
        if reloc:
            work.put(dest, data, ChangeRole.MOVED, entry.mode)
            work.renamed_from[dest] = path
        elif data != entry.data:
            work.put(dest, data, ChangeRole.EDITED, entry.mode)
        if edits:
            work.edits.setdefault(dest, []).extend(edits)

    for path, data in snapshot.excluded.items():
        if path in compared:
            diagnostics.append(Diagnostic(Severity.ERROR, "MIG205", f"is excluded by target.exclude, so never rewritten, but this phase moves it {compared[path]} — take it out of target.exclude, or move it elsewhere", path))
        elif path in exp.relocations:
            byte_for_byte(path, data, None)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return _refused(phase, diagnostics), snapshot
    diagnostics.extend(_skipped_files(skipped, snapshot, moves, target.source_roots, verbatim))
    diagnostics.extend(commands.plan_warnings(snapshot, moves.modules, target.keep_on_facades))
    if mapping.spec.facades.style == "none":
        diagnostics.extend(_all_names_moved_away(snapshot, index, moves.modules))

    style = mapping.spec.facades.style
    warn = mapping.spec.facades.warning

    # 2. Moves onto existing modules: consolidate equivalent copies, else refuse.
    for old, (existing_path, prefer) in sorted(exp.onto_existing.items()):
        info = index.modules[old]
        new = moves.modules[old]
        rewritten = work.after.pop("\0" + info.path).data
        edits = work.edits.pop("\0" + info.path, [])
        existing = work.current(existing_path) or b""
        if prefer == "destination":
            continue
        same = equivalent(rewritten, new, existing, new, a_is_package=info.is_package, b_is_package=info.is_package, ignore_local_names=True)
        if same:
            pass
        elif prefer == "source":
            work.put(existing_path, rewritten, ChangeRole.EDITED)
            work.edits.setdefault(existing_path, []).extend(edits)
        else:
            diff = unified(existing.decode("utf-8", "replace"), rewritten.decode("utf-8", "replace"), existing_path + " (existing)", info.path + " (moved here)")
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    "MIG301",
                    f"cannot move {old!r} onto {new!r}: {existing_path} already exists with different code — "
                    f"add `prefer: source` or `prefer: destination` to the move to say which one wins\n{diff}",
                    info.path,
                )
            )
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return _refused(phase, diagnostics), snapshot

    # 3. Packages merged into existing packages: append the moved __init__'s code.
    for src_init, dest_init, old_pkg, new_pkg in exp.init_merges:
        moved_init = _rewritten_as(work, snapshot, src_init, FileContext(src_init, old_pkg, new_pkg, True), moves, diagnostics)
        merged = _merge_init(work.current(dest_init) or b"", moved_init, old_pkg)
        if merged != work.current(dest_init):
            work.put(dest_init, merged, ChangeRole.EDITED)

    # 4. Symbol moves and consolidations.
    _plan_symbol_moves(exp, index, work, diagnostics, phase, mapping.spec.facades.style)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return _refused(phase, diagnostics), snapshot

    # 5. Facades at every old module path; non-Python files that travelled are gone.
    for record in exp.records:
        info = index.modules[record.old]
        if style == "none":
            work.put(info.path, None, ChangeRole.DELETED)
            continue
        if info.is_package and style == "alias":
            subs = {o: n for o, n in moves.modules.items() if o.startswith(record.old + ".")}
            text = facades.alias_package(record.old, record.new, phase=phase.phase, title=phase.title, warn=warn, submodules=subs)
        elif style == "alias":
            main = pyast.runs_as_main(_before_bytes(snapshot, info.path) or b"")
            text = facades.alias_module(record.old, record.new, phase=phase.phase, title=phase.title, warn=warn, main=main)
        elif info.path in verbatim and not _parses(work.current(record.new_path) or b""):
            text = facades.alias_module(record.old, record.new, phase=phase.phase, title=phase.title, warn=warn)
            diagnostics.append(Diagnostic(Severity.WARNING, ALIAS_INSTEAD, f"does not parse, so its public names are unknown: the facade at the old path is an alias of {record.new!r} (serves every name) instead of a re-export", info.path))
        else:
            public = pyast.public_names(work.current(record.new_path) or snapshot.get(info.path) or b"")
            main = pyast.runs_as_main(_before_bytes(snapshot, info.path) or b"")
            text = facades.reexport_module(record.old, record.new, public, phase=phase.phase, title=phase.title, warn=warn, main=main)
        # A facade keeps the line endings of the file it replaces (CRLF stays CRLF).
        old_text = (_before_bytes(snapshot, info.path) or b"").decode("utf-8", "replace")
        work.put(info.path, _with_newline(text, _newline_of(old_text)).encode("utf-8"), ChangeRole.FACADE)
    for old_path, reloc in exp.relocations.items():
        if reloc.module is None:
            work.put(old_path, None, ChangeRole.DELETED)

    # 6. New packages the destinations need.
    for init, pkg in sorted(exp.new_packages.items()):
        if work.current(init) is None:
            work.put(init, f'"""The `{pkg}` package (created by migrator, phase {phase.phase}: {phase.title})."""\n'.encode(), ChangeRole.CREATED)

    changes = _changes(work, snapshot)
    after = snapshot.copy()
    for path, entry in work.after.items():
        if path.startswith("\0"):
            continue
        after.files.pop(path, None)
        after.excluded.pop(path, None)
        if entry is None:
            continue
        if target.exclude and matches_any(path, target.exclude):  # as Snapshot.read will see it
            if path.endswith((".py", ".pyi", NOTEBOOK_SUFFIX) + CONFIG_SUFFIXES):
                after.excluded[path] = entry.data
        else:
            after.files[path] = entry
    after.files = dict(sorted(after.files.items()))
    after.removed = snapshot.removed | {p for p, e in work.after.items() if e is None}
    changed = {c.path for c in changes} | {c.renamed_from for c in changes if c.renamed_from}
    removed_dirs = _emptied_dirs(changes, snapshot, after, target.source_roots)
    gate, cycles_after = cycle_gate(
        mapping, snapshot, after, {r.old: r.new for r in exp.records}, changed, imports=imports, jobs=jobs, baseline=baseline, progress=progress
    )
    diagnostics.extend(gate)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return _refused(phase, diagnostics), snapshot
    phase_plan = PhasePlan(
        phase=phase.phase,
        title=phase.title,
        changes=changes,
        moves=tuple(exp.records),
        symbol_moves=tuple((f"{s.module}:{s.name}", s.dest_module) for s in exp.symbol_moves),
        diagnostics=tuple(diagnostics),
        kept_references=tuple(kept),
        cycle_baseline=cycles_after,
        removed_dirs=removed_dirs,
    )
    return phase_plan, after


def _emptied_dirs(changes: Iterable[FileChange], before: Snapshot, after: Snapshot, source_roots: Iterable[str]) -> tuple[str, ...]:
    """The folders the phase leaves empty, deepest first: every file below them moved
    away or was deleted, and nothing the snapshot did not read lies there (a
    `__pycache__` does not count). Source roots themselves are never removed."""
    roots = {r.strip("/") for r in source_roots} | {"", "."}
    vacated = {c.path for c in changes if c.after is None} | {c.renamed_from for c in changes if c.renamed_from and not c.source_kept}
    candidates: set[str] = set()
    for path in vacated:
        parent = path.rpartition("/")[0]
        while parent not in roots and parent not in candidates:
            candidates.add(parent)
            parent = parent.rpartition("/")[0]
    remaining = list(after.files) + list(after.excluded)
    held: set[str] = set()
    for path in remaining:
        parent = path.rpartition("/")[0]
        while parent and parent not in held:
            held.add(parent)
            parent = parent.rpartition("/")[0]
    empty = {d for d in candidates if d not in held and not before.holds_unread(d)}
    for d in list(empty):
        empty.update(before.folders_below(d))  # nothing below them but folders and caches
    return tuple(sorted(empty, key=lambda d: (-d.count("/"), d)))


def _refused(phase: PhaseSpec, diagnostics: Iterable[Diagnostic]) -> PhasePlan:
    return PhasePlan(phase.phase, phase.title, (), (), (), tuple(diagnostics))


def _may_refer(path: str, data: bytes, pattern: Prefilter, package: str | None = None) -> bool:
    if not path.endswith((".py", ".pyi", NOTEBOOK_SUFFIX) + CONFIG_SUFFIXES):
        return False
    if _is_python(path) and _unreadable_python(data) is not None:
        return True  # its text cannot be searched: rewrite_file reports it (MIG202)
    return pattern.may_refer(data.decode("utf-8", "replace"), package)


def _rewritten_as(work: _Work, snapshot: Snapshot, path: str, ctx: FileContext, moves: MoveSet, diagnostics: list[Diagnostic]) -> bytes:
    data = snapshot.get(path) or b""
    try:
        new, _, _ = rewrite_file(path, data, ctx, moves)
    except FileRewriteError as exc:
        diagnostics.append(exc.diagnostic)
        return data
    return new


def _merge_init(dest: bytes, moved: bytes, old_pkg: str) -> bytes:
    """Append the moved package's __init__ code to the destination's, never overwriting.

    A moved __init__ with only a docstring adds nothing. `__future__` imports and the
    docstring are dropped from the appended part; `__all__ = [...]` becomes
    `__all__ += [...]` when the destination defines `__all__` already.
    """
    moved_text = decode_python(moved).text
    tree = ast.parse(moved_text)
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    body = [n for n in body if not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    if not body:
        return dest
    lines = moved_text.splitlines(keepends=True)
    start = body[0].lineno - 1
    # keep comments directly above the first kept statement
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    chunk = "".join(lines[start:])
    like = decode_python(dest) if dest else None
    dest_text = like.text if like is not None else ""
    nl = _newline_of(dest_text) if dest_text.strip() else _newline_of(moved_text)
    chunk = _with_newline(chunk.replace("\r\n", "\n"), nl)
    if "__all__" in {t.id for n in ast.parse(dest_text).body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}:
        chunk = re.sub(r"^__all__(\s*)=", r"__all__\1+=", chunk, count=1, flags=re.M)
    if dest_text and not dest_text.endswith("\n"):
        dest_text += nl
    sep = nl + nl if dest_text.strip() else ""
    merged = f"{dest_text}{sep}# Merged from `{old_pkg}` by migrator.{nl}{chunk}"
    if not merged.endswith("\n"):
        merged += nl
    return encode_python(merged, like) if like is not None else merged.encode("utf-8")


def _plan_symbol_moves(exp: Expansion, index: ProjectIndex, work: _Work, diagnostics: list[Diagnostic], phase: PhaseSpec, style: str) -> None:
    """Move the phase's symbols: each definition to its destination, a back-import in
    its place. With `facades: none` the back-import stays only where the rest of the old
    module still uses the name (helpers carried along keep theirs: other modules may
    import them from there)."""
    by_source: dict[str, list] = {}
    for sm in exp.symbol_moves:
        by_source.setdefault(sm.module, []).append(sm)
    co_moved = {(sm.module, sm.name): sm.dest_module for sm in exp.symbol_moves}
    additions: dict[str, list[symbols.Extracted]] = {}
    dest_paths: dict[str, str] = {}
    encodings: dict[str, Decoded] = {}
    newlines: dict[str, str] = {}
    for module, moves_here in by_source.items():
        info = index.modules[module]
        source_decoded = _decoded(info.path, work.current(info.path) or b"", diagnostics)
        if source_decoded is None:
            continue
        source = source_decoded.text
        moves_here, not_carried = _with_carried_helpers(moves_here, source, module, info.is_package, co_moved, diagnostics, info.path)
        for sm in moves_here:
            dest_info = index.get(sm.dest_module)
            dest_path = dest_info.path if dest_info else index.path_for(sm.dest_module, info.source_root, False)
            dest_paths[sm.dest_module] = dest_path
            try:
                item = symbols.extract(source, sm.name, module, info.is_package)
            except symbols.SymbolError as exc:
                diagnostics.append(Diagnostic(Severity.ERROR, "MIG102", f"cannot move {module}:{sm.name}: {exc}", info.path))
                continue
            missing = [h for h in item.helpers if (module, h) not in co_moved]
            elsewhere = [f"from {co_moved[(module, h)]} import {h}" for h in item.helpers if co_moved.get((module, h), sm.dest_module) != sm.dest_module]
            # A name moved earlier in this phase is re-exported by the source by now;
            # the destination defines it itself and must not import it from itself.
            own = (f"from {sm.dest_module} import ", f"import {sm.dest_module}")
            needed = tuple(line for line in item.imports if not line.startswith(own))
            item = dataclasses.replace(item, imports=needed + tuple(elsewhere))
            diagnostics.extend(Diagnostic(Severity.WARNING, "MIG914", note, info.path) for note in item.notes)
            newlines.setdefault(sm.dest_module, _newline_of(source))
            dest_decoded = _decoded(dest_path, work.current(dest_path), diagnostics)
            if dest_decoded is not None:
                encodings[dest_path] = dest_decoded
            dest_text = dest_decoded.text if dest_decoded is not None else None
            # Equal up to docstrings, comments, formatting and local names: `migrate audit`'s rule.
            existing = symbols.definition_normal_form(dest_text, sm.name, ignore_local_names=True) if dest_text else None
            # Consolidation (equal copies, or `prefer: destination`): the existing
            # definition stays, the old one goes. `prefer: source`: the moved one
            # replaces the destination's in place.
            replaces = False
            if existing is not None:
                mine = symbols.definition_normal_form(source, sm.name, ignore_local_names=True)
                if mine != existing and sm.prefer == "source":
                    replaces = True
                elif mine != existing and sm.prefer != "destination":
                    side = _side_by_side(symbols.definition_text(dest_text, sm.name) or "", symbols.definition_text(source, sm.name) or "", f"{sm.dest_module}.{sm.name} (existing)", f"{module}.{sm.name} (moved)")
                    diagnostics.append(
                        Diagnostic(Severity.ERROR, "MIG302", f"cannot consolidate {module}:{sm.name} into {sm.dest_module}: the existing definition differs — add `prefer: destination` to keep it or `prefer: source` to replace it, or make them equal\n{side}", info.path)
                    )
                    continue
            if existing is None or replaces:
                if missing:
                    why = "; ".join(f"{h}: {not_carried[h]}" for h in missing if h in not_carried)
                    diagnostics.append(
                        Diagnostic(Severity.ERROR, "MIG108", f"cannot move {module}:{sm.name}: it uses {', '.join(missing)} from its module, which cannot travel with it ({why}) — move {', '.join(f'{module}:{h}' for h in missing)} in the same phase, or change the code", info.path)
                    )
                    continue
                additions.setdefault(sm.dest_module, []).append(item)
            source = symbols.remove_with_reexport(source, sm.name, sm.dest_module)
        if style == "none":
            source = symbols.drop_unused_reexports(source, {sm.name: sm.dest_module for sm in by_source[module]})
        new_source = encode_python(source, source_decoded)
        if new_source != work.current(info.path):
            work.put(info.path, new_source, ChangeRole.EDITED if info.path not in work.roles else work.roles[info.path])
    for dest_module, items in additions.items():
        path = dest_paths[dest_module]
        current = work.current(path)
        like = encodings.get(path) if current is not None else None
        clashes = symbols.import_conflicts(like.text if like is not None else None, items)
        if clashes:
            diagnostics.append(Diagnostic(Severity.ERROR, "MIG111", f"cannot add {', '.join(i.name for i in items)} to {dest_module}: it already binds {'; '.join(clashes)} — rename one of them first", path))
            continue
        text = symbols.add_definitions(like.text if like is not None else None, items, docstring=None if current is not None else f"Moved here by migrator (phase {phase.phase}: {phase.title}).", replace=True)
        if like is None:
            text = _with_newline(text, newlines.get(dest_module, "\n"))  # a new module takes its source's line endings
        try:
            data = encode_python(text, like) if like is not None else text.encode("utf-8")
        except UnicodeEncodeError as exc:
            diagnostics.append(Diagnostic(Severity.ERROR, "MIG204", f"the moved code holds {exc.object[exc.start:exc.end]!r}, which {like.encoding if like else 'utf-8'} (the encoding of {path}) cannot hold — declare UTF-8 there first", path))
            continue
        work.put(path, data, ChangeRole.EDITED if current is not None else ChangeRole.CREATED)


def _with_carried_helpers(moves_here: list, source: str, module: str, is_package: bool, co_moved: dict, diagnostics: list[Diagnostic], path: str) -> tuple[list, dict[str, str]]:
    """The symbol moves of one module, plus the module-level helpers they need.

    A helper the mapping does not move goes with the first definition that needs it
    (the old module re-exports it, so its remaining code keeps working), unless it is
    module state that functions rebind through `global` (two copies would drift), a
    dunder of the module (`__version__`) or bound together with other names (`a, b = ...`).
    Returns the moves in the source's order (so definitions land in an order that
    worked) and, for helpers that cannot travel, why.
    """
    from migrator.engine.expand import SymbolMove

    rebound = symbols.rebound_globally(source)
    out = list(moves_here)
    queue = list(moves_here)
    not_carried: dict[str, str] = {}
    while queue:
        sm = queue.pop(0)
        try:
            helpers = symbols.extract(source, sm.name, module, is_package).helpers
        except symbols.SymbolError:
            continue
        for h in helpers:
            if (module, h) in co_moved:
                continue
            if h in rebound:
                not_carried[h] = "it is module state that a function rebinds through `global`"
                continue
            if h.startswith("__") and h.endswith("__"):
                not_carried[h] = "it is a module attribute of the source itself"
                continue
            if not symbols.defines(source, h):
                not_carried[h] = "the statement that binds it binds other names too"
                continue
            carried = SymbolMove(module, h, sm.dest_module, None, sm.spec)
            co_moved[(module, h)] = sm.dest_module
            out.append(carried)
            queue.append(carried)
            diagnostics.append(Diagnostic(
                Severity.WARNING, "MIG913",
                f"{module}:{h} travels with {sm.name} to {sm.dest_module} (it needs it); {module} re-exports it, but string targets "
                f"such as mock.patch(\"{module}.{h}\") are not rewritten — list `{module}:{h}` in the mapping to have them followed",
                path,
            ))
    order = {name: i for i, name in enumerate(symbols.definition_order(source))}
    out.sort(key=lambda sm: order.get(sm.name, len(order)))
    return out, not_carried


def _decoded(path: str, data: bytes | None, diagnostics: list[Diagnostic]) -> Decoded | None:
    """The text of a Python file by its declared encoding; an error diagnostic if it has none."""
    if data is None:
        return None
    try:
        return decode_python(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        diagnostics.append(Diagnostic(Severity.ERROR, "MIG202", f"cannot be decoded ({exc}) — save it as UTF-8 or declare its encoding (PEP 263)", path))
        return None


def _newline_of(text: str) -> str:
    """The line ending a text uses (that of its first line), "\\n" when it has none."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _with_newline(text: str, newline: str) -> str:
    return text if newline == "\n" else text.replace("\r\n", "\n").replace("\n", newline)


def _side_by_side(left: str, right: str, left_title: str, right_title: str, width: int = 60) -> str:
    l_lines, r_lines = left.splitlines(), right.splitlines()
    n = max(len(l_lines), len(r_lines))
    out = [f"{left_title:<{width}} | {right_title}", "-" * width + "-+-" + "-" * width]
    for i in range(n):
        a = l_lines[i] if i < len(l_lines) else ""
        b = r_lines[i] if i < len(r_lines) else ""
        mark = "|" if a == b else "≠"
        out.append(f"{a[:width]:<{width}} {mark} {b[:width]}")
    return "\n".join(out)


def _with_reexports(moves: MoveSet, index: ProjectIndex, snapshot: Snapshot) -> MoveSet:
    """Add the names that packages staying in place re-export from moved modules.

    Only unconditional top-level `from X import name` statements of package
    `__init__` files count: a re-export inside `try/except` may be a fallback that
    binds something else.
    """
    reexports: dict[str, str] = {}
    for name, info in index.modules.items():
        if not info.is_package or name in moves.modules:
            continue
        data = snapshot.get(info.path)
        if not data:
            continue
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, ast.ImportFrom):
                continue
            base = pyast.absolute_module(node.module, node.level, name)
            for alias in node.names:
                if alias.name == "*":
                    continue
                full = f"{base}.{alias.name}"
                if moves.is_module(full):
                    continue  # a submodule import, handled as a module reference
                resolved = moves.resolve(full)
                if resolved is not None:
                    reexports[f"{name}.{alias.asname or alias.name}"] = resolved
    if not reexports:
        return moves
    return dataclasses.replace(moves, reexports=reexports)


def _all_names_moved_away(snapshot: Snapshot, index: ProjectIndex, modules: dict[str, str]) -> list[Diagnostic]:
    """Warnings for a staying package whose literal `__all__` names a submodule that
    moves out of it: with `facades: none` nothing is left at the old name, so
    `from pkg import *` fails (AttributeError). Not rewritten: `__all__` is public API,
    and whether to re-export the module or drop the name is the maintainer's call."""
    out = []
    for old, new in sorted(modules.items()):
        parent, _, leaf = old.rpartition(".")
        info = index.modules.get(parent)
        if not parent or parent in modules or info is None or not info.is_package or new.rpartition(".")[0] == parent:
            continue
        try:
            tree = ast.parse(snapshot.get(info.path) or b"")
        except (SyntaxError, ValueError):
            continue
        home, _, name = new.rpartition(".")
        as_leaf = "" if name == leaf else f" as {leaf}"
        for element in pyast.literal_all(tree):
            if element.value == leaf:
                out.append(Diagnostic(
                    Severity.WARNING, "MIG916",
                    f"`__all__` names {leaf!r}, the submodule this phase moves to {new!r}; with `facades: none` "
                    f"`from {parent} import *` will fail — import it here (`from {home} import {name}{as_leaf}`) "
                    "or take it out of `__all__`",
                    info.path, element.lineno, element.col_offset + 1,
                ))
    return out


def _before_bytes(before: Snapshot, path: str) -> bytes | None:
    """A file's bytes before the phase, excluded files included (they can move, and
    the facade at an excluded module's old path replaces it)."""
    data = before.get(path)
    return data if data is not None else before.excluded.get(path)


def _parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def _changes(work: _Work, before: Snapshot) -> tuple[FileChange, ...]:
    out: list[FileChange] = []
    for path in sorted(p for p in work.after if not p.startswith("\0")):
        entry = work.after[path]
        role = work.roles[path]
        renamed = work.renamed_from.get(path)
        if renamed is not None:
            old = _before_bytes(before, renamed)
            new = entry.data if entry else None
            kept = work.after[renamed] is not None if renamed in work.after else _before_bytes(before, renamed) is not None
            out.append(FileChange(path, ChangeRole.MOVED, old, new, renamed, tuple(work.edits.get(path, ())), entry.mode if entry else None, kept))
            continue
        old = _before_bytes(before, path)
        new = entry.data if entry else None
        if old == new:
            continue
        if old is None:
            role = ChangeRole.CREATED if role is not ChangeRole.FACADE else role
        out.append(FileChange(path, role, old, new, None, tuple(work.edits.get(path, ())), entry.mode if entry else None))
    return tuple(out)
