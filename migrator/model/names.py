"""Dotted names: the one home of the small logic every layer needs about them.

Module names are dotted strings (`pkg.sub.mod`); a moved name keeps what follows the
moved prefix (`a.b.c` with `a.b` → `x.y` is `x.y.c`). Arguments that could be swapped
are keyword-only.
"""

from __future__ import annotations

from typing import Container, Iterator, Mapping


def parent(name: str) -> str:
    """The enclosing package of `name` ("" for a top-level name)."""
    return name.rpartition(".")[0]


def package_of(module: str | None, *, is_package: bool) -> str | None:
    """The package relative imports in `module` start from: itself for a package's
    `__init__`, else its parent ("" for a top-level module); None for no module."""
    if module is None:
        return None
    return module if is_package else parent(module)


def absolute_module(module: str | None, *, level: int, package: str | None) -> str | None:
    """The absolute module `from <level dots><module> import ...` names, inside
    `package` (as `package_of` gives it; "" or None for a top-level module).

    None when the dots climb above the top-level package.
    """
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level > len(parts):
        return None
    base = parts[: len(parts) - level + 1]
    return ".".join(base + ([module] if module else []))


def prefixes(dotted: str) -> Iterator[str]:
    """`a.b.c`, `a.b`, `a`: every prefix of `dotted` on a dot, longest first."""
    end = len(dotted)
    while end > 0:
        yield dotted[:end]
        end = dotted.rfind(".", 0, end)


def ancestors(name: str) -> Iterator[str]:
    """`a.b`, `a` for `a.b.c`: the enclosing packages, nearest first."""
    it = prefixes(name)
    next(it, None)
    yield from it


def longest_prefix(dotted: str, names: Container[str]) -> str | None:
    """The longest prefix of `dotted` (on a dot, `dotted` itself included) in `names`."""
    return next((p for p in prefixes(dotted) if p in names), None)


def renamed(dotted: str, renames: Mapping[str, str]) -> str | None:
    """`dotted` with its longest prefix in `renames` replaced; None when none is."""
    prefix = longest_prefix(dotted, renames)
    return None if prefix is None else renames[prefix] + dotted[len(prefix) :]


def is_within(name: str, prefix: str) -> bool:
    """`name` is `prefix` or below it (`a.b.c` is within `a.b`, `a.bc` is not)."""
    return name == prefix or name.startswith(prefix + ".")
