"""Old paths named in comments and docstrings: listed by `plan`, rewritten where asked.

A comment (`# see app.utils.dates`) or a docstring (a string that is a statement of
its own) naming a moved module or symbol by its dotted path is prose: no rule rewrites
it, and a reader of the code is misled by it after the move. In files of the mapping's
`target.prose` globs each such dotted path is rewritten (the path alone); elsewhere each
one is listed (MIG918), and `check` guards `target.prose` (MIG008).
"""

from __future__ import annotations

import io
import re
import tokenize

from migrator.engine.docfiles import splice
from migrator.model.plan import Edit, MoveSet, RefKind

_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?![\w(])")
_STATEMENT_START = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}


def prose_edits(text: str, moves: MoveSet) -> list[tuple[int, int, Edit]]:
    """(start, end, edit) of every dotted path under a moved name in the comments and
    docstrings of a Python source, in order; none when it does not tokenize."""
    starts = _line_starts(text)
    found: list[tuple[int, int, Edit]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    previous = None
    for i, tok in enumerate(tokens):
        prose = tok.type == tokenize.COMMENT or (
            tok.type == tokenize.STRING
            and (previous is None or previous.type in _STATEMENT_START)
            and i + 1 < len(tokens)
            and tokens[i + 1].type in (tokenize.NEWLINE, tokenize.ENDMARKER)
        )
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok
        if not prose:
            continue
        base = starts[tok.start[0] - 1] + tok.start[1]
        for m in _DOTTED.finditer(tok.string):
            new = moves.resolve(m.group())
            if new is None or new == m.group():
                continue
            start = base + m.start()
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            found.append((start, base + m.end(), Edit(RefKind.PROSE, line, m.group(), new, col)))
    return found


def rewrite_prose(text: str, spans: list[tuple[int, int, Edit]]) -> str:
    """`text` with the dotted paths `prose_edits` found rewritten."""
    return splice(text, spans)


def _line_starts(text: str) -> list[int]:
    """Offset of each line as tokenize (fed by `StringIO.readline`) numbers them."""
    return [0] + [m.end() for m in re.finditer(r"\n", text)]
