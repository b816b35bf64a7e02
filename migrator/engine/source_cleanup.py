"""What a symbol move leaves in the module it leaves: a careful person's edit.

- The back-import (`from new.home import name`, the re-export that keeps `old.name`
  working) goes into the module's import block, after `from __future__` and the
  docstring, not where the definition stood (E402), unless the new home imports the old
  module back, where the import at the top would run before the old module's own names
  are bound: then it stays at the definition's place.
- Imports that only the moved definitions used are removed (F401), when nothing else
  in the module reads the name and no other module of the project imports it from here.
"""

from __future__ import annotations

import ast

import libcst as cst

from migrator.analysis.project import ProjectIndex, Snapshot
from migrator.model.names import absolute_module, is_within


def remove_definition(source: str, name: str, dest_module: str, *, at_top: bool) -> str:
    """`source` without the top-level definition of `name`, re-exporting it from
    `dest_module`: in the import block when `at_top`, else in the definition's place."""
    from migrator.engine.symbols import SymbolError, _docstring_end, _find, _is_import as _is_import_line

    module = cst.parse_module(source)
    i = _find(module, name)
    if i is None:
        raise SymbolError(f"{name!r} is not defined at the top level")
    old = module.body[i]
    stmt = cst.parse_statement(f"from {dest_module} import {name}\n", config=module.config_for_parsing)
    body = list(module.body)
    if not at_top:
        blank = [line for line in old.leading_lines if line.comment is None]
        body[i] = stmt.with_changes(leading_lines=blank[:2] if i else [])
        return module.with_changes(body=body).code
    del body[i]
    if i == 0 and body:
        body[0] = body[0].with_changes(leading_lines=[])
    start = _docstring_end(body)
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    for j in range(start, end):  # `from dest_module import a` already there: add the name
        merged = _with_name(body[j], dest_module, name)
        if merged is not None:
            body[j] = merged
            return module.with_changes(body=body).code
    if start == end:  # no import block: one after the docstring
        body.insert(start, stmt.with_changes(leading_lines=[cst.EmptyLine()] if start else []))
        if start + 1 < len(body) and len(body[start + 1].leading_lines) < 2:
            body[start + 1] = body[start + 1].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        return module.with_changes(body=body).code
    at = _place_in_block(body, start, end, dest_module)
    if at < end and at in _group_starts(body, start, end):
        stmt = stmt.with_changes(leading_lines=body[at].leading_lines)
        body[at] = body[at].with_changes(leading_lines=[])
    body.insert(at, stmt)
    return module.with_changes(body=body).code


def _with_name(stmt: cst.CSTNode, dest_module: str, name: str) -> cst.CSTNode | None:
    """`from dest_module import ...` (one plain statement) with `name` added, in sorted
    place when its names were sorted; None for any other statement."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None or isinstance(small.names, cst.ImportStar):
        return None
    if cst.Module([]).code_for_node(small.module) != dest_module or small.lpar is not None:
        return None
    names = list(small.names)
    spelled = [cst.Module([]).code_for_node(a.name) for a in names]
    if name in spelled:
        return stmt
    at = len(names)
    for key in (_by_type, str):  # isort's and ruff's default order, then plain order
        if spelled == sorted(spelled, key=key):
            at = sum(1 for n in spelled if key(n) < key(name))
            break
    names = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in names]
    names.insert(at, cst.ImportAlias(name=cst.Name(name), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=[small.with_changes(names=names)])


def _by_type(name: str) -> tuple[int, str]:
    """isort's `order_by_type`: CONSTANTS, then Classes, then everything else."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _group_starts(body: list, start: int, end: int) -> set[int]:
    """The statements of the import block that begin a group (after a blank line)."""
    return {start} | {j for j in range(start + 1, end) if body[j].leading_lines}


def _place_in_block(body: list, start: int, end: int, dest_module: str) -> int:
    """Where `from dest_module import ...` goes: into the group of the import block
    closest to it (the longest shared dotted prefix; the last group on a tie), at its
    sorted place when the group's modules are sorted, else at the group's end."""
    starts = sorted(_group_starts(body, start, end))
    groups = [(a, b) for a, b in zip(starts, starts[1:] + [end])]

    def shared(a: int, b: int) -> int:
        best = 0
        for j in range(a, b):
            other = _imported_module(body[j]).split(".")
            mine = dest_module.split(".")
            n = 0
            while n < min(len(other), len(mine)) and other[n] == mine[n]:
                n += 1
            best = max(best, n)
        return best

    a, b = max(reversed(groups), key=lambda g: shared(*g))
    keys = [_imported_module(body[j]) for j in range(a, b)]
    if keys == sorted(keys):
        return a + sum(1 for k in keys if k <= dest_module)
    return b


def _imported_module(stmt: cst.CSTNode) -> str:
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return cst.Module([]).code_for_node(small.names[0].name)
    return "." * len(small.relative) + (cst.Module([]).code_for_node(small.module) if small.module else "")


def imports_module(texts: list[str], module: str) -> bool:
    """Whether any of these sources imports `module` (or something below it) at all."""
    for text in texts:
        if module not in text:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return True  # cannot tell: keep the definition's place
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(is_within(a.name, module) for a in node.names):
                return True
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and is_within(node.module, module):
                return True
    return False


def imported_from(snapshot: Snapshot, index: ProjectIndex, module: str, names: set[str]) -> frozenset[str]:
    """Which of `names` other Python files of the project take from `module`:
    `from module import name` (relative forms too) or `module.name`."""
    leaf = module.rpartition(".")[2]
    found: set[str] = set()
    for path in snapshot.paths():
        if not path.endswith((".py", ".pyi")) or (info := index.module_of(path)) is not None and info.name == module:
            continue
        data = snapshot.get(path) or b""
        if leaf.encode() not in data:
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        package = info.package if info else None
        spellings = set()  # how this file spells the module: `shop.pricing`, `p`, `pricing`
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = absolute_module(node.module, level=node.level, package=package)
                if source == module:
                    found.update(a.name for a in node.names if a.name in names)
                spellings.update(a.asname or a.name for a in node.names if source and f"{source}.{a.name}" == module)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname and a.name == module:
                        spellings.add(a.asname)  # import shop.pricing as p
                    elif not a.asname and a.name.partition(".")[0] == module.partition(".")[0]:
                        spellings.add(module)  # import shop(.anything): shop.pricing.name
        if spellings:
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in names and _dotted(node.value) in spellings:
                    found.add(node.attr)
    return frozenset(found)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def drop_imports_left_unused(before: str, after: str, *, keep: frozenset[str] = frozenset()) -> str:
    """`after` without the top-level imports whose names `before` read and `after` no
    longer reads (the moved definitions were their only users). Names in `keep` (other
    modules import them from this one), in `__all__`, or spelled as a string stay."""
    return drop_imports(after, imports_left_unused(before, after) - keep)


def imports_left_unused(before: str, after: str) -> set[str]:
    """The names top-level imports of `after` bind that `before` read and `after` no
    longer reads: their users moved away or now spell another path."""
    if before == after:
        return set()
    try:
        used_before = _read_names(ast.parse(before))
        tree = ast.parse(after)
    except (SyntaxError, ValueError):
        return set()
    used_after = _read_names(tree)
    return {
        bound
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        for bound in bound_names(node)
        if bound in used_before and bound not in used_after
    }


def drop_imports(after: str, drop: set[str]) -> str:
    """`after` without the top-level import aliases that bind a name of `drop`."""
    if not drop:
        return after
    module = cst.parse_module(after)
    body: list[cst.CSTNode] = []
    carry: list[cst.EmptyLine] = []
    for stmt in module.body:
        kept = _without(stmt, drop)
        if kept is None:  # its comments go with it; its blank lines stay for the next
            carry = carry or [line for line in stmt.leading_lines if line.comment is None]
            continue
        if carry and not kept.leading_lines:
            kept = kept.with_changes(leading_lines=carry)
        carry = []
        body.append(kept)
    return module.with_changes(body=body).code


def mark_reexports(source: str, names: set[str]) -> str:
    """`source` with `# noqa: F401` after each top-level import that binds one of `names`
    that the module neither reads nor lists in `__all__`: a back-import kept only so
    that `old.name` still works, which a linter would otherwise call unused."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    idle = names - _read_names(tree)
    if not idle:
        return source
    module = cst.parse_module(source)
    body = []
    for stmt in module.body:
        if _is_reexport_line(stmt, idle) and stmt.trailing_whitespace.comment is None:
            stmt = stmt.with_changes(
                trailing_whitespace=stmt.trailing_whitespace.with_changes(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# noqa: F401"))
            )
        body.append(stmt)
    return module.with_changes(body=body).code


def _is_reexport_line(stmt: cst.CSTNode, names: set[str]) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            if any(_alias_binds(a, False) in names for a in small.names):
                return True
    return False


def _read_names(tree: ast.Module) -> set[str]:
    """Every name the module reads, outside import statements: names, roots of dotted
    uses, `global`s, identifiers spelled as strings (annotations, `__all__`, getattr)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            out.update(node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.update(_names_in_string(node.value))
    return out


def _names_in_string(text: str) -> set[str]:
    """The names a string may stand for: itself or the root of a dotted name, or the
    names of a string annotation (`"Decimal | None"`)."""
    value = text.strip()
    if value.isidentifier() or all(part.isidentifier() for part in value.split(".")):
        return {value.partition(".")[0]}
    try:
        expr = ast.parse(value, mode="eval")
    except (SyntaxError, ValueError):
        return set()
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def bound_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.asname or a.name.partition(".")[0] for a in node.names]
    return [a.asname or a.name for a in node.names if a.name != "*"]


def _without(stmt: cst.CSTNode, drop: set[str]) -> cst.CSTNode | None:
    """The statement without the aliases that bind a name of `drop` (None: nothing left)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
        return stmt
    smalls = []
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
            smalls.append(small)
            continue
        if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__":
            smalls.append(small)
            continue
        names = [a for a in small.names if _alias_binds(a, isinstance(small, cst.Import)) not in drop]
        if len(names) == len(small.names):
            smalls.append(small)
        elif names:
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            smalls.append(small.with_changes(names=names))
    if not smalls:
        return None
    smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=smalls)


def _alias_binds(alias: cst.ImportAlias, plain_import: bool) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    dotted = cst.Module([]).code_for_node(alias.name)
    return dotted.partition(".")[0] if plain_import else dotted
