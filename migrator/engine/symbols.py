"""Move one top-level definition (function, class or constant) between modules.

The definition travels with its decorators and the comments above it. What it needs
from its module goes with it: the imports it uses are copied to the destination
(relative ones made absolute; `from __future__` features too, placed first; imports
under `if TYPE_CHECKING:` stay under one), and the module-level helpers it uses are
reported so the planner can move them along. The old module keeps the name through a
re-export at the place the definition stood. If the destination already defines the
name with an equivalent body, nothing is copied: that is a consolidation. With
`prefer: source`, the moved definition replaces the destination's in place.

Who does what:

- **rope** finds what the moved definition depends on (`dependencies`): its scope
  analysis resolves every name of the body to the scope that binds it, so a local that
  shadows a module-level name (`helper = ...` inside the function), comprehension
  variables, class-body names that methods cannot see and `global` declarations are
  told apart from real uses of module globals. That is exactly rope's strength, and a
  plain `ast` walk gets it wrong (it sees every `Name`).
- **ast** keeps two parts, because it is strictly better there: the parts of a
  definition that run in the *enclosing* scope when the `def` or `class` statement runs
  (decorators, default values, annotations, base classes) are read directly, since
  rope resolves names by line and would look them up in the function's own scope
  (`def f(x=x)`); names inside string annotations (`"os.PathLike[str]"`), which rope
  does not look into, are parsed with `ast`; and comprehension variables are found
  with `ast`, because rope models a comprehension as a scope only in some positions
  (`ys = [...]` but not `return [...]`). If rope cannot analyse a file, every name of
  the definition counts (the old, conservative behaviour).
- **libcst** does every edit (`extract`, `add_definitions`; `source_cleanup.remove_definition`), so
  the output keeps the file's own formatting and comments, in one style with the rules.

Pure text → text functions; the planner decides what to do with them.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

from migrator.analysis import pyast
from migrator.analysis.equivalence import normal_form_of_node
from migrator.model.names import absolute_module
from migrator.model.names import package_of


@dataclass(frozen=True)
class Extracted:
    name: str
    code: str                    # the definition with decorators and leading comments
    imports: tuple[str, ...]     # import statements it needs, absolute
    helpers: tuple[str, ...]     # module-level names it uses that are not imports
    #: `from __future__` features of the source module (they change how the code runs).
    future: tuple[str, ...] = ()
    #: imports it needs that the source only makes under `if TYPE_CHECKING:`.
    typing_imports: tuple[str, ...] = ()
    #: things a reviewer should know (an import copied out of a try/except block, ...).
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Dependencies:
    """The module-level names a definition uses (`names`), and whether it may use names
    that only a star import can provide (`star`)."""

    names: frozenset[str]
    star: bool
    analysed_by: str  # "rope" or "ast" (the fallback)


class SymbolError(Exception):
    pass


def _is_definition(stmt: cst.CSTNode, name: str) -> bool:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return stmt.name.value == name
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign):
                targets = [small.target]
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                return True
    return False


def _find(module: cst.Module, name: str) -> int | None:
    for i, stmt in enumerate(module.body):
        if _is_definition(stmt, name):
            return i
    return None


def defines(source: str, name: str) -> bool:
    return _find(cst.parse_module(source), name) is not None


def _ast_definition(tree: ast.Module, name: str) -> ast.stmt | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return node
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return node
    return None


def definition_normal_form(source: str, name: str, *, ignore_local_names: bool = False) -> str | None:
    """Normal form of the top-level definition of `name`, or None if absent.

    With `ignore_local_names`, two copies that differ only in local variable names
    compare equal (the normalization `migrate audit` uses).
    """
    node = _ast_definition(ast.parse(source), name)
    return None if node is None else normal_form_of_node(node, ignore_local_names=ignore_local_names)


def definition_text(source: str, name: str) -> str | None:
    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        return None
    return module.code_for_node(module.body[i]).strip("\n") + "\n"


# --------------------------------------------------------------------------- dependencies


def dependencies(source: str, name: str) -> Dependencies:
    """The module-level names the top-level definition `name` of `source` uses.

    See the module docstring for who resolves what. Raises SymbolError when `name` is
    not defined at the top level.
    """
    tree = ast.parse(source)
    node = _ast_definition(tree, name)
    if node is None:
        raise SymbolError(f"{name!r} is not defined at the top level")
    bound = _module_bindings(tree)
    star = any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in _module_statements(tree))
    outer, inner = _split_scopes(node)
    used = {n.id for part in outer for n in ast.walk(part) if isinstance(n, ast.Name)}
    used |= _string_annotation_names(node)
    analysed_by = "rope"
    try:
        resolved, unresolved = _rope_resolve(source, inner)
    except Exception:  # rope could not analyse this file: count every name
        analysed_by = "ast"
        resolved = {n.id for part in inner for n in ast.walk(part) if isinstance(n, ast.Name)}
        unresolved = set()
    used |= resolved
    names = frozenset(n for n in used if n in bound and n != name)
    needs_star = star and bool((used | unresolved) - bound - _BUILTINS)
    return Dependencies(names, needs_star, analysed_by)


_BUILTINS = frozenset(dir(__import__("builtins")))


def _split_scopes(node: ast.stmt) -> tuple[list[ast.AST], list[ast.AST]]:
    """(parts evaluated in the module scope when the statement runs, the body)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        outer: list[ast.AST] = [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]
        outer += [a.annotation for a in args if a is not None and a.annotation is not None]
        if node.returns is not None:
            outer.append(node.returns)
        return outer, list(node.body)
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *node.keywords], list(node.body)
    return [node], []  # an assignment runs in the module scope


def _rope_resolve(source: str, body: list[ast.AST]) -> tuple[set[str], set[str]]:
    """Names of `body` that rope resolves to the module scope, and names it cannot resolve."""
    if not body:
        return set(), set()
    from rope.base import libutils
    from rope.base.project import NoProject

    pymodule = libutils.get_string_module(NoProject(), source)
    module_scope = pymodule.get_scope()
    top = module_scope.get_names()
    resolved: set[str] = set()
    unresolved: set[str] = set()
    bound_by_comprehension = _comprehension_locals(body)
    for part in body:
        for n in ast.walk(part):
            if not isinstance(n, ast.Name) or id(n) in bound_by_comprehension:
                continue
            pyname = module_scope.get_inner_scope_for_line(n.lineno).lookup(n.id)
            if pyname is None:
                unresolved.add(n.id)
            elif top.get(n.id) is pyname:
                resolved.add(n.id)
    return resolved, unresolved


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _comprehension_locals(body: list[ast.AST]) -> set[int]:
    """ids of the Name nodes a comprehension binds (its targets and their uses inside it).

    rope models a comprehension as a scope only in some positions (`ys = [...]`, not
    `return [...]`), so these are told apart here.
    """
    out: set[int] = set()
    for part in body:
        for node in ast.walk(part):
            if not isinstance(node, _COMPREHENSIONS):
                continue
            targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            inside: list[ast.AST] = [g.target for g in node.generators] + [c for g in node.generators for c in g.ifs]
            inside += [g.iter for g in node.generators[1:]]
            inside += [getattr(node, a) for a in ("elt", "key", "value") if getattr(node, a, None) is not None]
            for sub in inside:
                out.update(id(n) for n in ast.walk(sub) if isinstance(n, ast.Name) and n.id in targets)
    return out


def _string_annotation_names(node: ast.AST) -> set[str]:
    """Names inside string annotations (`"os.PathLike[str]"`): resolved in module globals."""
    annotations: list[ast.AST] = []
    for n in ast.walk(node):
        if isinstance(n, ast.arg) and n.annotation is not None:
            annotations.append(n.annotation)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.returns is not None:
            annotations.append(n.returns)
        elif isinstance(n, ast.AnnAssign):
            annotations.append(n.annotation)
    names: set[str] = set()
    for annotation in annotations:
        for c in ast.walk(annotation):
            if isinstance(c, ast.Constant) and isinstance(c.value, str):
                try:
                    expr = ast.parse(c.value.strip(), mode="eval")
                except SyntaxError:
                    continue
                names |= {x.id for x in ast.walk(expr) if isinstance(x, ast.Name)}
    return names


def _module_statements(tree: ast.Module):
    """Top-level statements, and those inside top-level if/try blocks (where imports hide)."""
    for node in tree.body:
        yield node
        if isinstance(node, ast.If):
            yield from node.body
            yield from node.orelse
        elif isinstance(node, ast.Try):
            yield from node.body
            for h in node.handlers:
                yield from h.body
            yield from node.orelse
            yield from node.finalbody


def _module_bindings(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in _module_statements(tree):
        if isinstance(node, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names if a.name != "*")
        else:
            names.update(_bound_names(node))
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_lines(tree: ast.Module, package: str) -> list[tuple[str, str, str]]:
    """(bound name, absolute import statement, where) for every import of the module;
    where is "top", "typing" (under `if TYPE_CHECKING:`) or "line N" (inside a block)."""
    out: list[tuple[str, str, str]] = []

    def add(node: ast.stmt, where: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append((alias.asname or alias.name.split(".")[0], f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""), where))
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = absolute_module(node.module, level=node.level, package=package) or ""
            for alias in node.names:
                if alias.name == "*":
                    out.append(("*", f"from {base} import *", where))
                else:
                    out.append((alias.asname or alias.name, f"from {base} import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""), where))

    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            add(node, "top")
        elif isinstance(node, ast.If):
            where = "typing" if _is_type_checking(node.test) else f"line {node.lineno}"
            for child in node.body:
                add(child, where)
            for child in node.orelse:
                add(child, f"line {node.lineno}")
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                for child in block:
                    add(child, f"line {node.lineno}")
    return out


def extract(source: str, name: str, module_name: str, is_package: bool) -> Extracted:
    """The definition of `name` in `source` and what it needs from its module."""
    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        raise SymbolError(f"{name!r} is not defined at the top level")
    code = module.code_for_node(module.body[i]).lstrip("\n")
    tree = ast.parse(source)
    deps = dependencies(source, name)
    package = package_of(module_name, is_package=is_package)
    imports: list[str] = []
    typing_imports: list[str] = []
    notes: list[str] = []
    import_bound: set[str] = set()
    by_name: dict[str, list[tuple[str, str]]] = {}
    all_imports = _import_lines(tree, package)
    for bound, line, where in all_imports:
        by_name.setdefault(bound, []).append((line, where))
        import_bound.add(bound)
    chosen: dict[str, tuple[str, str]] = {}
    for bound in deps.names & import_bound:
        candidates = by_name[bound]
        chosen[bound] = next((c for c in candidates if c[1] == "top"), None) or next((c for c in candidates if c[1] == "typing"), candidates[0])
    for bound, line, where in all_imports:  # in the source's order
        if chosen.get(bound) != (line, where):
            continue
        if where == "top":
            imports.append(line)
        elif where == "typing":
            typing_imports.append(line)
        else:
            imports.append(line)
            notes.append(f"copied `{line}` for {name}: in {module_name} it sits in a conditional block ({where}); its fallback was not copied")
    if deps.star:
        stars = [line for line, _ in by_name.get("*", [])]
        imports.extend(stars)
    helpers = [b for b in _ordered_bindings(tree) if b in deps.names and b not in import_bound]
    future = tuple(
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "__future__"
        for alias in node.names
    )
    return Extracted(
        name,
        code,
        tuple(dict.fromkeys(imports)),
        tuple(dict.fromkeys(helpers)),
        future,
        tuple(dict.fromkeys(typing_imports)),
        tuple(notes),
    )


def definition_order(source: str) -> list[str]:
    """The names the module binds by definitions and assignments, in source order."""
    return _ordered_bindings(ast.parse(source))


def _ordered_bindings(tree: ast.Module) -> list[str]:
    out: list[str] = []
    for node in tree.body:
        out.extend(_bound_names(node))
    return out


def rebound_globally(source: str) -> set[str]:
    """Module-level names some function rebinds through a `global` statement.

    Such a name is module state: a copy of it in another module would drift apart.
    """
    tree = ast.parse(source)
    return {name for n in ast.walk(tree) if isinstance(n, ast.Global) for name in n.names}


def top_level_bindings(source: str) -> dict[str, str]:
    """Every name the module binds at the top level → how: the absolute import
    statement for imports ("import x", "from a import b as c"), "definition" otherwise."""
    tree = ast.parse(source)
    out: dict[str, str] = {}
    for bound, line, _ in _import_lines(tree, ""):
        if bound != "*":
            out.setdefault(bound, line)
    for node in tree.body:
        for bound in _bound_names(node):
            out.setdefault(bound, "definition")
    return out


# --------------------------------------------------------------------------- edits


def drop_unused_reexports(source: str, moved: dict[str, str]) -> str:
    """Take out the back-imports `source_cleanup.remove_definition` left for names nothing uses.

    `moved` maps each moved name to its new module. A top-level `from <new> import
    <name>` (exactly that statement) goes when no other code of the module reads the
    name (a `Name`, `global`/`nonlocal`, or the name spelled as a whole string, such as
    in a string annotation); the name also leaves a literal `__all__` list or tuple, so
    `from old import *` does not look for it. Used with `facades: none`, where the old
    path is not meant to serve the name any more.
    """
    tree = ast.parse(source)
    reexports: dict[str, ast.ImportFrom] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and len(node.names) == 1:
            alias = node.names[0]
            if alias.asname is None and moved.get(alias.name) == node.module:
                reexports[alias.name] = node
    if not reexports:
        return source
    referenced: set[str] = set()
    strings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            referenced.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            referenced.update(node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            strings.add(node.value)  # a string annotation, or a name looked up by getattr
    used = referenced | strings
    # A name spelled once as a string, in `__all__`, is only listed there, not used.
    listed = {e.value for e in pyast.literal_all(tree)}
    spelled = Counter(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    unused = {name for name in reexports if name not in used or (name in listed and spelled[name] == 1 and name not in referenced)}
    if not unused:
        return source
    module = cst.parse_module(source)
    body = []
    for stmt in module.body:
        if _is_reexport_of(stmt, unused, moved):
            continue
        body.append(_without_all_entries(stmt, unused))
    return module.with_changes(body=body).code


def _is_reexport_of(stmt: cst.BaseStatement, names: set[str], moved: dict[str, str]) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    node = stmt.body[0]
    if not isinstance(node, cst.ImportFrom) or node.relative or isinstance(node.names, cst.ImportStar) or len(node.names) != 1:
        return False
    alias = node.names[0]
    if alias.asname is not None or not isinstance(alias.name, cst.Name) or alias.name.value not in names:
        return False
    return node.module is not None and cst.Module([]).code_for_node(node.module) == moved[alias.name.value]


def _all_literal(stmt: cst.CSTNode) -> tuple[cst.Assign, cst.List | cst.Tuple] | None:
    """The `__all__ = [...]` (or tuple) assignment of a statement line, and its literal."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    node = stmt.body[0]
    if (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == "__all__" and isinstance(node.value, (cst.List, cst.Tuple))):
        return node, node.value
    return None


def _without_all_entries(stmt: cst.BaseStatement, names: set[str]) -> cst.BaseStatement:
    found = _all_literal(stmt)
    if found is None:
        return stmt
    node, seq = found
    elements = [e for e in seq.elements if not (isinstance(e.value, cst.SimpleString) and e.value.evaluated_value in names)]
    if len(elements) == len(seq.elements):
        return stmt
    if elements:
        elements[-1] = elements[-1].with_changes(comma=seq.elements[-1].comma)
    return stmt.with_changes(body=[node.with_changes(value=seq.with_changes(elements=elements))])


def add_definitions(dest_source: str | None, items: list[Extracted], docstring: str | None = None, *, replace: bool = False) -> str:
    """Add definitions (and the imports they need) to a module, or create it.

    A definition is appended at the end, or with `replace` put in place of the
    destination's own definition of that name (`prefer: source`). `from __future__`
    features go first, other imports after the leading import block (`TYPE_CHECKING`
    ones in an `if TYPE_CHECKING:` block), and a name the destination lists in a
    literal `__all__` list is added there.
    """
    if dest_source is None:
        dest_source = (f'"""{docstring}"""\n' if docstring else "")
    module = cst.parse_module(dest_source)
    existing_code = {module.code_for_node(s).strip() for s in module.body}
    body = list(module.body)
    config = module.config_for_parsing

    # Definitions first (indices of the import section do not move for in-place ones).
    for item in items:
        parsed = cst.parse_module(item.code)
        stmts = list(parsed.body)
        if not stmts:
            continue
        first = stmts[0]
        # Comments above the definition: libcst puts a file's leading comments in its header.
        comments = [line for line in (*parsed.header, *first.leading_lines) if line.comment is not None]
        at = _find(module.with_changes(body=body), item.name) if replace else None
        if at is not None:
            kept = [line for line in body[at].leading_lines if line.comment is None]
            stmts[0] = first.with_changes(leading_lines=kept + comments)
            body[at:at + 1] = stmts
            continue
        lead = [cst.EmptyLine(), cst.EmptyLine()] if body else []
        stmts[0] = first.with_changes(leading_lines=lead + comments)
        body.extend(stmts)

    insert_at = _import_insertion_index(module.with_changes(body=body))
    bindings = top_level_bindings(module.code)
    new_imports: list[str] = []
    typing_lines: list[str] = []
    for item in items:
        for line in item.imports:
            if line not in existing_code and line not in new_imports and bindings.get(_bound_by_line(line)) != line:
                new_imports.append(line)
        for line in item.typing_imports:
            if line not in typing_lines and f"if TYPE_CHECKING:\n    {line}" not in existing_code:
                typing_lines.append(line)
    if typing_lines and "from typing import TYPE_CHECKING" not in existing_code and "TYPE_CHECKING" not in top_level_bindings(module.code):
        new_imports.append("from typing import TYPE_CHECKING")
    import_stmts = [cst.parse_statement(line + "\n", config=config) for line in _grouped(new_imports)]
    if typing_lines:
        block = "if TYPE_CHECKING:\n" + "".join(f"    {line}\n" for line in typing_lines)
        import_stmts.append(cst.parse_statement(block, config=config).with_changes(leading_lines=[cst.EmptyLine()]))
    if import_stmts and 0 < insert_at <= len(body) and not _is_import(body[insert_at - 1]):
        import_stmts[0] = import_stmts[0].with_changes(leading_lines=[cst.EmptyLine()])
    if import_stmts and insert_at < len(body) and not _is_import(body[insert_at]) and not body[insert_at].leading_lines:
        body[insert_at] = body[insert_at].with_changes(leading_lines=[cst.EmptyLine()])
    body[insert_at:insert_at] = import_stmts

    features = [f for item in items for f in item.future]
    missing = [f for f in dict.fromkeys(features) if f not in _future_features(module)]
    if missing:
        at = _docstring_end(body)
        stmt = cst.parse_statement(f"from __future__ import {', '.join(missing)}\n", config=config)
        if at and not body[at - 1].leading_lines:
            stmt = stmt.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(at, stmt)

    out = module.with_changes(body=body)
    out = _add_to_all(out, [item.name for item in items if not item.name.startswith("_")])
    code = out.code
    if not code.endswith("\n"):
        code += "\n"
    return code


def _bound_by_line(line: str) -> str:
    """The name an import statement of `_import_lines`' form binds."""
    if " as " in line:
        return line.rsplit(" as ", 1)[1]
    if line.startswith("from "):
        return line.rsplit(" import ", 1)[1]
    return line[len("import "):].split(".")[0]


def _grouped(lines: list[str]) -> list[str]:
    """`from m import a` and `from m import b` become `from m import a, b` (first place wins)."""
    out: list[str] = []
    names: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("from ") and not line.endswith(" import *"):
            module, _, name = line[len("from "):].partition(" import ")
            if module not in names:
                names[module] = []
                out.append(module)
            names[module].append(name)
        else:
            out.append("\0" + line)
    return [line[1:] if line.startswith("\0") else f"from {line} import {', '.join(names[line])}" for line in out]


def import_conflicts(dest_source: str | None, items: list[Extracted]) -> list[str]:
    """Names the moved code imports that the destination binds to something else."""
    if not dest_source:
        return []
    bindings = top_level_bindings(dest_source)
    moved = {item.name for item in items}
    out = []
    for item in items:
        have = bindings.get(item.name)
        if have is not None and have != "definition":
            out.append(f"{item.name!r} (the destination imports it: `{have}`; the moved definition would shadow it)")
        for line in (*item.imports, *item.typing_imports):
            if line.endswith(" import *"):
                continue
            name = _bound_by_line(line)
            have = bindings.get(name)
            if have is not None and have != line and name not in moved:
                out.append(f"{name!r} (the moved code needs `{line}`, the destination has {'its own definition' if have == 'definition' else f'`{have}`'})")
    return list(dict.fromkeys(out))


def _future_features(module: cst.Module) -> set[str]:
    found: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__" and not isinstance(small.names, cst.ImportStar):
                    found.update(a.name.value for a in small.names if isinstance(a.name, cst.Name))
    return found


def _docstring_end(body: list[cst.CSTNode]) -> int:
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        return 1
    return 0


def _add_to_all(module: cst.Module, names: list[str]) -> cst.Module:
    """Append `names` to a literal top-level `__all__ = [...]` (or tuple) if there is one."""
    if not names:
        return module
    body = list(module.body)
    for i, stmt in enumerate(body):
        found = _all_literal(stmt)
        if found is None:
            continue
        small, seq = found
        if not all(isinstance(e.value, cst.SimpleString) for e in seq.elements):
            return module
        present = {e.value.evaluated_value for e in seq.elements}
        missing = [n for n in names if n not in present]
        if not missing:
            return module
        quote = seq.elements[0].value.quote if seq.elements else '"'
        elements = list(seq.elements)
        template = elements[-1] if elements else None
        for n in missing:
            new = cst.Element(cst.SimpleString(f"{quote}{n}{quote}"))
            if template is not None:
                new = new.with_changes(comma=template.comma)
            if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            elements.append(new)
        body[i] = stmt.with_changes(body=[small.with_changes(value=seq.with_changes(elements=elements))])
        return module.with_changes(body=body)
    return module


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _import_insertion_index(module: cst.Module) -> int:
    """After the docstring and the leading block of imports."""
    i = _docstring_end(list(module.body))
    body = module.body
    last_import = None
    for j in range(i, len(body)):
        if _is_import(body[j]):
            last_import = j
        else:
            break
    return (last_import + 1) if last_import is not None else i


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []
