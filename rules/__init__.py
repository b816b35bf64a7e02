"""The rewrite rules, in the order they run, and `rewrite_source` that runs them.

Each rule is one module with one `Rule` class; `ALL_RULES` is the explicit registry.
Order matters once: `dotted_use` reads the import statements before `import_module`
rewrites them; both read the plan of the chains rooted at imported names
(`rules/_chains.py`), which tells `import_module` which uses of an old root name are
left. `import_from` and `string_target` are independent of the others.

Warning codes of the rules (all `Severity.WARNING`; the node is left as it was):

- MIG901 `import_from`: a relative import climbs above the top-level package;
- MIG902 `dotted_use`: a chain cannot be re-spelled safely (its root name is ambiguous);
- MIG903 `import_module`: retired (a clashing new root name is now imported under an
  alias, see `dotted_use`); the code is not reused;
- MIG904 `import_module`: an old import is kept because old-path uses remain;
- MIG905 `string_target`: a one-word string equals a moved top-level module;
- MIG906 `string_target`: a `module:attr` string whose attribute part is a moved module;
- MIG907 `import_from`: a split would lose comments (the import shares its line);
- MIG908 `string_target`: `__import__("old.mod")` whose top-level result is used;
- MIG909 `string_target`: a string starts with a moved module's path but goes on with a
  name that module does not have (an environment key, a context-variable name).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

import libcst as cst

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet
from migrator.model.text import python_lines
from rules.base import Example, Rule
from rules.dotted_use import DottedUseRule
from rules.import_from import ImportFromRule
from rules.import_module import ImportModuleRule
from rules.lazy_reexport import LazyReexportRule
from rules.string_target import StringTargetRule

ALL_RULES: tuple[type[Rule], ...] = (
    DottedUseRule,
    ImportModuleRule,
    # Strings before from-imports: when nothing before them changed the tree, both
    # share one position computation (rules/_imports.wrap caches it per tree).
    StringTargetRule,
    ImportFromRule,
    # Needs the from-imports already pointing at the new homes.
    LazyReexportRule,
)

#: Before/after of the whole pipeline: what a file looks like once every rule ran.
PIPELINE_EXAMPLES: tuple[Example, ...] = (
    Example(
        id="import a.b and its dotted uses move together",
        before=(
            "import orchestration.fingerprints\n"
            "\n"
            "\n"
            "def fingerprint(spec):\n"
            "    return orchestration.fingerprints.compute_spec_fp(spec)\n"
        ),
        after=(
            "import fingerprints.compute\n"
            "\n"
            "\n"
            "def fingerprint(spec):\n"
            "    return fingerprints.compute.compute_spec_fp(spec)\n"
        ),
        moves={"orchestration.fingerprints": "fingerprints.compute"},
    ),
    Example(
        id="package __init__ re-exports become absolute while __all__ stays valid",
        before=(
            '"""Legacy entry points of orchestration."""\n'
            "\n"
            "from .config_loader import ExperimentConfig, load_experiment_config\n"
            "from .fingerprints import compute_spec_fp\n"
            "from .naming import build_run_name\n"
            "\n"
            "__all__ = [\n"
            '    "ExperimentConfig",\n'
            '    "build_run_name",\n'
            '    "compute_spec_fp",\n'
            '    "load_experiment_config",\n'
            "]\n"
        ),
        after=(
            '"""Legacy entry points of orchestration."""\n'
            "\n"
            "from config.loader import ExperimentConfig, load_experiment_config\n"
            "from fingerprints.compute import compute_spec_fp\n"
            "from .naming import build_run_name\n"
            "\n"
            "__all__ = [\n"
            '    "ExperimentConfig",\n'
            '    "build_run_name",\n'
            '    "compute_spec_fp",\n'
            '    "load_experiment_config",\n'
            "]\n"
        ),
        moves={
            "orchestration.config_loader": "config.loader",
            "orchestration.fingerprints": "fingerprints.compute",
        },
        module="orchestration",
        is_package=True,
        known_modules=("orchestration.naming",),
    ),
    Example(
        id="test module: import, patch target and importlib string all follow the move",
        before=(
            "import importlib\n"
            "from unittest import mock\n"
            "\n"
            "from orchestration.jobs.selection import best_config\n"
            "\n"
            "\n"
            "def test_best_config_uses_scores():\n"
            '    with mock.patch("orchestration.jobs.selection.score_run") as score:\n'
            "        best_config([])\n"
            '    importlib.reload(importlib.import_module("orchestration.jobs.selection"))\n'
            '    assert score.called, "orchestration.jobs.selection did not score"\n'
        ),
        after=(
            "import importlib\n"
            "from unittest import mock\n"
            "\n"
            "from selection import best_config\n"
            "\n"
            "\n"
            "def test_best_config_uses_scores():\n"
            '    with mock.patch("selection.score_run") as score:\n'
            "        best_config([])\n"
            '    importlib.reload(importlib.import_module("selection"))\n'
            '    assert score.called, "orchestration.jobs.selection did not score"\n'
        ),
        moves={"orchestration.jobs.selection": "selection"},
    ),
    Example(
        id="moved file: relative imports re-spelled from its new place",
        before=(
            "from . import scoring\n"
            "from ..tracking import start_run\n"
            "from ...fingerprints import compute_exec_fp\n"
        ),
        after=(
            "from . import scoring\n"
            "from orchestration.jobs.tracking import start_run\n"
            "from fingerprints.compute import compute_exec_fp\n"
        ),
        moves={
            "orchestration.jobs.selection": "selection",
            "orchestration.jobs.selection.best": "selection.best",
            "orchestration.jobs.selection.scoring": "selection.scoring",
            "orchestration.fingerprints": "fingerprints.compute",
        },
        module="orchestration.jobs.selection.best",
        new_module="selection.best",
        known_modules=("orchestration.jobs.tracking",),
    ),
    Example(
        id="moved root package: import and every use of its name",
        before=(
            "import legacy.io\n"
            "\n"
            "legacy.io.read()\n"
            "legacy.run()\n"
        ),
        after=(
            "import tools.legacy.io\n"
            "\n"
            "tools.legacy.io.read()\n"
            "tools.legacy.run()\n"
        ),
        moves={"legacy": "tools.legacy", "legacy.io": "tools.legacy.io"},
    ),
    Example(
        id="new root name taken by a local in one function: alias there, plain import elsewhere",
        before=(
            "import orchestration.config_loader\n"
            "\n"
            "\n"
            "def load(path):\n"
            "    config = orchestration.config_loader.load_experiment_config(path)\n"
            "    return config\n"
            "\n"
            "\n"
            "def config_dir():\n"
            "    return orchestration.config_loader.CONFIG_DIR\n"
        ),
        after=(
            "import config.loader\n"
            "import config.loader as config_loader\n"
            "\n"
            "\n"
            "def load(path):\n"
            "    config = config_loader.load_experiment_config(path)\n"
            "    return config\n"
            "\n"
            "\n"
            "def config_dir():\n"
            "    return config.loader.CONFIG_DIR\n"
        ),
        moves={"orchestration.config_loader": "config.loader"},
    ),
    Example(
        id="new root name taken at module level while the old root stays in use",
        before=(
            "import orchestration.config_loader\n"
            "\n"
            'config = orchestration.config_loader.load_experiment_config("a.yaml")\n'
            "print(orchestration.__version__)\n"
        ),
        after=(
            "import orchestration\n"
            "import config.loader as config_loader\n"
            "\n"
            'config = config_loader.load_experiment_config("a.yaml")\n'
            "print(orchestration.__version__)\n"
        ),
        moves={"orchestration.config_loader": "config.loader"},
    ),
    Example(
        id="test module: aliased import and __import__ reads follow the move together",
        before=(
            "import orchestration.fingerprints as fp\n"
            "\n"
            "\n"
            "def test_dunder_import_returns_package():\n"
            '    package = __import__("orchestration.fingerprints")\n'
            "    assert package.fingerprints.compute_spec_fp is fp.compute_spec_fp\n"
        ),
        after=(
            "import fingerprints.compute as fp\n"
            "\n"
            "\n"
            "def test_dunder_import_returns_package():\n"
            '    package = __import__("fingerprints.compute")\n'
            "    assert package.compute.compute_spec_fp is fp.compute_spec_fp\n"
        ),
        moves={"orchestration.fingerprints": "fingerprints.compute"},
    ),
)


def rewrite_source(
    source: str,
    ctx: FileContext,
    moves: MoveSet,
    rules: Sequence[type[Rule]] = ALL_RULES,
) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    """Parse `source` once, run `rules` in order, return (code, edits, diagnostics).

    Each rule rewrites the previous rule's tree. Returns `source` itself when nothing
    changed. Edits and diagnostics come sorted by position; their lines refer to
    `source`, even when an earlier rule added or removed lines. Raises
    `libcst.ParserSyntaxError` for unparsable input.
    """
    module = cst.parse_module(source)
    edits: list[Edit] = []
    diagnostics: list[Diagnostic] = []
    line_map = _LineMap()
    code = source
    for rule in rules:
        result = rule().rewrite(module, ctx, moves)
        edits.extend(dataclasses.replace(e, line=line_map.original(e.line)) for e in result.edits)
        diagnostics.extend(
            dataclasses.replace(d, line=line_map.original(d.line)) if d.line is not None else d
            for d in result.diagnostics
        )
        if result.module is not module:
            module = result.module
            new_code = module.code
            line_map = line_map.then(code, new_code)
            code = new_code
    edits.sort(key=lambda e: (e.line, e.col))
    diagnostics.sort(key=lambda d: (d.line or 0, d.col or 0))
    if code == source:
        return source, tuple(edits), tuple(diagnostics)
    return code, tuple(edits), tuple(diagnostics)


class _LineMap:
    """Maps line numbers of the current intermediate code back to the original source.

    Rules report lines of the tree they were given; when an earlier rule inserted or
    removed lines, the numbers are carried back through a line diff of each step.
    """

    def __init__(self, steps: tuple[dict[int, int], ...] = ()):
        self._steps = steps

    def then(self, before: str, after: str) -> _LineMap:
        """This map followed by the change `before` → `after`."""
        old, new = python_lines(before), python_lines(after)
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        back = {j: j - len(new) + len(old) for j in range(len(new) - tail + 1, len(new) + 1)}
        matcher = difflib.SequenceMatcher(None, old[head : len(old) - tail], new[head : len(new) - tail])
        for _, i1, i2, j1, j2 in matcher.get_opcodes():
            for offset in range(j2 - j1):
                back[head + j1 + offset + 1] = head + i1 + min(offset, max(i2 - i1 - 1, 0)) + 1
        return _LineMap((back, *self._steps))

    def original(self, line: int) -> int:
        for step in self._steps:
            line = step.get(line, line)
        return line
