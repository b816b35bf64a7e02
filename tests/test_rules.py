"""Every rule's own examples, run as specifications.

Each rule carries `EXAMPLES` (rewrites that must happen) and `UNCHANGED` (near-misses
that must stay byte-identical). Every example runs through `rewrite_source` with that
rule alone, and again through the whole pipeline; `PIPELINE_EXAMPLES` show what a file
looks like once every rule ran.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import libcst as cst
import pytest

import rules
from migrator.model.plan import FileContext, MoveSet
from migrator.model.triggers import Trigger
from rules import ALL_RULES, PIPELINE_EXAMPLES, rewrite_source
from rules.base import Example, Rule

RULES_DIR = Path(rules.__file__).parent
NOT_RULES = {"__init__", "base", "_imports", "_chains"}


def _id(rule: type[Rule], example: Example) -> str:
    return f"{rule.name}: {example.id}"


def _params(kind: str) -> list:
    return [
        pytest.param(rule, example, id=_id(rule, example))
        for rule in ALL_RULES
        for example in getattr(rule, kind)
    ]


def _run(example: Example, rule_set=ALL_RULES):
    return rewrite_source(example.before, example.context(), example.move_set(), rules=rule_set)


# Examples of one rule that the full pipeline legitimately takes further, and why.
# Every other example must come out of the pipeline exactly as it comes out of its rule.
PIPELINE_DOES_MORE = {
    "dotted_use: use after import a.b is spelled at the new path (the import is import_module's job)":
        "import_module rewrites `import orchestration.fingerprints` too",
    "dotted_use: moved root package used bare and through attributes":
        "import_module rewrites `import legacy` too",
    "dotted_use: aliased import needs no dotted rewrite (the alias follows the module)":
        "import_module rewrites the aliased import",
    "dotted_use: from-imported moved module needs no dotted rewrite":
        "import_from rewrites the from-import",
    "dotted_use: parameter shadowing the old root name is not a use of the import":
        "import_module rewrites the module-level import",
    "dotted_use: local variable shadowing the old root name is not a use of the import":
        "import_module rewrites the module-level import",
    "dotted_use: new root name taken in one function only: that use reads an alias imported next to the import":
        "import_module rewrites `import orchestration.config_loader` for the use that does not clash",
    "dotted_use: root bound by several imports, the new module from-imported at module level: re-spelled in place":
        "import_from rewrites the from-import",
    "dotted_use: root bound by several imports, the new root unbound: imported after the from-import that loads it":
        "import_from rewrites the from-import",
}


@pytest.mark.parametrize("rule, example", _params("EXAMPLES"))
def test_rule_rewrites_its_example(rule: type[Rule], example: Example) -> None:
    code, edits, diagnostics = _run(example, (rule,))

    assert code == example.after
    assert edits, "every rewrite reports what it changed"
    assert diagnostics == ()


@pytest.mark.parametrize("rule, example", _params("UNCHANGED"))
def test_rule_leaves_its_near_miss_byte_identical(rule: type[Rule], example: Example) -> None:
    code, edits, diagnostics = _run(example, (rule,))

    assert code == example.before
    assert edits == ()
    assert diagnostics == ()


@pytest.mark.parametrize(
    "rule, example",
    [p for p in _params("EXAMPLES") + _params("UNCHANGED") if p.id not in PIPELINE_DOES_MORE],
)
def test_rule_example_holds_through_the_full_pipeline(rule: type[Rule], example: Example) -> None:
    code, _, diagnostics = _run(example)

    assert code == (example.before if example.after is None else example.after)
    assert diagnostics == ()


@pytest.mark.parametrize("example_id", sorted(PIPELINE_DOES_MORE))
def test_pipeline_exceptions_name_real_examples_where_the_pipeline_does_more(example_id: str) -> None:
    by_id = {p.id: p.values for p in _params("EXAMPLES") + _params("UNCHANGED")}
    assert example_id in by_id
    rule, example = by_id[example_id]

    alone, _, _ = _run(example, (rule,))
    together, _, _ = _run(example)

    assert together != alone


@pytest.mark.parametrize("example", PIPELINE_EXAMPLES, ids=lambda e: e.id)
def test_pipeline_example(example: Example) -> None:
    code, edits, diagnostics = _run(example)

    assert code == example.after
    assert edits
    assert diagnostics == ()


def test_every_rule_module_is_registered_in_order_of_the_registry() -> None:
    modules = {p.stem for p in RULES_DIR.glob("*.py")} - NOT_RULES

    assert {rule.name for rule in ALL_RULES} == modules
    assert len(ALL_RULES) == len(modules)


@pytest.mark.parametrize("triggers", [None, frozenset(), {Trigger.STRING}, frozenset({"string"})], ids=repr)
def test_a_rule_without_triggers_cannot_be_defined(triggers) -> None:
    body = {"name": "nameless", "description": "no triggers"}
    if triggers is not None:
        body["TRIGGERS"] = triggers

    with pytest.raises(TypeError, match="TRIGGERS"):
        type("NoTriggers", (Rule,), body)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_every_registered_rule_declares_what_gives_it_work(rule: type[Rule]) -> None:
    assert rule.TRIGGERS and all(isinstance(t, Trigger) for t in rule.TRIGGERS)


# What a rule module may import: the model, libcst, the stdlib and the shared rule helpers
# (never another rule, so that rules stay independent of each other).
RULE_IMPORTS = re.compile(r"(migrator\.model(\..*)?|libcst(\..*)?|rules\.(base|_imports|_chains)|__future__)")


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.stem)
def test_rule_modules_import_only_the_model_libcst_and_shared_helpers(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    if path.stem == "__init__":  # the registry imports every rule
        imported = {name for name in imported if not name.startswith("rules.")}
    outside = {name for name in imported if not RULE_IMPORTS.fullmatch(name) and name.split(".")[0] not in sys.stdlib_module_names}

    assert outside == set()


def test_dotted_use_runs_before_import_module_because_it_reads_the_old_imports() -> None:
    names = [rule.name for rule in ALL_RULES]

    assert names.index("dotted_use") < names.index("import_module")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_rule_is_documented_where_it_lives(rule: type[Rule]) -> None:
    assert rule.__module__ == f"rules.{rule.name}"
    assert rule.description and "\n" not in rule.description
    for heading in ("What", "Why", "Example", "Safety"):
        assert f"\n    {heading}" in (rule.__doc__ or ""), heading
    assert rule.EXAMPLES and rule.UNCHANGED


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_example_ids_are_unique_within_a_rule(rule: type[Rule]) -> None:
    ids = [e.id for e in rule.EXAMPLES + rule.UNCHANGED]

    assert len(ids) == len(set(ids))


def test_source_without_anything_to_rewrite_comes_back_as_the_same_string() -> None:
    source = "import os\nfrom orchestration import naming  # untouched\n"
    moves = MoveSet(modules={"orchestration.fingerprints": "fingerprints.compute"})

    code, edits, diagnostics = rewrite_source(source, FileContext("a.py", "a", "a"), moves)

    assert code is source
    assert (edits, diagnostics) == ((), ())


def test_unparsable_source_raises_libcst_syntax_error_unchanged() -> None:
    moves = MoveSet(modules={"orchestration.fingerprints": "fingerprints.compute"})

    with pytest.raises(cst.ParserSyntaxError):
        rewrite_source("import orchestration.fingerprints\ndef broken(:\n", FileContext("a.py"), moves)


def test_empty_move_set_changes_nothing_but_still_parses() -> None:
    source = "import orchestration.fingerprints\n"

    assert rewrite_source(source, FileContext("a.py"), MoveSet()) == (source, (), ())
    with pytest.raises(cst.ParserSyntaxError):
        rewrite_source("def broken(:\n", FileContext("a.py"), MoveSet())


# Nodes the rules look up by identity in metadata. (libcst itself shares default
# whitespace, `Dot` and `Comma` objects between nodes built by constructors.)
KEYED_NODES = (cst.Name, cst.Attribute, cst.SimpleString, cst.BaseSmallStatement, cst.BaseStatement)


def _shared_nodes(module: cst.CSTNode) -> list[cst.CSTNode]:
    seen: set[int] = set()
    shared: list[cst.CSTNode] = []

    def walk(node: cst.CSTNode) -> None:
        if id(node) in seen and isinstance(node, KEYED_NODES):
            shared.append(node)
        seen.add(id(node))
        for child in node.children:
            walk(child)

    walk(module)
    return shared


@pytest.mark.parametrize(
    "example", [p.values[1] for p in _params("EXAMPLES")] + list(PIPELINE_EXAMPLES), ids=lambda e: e.id
)
def test_rules_never_put_one_node_object_twice_into_a_tree(example: Example) -> None:
    # The rules wrap trees for metadata without a defensive copy (`rules._imports.wrap`),
    # which is only correct while no node object occurs twice.
    module = cst.parse_module(example.before)
    for rule in ALL_RULES:
        module = rule().rewrite(module, example.context(), example.move_set()).module
        assert _shared_nodes(module) == [], rule.name


def test_every_warning_code_a_rule_emits_is_documented_in_the_registry() -> None:
    documented = set(re.findall(r"MIG9\d\d", rules.__doc__ or ""))
    for path in RULES_DIR.glob("*.py"):
        if path.stem != "__init__":
            used = set(re.findall(r'"(MIG9\d\d)"', path.read_text(encoding="utf-8")))
            assert used <= documented, (path.name, used - documented)
