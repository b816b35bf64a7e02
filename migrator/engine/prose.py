"""Old paths named in comments and docstrings: listed by `plan`, rewritten where asked.

A comment (`# see app.utils.dates`) or a docstring (a string that is a statement of
its own) naming a moved module or symbol by its dotted path is prose: no rule rewrites
it, and a reader of the code is misled by it after the move. In files of the mapping's
`target.prose` globs each such dotted path is rewritten (the path alone); elsewhere each
one is listed (MIG918), and `check` guards `target.prose` (MIG008).
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
import tokenize
from typing import Sequence

from migrator.engine.docfiles import splice
from migrator.analysis.pyast import ImportRecord
from migrator.model.plan import Edit, MoveSet, RefKind
from migrator.model.text import python_lines

_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?![\w(])")
#: What makes an import statement's line a possible home of prose: a comment, or a quote
#: (a string of another statement on the same line, or the end of one that began above).
_UNCLEAN = re.compile(r"[#'\"]")
_STATEMENT_START = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}


def prose_edits(text: str, moves: MoveSet, imports: Sequence[ImportRecord] | None = None) -> list[tuple[int, int, Edit]]:
    """(start, end, edit) of every dotted path under a moved name in the comments and
    docstrings of a Python source, in order; none when it does not tokenize.

    `imports`: the source's import statements (`pyast.scan`), when known. A source
    whose every mention of a moved name lies on the lines of an import statement with
    no comment or quote on them has none, and is not tokenized (tokenizing is most of
    the cost, and most files name a moved module only where they import it).
    """
    if imports is not None and not _may_have_prose(text, moves, imports):
        return []
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


def _may_have_prose(text: str, moves: MoveSet, imports: Sequence[ImportRecord]) -> bool:
    """False when no moved name can be in a comment or string of `text`: every place it
    appears is on a line of an import statement, and those lines hold no `#` and no
    quote (an import statement holds no string, so only a comment could hold it)."""
    names = sorted(moves.old_names(), key=len, reverse=True)
    if not names:
        return False
    found = re.compile("|".join(map(re.escape, names))).finditer(text)
    first = next(found, None)
    if first is None:
        return False
    lines = python_lines(text, keepends=True)
    clean: set[int] = set()
    for record in imports:
        span = range(record[0], record[2] + 1)
        if all(0 < n <= len(lines) and not _UNCLEAN.search(lines[n - 1]) for n in span):
            clean.update(span)
    starts = list(itertools.accumulate((len(line) for line in lines[:-1]), initial=0))  # as `ast` numbers lines
    for m in itertools.chain((first,), found):
        if bisect.bisect_right(starts, m.start()) not in clean:
            return True
    return False


def rewrite_prose(text: str, spans: list[tuple[int, int, Edit]]) -> str:
    """`text` with the dotted paths `prose_edits` found rewritten."""
    return splice(text, spans)


def _line_starts(text: str) -> list[int]:
    """Offset of each line as tokenize (fed by `StringIO.readline`) numbers them."""
    return [0] + [m.end() for m in re.finditer(r"\n", text)]
