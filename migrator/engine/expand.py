"""Expand a phase's moves against the project: which modules and files go where.

A package move expands to every module and file below the package; a more specific
move inside a moved package refines it (its subtree goes where it says). The result is
the `MoveSet` the rules use and the file relocations the planner carries out. Problems
that make a phase impossible (a source that does not exist, a destination that would be
overwritten) are reported as error diagnostics naming the mapping line and the fix.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from migrator.engine import shadowing as gates
from migrator.mapping.spec import Mapping, MoveSpec, PhaseSpec
from migrator.model.names import longest_prefix
from migrator.model.plan import Diagnostic, ModuleMoveRecord, MoveSet, Severity
from migrator.analysis.project import ProjectIndex, Snapshot


@dataclass(frozen=True)
class Relocation:
    """One file that moves. `module` is None for non-Python files inside a package."""

    old_path: str
    new_path: str
    module: str | None
    new_module: str | None
    is_package: bool


@dataclass(frozen=True)
class SymbolMove:
    module: str
    name: str
    dest_module: str
    prefer: str | None
    spec: MoveSpec


@dataclass
class Expansion:
    moveset: MoveSet
    relocations: dict[str, Relocation] = field(default_factory=dict)
    records: list[ModuleMoveRecord] = field(default_factory=list)
    #: old module → (existing destination module path, prefer) for moves onto existing modules.
    onto_existing: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: (source __init__ path, destination __init__ path, old package, new package)
    init_merges: list[tuple[str, str, str, str]] = field(default_factory=list)
    symbol_moves: list[SymbolMove] = field(default_factory=list)
    #: __init__.py files to create for new packages: path → package name.
    new_packages: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


def expand(
    mapping: Mapping, phase: PhaseSpec, index: ProjectIndex, snapshot: Snapshot, installed: gates.InstalledNames | None = None
) -> Expansion:
    """Turn the phase's moves into a MoveSet and file relocations, or error diagnostics.
    `installed`: the import names of installed distributions (the shadowing gate's;
    without it, a dependency's import name is worked out from its name).

    A sequence of steps over one shared `_Expanding`; each may add refusals, and each
    later step sees what the earlier ones decided. The order of the steps is the order
    of the refusals a person reads.
    """
    w = _Expanding(mapping, index, snapshot, Expansion(moveset=MoveSet()), installed=installed)
    _read_moves(w, phase)
    _expand_packages(w)
    _refuse_shared_landings(w)
    for spec, message in _below_plain_modules(index, w.expanded, w.module_specs, w.owner, w.symbol_moves):
        w.refuse(spec, "MIG112", message)
    _refuse_destinations_inside_moves(w)
    _place_modules(w)
    _carry_package_files(w)
    symbol_map = _place_symbol_moves(w)
    _plan_new_packages(w)
    _refuse_shadowing(w)
    w.exp.moveset = MoveSet(
        modules=w.expanded,
        symbols=symbol_map,
        known_modules=index.names(),
        attributes=index.attributes(snapshot, {name: name for name in w.expanded}),
        paths=_relocated_paths(w.exp.relocations),
    )
    return w.exp


def _relocated_paths(relocations: dict[str, Relocation]) -> dict[str, str]:
    """Old → new path of every relocated file, and of each moved package's folder."""
    paths = {old: r.new_path for old, r in relocations.items()}
    for old, r in relocations.items():
        if r.is_package and r.module is not None and old.endswith("/__init__.py") and r.new_path.endswith("/__init__.py"):
            paths[old.rpartition("/")[0]] = r.new_path.rpartition("/")[0]
    return paths


@dataclass
class _Expanding:
    """What the steps of `expand` share: its inputs, the moves read so far, the result."""

    mapping: Mapping
    index: ProjectIndex
    snapshot: Snapshot
    #: The result being built; its `diagnostics` collect the refusals in step order.
    exp: Expansion
    #: Module moves as the mapping spells them (source → destination), with their specs.
    module_moves: dict[str, str] = field(default_factory=dict)
    module_specs: dict[str, MoveSpec] = field(default_factory=dict)
    #: Symbol moves whose source and destination were found fit (not yet placed).
    symbol_moves: list[SymbolMove] = field(default_factory=list)
    #: Every module that moves (packages expanded) → its new name, and the move that takes it.
    expanded: dict[str, str] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)
    #: The files of every module that moves: their old paths are free after the phase.
    vacated: set[str] = field(default_factory=set)
    #: See `expand`.
    installed: gates.InstalledNames | None = None

    def refuse(self, spec: MoveSpec | None, code: str, message: str) -> None:
        """An error diagnostic at the mapping line of `spec` (no line without one)."""
        line, col = self.mapping.location(spec) if spec else (None, None)
        self.exp.diagnostics.append(Diagnostic(Severity.ERROR, code, message, _rel_mapping(self.mapping), line, col))


def _read_moves(w: _Expanding, phase: PhaseSpec) -> None:
    """Every move of the phase, in mapping order: module moves whose source exists, and
    symbol moves whose source and destination can take part (refusals otherwise)."""
    for spec in phase.moves:
        if spec.is_symbol:
            sm = _read_symbol_move(w, spec)
            if sm is not None:
                w.symbol_moves.append(sm)
        elif w.index.get(spec.source) is None:
            w.refuse(spec, "MIG101", f"cannot move {spec.source!r}: no such module or package under {', '.join(w.index.source_roots)}{_did_you_mean(spec.source, w.index)}")
        else:
            w.module_moves[spec.source] = spec.to
            w.module_specs[spec.source] = spec


def _read_symbol_move(w: _Expanding, spec: MoveSpec) -> SymbolMove | None:
    """The symbol move of `spec`, or None (refused): its module must exist, be neither
    excluded nor unparsable, and define the name at the top level; its destination, if it
    exists, must be neither excluded nor unparsable."""
    index, snapshot = w.index, w.snapshot
    mod = index.get(spec.source_module)
    if mod is None:
        w.refuse(spec, "MIG101", f"cannot move {spec.source!r}: module {spec.source_module!r} does not exist{_did_you_mean(spec.source_module, index)}")
        return None
    if mod.path in snapshot.excluded:
        w.refuse(spec, "MIG205", f"cannot move {spec.source!r}: {mod.path} is excluded by target.exclude, and moving a symbol out of it would rewrite it — take it out of target.exclude")
        return None
    broken = _syntax_error(snapshot.get(mod.path) or b"")
    if broken is not None:
        w.refuse(spec, "MIG201", f"cannot move {spec.source!r}: {mod.path}:{broken} does not parse, and a symbol can only be moved out of a file that parses — fix the syntax first")
        return None
    dest = index.get(spec.to)
    if dest is not None and dest.path in snapshot.excluded:
        w.refuse(spec, "MIG205", f"cannot move {spec.source!r} into {spec.to!r}: {dest.path} is excluded by target.exclude, and adding the definition would rewrite it — take it out of target.exclude, or choose another destination")
        return None
    broken = _syntax_error(snapshot.get(dest.path) or b"") if dest is not None else None
    if broken is not None:
        w.refuse(spec, "MIG201", f"cannot move {spec.source!r} into {spec.to!r}: {dest.path}:{broken} does not parse, and a definition can only be added to a file that parses — fix the syntax first")
        return None
    defined = _top_level_names(snapshot.get(mod.path) or b"")
    if spec.symbol not in defined:
        close = difflib.get_close_matches(spec.symbol or "", sorted(defined), n=1)
        hint = f" — did you mean {spec.source_module}:{close[0]}?" if close else " — check the name after ':'"
        w.refuse(spec, "MIG102", f"cannot move {spec.source!r}: {spec.symbol!r} is not defined at the top level of {mod.path}{hint}")
        return None
    return SymbolMove(spec.source_module, spec.symbol or "", spec.to, spec.prefer, spec)


def _expand_packages(w: _Expanding) -> None:
    """Every module below a moved package goes with its nearest moved ancestor."""
    for name in w.index.modules:
        best = longest_prefix(name, w.module_moves)
        if best is None:
            continue
        w.expanded[name] = w.module_moves[best] + name[len(best):]
        w.owner[name] = best
    w.vacated = {w.index.modules[n].path for n in w.expanded}


def _refuse_shared_landings(w: _Expanding) -> None:
    """Two modules may not land on one name (`a.x → lib.x` and package `a.pkg → lib` with
    an `x`), except old copies retargeted onto one existing module (`prefer: destination`)."""
    landing: dict[str, list[str]] = {}
    for name, new in sorted(w.expanded.items()):
        landing.setdefault(new, []).append(name)
    specs, owner = w.module_specs, w.owner
    for new, olds in sorted(landing.items()):
        if len(olds) > 1 and not all(specs[owner[o]].prefer == "destination" for o in olds):
            first, *others = olds
            for other in others:
                w.refuse(
                    specs[owner[other]],
                    "MIG109",
                    f"{other!r} and {first!r} would both become {new!r} (moves {owner[other]!r} → {specs[owner[other]].to!r} "
                    f"and {owner[first]!r} → {specs[owner[first]].to!r}) — give one of them another destination",
                )


def _refuse_destinations_inside_moves(w: _Expanding) -> None:
    """Destinations inside something that moves away in the same phase contradict it."""
    moves = w.module_moves
    for src, dest in moves.items():
        inside = longest_prefix(dest, {k: v for k, v in moves.items() if k != src and not src.startswith(k + ".")})
        if inside is not None:
            w.refuse(w.module_specs[src], "MIG103", f"{src!r} → {dest!r} lands inside {inside!r}, which this phase moves to {moves[inside]!r} — move it to {moves[inside] + dest[len(inside):]!r} instead")


def _place_modules(w: _Expanding) -> None:
    """Where each moved module's file goes: a relocation to a free path, a merge of a
    package into an existing one (`merge: true`), or a move onto an existing module (a
    consolidation, decided by the planner); refused onto an existing package otherwise."""
    index, exp = w.index, w.exp
    for name, new in sorted(w.expanded.items()):
        info = index.modules[name]
        spec = w.module_specs[w.owner[name]]
        new_path = index.path_for(new, info.source_root, info.is_package)
        existing = index.get(new)
        existing_path = existing.path if existing else (new_path if new_path in w.snapshot else None)
        if existing_path is None or existing_path in w.vacated:
            exp.relocations[info.path] = Relocation(info.path, new_path, name, new, info.is_package)
            exp.records.append(ModuleMoveRecord(name, new, info.path, new_path))
        elif info.is_package:
            if not spec.merge:
                w.refuse(spec, "MIG104", f"cannot move {name!r} to {new!r}: package {existing_path.rsplit('/', 1)[0]}/ already exists — add `merge: true` to merge into it (no file is overwritten)")
                continue
            exp.init_merges.append((info.path, existing_path, name, new))
            exp.records.append(ModuleMoveRecord(name, new, info.path, existing_path))
        elif existing is not None and existing.is_package and spec.prefer != "destination":
            w.refuse(spec, "MIG105", f"cannot move module {name!r} to {new!r}: that is a package ({existing_path}) — move it to {new + '.' + name.rsplit('.', 1)[-1]!r}")
        else:
            # A module onto an existing module: a consolidation when both are equivalent,
            # else refused unless the move says which one wins (decided by the planner).
            exp.onto_existing[name] = (existing_path, spec.prefer)
            exp.records.append(ModuleMoveRecord(name, new, info.path, existing_path, consolidated=True))


def _carry_package_files(w: _Expanding) -> None:
    """Non-Python files inside moved packages travel with them (each with the nearest
    moved package that holds it); refused where one would overwrite a file."""
    index, snapshot, exp, moves = w.index, w.snapshot, w.exp, w.module_moves
    for src, dest in moves.items():
        info = index.modules[src]
        if not info.is_package:
            continue
        old_dir = info.directory + "/"
        new_dir = PurePosixPath(index.path_for(dest, info.source_root, True)).parent.as_posix() + "/"
        for path in snapshot.paths():
            if not path.startswith(old_dir) or path in exp.relocations or path.endswith((".py", ".pyi")):
                continue
            sub = path[len(old_dir):]
            # A nested moved package owns its own files.
            nested = [s for s in moves if s != src and s.startswith(src + ".") and index.modules[s].is_package and path.startswith(index.modules[s].directory + "/")]
            if nested:
                continue
            target = new_dir + sub
            if target in snapshot:
                w.refuse(w.module_specs[src], "MIG106", f"moving {src!r} would overwrite {target} — rename one of them")
                continue
            exp.relocations[path] = Relocation(path, target, None, None, False)


def _place_symbol_moves(w: _Expanding) -> dict[str, str]:
    """The symbol moves that can go ahead (into `exp.symbol_moves`), and the old → new
    names they give (with the module globals that follow the moved code)."""
    symbol_map: dict[str, str] = {}
    landed: dict[str, str] = {}
    moves = w.module_moves
    for sm in w.symbol_moves:
        if sm.module in w.expanded:
            w.refuse(sm.spec, "MIG107", f"{sm.module!r} is moved in this phase and {sm.spec.source!r} too — move the symbol in a phase of its own")
            continue
        inside = longest_prefix(sm.dest_module, moves)
        if inside is not None:
            w.refuse(sm.spec, "MIG103", f"{sm.spec.source!r} → {sm.dest_module!r} lands inside {inside!r}, which this phase moves to {moves[inside]!r} — move it to {moves[inside] + sm.dest_module[len(inside):]!r} instead")
            continue
        target = f"{sm.dest_module}.{sm.name}"
        if target in landed:
            w.refuse(sm.spec, "MIG109", f"{sm.spec.source!r} and {landed[target]!r} would both become {target!r} — give one of them another destination")
            continue
        landed[target] = sm.spec.source
        symbol_map[f"{sm.module}.{sm.name}"] = f"{sm.dest_module}.{sm.name}"
        w.exp.symbol_moves.append(sm)
    symbol_map.update(_lookup_retargets(w.exp.symbol_moves, w.index, w.snapshot, symbol_map))
    return symbol_map


def _plan_new_packages(w: _Expanding) -> None:
    """The `__init__.py` files the new names need: every package above a destination
    that neither exists (and stays), nor is created by a relocation, nor is a plain
    module (refused as MIG112), nor an existing namespace package."""
    index, snapshot, exp = w.index, w.snapshot, w.exp
    created_paths = {r.new_path for r in exp.relocations.values()}
    targets = [(new, index.modules[old].source_root) for old, new in w.expanded.items()]
    targets += [(sm.dest_module, index.modules[sm.module].source_root) for sm in exp.symbol_moves]
    for new, root in targets:
        parts = new.split(".")
        for i in range(1, len(parts)):
            pkg = ".".join(parts[:i])
            init = index.path_for(pkg, root, True)
            if (init in snapshot and init not in w.vacated) or init in created_paths:
                continue
            if index.get(pkg) is not None and not index.modules[pkg].is_package:
                continue  # refused as MIG112 (a name below a plain module)
            if snapshot.dir_exists(init.rsplit("/", 1)[0]) and init not in w.vacated:
                continue  # an existing namespace package: leave it one
            exp.new_packages[init] = pkg


def _refuse_shadowing(w: _Expanding) -> None:
    """A new top-level package must not hide the stdlib or a dependency (`azureml`)."""
    new_tops: dict[str, MoveSpec] = {}
    for old_name, new in w.expanded.items():
        top = new.split(".")[0]
        if w.index.get(top) is None:
            new_tops.setdefault(top, w.module_specs[w.owner[old_name]])
    for sm in w.exp.symbol_moves:
        top = sm.dest_module.split(".")[0]
        if w.index.get(top) is None:
            new_tops.setdefault(top, sm.spec)
    for hit in gates.shadowed(new_tops, w.snapshot, w.installed):
        spec = new_tops[hit.name]
        alt = gates.suggestion(hit.name)
        w.refuse(spec, "MIG110", f"the new top-level package {hit.name!r} would shadow {hit.what}: every `import {hit.name}...` in the project would find the local package instead — choose another name, e.g. {spec.to.replace(hit.name, alt, 1)!r}")


def _below_plain_modules(
    index: ProjectIndex,
    expanded: dict[str, str],
    module_specs: dict[str, MoveSpec],
    owner: dict[str, str],
    symbol_moves: list[SymbolMove],
) -> list[tuple[MoveSpec, str]]:
    """Names the phase would put below a plain module: (the move to blame, why and the fix).

    After the phase, `app.report` is a plain module (`report.py`: one that stays, or the
    destination of a move) while some other name lies below it (`app.report.models`). Python finds `app/report/` first or
    `report.py` first depending on which exists, so one of the two is unimportable.
    Conflicts the tree had already are not reported, nor names below a module this
    phase moves away (MIG103 says where they should go instead).
    """
    final: dict[str, tuple[bool, MoveSpec | None, str]] = {}  # name → (is_package, the move that puts it there, file)
    for name, info in index.modules.items():
        if name not in expanded:
            final[name] = (info.is_package, None, info.path)
    for name, new in expanded.items():
        if new in final and final[new][1] is None:
            continue  # onto a module that stays: what that is decides (consolidation, MIG104/MIG105)
        info = index.modules[name]
        final[new] = (info.is_package, module_specs[owner[name]], index.path_for(new, info.source_root, info.is_package))
    for sm in symbol_moves:
        if sm.dest_module not in final:
            root = index.modules[sm.module].source_root
            final[sm.dest_module] = (False, sm.spec, index.path_for(sm.dest_module, root, False))
    out: list[tuple[MoveSpec, str]] = []
    for name, (_, spec, _) in sorted(final.items()):
        parts = name.split(".")
        for end in range(1, len(parts)):
            parent = ".".join(parts[:end])
            hit = final.get(parent)
            if hit is None or hit[0]:
                continue
            _, parent_spec, parent_path = hit
            if spec is None and parent_spec is None:
                continue  # the tree had this already
            if parent_spec is not None:
                why = f"the move {parent_spec.source!r} → {parent_spec.to!r} makes {parent!r} a plain module ({parent_path})"
            else:
                why = f"{parent!r} is a plain module ({parent_path})"
            blame = spec if spec is not None else parent_spec
            assert blame is not None
            out.append((blame, (
                f"cannot move {blame.source!r} to {blame.to!r}: {name!r} would lie below {parent!r}, but {why}, not a package, "
                f"so one of them could not be imported — choose a destination that is not below {parent!r}, or turn {parent!r} into "
                f"a package by hand first (its code in {parent_path[:-3]}/__init__.py)"
            )))
            break
    return out


def _did_you_mean(name: str, index: ProjectIndex) -> str:
    close = difflib.get_close_matches(name, list(index.modules), n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else " — check the spelling"


def _lookup_retargets(moves: list[SymbolMove], index: ProjectIndex, snapshot: Snapshot, already: dict[str, str]) -> dict[str, str]:
    """Module globals a moved definition looks up, which now live beside it.

    `mock.patch("old.mod.helper")` patches the name the code in `old.mod` looks up. Once
    the function that used `helper` lives in `dest`, it looks up `dest.helper`; when
    nothing left in `old.mod` uses `helper`, the patch can only have been meant for the
    moved code, so `old.mod.helper` follows to `dest.helper` (only if `dest` binds it).
    """
    out: dict[str, str] = {}
    by_module: dict[str, list[SymbolMove]] = {}
    for sm in moves:
        by_module.setdefault(sm.module, []).append(sm)
    for module, group in by_module.items():
        try:
            tree = ast.parse(snapshot.get(index.modules[module].path) or b"")
        except SyntaxError:
            continue
        moved = {sm.name for sm in group}
        bound = _top_level_names_of(tree) | _imported_names(tree)
        remaining_uses: set[str] = set()
        uses_by_def: dict[str, set[str]] = {}
        for node in tree.body:
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            defined = _bound_by(node)
            if defined & moved:
                for name in defined & moved:
                    uses_by_def[name] = names
            elif not isinstance(node, (ast.Import, ast.ImportFrom)):
                remaining_uses |= names
        for sm in group:
            dest_info = index.get(sm.dest_module)
            dest_bound: set[str] = set()
            if dest_info is not None:
                try:
                    dest_tree = ast.parse(snapshot.get(dest_info.path) or b"")
                    dest_bound = _top_level_names_of(dest_tree) | _imported_names(dest_tree)
                except SyntaxError:
                    pass
            for name in sorted(uses_by_def.get(sm.name, set()) & bound - moved - remaining_uses):
                key = f"{module}.{name}"
                copied = name in _imported_names(tree)  # the move copies the import along
                if key not in already and (name in dest_bound or copied):
                    out.setdefault(key, f"{sm.dest_module}.{name}")
    return out


def _bound_by(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _top_level_names_of(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        names |= _bound_by(node)
    return names


def _imported_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names if a.name != "*")
    return names


def _syntax_error(data: bytes) -> str | None:
    """`line:col (message)` of the syntax error in `data`, or None when it parses."""
    try:
        ast.parse(data)
    except SyntaxError as exc:
        return f"{exc.lineno}:{exc.offset} ({exc.msg})"
    except ValueError as exc:  # null bytes
        return f"1:1 ({exc})"
    return None


def _top_level_names(data: bytes) -> set[str]:
    try:
        tree = ast.parse(data)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names.add(t.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _rel_mapping(mapping: Mapping) -> str:
    # As the loader shows it (relative to the working directory), so a mapping found in
    # a parent folder is not mistaken for one beside the user.
    return mapping.shown or mapping.path.name
