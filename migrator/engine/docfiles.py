"""References to moved modules in documentation: Sphinx (reST) and Markdown.

The forms that name a module or an object by its dotted path, and break a docs build
(or silently document nothing) when it moves:

- reST directives `.. automodule:: pkg.mod`, `.. autoclass:: pkg.mod.Cls` (every
  `auto*`), `.. currentmodule::`, `.. module::`, `.. py:function::` and the other `py:`
  directives;
- roles `:mod:`pkg.mod``, `:func:`~pkg.mod.f``, `:py:class:`...`` (any role), and
  MyST's `{mod}`pkg.mod`` / `{py:func}`...`` in Markdown;
- mkdocstrings' `::: pkg.mod` lines in Markdown.

Only a path under a moved name counts; each edit replaces the dotted path alone.
"""

from __future__ import annotations

import re
from typing import Callable

from migrator.model.plan import Edit, RefKind

DOC_SUFFIXES = (".rst", ".md")

_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_FORMS = (
    re.compile(rf"^[ \t]*\.\.[ \t]+(?:auto\w+|currentmodule|module|py:\w+)::[ \t]+(?P<path>{_DOTTED})", re.M),
    re.compile(rf":(?:[\w-]+:)?[\w-]+:`~?(?:[^`<]*<)?(?P<path>{_DOTTED})>?`"),
    re.compile(rf"\{{(?:[\w-]+:)?[\w-]+\}}`~?(?:[^`<]*<)?(?P<path>{_DOTTED})>?`"),
    re.compile(rf"^[ \t]*:::[ \t]+(?P<path>{_DOTTED})", re.M),
)

Resolver = Callable[[str], "str | None"]


def doc_edits(text: str, resolve: Resolver) -> list[tuple[int, int, Edit]]:
    """(start, end, edit) of every dotted path under a moved name in a docs text, in order."""
    found: dict[int, tuple[int, int, Edit]] = {}
    for form in _FORMS:
        for m in form.finditer(text):
            start, end = m.span("path")
            old = m.group("path")
            new = resolve(old)
            if new is None or new == old or start in found:
                continue
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            found[start] = (start, end, Edit(RefKind.DOCS, line, old, new, col))
    return [found[k] for k in sorted(found)]


def rewrite_docs(text: str, resolve: Resolver) -> tuple[str, tuple[Edit, ...]]:
    """`text` with every reference `doc_edits` finds rewritten, and the edits."""
    spans = doc_edits(text, resolve)
    return splice(text, spans), tuple(edit for _, _, edit in spans)


def splice(text: str, spans: list[tuple[int, int, Edit]]) -> str:
    """`text` with each (start, end) span replaced by its edit's new text (spans in order)."""
    out, last = [], 0
    for start, end, edit in spans:
        out.append(text[last:start])
        out.append(edit.new)
        last = end
    out.append(text[last:])
    return "".join(out)
