"""What in a Python file can give a rewrite rule work: the vocabulary that rules declare
(`Rule.TRIGGERS`) and that the triage (`migrator/engine/fastpath.py`) finds in a file.

The triage looks at a file without libcst, collects the triggers it shows, and runs
only the rules whose `TRIGGERS` meet them; a new rule declares its triggers and needs no
edit of the triage. This is not `RefKind` (what an edit is counted as): a rule is given
work by a property of the file (`LAZY_EXPORTS`) as well as by its references, and the
edits it reports may be of another kind than the reference that triggered it.
"""

from __future__ import annotations

from enum import Enum


class Trigger(str, Enum):
    """One kind of thing the triage can find in a file that may reach moved code."""

    #: `import a.b` naming a moved module (or a module below a moved package).
    IMPORT = "import"
    #: An attribute chain (`p.sub.f`) through a name bound to a package above moved
    #: code (`import pkg as p`) that spells a moved name.
    CHAIN = "attribute-chain"
    #: A string constant that spells a moved name (`"old.mod"`, `"old.mod:attr"`).
    STRING = "string"
    #: `from X import name` where `X` or `X.name` moved, or a relative import that
    #: climbs above the top-level package. A rule with this trigger must do its work
    #: from the statement alone: files whose only trigger it is are rewritten
    #: statement by statement (the statement cut out as a small module).
    FROM_IMPORT = "from-import"
    #: The file is a staying package's `__init__` that the mapping asks to re-export
    #: moved names lazily. Such a file (like one the phase moves, or one kept on the
    #: facades) gets every rule over the whole file.
    LAZY_EXPORTS = "lazy-exports"
