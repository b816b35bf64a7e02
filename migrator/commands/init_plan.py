"""What `migrate init --from-plan PLAN.md` computes, as data: the moves a reorganization
plan written in Markdown names, and which of them it leaves open.

Three steps, each pure (text and a `Layout` in, data out):

- `read_plan` walks markdown-it's token stream (never a regex over the whole text): the
  headings, or list items, that carry a phase number and a title ("Phase 2: Create
  config module") open a phase until the next heading of the same or a higher level;
  every list item, checklist item and table row inside is read as a possible move
  (`a → b`, `a -> b`, "Move `a` → `b`", "move `a` from `x` to `y`", "`name()` … move
  to `x`", a table with from/to columns). A row keeps its line and its words, the
  names on each side, the words that leave it open ("or", "if", "verify", ...), and the
  names its parent list items mention (what a bare file name or a `name()` lies in).
- `resolve` turns names into dotted paths against the target's layout: a file path
  under a source root (`src/orchestration/config_loader.py`, `orchestration/
  config_loader.py`, or a bare `config_loader.py` that only one module is), a folder
  (a package), a dotted name, `module.py:Name` (a symbol). Each row becomes an `Entry`:
  taken (one move, certain), to decide (the plan leaves a choice: words, alternatives,
  two rows that disagree, a phase without moves) or not read (a source the target does
  not have, with the closest names, or no source at all). Nothing is dropped.
- `phase_lines` writes the lines under `phases:`: the taken moves, and every other
  entry as a comment at its place with the plan's own words and `PLAN.md:LINE`; an
  open move is never chosen for the user, its alternatives are listed commented out.
"""

from __future__ import annotations

import difflib
import json
import keyword
import re
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt

from migrator.commands.init import Layout, PhasesWriter

#: "Phase 2: Create config module", "Step 3 — Storage", "Phase 4. Metadata"
_PHASE = re.compile(r"^(?:phase|step|stage)\s+(\d+)\b\s*[:.)\-–—]?\s*(.*)$", re.I)
_ARROWS = ("→", "->", "⟶", "=>", "⇒")
#: words that leave a row open (matched as whole words, case-insensitive)
_HEDGES = ("or", "if", "verify", "check", "might", "maybe", "perhaps", "possibly", "either", "unless", "whether", "tbd", "consider")
_HEDGE = re.compile(r"\b(" + "|".join(_HEDGES) + r")\b|\?", re.I)
#: a path or dotted name written without backticks
_NAME_WORD = re.compile(r"^(?:[\w.*-]+/[\w./*-]*|[\w/-]+\.py(?::\w+)?|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?::\w+)?)$")
_MOVE_VERB = re.compile(r"\bmove[sd]?\b", re.I)
_TO = re.compile(r"\b(?:to|into)\b", re.I)
_FROM = re.compile(r"\bfrom\b", re.I)
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
_FROM_HEADERS = {"from", "old", "source", "current", "before", "was"}
_TO_HEADERS = {"to", "new", "destination", "target", "after", "becomes"}


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PlanPhase:
    """A heading (or list item) that carries a phase number and a title."""

    number: int
    title: str
    line: int
    #: the words of the list items under it, for a phase that names no move
    items: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PlanRow:
    """One list item, checklist item or table row that reads as a move."""

    line: int
    #: the plan's own words (the item's Markdown, without the list marker or checkbox)
    words: str
    #: the number of the phase it lies in; None outside every phase
    phase: int | None
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    #: the words that leave it open, as the plan writes them
    hedges: tuple[str, ...]
    #: names the enclosing list items mention, innermost first
    context: tuple[str, ...] = ()
    #: why it cannot be a move although it reads like one
    problem: str | None = None


@dataclass(frozen=True)
class PlanReading:
    """What `read_plan` found: the phases in the plan's order, and the rows."""

    name: str
    phases: tuple[PlanPhase, ...]
    rows: tuple[PlanRow, ...]
    #: the first heading, the title of the one phase of a plan without phase headings
    title: str | None = None


@dataclass
class _Piece:
    kind: Literal["text", "code"]
    text: str


@dataclass
class _Walk:
    """The walker's state: open headings and list items, the phase they put rows in."""

    headings: list[tuple[int, int | None]] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    phases: list[dict] = field(default_factory=list)
    rows: list[PlanRow] = field(default_factory=list)
    title: str | None = None

    def phase(self) -> int | None:
        for item in reversed(self.items):
            if item["phase"] is not None:
                return item["phase"]
        for _, number in reversed(self.headings):
            if number is not None:
                return number
        return None

    def context(self) -> tuple[str, ...]:
        return tuple(name for item in reversed(self.items[:-1]) for name in item["names"])


def read_plan(text: str, name: str = "PLAN.md") -> PlanReading:
    """The phases and move rows of a Markdown plan (`name` is how messages cite it)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    walk = _Walk()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            _heading(walk, tok, tokens[i + 1])
        elif tok.type == "list_item_open":
            walk.items.append({"phase": None, "names": (), "seen": False})
        elif tok.type == "list_item_close":
            walk.items.pop()
        elif tok.type == "inline" and walk.items and not walk.items[-1]["seen"] and tokens[i - 1].type == "paragraph_open":
            walk.items[-1]["seen"] = True
            _list_item(walk, tok)
        elif tok.type == "table_open":
            i = _table(walk, tokens, i)
        i += 1
    phases = tuple(
        PlanPhase(p["number"], p["title"], p["line"], tuple(p["items"])) for p in walk.phases
    )
    return PlanReading(name, phases, tuple(walk.rows), walk.title)


def _heading(walk: _Walk, tok, inline) -> None:
    level = int(tok.tag[1:])
    while walk.headings and walk.headings[-1][0] >= level:
        walk.headings.pop()
    words = " ".join(inline.content.split())
    if walk.title is None:
        walk.title = words
    number = _open_phase(walk, words, tok.map[0] + 1)
    walk.headings.append((level, number))


def _open_phase(walk: _Walk, words: str, line: int) -> int | None:
    plain = " ".join(words.replace("*", " ").replace("`", " ").split())
    match = _PHASE.match(plain)
    if match is None:
        return None
    number = int(match.group(1))
    walk.phases.append({"number": number, "title": (match.group(2) or "").strip() or f"Phase {number}", "line": line, "items": []})
    return number


def _list_item(walk: _Walk, inline) -> None:
    line = inline.map[0] + 1
    words = _CHECKBOX.sub("", " ".join(inline.content.split()))
    pieces = _pieces(inline.children or [])
    if pieces and pieces[0].kind == "text":
        pieces[0].text = _CHECKBOX.sub("", pieces[0].text.lstrip())
    item = walk.items[-1]
    item["names"] = tuple(p.text for p in pieces if p.kind == "code")
    # a top-level "Phase N: title" item outside every phase heading opens a phase for
    # the items nested in it (the nested-list shape); anywhere else it is prose
    if len(walk.items) == 1 and walk.phase() is None and _open_phase(walk, words, line) is not None:
        item["phase"] = walk.phases[-1]["number"]
        return
    phase = walk.phase()
    if phase is not None and walk.phases and walk.phases[-1]["number"] == phase:
        walk.phases[-1]["items"].append((line, words))
    row = _row(pieces)
    if row is not None:
        sources, destinations, hedges, problem = row
        walk.rows.append(PlanRow(line, words, phase, sources, destinations, hedges, walk.context(), problem))


def _table(walk: _Walk, tokens, i: int) -> int:
    """Read one table (tokens[i] is its `table_open`); returns the index of its close."""
    header: list[str] = []
    cells: list[tuple[str, list[_Piece]]] = []
    line = 0
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            cells, line = [], tok.map[0] + 1
        elif tok.type == "inline":
            cells.append((" ".join(tok.content.split()), _pieces(tok.children or [])))
        elif tok.type == "tr_close" and not header:
            header = [words.lower() for words, _ in cells]
        elif tok.type == "tr_close":
            _table_row(walk, header, cells, line)
        i += 1
    return i


def _table_row(walk: _Walk, header: list[str], cells: list[tuple[str, list[_Piece]]], line: int) -> None:
    words = " | ".join(w for w, _ in cells)
    phase = walk.phase()
    if phase is not None and walk.phases and walk.phases[-1]["number"] == phase:
        walk.phases[-1]["items"].append((line, words))
    src = next((k for k, h in enumerate(header) if set(re.findall(r"\w+", h)) & _FROM_HEADERS), None)
    dst = next((k for k, h in enumerate(header) if k != src and set(re.findall(r"\w+", h)) & _TO_HEADERS), None)
    if src is not None and dst is not None and max(src, dst) < len(cells):
        sources, destinations = _names(cells[src][1]), _names(cells[dst][1])
        if not sources and not destinations:
            return
        hedges = tuple(h for _, pieces in cells for h in _hedges(pieces))
        problem = None if sources and destinations else ("names no module to move" if not sources else "names no destination")
        walk.rows.append(PlanRow(line, words, phase, sources, destinations, hedges, problem=problem))
        return
    joined: list[_Piece] = []
    for k, (_, pieces) in enumerate(cells):
        joined += ([_Piece("text", " | ")] if k else []) + pieces
    row = _row(joined)
    if row is not None:
        sources, destinations, hedges, problem = row
        walk.rows.append(PlanRow(line, words, phase, sources, destinations, hedges, problem=problem))


def _pieces(children) -> list[_Piece]:
    """An inline's text and code spans, in order (emphasis and links flattened)."""
    out: list[_Piece] = []
    for child in children:
        if child.type == "code_inline":
            out.append(_Piece("code", child.content.strip()))
        elif child.type in ("text", "softbreak", "hardbreak"):
            text = child.content if child.type == "text" else " "
            if out and out[-1].kind == "text":
                out[-1].text += text
            else:
                out.append(_Piece("text", text))
    return out


def _names(pieces: list[_Piece]) -> tuple[str, ...]:
    """The names in a run of pieces: its code spans, else its path-like words."""
    codes = tuple(p.text for p in pieces if p.kind == "code" and p.text)
    if codes:
        return codes
    words = (w.strip(",;:()[]\"'") for p in pieces if p.kind == "text" for w in p.text.split())
    names = (w.rstrip(".") for w in words)
    # "N/A", "I/O": slashes between letters, not a path
    return tuple(w for w in names if _NAME_WORD.match(w) and max(len(part) for part in re.split(r"[/.:]", w)) > 1)


def _hedges(pieces: list[_Piece]) -> tuple[str, ...]:
    return tuple(m.group(0) for p in pieces if p.kind == "text" for m in _HEDGE.finditer(p.text))


def _split(pieces: list[_Piece], pattern: re.Pattern, start: int = 0) -> tuple[list[_Piece], list[_Piece]] | None:
    """`pieces` cut at the first match of `pattern` in a text piece at or after `start`
    (the match itself dropped), or None."""
    for k in range(start, len(pieces)):
        piece = pieces[k]
        if piece.kind != "text":
            continue
        match = pattern.search(piece.text)
        if match:
            before = pieces[:k] + [_Piece("text", piece.text[: match.start()])]
            after = [_Piece("text", piece.text[match.end():])] + pieces[k + 1:]
            return before, after
    return None


def _row(pieces: list[_Piece]) -> tuple | None:
    """(sources, destinations, hedges, problem) of an item that reads as a move, or None."""
    hedges = _hedges(pieces)
    for arrow in _ARROWS:
        cut = _split(pieces, re.compile(re.escape(arrow)))
        if cut is not None:
            left, right = cut
            sources, destinations = _names(left), _names(right)
            if sources and destinations:
                return sources, destinations, hedges, None
    verb = _split(pieces, _MOVE_VERB)
    if verb is None:
        return None
    before, after = verb
    to = _split(after, _TO)
    if to is None:
        return None
    between, destination_side = to
    destinations = _names(destination_side)
    if not destinations:
        return None
    origin = _split(between, _FROM)
    if origin is not None:
        named, sources = _names(origin[0]), _names(origin[1])
        sources = sources or named
    elif any(p.kind == "code" for p in between) or _names(between):
        sources = _names(between)
    elif not "".join(p.text for p in between).strip():
        # "`name()` - HPO-specific, move to `hpo/`": the item starts with what moves
        lead = [p for p in before if p.kind == "code" or p.text.strip()]
        sources = (lead[0].text,) if lead and lead[0].kind == "code" else ()
    else:
        sources = ()
    return sources, destinations, hedges, None if sources else "names no module to move"


# --------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Move:
    """A move as the mapping writes it."""

    source: str
    destination: str
    #: the destination package exists already: add to it (never overwrites a file)
    merge: bool = False

    def yaml(self) -> str:
        source = json.dumps(self.source) if ":" in self.source else self.source
        return f"{{from: {source}, to: {self.destination}{', merge: true' if self.merge else ''}}}"


@dataclass(frozen=True)
class Entry:
    """What became of one row: taken (one certain move), to decide, or not read."""

    row: PlanRow
    kind: Literal["taken", "decide", "unread"]
    #: taken: the move; to decide: the alternatives (none when the names cannot be paired)
    moves: tuple[Move, ...] = ()
    #: why it is open or not read; for a taken move, what to know about it (a merge)
    reason: str = ""
    #: other rows of the plan about the same module that disagree with this one
    others: tuple[PlanRow, ...] = ()


@dataclass(frozen=True)
class ResolvedPhase:
    phase: PlanPhase
    entries: tuple[Entry, ...]
    #: why the whole phase is written commented out (None: it is written)
    problem: str | None = None


@dataclass(frozen=True)
class FromPlan:
    """The plan against the target: its phases, and the rows outside every phase."""

    reading: PlanReading
    phases: tuple[ResolvedPhase, ...]
    #: rows outside every phase whose module no phase row moves, all left to decide
    outside: tuple[Entry, ...] = ()

    def entries(self) -> list[tuple[PlanPhase | None, Entry]]:
        return [(p.phase, e) for p in self.phases for e in p.entries] + [(None, e) for e in self.outside]

    def count(self, kind: str) -> int:
        return sum(1 for _, e in self.entries() if e.kind == kind)


class _Index:
    """The target's module names, for finding what a plan's name means."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.names = set(layout.module_names)
        self.known = self.names | {".".join(n.split(".")[:i]) for n in self.names for i in range(1, n.count(".") + 1)}
        self.packages = {n for n in self.known if any(m.startswith(n + ".") for m in self.names)}

    def roots(self) -> str:
        shown = [r + "/" for r in self.layout.source_roots if r != "."]
        return ", ".join(shown) if shown else "the project's folder"

    def dotted(self, name: str) -> tuple[str, str | None, str | None]:
        """(dotted module, symbol, problem) of a name as the plan writes it."""
        text, symbol = name.strip(), None
        if ":" in text:
            text, _, symbol = text.partition(":")
            symbol = symbol.removesuffix("()")
        elif text.endswith("()"):
            text = text[:-2]
            if "." in text and "/" not in text:
                text, _, symbol = text.rpartition(".")
            else:
                text, symbol = "", text
        if "/" in text or text.endswith(".py"):
            text = text.replace("\\", "/").removeprefix("./")
            for suffix in ("/**", "/*", "/"):
                text = text.removesuffix(suffix)
            text = text.removesuffix(".py").removesuffix("/__init__")
            for root in self.layout.source_roots:
                if root != "." and text.startswith(root + "/"):
                    text = text[len(root) + 1:]
                    break
            text = text.replace("/", ".")
        parts = text.split(".") if text else []
        bad = [p for p in parts + ([symbol] if symbol else []) if not p.isidentifier() or keyword.iskeyword(p)]
        if bad:
            return "", None, f"`{name}` is not a module path (`{bad[0]}` is not a Python name)"
        return text, symbol, None

    def anchored(self, name: str) -> bool:
        """Whether `name` is written from a source root (`src/pkg/mod.py`)."""
        return any(name.strip().startswith(r + "/") for r in self.layout.source_roots if r != ".")

    def find(self, dotted: str, context: tuple[str, ...]) -> list[str]:
        """The known modules `dotted` can mean: below a module the enclosing items name
        (a nested item's `naming/` under "files in `jobs/tracking/`"), itself, or the
        one module whose path ends with it."""
        for parent in context:
            if f"{parent}.{dotted}" in self.known:
                return [f"{parent}.{dotted}"]
        if dotted in self.known:
            return [dotted]
        return sorted(n for n in self.known if n.endswith("." + dotted))

    def suggest(self, dotted: str) -> str:
        """The closest modules: those whose last name is close to the one written (a
        typo, `.py` files renamed), best first; else a whole dotted name very close."""
        leaf = dotted.rsplit(".", 1)[-1]
        leaves = set(difflib.get_close_matches(leaf, sorted({n.rsplit(".", 1)[-1] for n in self.names}), n=3, cutoff=0.75))
        ranked = sorted((n for n in self.names if n.rsplit(".", 1)[-1] in leaves), key=lambda n: -difflib.SequenceMatcher(None, dotted, n).ratio())
        close = ranked[:3] or difflib.get_close_matches(dotted, sorted(self.names), n=2, cutoff=0.85)
        return f" — did you mean {' or '.join(close)}?" if close else ""


def _context(index: _Index, row: PlanRow) -> tuple[str, ...]:
    out = []
    for name in row.context:
        dotted, symbol, problem = index.dotted(name)
        found = index.find(dotted, ()) if dotted and not symbol and not problem else []
        if len(found) == 1:
            out.append(found[0])
    return tuple(out)


def _source(index: _Index, name: str, context: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the source as the mapping writes it, problem)."""
    dotted, symbol, problem = index.dotted(name)
    if problem:
        return None, problem
    if not dotted:
        modules = [c for c in context if c in index.names]
        if len(modules) != 1:
            return None, f"`{name}`: the plan does not say which module defines it — write `module.py:{symbol}`"
        return f"{modules[0]}:{symbol}", None
    found = index.find(dotted, () if index.anchored(name) else context)
    if not found:
        return None, f"no such module under {index.roots()}: `{name}`{index.suggest(dotted)}"
    if len(found) > 1:
        return None, f"`{name}` could be {' or '.join(found)} — write its full path"
    return found[0] + (f":{symbol}" if symbol else ""), None


def _destination(index: _Index, name: str) -> tuple[str | None, str | None]:
    dotted, symbol, problem = index.dotted(name)
    if problem:
        return None, problem
    if symbol or not dotted:
        return None, f"`{name}`: a destination is a module or a package, not a name inside one"
    return dotted, None


def _entry(index: _Index, row: PlanRow) -> Entry:
    """One row against the target, on its own (disagreements come later)."""
    if row.problem:
        return Entry(row, "unread", reason=row.problem)
    context = _context(index, row)
    sources, destinations = [], []
    for name in row.sources:
        found, problem = _source(index, name, context)
        if problem:
            return Entry(row, "unread", reason=problem)
        sources.append(found)
    for name in row.destinations:
        found, problem = _destination(index, name)
        if problem:
            return Entry(row, "unread", reason=problem)
        destinations.append(found)
    sources, destinations = list(dict.fromkeys(sources)), list(dict.fromkeys(destinations))
    if not sources or not destinations:
        return Entry(row, "unread", reason="names no module to move" if not sources else "names no destination")
    moves = tuple(_move(index, s, d) for s in sources for d in destinations)
    for move in moves:
        if move.source == move.destination or move.destination.startswith(move.source + "."):
            return Entry(row, "unread", reason=f"moves {move.source} into itself ({move.destination})")
    hedged = "the plan leaves it open: " + ", ".join(f'"{h}"' for h in dict.fromkeys(h.lower() for h in row.hedges)) if row.hedges else ""
    if len(sources) > 1 and len(destinations) > 1:
        return Entry(row, "decide", (), _join(f"names {len(sources)} modules and {len(destinations)} destinations: which goes where?", hedged))
    if len(destinations) > 1:
        return Entry(row, "decide", moves, _join(f"names {len(destinations)} destinations", hedged))
    if len(sources) > 1:
        return Entry(row, "decide", moves, _join(f"names {len(sources)} modules for one destination", hedged))
    if hedged:
        return Entry(row, "decide", moves, hedged)
    move = moves[0]
    note = f"{move.destination} exists already: `merge: true` adds to it and never overwrites a file" if move.merge else ""
    return Entry(row, "taken", moves, note)


def _move(index: _Index, source: str, destination: str) -> Move:
    return Move(source, destination, merge=":" not in source and source in index.packages and destination in index.packages)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def resolve(reading: PlanReading, layout: Layout) -> FromPlan:
    """Every row of the plan against the target: what is certain, what is open (the
    plan's words, alternatives, rows that disagree), what cannot be read."""
    index = _Index(layout)
    phases = list(reading.phases)
    rows = list(reading.rows)
    if not phases and rows:  # no phase heading: one phase, titled by the plan
        phases = [PlanPhase(1, reading.title or f"Moves from {reading.name}", rows[0].line)]
        rows = [PlanRow(r.line, r.words, 1, r.sources, r.destinations, r.hedges, r.context, r.problem) for r in rows]
    entries = [_entry(index, row) for row in rows]
    entries = _disagreements(entries)
    inside = [e for e in entries if e.row.phase is not None]
    moved = {m.source for e in inside for m in e.moves}
    outside = tuple(
        Entry(e.row, "decide", e.moves, _join("lies outside every phase: put it in the phase it belongs to", e.reason), e.others)
        if e.kind == "taken" else e
        for e in entries
        if e.row.phase is None and not (e.moves and all(m.source in moved for m in e.moves))
    )
    inside = _conflicts(inside)
    resolved: list[ResolvedPhase] = []
    seen: list[int] = []
    def owner(row: PlanRow) -> PlanPhase:  # the last phase of its number above it
        return [p for p in phases if p.number == row.phase and p.line <= row.line][-1]

    for phase in phases:
        mine = tuple(e for e in inside if e.row.phase == phase.number and owner(e.row) is phase)
        problem = None
        if phase.number in seen:
            problem = f"phase {phase.number} appears twice in the plan: give it its own number"
        elif seen and phase.number < max(seen):
            problem = f"phase {phase.number} comes after phase {max(seen)}: phases apply in ascending order"
        elif not mine:  # (a repeated number's rows are listed with it, commented out)
            problem = "lists no move: keep it as a checkpoint (`moves: []`) or leave it out"
        seen.append(phase.number)
        if problem is not None:  # its moves wait for the phase's decision
            mine = tuple(
                Entry(e.row, "decide", e.moves, f"its phase is left open ({problem.split(':')[0]})") if e.kind == "taken" else e
                for e in mine
            )
        resolved.append(ResolvedPhase(phase, mine, problem))
    return FromPlan(reading, tuple(resolved), outside)


def _disagreements(entries: list[Entry]) -> list[Entry]:
    """A row whose module another row moves elsewhere (or moves with a doubt) is open,
    and names the other rows."""
    by_source: dict[str, list[int]] = {}
    for k, entry in enumerate(entries):
        for source in dict.fromkeys(m.source for m in entry.moves):
            by_source.setdefault(source, []).append(k)
    out = []
    for k, entry in enumerate(entries):
        mine = {m.destination for m in entry.moves}
        others = tuple(
            dict.fromkeys(
                entries[j].row
                for m in entry.moves for j in by_source[m.source]
                if j != k and ({n.destination for n in entries[j].moves if n.source == m.source} != mine or entries[j].kind == "decide")
            )
        )
        if others and entry.kind == "taken":
            entry = Entry(entry.row, "decide", entry.moves, f"{'another row' if len(others) == 1 else 'other rows'} of the plan disagree{'s' if len(others) == 1 else ''}:", others)
        elif others:
            entry = Entry(entry.row, entry.kind, entry.moves, entry.reason, others)
        out.append(entry)
    return out


def _conflicts(entries: list[Entry]) -> list[Entry]:
    """Taken moves the mapping cannot hold together (one module moved in two phases,
    two modules moved to one place) are open, each naming the other."""
    taken = [e for e in entries if e.kind == "taken"]
    sources: dict[str, list[Entry]] = {}
    destinations: dict[str, list[Entry]] = {}
    for e in taken:
        sources.setdefault(e.moves[0].source, []).append(e)
        if ":" not in e.moves[0].source:
            destinations.setdefault(e.moves[0].destination, []).append(e)
    out = []
    for e in entries:
        clash = [o for o in sources.get(e.moves[0].source, []) if o is not e] if e.kind == "taken" else []
        what = "moves it too, in another phase"
        if e.kind == "taken" and not clash and ":" not in e.moves[0].source:
            clash, what = [o for o in destinations.get(e.moves[0].destination, []) if o is not e], f"also moves a module to {e.moves[0].destination}"
        if clash:
            e = Entry(e.row, "decide", e.moves, f"{'another row' if len(clash) == 1 else 'other rows'} {what}; keep one:", tuple(o.row for o in clash))
        out.append(e)
    return out


# --------------------------------------------------------------------------- writing


_PLAIN_TITLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _./(),'&+-]*")


def _title(title: str) -> str:
    return title if _PLAIN_TITLE.fullmatch(title) and not title.endswith(" ") else json.dumps(title, ensure_ascii=False)


def phase_lines(result: FromPlan) -> list[str]:
    """The lines under `phases:`: each phase with its taken moves, every other row as a
    comment at its place (the plan's words and line), the rows outside every phase last."""
    name = result.reading.name
    lines: list[str] = []
    for resolved in result.phases:
        lines += _phase_block(name, resolved)
    if result.outside:
        lines += [
            "",
            f"  # Rows of {name} outside every phase heading (\"Phase N: title\"); none is in a",
            "  # phase above. Put those you want in the phase they belong to.",
        ]
        for entry in result.outside:
            lines += _entry_lines(name, entry, "  ")
    if not lines:
        lines = ["  []"]
    return lines


def _phase_block(name: str, resolved: ResolvedPhase) -> list[str]:
    phase = resolved.phase
    if resolved.problem is not None:
        lines = [f"  # TO DECIDE {name}:{phase.line} Phase {phase.number}: {phase.title} — {resolved.problem}."]
        if not resolved.entries:
            lines += [f"  #   {name}:{line}: {words}" for line, words in phase.items[:10]]
            if len(phase.items) > 10:
                lines.append(f"  #   ... and {len(phase.items) - 10} more items")
        lines += [f"  # - phase: {phase.number}", f"  #   title: {_title(phase.title)}", "  #   moves:" if resolved.entries else "  #   moves: []"]
        for entry in resolved.entries:
            lines += _entry_lines(name, entry, "  #     ")
        return lines + [""]
    taken = [e for e in resolved.entries if e.kind == "taken"]
    lines = [
        f"  - phase: {phase.number}",
        f"    title: {_title(phase.title)}",
        f"    # from {name}:{phase.line}",
        "    moves:" if taken else "    moves: []",
    ]
    for entry in resolved.entries:
        lines += _entry_lines(name, entry, "      ")
    return lines + [""]


def _entry_lines(name: str, entry: Entry, indent: str) -> list[str]:
    row = entry.row
    if entry.kind == "taken":
        move = entry.moves[0]
        lines = [f"{indent}# {entry.reason}"] if entry.reason else []
        return lines + [f"{indent}- {move.yaml()}  # {name}:{row.line}"]
    label = "TO DECIDE" if entry.kind == "decide" else "NOT READ"
    lines = [f"{indent}# {label} {name}:{row.line}: {row.words}", f"{indent}#   {entry.reason}"]
    lines += [f"{indent}#   {name}:{other.line}: {other.words}" for other in entry.others]
    if entry.kind == "decide" and entry.moves:
        lines.append(f"{indent}#   uncomment the move you choose" + (" (or write your own):" if len(entry.moves) > 1 else ", or write your own:"))
        lines += [f"{indent}# - {move.yaml()}" for move in entry.moves]
    elif entry.kind == "decide":
        lines.append(f"{indent}#   write the moves yourself")
    return lines


def phases_writer(result: FromPlan) -> PhasesWriter:
    """The `PhasesWriter` of `commands.init.mapping_text` for a plan already resolved
    against the layout it is called with."""
    return lambda _layout: phase_lines(result)
