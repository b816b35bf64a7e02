"""Every diagnostic code migrator reports, once: its severity, what it means, the fix.

A code is what a person searches for in CI output, so each one keeps a single meaning
for good: a retired code stays listed (`retired=True`) and is never reused. The
families:

- MIG00x–MIG02x: references to old paths — `check`'s stale references (00x), what else
  `check` finds (01x), and references `plan` keeps on purpose (02x);
- MIG1xx: a phase the mapping cannot carry out (the move is refused);
- MIG2xx: files no rule rewrites (unparsable, undecodable, excluded) and their mentions;
- MIG3xx: a move onto existing code that differs (consolidation);
- MIG4xx: import cycles the phase creates;
- MIG9xx: warnings — a reference left as it was, or something to look at by hand.

Emitters spell the code as a literal (`"MIG109"`), so a code read in the output leads
straight to the line that reports it by a plain text search. `tests/test_diagnostic_codes.py`
keeps this registry and those literals in step: every code spelled in `migrator/`,
`rules/` or the docs is listed here, every listed code (not retired) is reported
somewhere, and a `Diagnostic(Severity.X, "MIGnnn", ...)` uses a severity listed for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model.plan import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Code:
    """One diagnostic code. `severities` lists every severity it is reported with (the
    usual one first); when there are several, `decided_by` says what picks one."""

    code: str
    severities: tuple[Severity, ...]
    summary: str
    fix: str
    decided_by: str = ""
    #: No longer reported; listed so that the code is never given another meaning.
    retired: bool = False


#: Severity of every `check` finding: each one fails `migrate check` (exit 1).
CHECK = (E,)

CODES: tuple[Code, ...] = (
    # --- check: stale references (each rewrite a rule would make after the applied phases)
    Code("MIG001", CHECK, "check: an import of a moved module or name (import, from-import, relative import)",
         "import it from its new path (`migrate check --fix` rewrites it)"),
    Code("MIG002", CHECK, "check: a dotted use (`a.b.c`) of a moved module or name",
         "spell it with the new path (`migrate check --fix` rewrites it)"),
    Code("MIG003", CHECK, "check: a string target (`mock.patch(\"old.mod.f\")`, an entry point) naming an old path",
         "write the new path in the string (`migrate check --fix` rewrites it)"),
    Code("MIG004", CHECK, "check: a dotted-path value in a YAML/TOML/INI config file naming an old path",
         "write the new path in the value (`migrate check --fix` rewrites it)"),
    Code("MIG005", CHECK, "check: an import of an old path in a notebook code cell",
         "import it from its new path (`migrate check --fix` rewrites it)"),
    Code("MIG006", (W, E), "`python -m old.mod` in a script, Makefile, CI workflow or pyproject task table",
         "change the line to the one the message gives (migrate never edits command files, `--fix` neither)",
         decided_by="a warning in `plan` (the phase moves the module), an error in `check` (it was moved)"),
    # --- check: the state of applied phases
    Code("MIG007", (E,), "check: a file in the mapping's `target.docs` names an old path (a Sphinx directive or role, mkdocstrings `:::`)",
         "run `migrate check --fix`, or update it by hand"),
    Code("MIG008", (E,), "check: a comment or docstring of a file in the mapping's `target.prose` names an old path",
         "run `migrate check --fix`, or update it by hand"),
    Code("MIG010", CHECK, "check: an import cycle that fails at import time, new since the last applied phase",
         "move one of the imports on the cycle into the function that needs it"),
    Code("MIG011", CHECK, "check: a facade written by a phase was edited since",
         "restore it (facades hold no code), or re-apply the phase"),
    Code("MIG012", CHECK, "check: a facade or a moved file written by a phase is missing",
         "restore it from version control, or `migrate rollback`"),
    Code("MIG013", CHECK, "check: a file does not parse, so its references cannot be checked",
         "fix the syntax; its mentions of old paths are listed (MIG203) to update by hand"),
    Code("MIG014", CHECK, "check, retire: a `keep_on_facades` file uses an old path whose facade `migrate retire` removed (or would remove)",
         "take the file out of `keep_on_facades` and run `migrate check --fix` (or update it by hand); or keep the facade"),
    Code("MIG015", CHECK, "check: no migration is recorded and the tree shows a phase done in part (some of its moves, not all)",
         "move the moves added to an applied phase into a new phase, or restore the tree the phase wrote; then commit .migrator/state.json"),
    # --- plan: references kept on purpose
    Code("MIG020", (I,), "a reference in a `keep_on_facades` file stays on the old path, served by its facade",
         "nothing to do while the facade stays; take the file out of `keep_on_facades` to have it rewritten"),
    # --- refusals: the mapping cannot be carried out
    Code("MIG101", (E,), "the source of a move (module, package, or a symbol's module) does not exist",
         "correct the spelling in the mapping (the message suggests the nearest name)"),
    Code("MIG102", (E,), "a symbol move names something that is not a movable top-level definition of its module",
         "correct the name after ':' (the message suggests the nearest one)"),
    Code("MIG103", (E,), "a destination lies inside a package the same phase moves away",
         "move it to the destination the message gives (inside the package's new home)"),
    Code("MIG104", (E,), "a package would move onto a package that already exists",
         "add `merge: true` to the move to merge into it (no file is overwritten)"),
    Code("MIG105", (E,), "a module would move onto an existing package",
         "move it below the package (the message gives the name)"),
    Code("MIG106", (E,), "a non-Python file travelling with a moved package would overwrite a file",
         "rename one of the two files"),
    Code("MIG107", (E,), "a symbol is moved out of a module that the same phase moves",
         "move the symbol in a phase of its own"),
    Code("MIG108", (E,), "a moved definition uses module-level names that cannot travel with it",
         "move those names in the same phase (the message lists them), or change the code"),
    Code("MIG109", (E,), "two moves would give two modules or symbols the same new name",
         "give one of them another destination"),
    Code("MIG110", (E,), "a new top-level package would shadow the standard library or a declared dependency",
         "choose another name (the message suggests one)"),
    Code("MIG111", (E,), "the destination module already binds a name a symbol move adds",
         "rename one of them first"),
    Code("MIG112", (E,), "a name would lie below a plain module (`report.py` and `report/models.py`)",
         "choose a destination not below the module, or turn it into a package by hand first"),
    Code("MIG120", (E,), "the disk will not take a path the phase writes (permissions, a file where a folder goes, ...)",
         "fix what the message names; nothing was changed"),
    Code("MIG121", (E,), "the mapping's `format` command failed on a file the phase writes",
         "fix the command in the mapping's `format:` (it reads the file on stdin and prints it formatted), or remove it"),
    # --- files no rule rewrites
    Code("MIG201", (E, W), "a file does not parse (or nests too deeply for the parser)",
         "fix the syntax, or pass `--skip-unparsable` or list the file in `target.exclude` to leave it as it is",
         decided_by="error; a warning (the file is skipped) with `--skip-unparsable`, unless the phase consolidates or merges it"),
    Code("MIG202", (E, W), "a file cannot be decoded (not UTF-8 nor its declared encoding, NUL bytes, CR-only line endings)",
         "save it as UTF-8 (or declare its encoding, PEP 263), or pass `--skip-unparsable`",
         decided_by="error; a warning (the file is skipped) with `--skip-unparsable`, unless the phase consolidates or merges it"),
    Code("MIG203", (W, E), "a mention of a moved path in a file no rule rewrites (skipped, excluded, unparsable)",
         "update it by hand at the line given (counted as a hand fix in the plan summary)",
         decided_by="warning in `plan`, error in `check`"),
    Code("MIG204", (E,), "moved code holds characters the destination file's encoding cannot hold",
         "declare UTF-8 in the destination first"),
    Code("MIG205", (E, W), "a file in `target.exclude` that the phase would have to rewrite",
         "take it out of `target.exclude`, or choose another move",
         decided_by="error when the phase would rewrite it, a warning when it moves it byte for byte"),
    # --- consolidation
    Code("MIG301", (E,), "a module would move onto an existing module with different code",
         "add `prefer: source` or `prefer: destination` to the move to say which one wins"),
    Code("MIG302", (E,), "a symbol would move onto an existing, different definition of the same name",
         "add `prefer: destination` or `prefer: source` to the move, or make the two equal"),
    # --- cycles
    Code("MIG401", (E, W), "the phase creates an import cycle that fails at import time (a module imported before, fails now)",
         "move the import inside the function that needs it, or change the mapping",
         decided_by="error with `cycles: forbid-new` (the default), warning with `cycles: warn`"),
    # --- warnings of the rules (the node is left as it was)
    Code("MIG901", (W,), "a relative import climbs above the top-level package",
         "fix the import by hand; it cannot work as written"),
    Code("MIG902", (W,), "a dotted chain cannot be re-spelled safely (its root name is ambiguous)",
         "rewrite it by hand, or rename the conflicting name"),
    Code("MIG903", (W,), "retired: a clashing new root name is now imported under an alias",
         "nothing: no longer reported", retired=True),
    Code("MIG904", (W,), "an old import is kept because uses of the old path remain in the file",
         "rewrite the remaining uses by hand; until then the facade serves the old path"),
    Code("MIG905", (W,), "a one-word string equals a moved top-level module (it may be a key or a label)",
         "rewrite it by hand if it names the module"),
    Code("MIG906", (W,), "a `module:attr` string whose attribute part is a moved module",
         "rewrite it by hand (as `new.module` or `package:attr` as the reader expects)"),
    Code("MIG907", (W,), "splitting an import would lose comments (the import shares its line)",
         "split the import by hand, keeping the comments"),
    Code("MIG908", (W,), "`__import__(\"old.mod\")` whose top-level result is used",
         "rewrite the call by hand (or use importlib.import_module)"),
    Code("MIG909", (W,), "a string starts with a moved module's path but goes on with a name the module does not have",
         "rewrite it by hand if it names the moved code (it may be an environment key or a context-variable name)"),
    # --- warnings of the plan
    Code("MIG910", (W,), "a notebook cell is not valid Python; it is left unchanged",
         "update its references by hand, or fix the cell"),
    Code("MIG911", (W,), "a notebook could not be read; it is left unchanged (its mentions are listed as MIG203)",
         "repair the notebook's JSON, or update it by hand"),
    Code("MIG912", (W,), "a config file is not UTF-8; it is left unchanged (its mentions are listed as MIG203)",
         "save it as UTF-8, or update it by hand"),
    Code("MIG913", (W,), "a helper travels with a moved definition; string targets naming it are not rewritten",
         "list the helper in the mapping too to have its string targets followed"),
    Code("MIG914", (W,), "an import copied with a moved definition sits in a conditional block; its fallback was not copied",
         "check the copied import, and add the fallback by hand if it is needed"),
    Code("MIG915", (W,), "a moved module does not parse, so its facade is an alias instead of a re-export",
         "nothing needed (an alias serves every name); fix the syntax to get a re-export"),
    Code("MIG916", (W,), "`__all__` names a submodule the phase moves, and `facades: none` removes it from the package",
         "import it in the package as the message says, or take it out of `__all__`"),
    Code("MIG917", (W,), "documentation outside the mapping's `target.docs` names a path the phase moves; it is listed, not rewritten",
         "update it by hand, or add the file to `target.docs` to have it rewritten"),
    Code("MIG918", (W,), "a comment or docstring names a path the phase moves; it is listed, not rewritten",
         "update it by hand, or add the file to `target.prose` to have its comments and docstrings rewritten"),
)

#: The registry by code.
REGISTRY: dict[str, Code] = {c.code: c for c in CODES}
