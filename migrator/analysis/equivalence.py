"""When are two copies of code "the same"? A normal form that ignores what does not run.

Docstrings, comments and formatting are dropped and relative imports are resolved to
absolute ones (given each copy's own module name), because copies left behind by a
half-finished migration usually differ exactly there. With `ignore_local_names`, names
local to a function (its variables, loop and comprehension targets, nested functions,
lambda and nested-function parameters) are replaced by canonical ones in order of first
appearance, so `for t in trials` and `for trial in trials` compare equal. Parameters of
module-level functions and of methods keep their names: callers pass them by keyword,
so they are part of the interface. Module-level names and attributes always count.

`tokens` and `similarity` measure how close two copies that are not equal are: a
difflib ratio over the token streams of their normal forms (1.0 for equal ones).
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
from typing import Callable, Iterable

from migrator.model.names import package_of

#: Maps an absolute dotted module name to the name it will have (None: unchanged).
Renamer = Callable[[str], "str | None"]


def normal_form(
    source: str | bytes,
    module: str | None = None,
    is_package: bool = False,
    *,
    ignore_local_names: bool = False,
    rename: Renamer | None = None,
) -> str:
    """A canonical dump of `source`'s AST; equal strings mean equivalent code.

    `rename` maps imported module names (after relative imports are resolved) to the
    names they will have, so a copy is compared as it will read after a move.
    """
    return dump(normalized_tree(source, module, is_package, ignore_local_names=ignore_local_names, rename=rename))


def normalized_tree(
    source: str | bytes,
    module: str | None = None,
    is_package: bool = False,
    *,
    ignore_local_names: bool = False,
    rename: Renamer | None = None,
) -> ast.Module:
    """The AST that `normal_form` dumps (docstrings gone, imports absolute, ...)."""
    tree = ast.parse(source)
    _Normalizer(package_of(module, is_package=is_package), rename).visit(tree)
    if ignore_local_names:
        _LocalNames().module(tree)
    return tree


def normal_form_of_node(node: ast.AST, *, ignore_local_names: bool = False) -> str:
    """Normal form of one top-level definition (function, class or assignment)."""
    return dump(normalized_node(node, ignore_local_names=ignore_local_names))


def normalized_node(node: ast.AST, *, ignore_local_names: bool = False) -> ast.AST:
    """A normalized copy of one top-level statement; `node` itself is not changed."""
    copy = _Normalizer(None, None).visit(_copy(node))
    if ignore_local_names:
        _LocalNames().module(ast.Module(body=[copy], type_ignores=[]))
    return copy


def equivalent(
    a: str | bytes,
    a_module: str | None,
    b: str | bytes,
    b_module: str | None,
    *,
    a_is_package: bool = False,
    b_is_package: bool = False,
    ignore_local_names: bool = False,
) -> bool:
    try:
        return normal_form(a, a_module, a_is_package, ignore_local_names=ignore_local_names) == normal_form(
            b, b_module, b_is_package, ignore_local_names=ignore_local_names
        )
    except SyntaxError:
        return False


def tokens(node: ast.AST) -> tuple[str, ...]:
    """The token stream of an (already normalized) tree: what `similarity` compares.

    The tree is unparsed, so formatting and comments are gone; indentation shows as
    INDENT/DEDENT tokens and line ends as one NEWLINE token each.
    """
    text = ast.unparse(node)
    out: list[str] = []
    for tok in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
        if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.INDENT:
            out.append("<INDENT>")
        elif tok.type == tokenize.DEDENT:
            out.append("<DEDENT>")
        elif tok.type == tokenize.NEWLINE:
            out.append("<NEWLINE>")
        else:
            out.append(tok.string)
    return tuple(out)


def similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """How alike two token streams are, from 0.0 to 1.0 (difflib's ratio, no junk heuristic)."""
    a, b = list(a), list(b)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def unified(a: str, b: str, a_name: str, b_name: str, context: int = 3) -> str:
    """A unified diff of two texts, for refusal messages."""
    return "".join(
        difflib.unified_diff(
            a.splitlines(keepends=True), b.splitlines(keepends=True), a_name, b_name, n=context
        )
    )


def dump(node: ast.AST) -> str:
    """The canonical text of a normalized tree (what `normal_form` returns)."""
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node)).body[0]


class _Normalizer(ast.NodeTransformer):
    def __init__(self, package: str | None, rename: Renamer | None):
        self.package = package
        self.rename = rename

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
        if self.rename is not None and not node.level and node.module and node.module != "__future__":
            node.module = self.rename(node.module) or node.module
        return node

    def visit_Import(self, node):
        if self.rename is not None:
            for alias in node.names:
                new = self.rename(alias.name)
                if new is not None:
                    alias.name = new
        return node


# --------------------------------------------------------------------------- local names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _LocalNames:
    """Rename every function-local name to `_l<N>`, N counted in order of first appearance.

    Scopes follow Python's rules: a function's locals are the names it binds (minus
    `global` ones); nested functions, lambdas and comprehensions are scopes of their own
    that see the enclosing function's locals; a class body's names are attributes and
    keep their names (methods do not see them). Defaults, annotations, decorators and
    base classes are evaluated in the enclosing scope. Names bound by imports keep their
    names (renaming them would change what is imported).
    """

    def __init__(self) -> None:
        self.counter = 0

    def module(self, tree: ast.Module) -> None:
        self._walk(tree.body, {}, api=True)

    # A scope's own statements, not descending into nested scopes (handled by `_walk`).
    def _walk(self, nodes: Iterable[ast.AST], mapping: dict[str, str], *, api: bool) -> None:
        for node in nodes:
            self._visit(node, mapping, api=api)

    def _visit(self, node: ast.AST, mapping: dict[str, str], *, api: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._rename_binding(node, "name", mapping)
            self._walk(node.decorator_list, mapping, api=False)
            self._outer_parts_of_arguments(node.args, mapping)
            if node.returns is not None:
                self._visit(node.returns, mapping, api=False)
            self._function(node, node.args, node.body, mapping, api=api)
            return
        if isinstance(node, ast.Lambda):
            self._outer_parts_of_arguments(node.args, mapping)
            self._function(node, node.args, [node.body], mapping, api=False)
            return
        if isinstance(node, ast.ClassDef):
            self._rename_binding(node, "name", mapping)
            self._walk(node.decorator_list, mapping, api=False)
            self._walk(node.bases, mapping, api=False)
            self._walk(node.keywords, mapping, api=False)
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    # Methods see the enclosing function's locals, not the class body's names.
                    self._walk(stmt.decorator_list, mapping, api=False)
                    self._outer_parts_of_arguments(stmt.args, mapping)
                    if stmt.returns is not None:
                        self._visit(stmt.returns, mapping, api=False)
                    self._function(stmt, stmt.args, stmt.body, mapping, api=True)
                else:
                    self._visit(stmt, mapping, api=False)
            return
        if isinstance(node, _COMPREHENSIONS):
            self._comprehension(node, mapping)
            return
        if isinstance(node, ast.Name):
            node.id = mapping.get(node.id, node.id)
            return
        if isinstance(node, ast.ExceptHandler) and node.name:
            node.name = mapping.get(node.name, node.name)
        if isinstance(node, ast.Nonlocal):
            node.names = [mapping.get(n, n) for n in node.names]
        for child in ast.iter_child_nodes(node):
            self._visit(child, mapping, api=api)

    def _rename_binding(self, node: ast.AST, attr: str, mapping: dict[str, str]) -> None:
        name = getattr(node, attr)
        setattr(node, attr, mapping.get(name, name))

    def _outer_parts_of_arguments(self, args: ast.arguments, mapping: dict[str, str]) -> None:
        """Defaults and annotations run in the enclosing scope."""
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default, mapping, api=False)
        for arg in _all_args(args):
            if arg.annotation is not None:
                self._visit(arg.annotation, mapping, api=False)

    def _function(self, node: ast.AST, args: ast.arguments, body: list[ast.AST], outer: dict[str, str], *, api: bool) -> None:
        params = [a.arg for a in _all_args(args)]
        bound = set(_bindings(body)) | set(params)
        declared_global = set(_declared(body, ast.Global))
        declared_nonlocal = set(_declared(body, ast.Nonlocal))
        own = bound - declared_global - declared_nonlocal
        if api:
            own -= set(params)
        mapping = {k: v for k, v in outer.items() if k not in own and k not in declared_global}
        for name in _first_appearances(body, params, own):
            mapping[name] = self._next()
        if not api:
            for arg in _all_args(args):
                arg.arg = mapping.get(arg.arg, arg.arg)
        self._walk(body, mapping, api=False)

    def _comprehension(self, node: ast.AST, outer: dict[str, str]) -> None:
        targets = [n.id for gen in node.generators for n in ast.walk(gen.target) if isinstance(n, ast.Name)]
        mapping = {k: v for k, v in outer.items() if k not in targets}
        for name in dict.fromkeys(targets):
            mapping[name] = self._next()
        # The first iterable runs in the enclosing scope.
        first, *rest = node.generators
        self._visit(first.iter, outer, api=False)
        self._visit(first.target, mapping, api=False)
        self._walk(first.ifs, mapping, api=False)
        for gen in rest:
            self._visit(gen, mapping, api=False)
        for part in ("elt", "key", "value"):
            child = getattr(node, part, None)
            if child is not None:
                self._visit(child, mapping, api=False)

    def _next(self) -> str:
        name = f"_l{self.counter}"
        self.counter += 1
        return name


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg is not None:
        out.append(args.vararg)
    if args.kwarg is not None:
        out.append(args.kwarg)
    return out


def _own_nodes(body: Iterable[ast.AST]):
    """Every node of a scope's body that belongs to that scope (nested scopes skipped,
    but their names, decorators, defaults and annotations included)."""
    stack = list(reversed(list(body)))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            children = [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
            children += [a.annotation for a in _all_args(node.args) if a.annotation is not None]
            if node.returns is not None:
                children.append(node.returns)
        elif isinstance(node, ast.Lambda):
            children = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        elif isinstance(node, ast.ClassDef):
            children = [*node.decorator_list, *node.bases, *node.keywords]
        elif isinstance(node, _COMPREHENSIONS):
            children = [node.generators[0].iter]
        else:
            children = list(ast.iter_child_nodes(node))
        stack.extend(reversed(children))


def _bindings(body: Iterable[ast.AST]) -> list[str]:
    names: list[str] = []
    for node in _own_nodes(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def _declared(body: Iterable[ast.AST], kind: type) -> list[str]:
    return [n for node in _own_nodes(body) if isinstance(node, kind) for n in node.names]


def _first_appearances(body: Iterable[ast.AST], params: list[str], own: set[str]) -> list[str]:
    """The names of `own` in the order a reader meets them: parameters, then the body."""
    seen: dict[str, None] = {}
    for p in params:
        if p in own:
            seen.setdefault(p)
    for node in _own_nodes(body):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.ExceptHandler):
            name = node.name
        if name is not None and name in own:
            seen.setdefault(name)
    return list(seen)
