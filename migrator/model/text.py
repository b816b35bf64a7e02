"""Lines as Python counts them.

`ast` and the tokenizer number lines at `\\n`, `\\r\\n` and `\\r` only; `str.splitlines`
also splits at a form feed, `\\x1c`-`\\x1e`, `\\x85` and `\\u2028`/`\\u2029`, so line N of
`splitlines` is not line N of a traceback once a file holds one of them (a `^L` page
break, a `\\u2028` inside a string).
"""

from __future__ import annotations

import re

_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def python_lines(text: str, keepends: bool = False) -> list[str]:
    """`text` split into the lines `ast` numbers (1-based line N is item N-1)."""
    if "\r" not in text:  # only `\n` ends a line: a plain split (the regex's split is 10× slower)
        lines = text.split("\n")
        last = lines.pop()
        if keepends:
            lines = [line + "\n" for line in lines]
        if last:
            lines.append(last)
        return lines
    lines = [line for line in _LINE_END.split(text) if line]
    if keepends:
        return lines
    return [line.rstrip("\r\n") for line in lines]


def is_word_char(ch: str) -> bool:
    r"""What `\w` matches in a str pattern: a Unicode letter or digit, or `_`. Patterns
    that leave out a leading `\b` (it stops `re`'s fast literal search) check a match's
    start with it instead."""
    return ch.isalnum() or ch == "_"
