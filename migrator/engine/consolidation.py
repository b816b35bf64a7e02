"""Steps 3 and 4 of a phase: moves onto a module that exists already, and packages
merged into an existing package.

A moved module whose destination exists is compared with it (equal up to docstrings,
comments, formatting and local names: the copies consolidate; else `prefer:` says which
one wins, or the phase is refused with a diff). A package moved into an existing one
appends its `__init__`'s code to the destination's, never overwriting it.
"""

from __future__ import annotations

import ast
import re

from migrator.analysis.equivalence import equivalent, unified
from migrator.engine.phase_work import PhaseWork, Refusal
from migrator.engine.rewrite import Changed, Failed, Skipped, Unchanged, decode_python, encode_python, newline_of, rewrite_all, with_newline
from migrator.model.names import absolute_module
from migrator.model.plan import ChangeRole, Diagnostic, FileContext, Severity
from migrator.model.text import python_lines


def consolidate_onto_existing(work: PhaseWork) -> Refusal | None:
    """Each module moved onto an existing one: the same code consolidates, `prefer:
    source` replaces the existing copy, `prefer: destination` keeps it; different
    code without `prefer:` is refused with a unified diff."""
    for old, (existing_path, prefer) in sorted(work.exp.onto_existing.items()):
        info = work.index.modules[old]
        new = work.moves.modules[old]
        held = work.held.pop(info.path)
        existing = work.tree.current(existing_path) or b""
        if prefer == "destination":
            continue
        same = equivalent(held.data, new, existing, new, a_is_package=info.is_package, b_is_package=info.is_package, ignore_local_names=True)
        if same:
            pass
        elif prefer == "source":
            work.tree.put(existing_path, held.data, ChangeRole.EDITED)
            work.tree.edits.setdefault(existing_path, []).extend(held.edits)
        else:
            diff = unified(existing.decode("utf-8", "replace"), held.data.decode("utf-8", "replace"), existing_path + " (existing)", info.path + " (moved here)")
            work.diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    "MIG301",
                    f"cannot move {old!r} onto {new!r}: {existing_path} already exists with different code — "
                    f"add `prefer: source` or `prefer: destination` to the move to say which one wins\n{diff}",
                    info.path,
                )
            )
    return work.refusal()


def merge_package_inits(work: PhaseWork) -> Refusal | None:
    """Append each moved `__init__`'s code (rewritten) to the existing package's. An
    error here (the moved `__init__` does not rewrite) is refused with the symbol
    moves' (step 5), so that one refusal lists both."""
    for src_init, dest_init, old_pkg, new_pkg in work.exp.init_merges:
        data = work.before.get(src_init) or b""
        ctx = FileContext(src_init, old_pkg, new_pkg, True)
        # Through `rewrite_all`: a stored result, so `apply` after `plan` does not redo it.
        done = rewrite_all([(src_init, data, ctx)], work.moves, imports=work.options.imports, statements_alone=work.options.statements_alone)
        match done[src_init]:
            case Changed(new):
                moved_init = new
            case Unchanged() | Skipped():
                moved_init = data
            case Failed(diagnostic):
                work.diagnostics.append(diagnostic)
                moved_init = data
        moved_init = _without_rebound_imports(work, dest_init, new_pkg, moved_init)
        merged = _merge_init(work.tree.current(dest_init) or b"", moved_init, old_pkg)
        if merged != work.tree.current(dest_init):
            work.tree.put(dest_init, merged, ChangeRole.EDITED)
    return None


def _without_rebound_imports(work: PhaseWork, dest_init: str, package: str, moved: bytes) -> bytes:
    """The moved `__init__` without the imports of names the destination `__init__`
    already imports from the same place (`from .execution import Trial` there, `from
    .execution.local.sweep import Trial` here, when `.execution` re-exports that one):
    appended, they would only bind the same objects again (F811)."""
    from migrator.engine.source_cleanup import drop_imports

    info = work.index.module_of(dest_init)
    dest = work.tree.current(dest_init)
    if info is None or not dest:
        return moved
    try:
        dest_tree, moved_text = ast.parse(dest), decode_python(moved)
        moved_tree = ast.parse(moved_text.text)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError):
        return moved
    read: dict[str, list[tuple[str, str, str]]] = {}
    origin = lambda module, name: _origin(work, info.source_root, module, name, read)  # noqa: E731
    bound = {n: origin(m, a) for n, m, a in _from_imports(dest_tree, package)}
    again = {n for n, m, a in _from_imports(moved_tree, package) if n in bound and bound[n] == origin(m, a)}
    if not again:
        return moved
    return encode_python(drop_imports(moved_text.text, again), moved_text)


def _from_imports(tree: ast.Module, package: str) -> list[tuple[str, str, str]]:
    """(bound name, absolute module, imported name) of each top-level `from` import."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = absolute_module(node.module, level=node.level, package=package)
            if module is not None:
                out.extend((a.asname or a.name, module, a.name) for a in node.names if a.name != "*")
    return out


def _origin(work: PhaseWork, root: str, module: str, name: str, read: dict, depth: int = 0) -> tuple[str, str]:
    """Where `from module import name` finds its object, in the tree as the phase leaves
    it: through package re-exports (`from .x import name`), to the module that binds it.
    `read` keeps each module's `from` imports, so that every file is parsed once."""
    if module not in read:
        read[module] = _module_from_imports(work, root, module)
    if depth < 20:
        for bound, source, imported in read[module]:
            if bound == name:
                return _origin(work, root, source, imported, read, depth + 1)
    return module, name


def _module_from_imports(work: PhaseWork, root: str, module: str) -> list[tuple[str, str, str]]:
    for is_package in (True, False):
        data = work.tree.current(work.index.path_for(module, root, is_package))
        if data is not None:
            break
    else:
        return []
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    return _from_imports(tree, module if is_package else module.rpartition(".")[0])


def _merge_init(dest: bytes, moved: bytes, old_pkg: str) -> bytes:
    """Append the moved package's __init__ code to the destination's, never overwriting.

    A moved __init__ with only a docstring adds nothing. `__future__` imports and the
    docstring are dropped from the appended part; `__all__ = [...]` becomes
    `__all__ += [...]` when the destination defines `__all__` already.
    """
    moved_text = decode_python(moved).text
    tree = ast.parse(moved_text)
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    body = [n for n in body if not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    if not body:
        return dest
    lines = python_lines(moved_text, keepends=True)
    start = body[0].lineno - 1
    # keep comments directly above the first kept statement
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    chunk = "".join(lines[start:])
    like = decode_python(dest) if dest else None
    dest_text = like.text if like is not None else ""
    nl = newline_of(dest_text) if dest_text.strip() else newline_of(moved_text)
    chunk = with_newline(chunk.replace("\r\n", "\n"), nl)
    if "__all__" in {t.id for n in ast.parse(dest_text).body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}:
        chunk = re.sub(r"^__all__(\s*)=", r"__all__\1+=", chunk, count=1, flags=re.M)
    if dest_text and not dest_text.endswith("\n"):
        dest_text += nl
    sep = nl + nl if dest_text.strip() else ""
    merged = f"{dest_text}{sep}# Merged from `{old_pkg}` by migrator.{nl}{chunk}"
    if not merged.endswith("\n"):
        merged += nl
    return encode_python(merged, like) if like is not None else merged.encode("utf-8")
