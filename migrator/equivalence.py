"""When are two copies of code "the same"? A normal form that ignores what does not run.

Docstrings, comments and formatting are dropped and relative imports are resolved to
absolute ones (given each copy's own module name), because copies left behind by a
half-finished migration usually differ exactly there.
"""

from __future__ import annotations

import ast
import difflib


def normal_form(source: str | bytes, module: str | None = None, is_package: bool = False) -> str:
    """A canonical dump of `source`'s AST; equal strings mean equivalent code."""
    tree = ast.parse(source)
    package = _package(module, is_package)
    _Normalizer(package).visit(tree)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def normal_form_of_node(node: ast.AST) -> str:
    """Normal form of one definition (function or class), docstrings dropped."""
    node = _Normalizer(None).visit(_copy(node))
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def equivalent(a: str | bytes, a_module: str | None, b: str | bytes, b_module: str | None, *, a_is_package: bool = False, b_is_package: bool = False) -> bool:
    try:
        return normal_form(a, a_module, a_is_package) == normal_form(b, b_module, b_is_package)
    except SyntaxError:
        return False


def unified(a: str, b: str, a_name: str, b_name: str, context: int = 3) -> str:
    """A unified diff of two texts, for refusal messages."""
    return "".join(
        difflib.unified_diff(
            a.splitlines(keepends=True), b.splitlines(keepends=True), a_name, b_name, n=context
        )
    )


def _package(module: str | None, is_package: bool) -> str | None:
    if module is None:
        return None
    return module if is_package else module.rpartition(".")[0]


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node)).body[0]


class _Normalizer(ast.NodeTransformer):
    def __init__(self, package: str | None):
        self.package = package

    def _strip_docstring(self, node):
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_Module(self, node):
        self._strip_docstring(node)
        self.generic_visit(node)
        return node

    def visit_FunctionDef(self, node):
        self._strip_docstring(node)
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_ImportFrom(self, node):
        if node.level and self.package is not None:
            base = self.package.split(".")
            up = node.level - 1
            if up < len(base):
                base = base[: len(base) - up] if up else base
                node.module = ".".join(base + ([node.module] if node.module else []))
                node.level = 0
        return node
