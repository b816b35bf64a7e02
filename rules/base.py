"""What every rule is: a libcst transform over one file, with its own examples.

A rule sees one parsed module, the `FileContext` of the file and the phase's `MoveSet`;
it never does I/O. It returns the new module, the references it rewrote (`Edit`) and
what it could not prove safe (`Diagnostic`, severity warning, node left as it was).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Mapping, Sequence

import libcst as cst

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet
from migrator.model.triggers import Trigger


@dataclass(frozen=True)
class Example:
    """A before/after pair the test suite runs. `after=None` means: left unchanged.

    `moves` maps old → new module names, `symbols` maps `old.mod.Name` → `new.mod.Name`;
    `module`/`new_module`/`is_package` describe the file being rewritten; `known_modules`
    lists extra modules that exist in the imagined project (every key and value of
    `moves` is known already); `attributes` the top-level names of moved modules whose
    names are known (any other may have any attribute).
    """

    id: str
    before: str
    after: str | None
    moves: Mapping[str, str] = field(default_factory=dict)
    symbols: Mapping[str, str] = field(default_factory=dict)
    module: str | None = None
    new_module: str | None = None
    is_package: bool = False
    known_modules: Sequence[str] = ()
    reexports: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    keep_on_facades: bool = False
    lazy_exports: bool = False

    def context(self) -> FileContext:
        path = "example/__init__.py" if self.is_package else "example.py"
        return FileContext(
            path=path,
            module=self.module,
            new_module=self.new_module if self.new_module is not None else self.module,
            is_package=self.is_package,
            keep_on_facades=self.keep_on_facades,
            lazy_exports=self.lazy_exports,
        )

    def move_set(self) -> MoveSet:
        known = set(self.known_modules) | set(self.moves)
        for name in list(known):
            parts = name.split(".")
            known.update(".".join(parts[:i]) for i in range(1, len(parts)))
        if self.module:
            known.add(self.module)
        return MoveSet(
            modules=dict(self.moves),
            symbols=dict(self.symbols),
            known_modules=frozenset(known),
            reexports=dict(self.reexports),
            attributes={name: frozenset(names) for name, names in self.attributes.items()},
        )


@dataclass(frozen=True)
class RuleResult:
    module: cst.Module
    edits: tuple[Edit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


class Rule:
    """Base class of every rule. Subclasses set the class attributes and `rewrite`.

    `name` equals the rule's module name; `description` is the one line that `--help`
    and the docs reuse; `TRIGGERS` what in a file can give the rule work (the triage
    runs a rule over a file only when the file shows one of them; a subclass without
    them is refused when it is defined); `ON_KEPT_FILES` whether it can change a file
    kept on facades (`FileContext.keep_on_facades`; the triage gives such a file only the
    rules that can); `EXAMPLES` are rewrites that must happen, `UNCHANGED` near-misses
    that must not.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    TRIGGERS: ClassVar[frozenset[Trigger]]
    ON_KEPT_FILES: ClassVar[bool] = False
    EXAMPLES: ClassVar[tuple[Example, ...]] = ()
    UNCHANGED: ClassVar[tuple[Example, ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        triggers = getattr(cls, "TRIGGERS", None)
        if not isinstance(triggers, frozenset) or not triggers or not all(isinstance(t, Trigger) for t in triggers):
            raise TypeError(
                f"rule {cls.__qualname__} must declare TRIGGERS, a non-empty frozenset of "
                "migrator.model.triggers.Trigger: the triage runs it only on files that show one"
            )

    def rewrite(self, module: cst.Module, ctx: FileContext, moves: MoveSet) -> RuleResult:
        raise NotImplementedError
