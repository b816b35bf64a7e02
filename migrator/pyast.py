"""Small facts about Python source that several layers need, from stdlib `ast`."""

from __future__ import annotations

import ast


def absolute_module(module: str | None, level: int, package: str | None) -> str | None:
    """The absolute module a (maybe relative) `from` import names; None if it escapes
    above the top-level package or cannot be resolved (no package known)."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def public_names(source: bytes | str) -> list[str]:
    """A module's public names: its literal `__all__`, else every name it binds at the
    top level by a definition, an assignment or `from X import name` (no underscores)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                return [str(x) for x in ast.literal_eval(node.value)]
            except ValueError:
                break
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.extend(a.asname or a.name for a in node.names if a.name != "*")
    return list(dict.fromkeys(n for n in names if not n.startswith("_")))
