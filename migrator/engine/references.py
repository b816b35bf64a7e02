"""Steps 1 and 2 of a phase: rewrite every reference to a moved name, then report what
was left alone (skipped and excluded files, with each mention of a moved path in them).

Each file is rewritten on its own (in parallel, `rewrite.rewrite_all`); its closed
outcome decides what happens to it. Relocated files land at their new paths; moved
modules bound onto an existing module are held for the comparison (consolidation).
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from migrator.analysis.project import Snapshot
from migrator.analysis.scans import files_key, result_key
from migrator.engine import command_lines as commands
from migrator.engine.phase_work import Held, PhaseWork, Refusal
from migrator.engine.prefilter import MENTION, mentions, may_refer, prefilter
from migrator.engine.reexports import all_names_moved_away
from migrator.engine.rewrite import SKIPPABLE, Changed, Failed, FileResult, Skipped, Unchanged, moves_inputs, rewrite_all, rewrite_file
from migrator.model.plan import ChangeRole, Diagnostic, Edit, FileContext, MoveSet, Severity

#: An excluded file the phase moves: byte for byte, never rewritten.
VERBATIM = "MIG205"


def rewrite_references(work: PhaseWork) -> Refusal | None:
    """Rewrite every file that can refer to a moved name (the prefilter decides which
    are parsed at all); refused if any of them cannot be rewritten, or if an excluded
    file must be compared or merged."""
    before, moves, options = work.before, work.moves, work.options
    candidates = [(path, before.files[path].data, work.context(path)) for path in _candidates(work)]
    results = rewrite_all(candidates, moves, jobs=options.jobs, imports=options.imports, progress=options.progress, statements_alone=options.statements_alone)
    for path in before.paths():
        entry = before.files[path]
        result = results.get(path)
        if result is None:
            reloc = work.exp.relocations.get(path)
            if reloc:
                work.tree.move(path, reloc.new_path, entry.data, entry.mode)
            continue
        _take(work, path, result)
    for path, data in before.excluded.items():
        if path in work.compared:
            work.diagnostics.append(Diagnostic(Severity.ERROR, "MIG205", f"is excluded by target.exclude, so never rewritten, but this phase moves it {work.compared[path]} — take it out of target.exclude, or move it elsewhere", path))
        elif path in work.exp.relocations:
            work.move_verbatim(path, data, None)
    return work.refusal()


def _candidates(work: PhaseWork) -> list[str]:
    """The files that can refer to a moved name: the moved modules, and every file the
    prefilter finds a moved name in. A pure function of the files, the source roots
    and the moves (and the excluded paths, which the project index counts), kept in
    the scan cache under a key of them all."""
    before, moves, imports = work.before, work.moves, work.options.imports
    key = None
    if imports is not None:
        key = result_key(
            "candidates", 1, files_key(before.files), sorted(before.excluded), list(work.index.source_roots), result_key("moves", moves_inputs(moves)),
        )
        match imports.result(key):
            case list(paths) if all(type(p) is str and p in before.files for p in paths):
                return paths
    pattern = prefilter(moves)
    found = []
    for path, entry in before.files.items():
        info = work.index.module_of(path)
        if info is not None and info.name in moves.modules or may_refer(path, entry.data, pattern, info.package if info else None):
            found.append(path)
    if key is not None:
        imports.put_result(key, found)
    return found


def _take(work: PhaseWork, path: str, result: FileResult) -> None:
    """Put one file's rewrite where it belongs."""
    entry = work.before.files[path]
    match result:
        case Failed(diagnostic):
            _failed(work, path, diagnostic)
            return
        case Skipped(reason):
            work.diagnostics.append(reason)
            work.skipped[path] = result  # its mentions are listed by report_left_alone
            data, edits = entry.data, ()
        case Changed(data, edits, diagnostics):
            work.diagnostics.extend(diagnostics)
        case Unchanged(edits, diagnostics):
            work.diagnostics.extend(diagnostics)
            data = entry.data
    ctx = work.context(path)
    if ctx.keep_on_facades:
        # What stays on the old paths: everything a full rewrite would have touched
        # (a stored result like any rewrite, so `apply` after `plan` does not redo it).
        whole = dataclasses.replace(ctx, keep_on_facades=False)
        done_whole = rewrite_all([(path, entry.data, whole)], work.moves, imports=work.options.imports, statements_alone=work.options.statements_alone)
        would = _edits_of(done_whole[path], path, entry.data, whole, work)
        done = {(e.line, e.col) for e in edits}
        work.kept.extend(
            Diagnostic(Severity.INFO, "MIG020", f"keeps {e.old!r} (→ {e.new!r}) through its facade", path, e.line, e.col)
            for e in would
            if (e.line, e.col) not in done
        )
    _place(work, path, ctx.module, data=data, edits=edits)


def _edits_of(result: FileResult, path: str, data: bytes, ctx: FileContext, work: PhaseWork) -> tuple[Edit, ...]:
    """The edits of a rewrite's outcome, as `rewrite_file` gives them (a file that cannot
    be rewritten raises its error)."""
    match result:
        case Changed(_, edits, _) | Unchanged(edits, _):
            return edits
        case Skipped():
            return ()
    return rewrite_file(path, data, ctx, work.moves, statements_alone=work.options.statements_alone)[1]


def _failed(work: PhaseWork, path: str, diagnostic: Diagnostic) -> None:
    """A file that cannot be rewritten: left alone with --skip-unparsable (moved byte
    for byte if it moves), else an error; never left alone if it must be compared."""
    if work.options.skip_unparsable and path not in work.compared and diagnostic.code in SKIPPABLE:
        work.skipped[path] = Failed(diagnostic)
        if path in work.exp.relocations:
            entry = work.before.files[path]
            work.move_verbatim(path, entry.data, entry.mode)
        return
    if work.options.skip_unparsable and path in work.compared:
        diagnostic = dataclasses.replace(diagnostic, message=diagnostic.message + f" (this phase moves it {work.compared[path]}, so it must parse even with --skip-unparsable)")
    work.diagnostics.append(diagnostic)


def _place(work: PhaseWork, path: str, module: str | None, *, data: bytes, edits: Iterable[Edit]) -> None:
    """A rewritten file at its new path (relocated), its old one (edited), or held for
    the comparison with the existing module it moves onto."""
    entry = work.before.files[path]
    if module in work.exp.onto_existing:
        work.held[path] = Held(data, tuple(edits))  # decided against the existing copy
        return
    reloc = work.exp.relocations.get(path)
    dest = reloc.new_path if reloc else path
    if reloc:
        work.tree.move(path, dest, data, entry.mode)
    elif data != entry.data:
        work.tree.put(dest, data, ChangeRole.EDITED, entry.mode)
    if edits:
        work.tree.edits.setdefault(dest, []).extend(edits)


def report_left_alone(work: PhaseWork) -> Refusal | None:
    """Warnings the phase goes ahead with: files left alone and their mentions of moved
    paths, `python -m` lines of moved modules, and (with `facades: none`) `__all__`
    entries naming a submodule that leaves. Never refuses."""
    target = work.mapping.spec.target
    work.diagnostics.extend(_skipped_files(work.skipped, work.before, work.moves, target.source_roots, work.verbatim))
    work.diagnostics.extend(commands.plan_warnings(work.before, work.moves.modules, target.keep_on_facades))
    if work.mapping.spec.facades.style == "none":
        work.diagnostics.extend(all_names_moved_away(work.before, work.index, work.moves.modules))
    return None


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
    skipped: dict[str, Skipped | Failed], snapshot: Snapshot, moves: MoveSet, source_roots: Iterable[str], verbatim: dict[str, tuple[str, str | None]]
) -> list[Diagnostic]:
    """Warnings for files left alone: why, and every mention of a moved path in them.

    `verbatim`: files the phase moves byte for byte (old path → new path, new package);
    they are reported at their new path, where the hand fix is made, and their relative
    imports are checked from the package they land in.
    """
    out: list[Diagnostic] = []
    files = [(p, snapshot.get(p) or b"", r) for p, r in skipped.items()] + [(p, data, None) for p, data in snapshot.excluded.items()]
    for path, data, why in sorted(files, key=lambda f: verbatim.get(f[0], (f[0],))[0]):
        new_path, new_package = verbatim.get(path, (path, None))
        found = mentions(path, data, moves, _module_package(path, source_roots), new_package if path in verbatim else None)
        moved = f", moved byte for byte from {path}" if path in verbatim else ""
        match why:
            case Skipped(reason):
                reason = "left unchanged (" + reason.message.split(";")[0] + ")"  # the warning itself is reported already
            case Failed(diagnostic):
                reason = diagnostic.message.split(" — ")[0]
                out.append(dataclasses.replace(diagnostic, path=new_path, severity=Severity.WARNING, message=f"skipped (--skip-unparsable): {reason}{moved}; {len(found)} mention(s) of moved paths below must be updated by hand"))
                reason = "skipped: it " + reason + (" (moved byte for byte)" if moved else "")
            case None:
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
