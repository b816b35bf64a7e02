"""The last steps of a phase's tree: facades at the old module paths, new packages the
destinations need, and the settled result (changes, the snapshot after, emptied folders).
"""

from __future__ import annotations

import ast
from typing import Iterable

from migrator.analysis import pyast
from migrator.analysis.project import Snapshot
from migrator.engine import facades
from migrator.engine.phase_work import PhaseWork, Refusal, before_bytes
from migrator.engine.rewrite import newline_of, with_newline
from migrator.model.plan import ChangeRole, Diagnostic, FileChange, Severity

#: An unparsable module moved with `facades: reexport`: its names are unknown, so its
#: facade is an alias (which serves every name).
ALIAS_INSTEAD = "MIG915"


def write_facades(work: PhaseWork) -> Refusal | None:
    """A facade at every old module path (none with `facades: none`: the old file goes);
    non-Python files that travelled are gone from their old paths. Never refuses."""
    style = work.mapping.spec.facades.style
    snapshot, moves, tree = work.before, work.moves, work.tree
    for record in work.exp.records:
        info = work.index.modules[record.old]
        if style == "none":
            tree.put(info.path, None, ChangeRole.DELETED)
            continue
        facade = dict(phase=work.phase.phase, title=work.phase.title, warn=work.mapping.spec.facades.warning)
        if info.is_package and style == "alias":
            subs = {o: n for o, n in moves.modules.items() if o.startswith(record.old + ".")}
            text = facades.alias_package(record.old, record.new, **facade, submodules=subs)
        elif style == "alias":
            main = pyast.runs_as_main(before_bytes(snapshot, info.path) or b"")
            text = facades.alias_module(record.old, record.new, **facade, main=main)
        elif info.path in work.verbatim and not _parses(tree.current(record.new_path) or b""):
            text = facades.alias_module(record.old, record.new, **facade)
            work.diagnostics.append(Diagnostic(Severity.WARNING, ALIAS_INSTEAD, f"does not parse, so its public names are unknown: the facade at the old path is an alias of {record.new!r} (serves every name) instead of a re-export", info.path))
        else:
            public = pyast.public_names(tree.current(record.new_path) or snapshot.get(info.path) or b"")
            main = pyast.runs_as_main(before_bytes(snapshot, info.path) or b"")
            text = facades.reexport_module(record.old, record.new, public, **facade, main=main)
        # A facade keeps the line endings of the file it replaces (CRLF stays CRLF).
        old_text = (before_bytes(snapshot, info.path) or b"").decode("utf-8", "replace")
        tree.put(info.path, with_newline(text, newline_of(old_text)).encode("utf-8"), ChangeRole.FACADE)
    for old_path, reloc in work.exp.relocations.items():
        if reloc.module is None:
            tree.put(old_path, None, ChangeRole.DELETED)
    return None


def create_packages(work: PhaseWork) -> Refusal | None:
    """An `__init__.py` for every new package the destinations need. Never refuses."""
    phase = work.phase
    for init, pkg in sorted(work.exp.new_packages.items()):
        if work.tree.current(init) is None:
            work.tree.put(init, f'"""The `{pkg}` package (created by migrator, phase {phase.phase}: {phase.title})."""\n'.encode(), ChangeRole.CREATED)
    return None


def settle(work: PhaseWork) -> Refusal | None:
    """The tree is final: its changes, the snapshot after it, the folders it empties. Never refuses."""
    target = work.mapping.spec.target
    work.changes = work.tree.changes()
    work.after = work.tree.snapshot_after(target.exclude)
    work.removed_dirs = emptied_dirs(work.changes, work.before, work.after, target.source_roots)
    return None


def _parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def emptied_dirs(changes: Iterable[FileChange], before: Snapshot, after: Snapshot, source_roots: Iterable[str]) -> tuple[str, ...]:
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
