"""Move one top-level definition (function, class or constant) between modules.

The definition travels with its decorators and the comments above it; the imports it
uses are copied to the destination (relative ones made absolute); a module-level helper
it uses must move in the same phase, or the move is refused (copying it would create a
second definition, importing it back would create a cycle). The old module keeps the
name through a re-export at the place the definition stood. If the destination already
defines the name with an equivalent body, nothing is copied: that is a consolidation.

Pure text → text functions over libcst; the planner decides what to do with them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from migrator.equivalence import normal_form_of_node


@dataclass(frozen=True)
class Extracted:
    name: str
    code: str                    # the definition with decorators and leading comments
    imports: tuple[str, ...]     # import statements it needs, absolute
    helpers: tuple[str, ...]     # module-level names it uses that are not imports


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


def definition_normal_form(source: str, name: str) -> str | None:
    """Normal form of the top-level definition of `name`, or None if absent."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return normal_form_of_node(node)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return normal_form_of_node(node)
    return None


def definition_text(source: str, name: str) -> str | None:
    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        return None
    return module.code_for_node(module.body[i]).strip("\n") + "\n"


def extract(source: str, name: str, module_name: str, is_package: bool) -> Extracted:
    """The definition of `name` in `source` and what it needs from its module."""
    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        raise SymbolError(f"{name!r} is not defined at the top level")
    stmt = module.body[i]
    code = module.code_for_node(stmt).lstrip("\n")
    tree = ast.parse(source)
    used = _used_names(ast.parse(code))
    package = module_name if is_package else module_name.rpartition(".")[0]
    imports: list[str] = []
    helpers: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound in used and bound != name:
                    imports.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            for alias in node.names:
                bound = alias.asname or alias.name
                if bound in used and bound != name:
                    imports.append(f"from {base} import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
        else:
            for bound in _bound_names(node):
                if bound in used and bound != name:
                    helpers.append(bound)
    return Extracted(name, code, tuple(dict.fromkeys(imports)), tuple(dict.fromkeys(helpers)))


def remove_with_reexport(source: str, name: str, dest_module: str) -> str:
    """Replace the definition of `name` with `from dest_module import name`."""
    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        raise SymbolError(f"{name!r} is not defined at the top level")
    old = module.body[i]
    blank = [line for line in old.leading_lines if line.comment is None]
    stmt = cst.parse_statement(f"from {dest_module} import {name}\n", config=module.config_for_parsing)
    stmt = stmt.with_changes(leading_lines=blank[:2] if i else [])
    body = list(module.body)
    body[i] = stmt
    return module.with_changes(body=body).code


def add_definitions(dest_source: str | None, items: list[Extracted], docstring: str | None = None) -> str:
    """Append definitions (and the imports they need) to a module, or create it."""
    if dest_source is None:
        dest_source = (f'"""{docstring}"""\n' if docstring else "")
    module = cst.parse_module(dest_source)
    existing_code = {module.code_for_node(s).strip() for s in module.body}
    body = list(module.body)
    insert_at = _import_insertion_index(module)
    new_imports = []
    for item in items:
        for line in item.imports:
            if line not in existing_code and line not in new_imports:
                new_imports.append(line)
    import_stmts = [cst.parse_statement(line + "\n") for line in new_imports]
    if import_stmts and insert_at == 0 and body:
        pass
    if import_stmts and insert_at > 0 and insert_at <= len(body) and not _is_import(body[insert_at - 1]):
        import_stmts[0] = import_stmts[0].with_changes(leading_lines=[cst.EmptyLine()])
    body[insert_at:insert_at] = import_stmts
    for item in items:
        parsed = cst.parse_module(item.code)
        stmts = list(parsed.body)
        if not stmts:
            continue
        first = stmts[0]
        comments = [line for line in first.leading_lines if line.comment is not None]
        lead = [cst.EmptyLine(), cst.EmptyLine()] if body else []
        stmts[0] = first.with_changes(leading_lines=lead + comments)
        body.extend(stmts)
    out = module.with_changes(body=body).code
    if not out.endswith("\n"):
        out += "\n"
    return out


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _import_insertion_index(module: cst.Module) -> int:
    """After the docstring and the leading block of imports."""
    i = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        i = 1
    last_import = None
    for j in range(i, len(body)):
        if _is_import(body[j]):
            last_import = j
        else:
            break
    return (last_import + 1) if last_import is not None else i


def _absolute(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


def _used_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []
