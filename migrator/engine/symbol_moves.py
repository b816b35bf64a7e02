"""Step 5 of a phase: move symbols (top-level definitions) between modules.

Each definition goes to its destination, with the imports it needs and the module-level
helpers it uses (carried along when the mapping does not move them); a back-import takes
its place in the old module. A destination that defines the name already consolidates
(equal copies, or `prefer:`), else the move is refused with both definitions side by side.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass, field

from migrator.engine import source_cleanup, symbols
from migrator.engine.expand import SymbolMove
from migrator.engine.phase_work import PhaseWork, Refusal
from migrator.engine.rewrite import Decoded, decode_python, encode_python, newline_of, with_newline
from migrator.model.plan import ChangeRole, Diagnostic, Severity


@dataclass
class _Destinations:
    """What the symbol moves of a phase add to each destination module."""

    items: dict[str, list[symbols.Extracted]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    #: path → how its existing text is encoded
    encodings: dict[str, Decoded] = field(default_factory=dict)
    #: module → the line ending of the source it is first filled from
    newlines: dict[str, str] = field(default_factory=dict)


def move_symbols(work: PhaseWork) -> Refusal | None:
    """Move the phase's symbols: each definition to its destination, a back-import in
    its place. With `facades: none` the back-import stays only where the rest of the old
    module still uses the name (helpers carried along keep theirs: other modules may
    import them from there). Refused on any error so far (those of step 4 included)."""
    by_source: dict[str, list[SymbolMove]] = {}
    for sm in work.exp.symbol_moves:
        by_source.setdefault(sm.module, []).append(sm)
    co_moved = {(sm.module, sm.name): sm.dest_module for sm in work.exp.symbol_moves}
    dests = _Destinations()
    for module, moves_here in by_source.items():
        _move_out_of(work, module, moves_here, co_moved=co_moved, dests=dests)
    for dest_module, items in dests.items.items():
        _add_to(work, dest_module, items, dests)
    return work.refusal()


def _move_out_of(work: PhaseWork, module: str, moves_here: list[SymbolMove], *, co_moved: dict[tuple[str, str], str], dests: _Destinations) -> None:
    """The symbol moves out of one module: what each adds to its destination, and the
    module left with back-imports in their place."""
    info = work.index.modules[module]
    source_decoded = _decoded(info.path, work.tree.current(info.path) or b"", work.diagnostics)
    if source_decoded is None:
        return
    source = source_decoded.text
    listed = moves_here
    moves_here, not_carried = _with_carried_helpers(moves_here, source, module, info.is_package, co_moved, work.diagnostics, info.path)
    for sm in moves_here:
        dest_info = work.index.get(sm.dest_module)
        dest_path = dest_info.path if dest_info else work.index.path_for(sm.dest_module, info.source_root, False)
        dests.paths[sm.dest_module] = dest_path
        source = _move_one(work, sm, source, dest_path=dest_path, co_moved=co_moved, not_carried=not_carried, dests=dests)
    if work.mapping.spec.facades.style == "none":
        source = symbols.drop_unused_reexports(source, {sm.name: sm.dest_module for sm in listed})
    source = _without_unused_imports(work, module, source_decoded.text, source, {sm.name for sm in moves_here})
    source = source_cleanup.mark_reexports(source, {sm.name for sm in moves_here})
    new_source = encode_python(source, source_decoded)
    if new_source != work.tree.current(info.path):
        work.tree.put(info.path, new_source, ChangeRole.EDITED if info.path not in work.tree.roles else work.tree.roles[info.path])


def _move_one(
    work: PhaseWork, sm: SymbolMove, source: str, *, dest_path: str, co_moved: dict[tuple[str, str], str], not_carried: dict[str, str], dests: _Destinations
) -> str:
    """One definition out of `source` (the old module's text so far): what goes to the
    destination is added to `dests`; returns the source with the back-import in its
    place, or unchanged when the move is refused (an error diagnostic)."""
    module, path = sm.module, work.index.modules[sm.module].path
    try:
        item = symbols.extract(source, sm.name, module, work.index.modules[module].is_package)
    except symbols.SymbolError as exc:
        work.diagnostics.append(Diagnostic(Severity.ERROR, "MIG102", f"cannot move {module}:{sm.name}: {exc}", path))
        return source
    missing = [h for h in item.helpers if (module, h) not in co_moved]
    elsewhere = [f"from {co_moved[(module, h)]} import {h}" for h in item.helpers if co_moved.get((module, h), sm.dest_module) != sm.dest_module]
    # A name moved earlier in this phase is re-exported by the source by now;
    # the destination defines it itself and must not import it from itself.
    own = (f"from {sm.dest_module} import ", f"import {sm.dest_module}")
    needed = tuple(line for line in item.imports if not line.startswith(own))
    item = dataclasses.replace(item, imports=needed + tuple(elsewhere))
    work.diagnostics.extend(Diagnostic(Severity.WARNING, "MIG914", note, path) for note in item.notes)
    dests.newlines.setdefault(sm.dest_module, newline_of(source))
    dest_decoded = _decoded(dest_path, work.tree.current(dest_path), work.diagnostics)
    if dest_decoded is not None:
        dests.encodings[dest_path] = dest_decoded
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
            work.diagnostics.append(
                Diagnostic(Severity.ERROR, "MIG302", f"cannot consolidate {module}:{sm.name} into {sm.dest_module}: the existing definition differs — add `prefer: destination` to keep it or `prefer: source` to replace it, or make them equal\n{side}", path)
            )
            return source
    if existing is None or replaces:
        if missing:
            why = "; ".join(f"{h}: {not_carried[h]}" for h in missing if h in not_carried)
            work.diagnostics.append(
                Diagnostic(Severity.ERROR, "MIG108", f"cannot move {module}:{sm.name}: it uses {', '.join(missing)} from its module, which cannot travel with it ({why}) — move {', '.join(f'{module}:{h}' for h in missing)} in the same phase, or change the code", path)
            )
            return source
        dests.items.setdefault(sm.dest_module, []).append(item)
    # The back-import joins the import block, unless the new home imports this module
    # back (at the top it would run before this module's names are bound).
    at_top = not source_cleanup.imports_module([dest_text or "", *item.imports], module)
    return source_cleanup.remove_definition(source, sm.name, sm.dest_module, at_top=at_top)


def _without_unused_imports(work: PhaseWork, module: str, before: str, after: str, moved: set[str]) -> str:
    """`after` without the imports only the moved definitions used, unless another module
    of the project imports that name from this one (the module re-exports it). The
    back-imports of the `moved` names themselves are the phase's own re-exports: kept."""
    try:
        bound = {name for node in ast.parse(after).body if isinstance(node, (ast.Import, ast.ImportFrom)) for name in source_cleanup.bound_names(node)}
    except SyntaxError:
        return after
    keep = source_cleanup.imported_from(work.before, work.index, module, bound) if bound else frozenset()
    return source_cleanup.drop_imports_left_unused(before, after, keep=keep | moved)


def _add_to(work: PhaseWork, dest_module: str, items: list[symbols.Extracted], dests: _Destinations) -> None:
    """The definitions moved to one module, added to it (or to the new module created
    for them), unless the names their imports bind clash with the module's own."""
    path = dests.paths[dest_module]
    current = work.tree.current(path)
    like = dests.encodings.get(path) if current is not None else None
    clashes = symbols.import_conflicts(like.text if like is not None else None, items)
    if clashes:
        work.diagnostics.append(Diagnostic(Severity.ERROR, "MIG111", f"cannot add {', '.join(i.name for i in items)} to {dest_module}: it already binds {'; '.join(clashes)} — rename one of them first", path))
        return
    phase = work.phase
    text = symbols.add_definitions(like.text if like is not None else None, items, docstring=None if current is not None else f"Moved here by migrator (phase {phase.phase}: {phase.title}).", replace=True)
    if like is None:
        text = with_newline(text, dests.newlines.get(dest_module, "\n"))  # a new module takes its source's line endings
    try:
        data = encode_python(text, like) if like is not None else text.encode("utf-8")
    except UnicodeEncodeError as exc:
        work.diagnostics.append(Diagnostic(Severity.ERROR, "MIG204", f"the moved code holds {exc.object[exc.start:exc.end]!r}, which {like.encoding if like else 'utf-8'} (the encoding of {path}) cannot hold — declare UTF-8 there first", path))
        return
    work.tree.put(path, data, ChangeRole.EDITED if current is not None else ChangeRole.CREATED)


def _with_carried_helpers(moves_here: list, source: str, module: str, is_package: bool, co_moved: dict, diagnostics: list[Diagnostic], path: str) -> tuple[list, dict[str, str]]:
    """The symbol moves of one module, plus the module-level helpers they need.

    A helper the mapping does not move goes with the first definition that needs it
    (the old module re-exports it, so its remaining code keeps working), unless it is
    module state that functions rebind through `global` (two copies would drift), a
    dunder of the module (`__version__`) or bound together with other names (`a, b = ...`).
    Returns the moves in the source's order (so definitions land in an order that
    worked) and, for helpers that cannot travel, why.
    """
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


def _side_by_side(left: str, right: str, left_title: str, right_title: str, width: int = 60) -> str:
    """Two definitions next to each other, unequal lines marked `≠`: part of MIG302's
    message text (a Diagnostic carries text only, so this rendering stays with it)."""
    l_lines, r_lines = left.splitlines(), right.splitlines()
    n = max(len(l_lines), len(r_lines))
    out = [f"{left_title:<{width}} | {right_title}", "-" * width + "-+-" + "-" * width]
    for i in range(n):
        a = l_lines[i] if i < len(l_lines) else ""
        b = r_lines[i] if i < len(r_lines) else ""
        mark = "|" if a == b else "≠"
        out.append(f"{a[:width]:<{width}} {mark} {b[:width]}")
    return "\n".join(out)
