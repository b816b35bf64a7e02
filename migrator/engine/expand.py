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


def expand(mapping: Mapping, phase: PhaseSpec, index: ProjectIndex, snapshot: Snapshot) -> Expansion:
    """Turn the phase's moves into a MoveSet and file relocations, or error diagnostics."""
    errors: list[Diagnostic] = []
    module_moves: dict[str, str] = {}
    module_specs: dict[str, MoveSpec] = {}
    symbol_moves: list[SymbolMove] = []

    def error(spec: MoveSpec | None, code: str, message: str) -> None:
        line, col = mapping.location(spec) if spec else (None, None)
        errors.append(Diagnostic(Severity.ERROR, code, message, _rel_mapping(mapping), line, col))

    # Symbol moves first so module names can be checked against them.
    for spec in phase.moves:
        if spec.is_symbol:
            mod = index.get(spec.source_module)
            if mod is None:
                error(spec, "MIG101", f"cannot move {spec.source!r}: module {spec.source_module!r} does not exist{_did_you_mean(spec.source_module, index)}")
                continue
            if mod.path in snapshot.excluded:
                error(spec, "MIG205", f"cannot move {spec.source!r}: {mod.path} is excluded by target.exclude, and moving a symbol out of it would rewrite it — take it out of target.exclude")
                continue
            broken = _syntax_error(snapshot.get(mod.path) or b"")
            if broken is not None:
                error(spec, "MIG201", f"cannot move {spec.source!r}: {mod.path}:{broken} does not parse, and a symbol can only be moved out of a file that parses — fix the syntax first")
                continue
            dest = index.get(spec.to)
            if dest is not None and dest.path in snapshot.excluded:
                error(spec, "MIG205", f"cannot move {spec.source!r} into {spec.to!r}: {dest.path} is excluded by target.exclude, and adding the definition would rewrite it — take it out of target.exclude, or choose another destination")
                continue
            broken = _syntax_error(snapshot.get(dest.path) or b"") if dest is not None else None
            if broken is not None:
                error(spec, "MIG201", f"cannot move {spec.source!r} into {spec.to!r}: {dest.path}:{broken} does not parse, and a definition can only be added to a file that parses — fix the syntax first")
                continue
            defined = _top_level_names(snapshot.get(mod.path) or b"")
            if spec.symbol not in defined:
                close = difflib.get_close_matches(spec.symbol or "", sorted(defined), n=1)
                hint = f" — did you mean {spec.source_module}:{close[0]}?" if close else " — check the name after ':'"
                error(spec, "MIG102", f"cannot move {spec.source!r}: {spec.symbol!r} is not defined at the top level of {mod.path}{hint}")
                continue
            symbol_moves.append(SymbolMove(spec.source_module, spec.symbol or "", spec.to, spec.prefer, spec))
        else:
            if index.get(spec.source) is None:
                error(spec, "MIG101", f"cannot move {spec.source!r}: no such module or package under {', '.join(index.source_roots)}{_did_you_mean(spec.source, index)}")
                continue
            module_moves[spec.source] = spec.to
            module_specs[spec.source] = spec

    # Expand packages: every module below goes with its nearest moved ancestor.
    expanded: dict[str, str] = {}
    owner: dict[str, str] = {}
    for name in index.modules:
        best = _nearest_moved(name, module_moves)
        if best is None:
            continue
        expanded[name] = module_moves[best] + name[len(best):]
        owner[name] = best

    # Two modules may not land on one name (`a.x → lib.x` and package `a.pkg → lib` with a `x`).
    landing: dict[str, list[str]] = {}
    for name, new in sorted(expanded.items()):
        landing.setdefault(new, []).append(name)
    for new, olds in sorted(landing.items()):
        # Old copies retargeted onto one existing module (`prefer: destination`) may share it.
        if len(olds) > 1 and not all(module_specs[owner[o]].prefer == "destination" for o in olds):
            first, *others = olds
            for other in others:
                error(
                    module_specs[owner[other]],
                    "MIG109",
                    f"{other!r} and {first!r} would both become {new!r} (moves {owner[other]!r} → {module_specs[owner[other]].to!r} "
                    f"and {owner[first]!r} → {module_specs[owner[first]].to!r}) — give one of them another destination",
                )

    exp = Expansion(moveset=MoveSet())
    vacated = {index.modules[n].path for n in expanded}
    for spec, message in _below_plain_modules(index, expanded, module_specs, owner, symbol_moves):
        error(spec, "MIG112", message)

    # Destinations inside something that moves away in the same phase contradict it.
    for src, dest in module_moves.items():
        inside = _nearest_moved(dest, {k: v for k, v in module_moves.items() if k != src and not src.startswith(k + ".")})
        if inside is not None:
            error(module_specs[src], "MIG103", f"{src!r} → {dest!r} lands inside {inside!r}, which this phase moves to {module_moves[inside]!r} — move it to {module_moves[inside] + dest[len(inside):]!r} instead")

    for name, new in sorted(expanded.items()):
        info = index.modules[name]
        spec = module_specs[owner[name]]
        new_path = index.path_for(new, info.source_root, info.is_package)
        existing = index.get(new)
        existing_path = existing.path if existing else (new_path if new_path in snapshot else None)
        if existing_path is not None and existing_path not in vacated:
            if info.is_package:
                if not spec.merge:
                    error(spec, "MIG104", f"cannot move {name!r} to {new!r}: package {existing_path.rsplit('/', 1)[0]}/ already exists — add `merge: true` to merge into it (no file is overwritten)")
                    continue
                exp.init_merges.append((info.path, existing_path, name, new))
                exp.records.append(ModuleMoveRecord(name, new, info.path, existing_path))
                continue
            if existing is not None and existing.is_package and spec.prefer != "destination":
                error(spec, "MIG105", f"cannot move module {name!r} to {new!r}: that is a package ({existing_path}) — move it to {new + '.' + name.rsplit('.', 1)[-1]!r}")
                continue
            # A module onto an existing module: a consolidation when both are equivalent,
            # else refused unless the move says which one wins (decided by the planner).
            exp.onto_existing[name] = (existing_path, spec.prefer)
            exp.records.append(ModuleMoveRecord(name, new, info.path, existing_path, consolidated=True))
            continue
        exp.relocations[info.path] = Relocation(info.path, new_path, name, new, info.is_package)
        exp.records.append(ModuleMoveRecord(name, new, info.path, new_path))

    # Non-Python files inside moved packages travel with them.
    for src, dest in module_moves.items():
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
            nested = [s for s in module_moves if s != src and s.startswith(src + ".") and index.modules[s].is_package and path.startswith(index.modules[s].directory + "/")]
            if nested:
                continue
            target = new_dir + sub
            if target in snapshot:
                error(module_specs[src], "MIG106", f"moving {src!r} would overwrite {target} — rename one of them")
                continue
            exp.relocations[path] = Relocation(path, target, None, None, False)

    # Symbol moves need their destination module, or create it.
    symbol_map: dict[str, str] = {}
    landed: dict[str, str] = {}
    for sm in symbol_moves:
        if sm.module in expanded:
            error(sm.spec, "MIG107", f"{sm.module!r} is moved in this phase and {sm.spec.source!r} too — move the symbol in a phase of its own")
            continue
        inside = _nearest_moved(sm.dest_module, module_moves)
        if inside is not None:
            error(sm.spec, "MIG103", f"{sm.spec.source!r} → {sm.dest_module!r} lands inside {inside!r}, which this phase moves to {module_moves[inside]!r} — move it to {module_moves[inside] + sm.dest_module[len(inside):]!r} instead")
            continue
        target = f"{sm.dest_module}.{sm.name}"
        if target in landed:
            error(sm.spec, "MIG109", f"{sm.spec.source!r} and {landed[target]!r} would both become {target!r} — give one of them another destination")
            continue
        landed[target] = sm.spec.source
        symbol_map[f"{sm.module}.{sm.name}"] = f"{sm.dest_module}.{sm.name}"
        exp.symbol_moves.append(sm)
    symbol_map.update(_lookup_retargets(exp.symbol_moves, index, snapshot, symbol_map))

    # Packages that must exist for the new names.
    created_paths = {r.new_path for r in exp.relocations.values()}
    roots = {n: index.modules[n].source_root for n in expanded}
    targets = [(new, roots[old]) for old, new in expanded.items()]
    for sm in exp.symbol_moves:
        targets.append((sm.dest_module, index.modules[sm.module].source_root))
    for new, root in targets:
        parts = new.split(".")
        for i in range(1, len(parts)):
            pkg = ".".join(parts[:i])
            init = index.path_for(pkg, root, True)
            if init in snapshot and init not in vacated:
                continue
            if init in created_paths:
                continue
            pkg_dir = init.rsplit("/", 1)[0]
            if index.get(pkg) is not None and not index.modules[pkg].is_package:
                continue  # refused as MIG112 (a name below a plain module)
            if snapshot.dir_exists(pkg_dir) and init not in vacated:
                continue  # an existing namespace package: leave it one
            exp.new_packages[init] = pkg

    # A new top-level package must not hide the stdlib or a dependency (`azureml`).
    new_tops = {}
    for old_name, new in expanded.items():
        top = new.split(".")[0]
        if index.get(top) is None:
            new_tops.setdefault(top, module_specs[owner[old_name]])
    for sm in exp.symbol_moves:
        top = sm.dest_module.split(".")[0]
        if index.get(top) is None:
            new_tops.setdefault(top, sm.spec)
    for hit in gates.shadowed(new_tops, snapshot):
        spec = new_tops[hit.name]
        alt = gates.suggestion(hit.name)
        error(spec, "MIG110", f"the new top-level package {hit.name!r} would shadow {hit.what}: every `import {hit.name}...` in the project would find the local package instead — choose another name, e.g. {spec.to.replace(hit.name, alt, 1)!r}")

    exp.moveset = MoveSet(
        modules=expanded,
        symbols=symbol_map,
        known_modules=index.names(),
        attributes=index.attributes(snapshot, {name: name for name in expanded}),
    )
    exp.diagnostics = errors
    return exp


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


def _nearest_moved(name: str, moves: dict[str, str]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in moves:
            return prefix
    return None


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
    return mapping.path.name
