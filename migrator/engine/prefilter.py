"""What text alone says about a file: can it refer to a moved name (`Prefilter`), and
where does it mention one (`mentions`). Pure; nothing here depends on a file parsing.

The prefilter decides which files the planner and `check` parse at all; the mentions
are what a file no rule rewrote (skipped, excluded, unparsable) must have fixed by hand.
"""

from __future__ import annotations

import re

from migrator.analysis.project import CONFIG_SUFFIXES, DOC_SUFFIXES, NOTEBOOK_SUFFIX
from migrator.engine.rewrite import is_python, searchable_text, unreadable_python
from migrator.model.names import absolute_module
from migrator.model.plan import MoveSet
from migrator.model.text import is_word_char

#: A textual mention of a moved path in a file the rules did not rewrite.
MENTION = "MIG203"

_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n#;\\]|\\\n)*)", re.M)
_IMPORTED = re.compile(r"([A-Za-z_]\w*)(?:\s+as\s+[A-Za-z_]\w*)?")


class Prefilter:
    """Decides from text alone whether a file can refer to anything that moves.

    Stage one is one regex over the last components of every old name (every form of
    reference contains it). Stage two keeps a hit only if the file also shows a way to
    reach that name: a dotted tail of it (`pkg.mod`, `jobs.selection` after `from
    orchestration import jobs`), its parent's dotted name (`from pkg import mod`), an
    aliased import of one of its packages (`import pkg as p`), or a relative import.
    Files that pass are parsed; the rest are not looked at again.
    """

    def __init__(self, moves: MoveSet):
        #: "folder/name" tails of relocated paths: a config value naming one of them
        #: (relative to the config's own folder or the root) contains its tail.
        self.path_clues = frozenset("/".join(old.split("/")[-2:]) for old in moves.paths if "/" in old)
        self.reach: dict[str, list[tuple[str, ...]]] = {}
        #: For a name a package re-exports (`pkg.name`): the packages (`pkg`) whose
        #: dotted name counts as a clue only where it is not a `from pkg import …` that
        #: leaves `name` out (re-exports are followed by `from pkg import name` alone).
        self.exporters: dict[str, set[str]] = {}
        reexported = set(moves.reexports) - set(moves.modules) - set(moves.symbols)
        for old in list(moves.modules) + list(moves.symbols) + list(moves.reexports):
            parts = old.split(".")
            clues = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [old]
            if len(parts) > 1:
                if old in reexported:
                    self.exporters.setdefault(parts[-1], set()).add(".".join(parts[:-1]))
                else:
                    clues.append(".".join(parts[:-1]))
            clues.extend(".".join(parts[:i]) + " as " for i in range(1, len(parts)))
            self.reach.setdefault(parts[-1], []).append(tuple(clues))
        words = sorted(map(re.escape, self.reach))
        # No leading `\b`: a pattern that starts with a literal (or a set of first
        # characters) lets `re` skip ahead by fast search, and a `\b` in front stops
        # that (4-30× slower on Django). The word start is checked on each match instead.
        self.words = re.compile(r"(?:" + "|".join(words) + r")\b") if words else None
        #: The words as UTF-8: a file whose bytes hold none of them is not decoded.
        self.word_bytes = tuple(word.encode("utf-8") for word in self.reach)
        # With few words, a plain substring test per word comes first: most files
        # contain none of them, and that test is much cheaper than the regex.
        self._each = {word: re.compile(re.escape(word) + r"\b") for word in self.reach} if len(self.reach) <= 16 else None

    def hits(self, text: str) -> set[str]:
        """The last components of moved names that `text` spells as whole words."""
        if self.words is None:
            return set()
        if self._each is not None:
            return {word for word, pattern in self._each.items() if word in text and _starts_word(text, pattern.finditer(text))}
        return {m.group() for m in self.words.finditer(text) if m.start() == 0 or not is_word_char(text[m.start() - 1])}

    def may_refer(self, text: str, package: str | None = None) -> bool:
        """Whether `text` may refer to a moved name. `package`: the package relative
        imports in it start from, when known; they are then resolved (else any relative
        import next to a hit counts)."""
        if self.words is None:
            return False
        hits = self.hits(text)
        if not hits:
            return False
        if "from ." in text or _relative_froms(text, first=True):
            resolved = _relative_imports(text, package)
            if resolved is None:
                return True
            text = text + "\n" + resolved
        if any(clue in text for word in hits for clues in self.reach[word] for clue in clues):
            return True
        pairs = [(word, exporter) for word in hits for exporter in self.exporters.get(word, ()) if exporter in text]
        if not pairs:
            return False
        froms = [m for m in _from_imports(text) if not m.group(1)]  # once per file, not per name
        return any(_names_exporter(text, exporter, word, froms) for word, exporter in pairs)


def _names_exporter(text: str, exporter: str, word: str, froms) -> bool:
    """Whether `text` spells `exporter` anywhere but as the module of a `from exporter
    import …` (one of `froms`, its absolute from-imports) that imports neither `word`
    nor `*` (such a statement cannot reach the re-exported `exporter.word`; any other
    spelling may)."""
    at = text.find(exporter)
    if at < 0:
        return False
    left_out = set()
    for m in froms:
        if m.group(2) == exporter:
            names = m.group(3)
            if "*" not in names and word not in {n.group(1) for n in _IMPORTED.finditer(names)}:
                left_out.add(m.start(2))
    while at >= 0:
        if at not in left_out:
            return True
        at = text.find(exporter, at + 1)
    return False


#: A relative `from` import, however spaced (`from  .x`, `from\t..`), where `from` starts a
#: word (checked on each match: `\bfrom`, or a lookbehind in front, would stop `re`'s fast
#: literal search, 30× slower on Django).
_RELATIVE_FROM = re.compile(r"from\s+\.")
#: `_FROM_IMPORT` without its line anchor: it starts with a literal, so `re` finds its
#: candidates by fast search (`_from_imports` checks the line start).
_FROM_IMPORT_AT = re.compile(_FROM_IMPORT.pattern.removeprefix("^[ \\t]*"))


def _relative_froms(text: str, first: bool = False) -> int:
    """How many relative `from` imports (`_RELATIVE_FROM` at a word start) `text` holds;
    with `first`, 1 as soon as one is found."""
    count = 0
    for m in _RELATIVE_FROM.finditer(text):
        if m.start() == 0 or not is_word_char(text[m.start() - 1]):
            count += 1
            if first:
                break
    return count


def _from_imports(text: str):
    """The matches of `_FROM_IMPORT.finditer(text)` (each starts a line), found by fast
    search for `from` instead of trying the pattern at every line start."""
    end = 0  # where the last match ended: the next one starts at a line start past it
    pos = 0
    while True:
        m = _FROM_IMPORT_AT.search(text, pos)
        if m is None:
            return
        start = m.start()
        line = text.rfind("\n", 0, start) + 1
        if line >= end and text[line:start].strip(" \t") == "":
            whole = _FROM_IMPORT.match(text, line)
            if whole is not None:  # always, as `_FROM_IMPORT_AT` matched from `start`
                yield whole
                end = pos = whole.end()
                continue
        pos = start + 1


def _starts_word(text: str, matches) -> bool:
    r"""Whether one of `matches` (of a word pattern ending in `\b`) starts a word too."""
    return any(m.start() == 0 or not is_word_char(text[m.start() - 1]) for m in matches)


def _relative_imports(text: str, package: str | None) -> str | None:
    """The absolute names the relative imports of `text` reach (`pkg.base` and
    `pkg.base.name` each), one per line; None when some cannot be worked out."""
    if package is None:
        return None
    found = [m for m in _from_imports(text) if m.group(1)]
    if len(found) != _relative_froms(text):
        return None  # a relative import the line-anchored pattern did not see
    out = []
    for m in found:
        absolute = absolute_module(m.group(2) or None, level=len(m.group(1)), package=package)
        if absolute is None:
            continue  # climbs above the top: reaches nothing
        out.append(absolute)
        out.extend(f"{absolute}.{name.group(1)}" for name in _IMPORTED.finditer(m.group(3)))
    return "\n".join(out)


def prefilter(moves: MoveSet) -> Prefilter:
    return Prefilter(moves)


def may_refer(path: str, data: bytes, pattern: Prefilter, package: str | None = None) -> bool:
    """Whether a file of a kind the rules rewrite may refer to a moved name (a Python
    file whose text cannot be searched counts: its rewrite reports why)."""
    if not path.endswith((".py", ".pyi", NOTEBOOK_SUFFIX) + CONFIG_SUFFIXES + DOC_SUFFIXES):
        return False
    if is_python(path) and unreadable_python(data) is not None:
        return True  # its text cannot be searched: its rewrite reports it (MIG202)
    if path.endswith(CONFIG_SUFFIXES) and pattern.path_clues and any(clue in data.decode("utf-8", "replace") for clue in pattern.path_clues):
        return True  # a value may name a relocated file (`per-file-ignores`, `omit`)
    if not any(word in data for word in pattern.word_bytes):
        return False  # decoding cannot make a word appear (a decoded word is its own bytes)
    return pattern.may_refer(data.decode("utf-8", "replace"), package)


def mentions(
    path: str, data: bytes, moves: MoveSet, package: str | None = None, new_package: str | None = None
) -> list[tuple[int, int, str, str]]:
    """Every textual mention of a moved name in a file no rule rewrote: (line, col, old, new).

    Found by text alone, so nothing depends on the file parsing: a dotted name under a
    moved module or symbol (`old.mod`, `"old.mod.f"`), and `from X import name` where
    `X.name` moved (`X` relative to `package` when it starts with dots). For a file
    that moves itself, `new_package` is the package it lands in: a relative import that
    reaches another module from there than the one it meant (`from .helpers import x`
    leaving `app.utils`) is a mention too, with the absolute name it must import.
    """
    names = {**moves.modules, **moves.symbols}
    if not names:
        return []
    text = searchable_text(data)
    found: dict[tuple[int, int], tuple[str, str]] = {}

    def at(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1

    dotted = re.compile(r"(?<![\w.])(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?:\.[A-Za-z_]\w*)*(?![\w])")
    for m in dotted.finditer(text):
        found.setdefault(at(m.start()), (m.group(0), moves.resolve(m.group(0)) or ""))
    moving = new_package is not None and new_package != package
    for m in _from_imports(text):
        dots, base = m.group(1), m.group(2)
        reached = None  # for a file that moves: where its relative import reaches from there
        if dots:
            if package is None:
                continue
            rel = base
            base = absolute_module(rel or None, level=len(dots), package=package)
            if base is None:
                continue
            meant = moves.resolve(base) or base
            if moving:
                reached = absolute_module(rel or None, level=len(dots), package=new_package)
                if reached != meant:
                    found.setdefault(at(m.start(1)), (f"{dots}{rel}", meant))
                    continue
            elif moves.resolve(base) is not None:
                found.setdefault(at(m.start(1)), (base, meant))
                continue
        elif moves.resolve(base) is not None:
            continue  # reported as a dotted name
        for name in _IMPORTED.finditer(m.group(3)):
            full = f"{base}.{name.group(1)}"
            new = moves.resolve(full)
            if new is not None and (reached is None or new != f"{reached}.{name.group(1)}"):
                found.setdefault(at(m.start(3) + name.start(1)), (full, new))
    return [(line, col, old, new) for (line, col), (old, new) in sorted(found.items())]
