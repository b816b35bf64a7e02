"""Nasty cases of the rewrite rules: comments, scopes, packages, renames, warnings."""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import strategies as st

from migrator.model import Diagnostic, Edit, FileContext, MoveSet, RefKind
from rules import ALL_RULES, PIPELINE_EXAMPLES, rewrite_source
from rules._imports import absolute_module, relative_spelling
from rules.base import Example, Rule
from rules.dotted_use import DottedUseRule
from rules.import_from import ImportFromRule
from rules.import_module import ImportModuleRule
from rules.string_target import StringTargetRule

FINGERPRINTS = {"orchestration.fingerprints": "fingerprints.compute"}
CONFIG_LOADER = {"orchestration.config_loader": "config.loader"}
SPLIT_MOVES = {
    "orchestration.fingerprints": "fingerprints.compute",
    "orchestration.constants": "constants.orchestration",
    "orchestration.jobs.selection": "selection",
}


def rewrite(
    before: str, rules: tuple[type[Rule], ...] = ALL_RULES, **example: Any
) -> tuple[str, tuple[Edit, ...], tuple[Diagnostic, ...]]:
    spec = Example(id="hard case", before=textwrap.dedent(before), after=None, **example)
    return rewrite_source(spec.before, spec.context(), spec.move_set(), rules=rules)


def codes(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics]


# ----------------------------------------------------------------- comments and layout


def test_split_of_a_parenthesized_import_keeps_every_comment_next_to_its_name() -> None:
    code, edits, _ = rewrite(
        """\
        def load():
            # leading comment
            from orchestration import (  # head
                # about fingerprints
                fingerprints,  # fp
                naming,  # stays
                # about constants
                constants,
                # dangling
            )  # trailing
        """,
        (ImportFromRule,),
        moves=SPLIT_MOVES,
    )

    assert code == textwrap.dedent(
        """\
        def load():
            # leading comment
            from fingerprints import (  # head
                # about fingerprints
                compute as fingerprints,  # fp
            )  # trailing
            from orchestration import (
                naming,  # stays
            )
            from constants import (
                # about constants
                orchestration as constants,
                # dangling
            )
        """
    )
    assert [(e.kind, e.line) for e in edits] == [(RefKind.IMPORT_FROM, 3)]


def test_names_leaving_parentheses_as_plain_imports_take_their_comments_along() -> None:
    code, _, _ = rewrite(
        """\
        from orchestration.jobs import (
            # the winner picker
            selection,  # moves to the top
            tracking,
        )
        """,
        (ImportFromRule,),
        moves=SPLIT_MOVES,
    )

    assert code == textwrap.dedent(
        """\
        # the winner picker
        import selection  # moves to the top
        from orchestration.jobs import (
            tracking,
        )
        """
    )


def test_split_of_a_one_line_parenthesized_import_drops_parentheses_around_lone_names() -> None:
    code, _, _ = rewrite(
        "from orchestration import (naming, fingerprints,\n                           constants)\n",
        (ImportFromRule,),
        moves=SPLIT_MOVES,
    )

    assert code == (
        "from orchestration import naming\n"
        "from fingerprints import compute as fingerprints\n"
        "from constants import orchestration as constants\n"
    )


def test_split_of_a_multiline_import_without_trailing_comma_closes_each_group() -> None:
    code, _, _ = rewrite(
        "from orchestration import (\n    fingerprints,\n    naming\n)\n",
        (ImportFromRule,),
        moves=SPLIT_MOVES,
    )

    assert code == (
        "from fingerprints import (\n    compute as fingerprints\n)\n"
        "from orchestration import (\n    naming\n)\n"
    )


def test_split_inside_a_one_line_suite_or_a_semicolon_line_stays_on_that_line() -> None:
    code, _, _ = rewrite(
        """\
        if TYPE_CHECKING: from orchestration import fingerprints, naming
        import os; from orchestration import fingerprints, naming; import sys
        """,
        (ImportFromRule,),
        moves=SPLIT_MOVES,
    )

    assert code == textwrap.dedent(
        """\
        if TYPE_CHECKING: from fingerprints import compute as fingerprints; from orchestration import naming
        import os; from fingerprints import compute as fingerprints; from orchestration import naming; import sys
        """
    )


def test_split_that_would_lose_comments_on_a_shared_line_is_left_with_a_warning() -> None:
    before = "import os; from orchestration.jobs import (\n    selection,  # picks\n    tracking)\n"

    code, edits, diagnostics = rewrite(before, (ImportFromRule,), moves=SPLIT_MOVES)

    assert (code, edits) == (before, ())
    assert codes(diagnostics) == ["MIG907"]
    assert "put it on a line of its own" in diagnostics[0].message


def test_windows_newlines_survive_a_split() -> None:
    before = "from orchestration import fingerprints, naming  # both\r\nx = 1\r\n"

    code, _, _ = rewrite(before, moves=SPLIT_MOVES)

    assert code == (
        "from fingerprints import compute as fingerprints  # both\r\n"
        "from orchestration import naming\r\n"
        "x = 1\r\n"
    )


def test_a_tool_directive_at_the_end_of_a_split_line_governs_every_new_line() -> None:
    code, _, _ = rewrite(
        """\
        sys.path.insert(0, "src")
        from orchestration import load_experiment_config, compute_spec_fp  # noqa: E402
        import orchestration  # noqa: E402

        orchestration.jobs.selection.best()
        """,
        moves={"orchestration.config_loader": "config.loader", "orchestration.jobs.selection": "selection"},
        reexports={"orchestration.load_experiment_config": "config.loader.load_experiment_config"},
    )

    assert code == textwrap.dedent(
        """\
        sys.path.insert(0, "src")
        from config.loader import load_experiment_config  # noqa: E402
        from orchestration import compute_spec_fp  # noqa: E402
        import orchestration  # noqa: E402
        import selection  # noqa: E402

        selection.best()
        """
    )


# ------------------------------------------------------------------ scopes and nesting


def test_dotted_uses_in_nested_functions_and_methods_follow_the_module_level_import() -> None:
    code, _, diagnostics = rewrite(
        """\
        import orchestration.fingerprints


        def outer():
            def inner():
                return orchestration.fingerprints.compute_spec_fp()

            def shadowed(orchestration):
                return orchestration.fingerprints

            return inner, shadowed


        class Holder:
            orchestration = None
            value = orchestration

            def method(self):
                return orchestration.fingerprints.compute_exec_fp()
        """,
        moves=FINGERPRINTS,
    )

    assert code == textwrap.dedent(
        """\
        import fingerprints.compute


        def outer():
            def inner():
                return fingerprints.compute.compute_spec_fp()

            def shadowed(orchestration):
                return orchestration.fingerprints

            return inner, shadowed


        class Holder:
            orchestration = None
            value = orchestration

            def method(self):
                return fingerprints.compute.compute_exec_fp()
        """
    )
    assert diagnostics == ()


def test_lazy_import_in_an_inner_function_rewrites_only_that_scope() -> None:
    code, _, _ = rewrite(
        """\
        def outer(orchestration):
            def inner():
                import orchestration.fingerprints
                return orchestration.fingerprints.compute_spec_fp()
            return orchestration.fingerprints
        """,
        moves=FINGERPRINTS,
    )

    assert code == textwrap.dedent(
        """\
        def outer(orchestration):
            def inner():
                import fingerprints.compute
                return fingerprints.compute.compute_spec_fp()
            return orchestration.fingerprints
        """
    )


def test_type_checking_import_nested_in_an_else_branch() -> None:
    code, edits, _ = rewrite(
        """\
        import typing

        if typing.TYPE_CHECKING:
            pass
        else:
            if TYPE_CHECKING:
                from orchestration.config_loader import ExperimentConfig
                import orchestration.fingerprints as fp
        """,
        moves={**CONFIG_LOADER, **FINGERPRINTS},
    )

    assert code == textwrap.dedent(
        """\
        import typing

        if typing.TYPE_CHECKING:
            pass
        else:
            if TYPE_CHECKING:
                from config.loader import ExperimentConfig
                import fingerprints.compute as fp
        """
    )
    assert [e.line for e in edits] == [7, 8]


def test_new_root_name_taken_by_a_local_variable_leaves_that_use_and_keeps_the_old_import() -> None:
    code, _, diagnostics = rewrite(
        """\
        import orchestration.config_loader


        def load(path):
            config = orchestration.config_loader.load_experiment_config(path)
            return config


        def config_dir():
            return orchestration.config_loader.CONFIG_DIR
        """,
        moves=CONFIG_LOADER,
    )

    assert code == textwrap.dedent(
        """\
        import orchestration.config_loader
        import config.loader


        def load(path):
            config = orchestration.config_loader.load_experiment_config(path)
            return config


        def config_dir():
            return config.loader.CONFIG_DIR
        """
    )
    assert [(d.code, d.line) for d in diagnostics] == [("MIG904", 1), ("MIG902", 5)]
    assert "`config` names something else here (line 5)" in diagnostics[1].message


def test_new_root_name_taken_at_module_level_leaves_the_import_with_a_warning() -> None:
    before = "import orchestration.config_loader\n\nconfig = orchestration.config_loader.load()\n"

    code, edits, diagnostics = rewrite(before, moves=CONFIG_LOADER)

    assert (code, edits) == (before, ())
    assert codes(diagnostics) == ["MIG903", "MIG902"]


def test_import_error_fallback_that_rebinds_the_root_is_ambiguous_and_left() -> None:
    code, _, diagnostics = rewrite(
        """\
        try:
            import orchestration.fingerprints
        except ImportError:
            orchestration = None

        if orchestration is not None:
            orchestration.fingerprints.compute_spec_fp()
        """,
        moves=FINGERPRINTS,
    )

    assert code == textwrap.dedent(
        """\
        try:
            import orchestration.fingerprints
            import fingerprints.compute
        except ImportError:
            orchestration = None

        if orchestration is not None:
            orchestration.fingerprints.compute_spec_fp()
        """
    )
    assert codes(diagnostics) == ["MIG904", "MIG902"]
    assert "also bound by something other than an import (line 4)" in diagnostics[1].message


def test_chain_through_a_moved_submodule_whose_new_root_is_a_from_imported_name_is_left() -> None:
    before = "import orchestration\nfrom tools import selection\n\norchestration.jobs.selection.best()\n"

    code, edits, diagnostics = rewrite(before, moves={"orchestration.jobs.selection": "selection"})

    assert (code, edits) == (before, ())
    assert codes(diagnostics) == ["MIG902"]


def test_two_moved_imports_sharing_a_root_keep_it_bound_once_for_the_rest() -> None:
    code, _, _ = rewrite(
        """\
        import orchestration.fingerprints
        import orchestration.constants

        orchestration.fingerprints.compute_spec_fp()
        orchestration.__version__
        """,
        moves={
            "orchestration.fingerprints": "fingerprints.compute",
            "orchestration.constants": "constants.orchestration",
        },
    )

    assert code == textwrap.dedent(
        """\
        import fingerprints.compute
        import orchestration
        import constants.orchestration

        fingerprints.compute.compute_spec_fp()
        orchestration.__version__
        """
    )


# ------------------------------------------------------------------- packages and files


SELECTION_PACKAGE = {
    "orchestration.jobs.selection": "selection",
    "orchestration.jobs.selection.best": "selection.best",
    "orchestration.jobs.selection.scoring": "selection.scoring",
}


def test_relative_imports_in_the_init_of_a_moved_package() -> None:
    code, edits, _ = rewrite(
        """\
        from . import best
        from .scoring import score_run
        from ..tracking import start_run
        from .. import constants
        """,
        moves=SELECTION_PACKAGE,
        module="orchestration.jobs.selection",
        new_module="selection",
        is_package=True,
        known_modules=("orchestration.jobs.tracking", "orchestration.jobs.constants"),
    )

    assert code == textwrap.dedent(
        """\
        from . import best
        from .scoring import score_run
        from orchestration.jobs.tracking import start_run
        from orchestration.jobs import constants
        """
    )
    assert [(e.kind, e.line) for e in edits] == [(RefKind.RELATIVE, 3), (RefKind.RELATIVE, 4)]


def test_relative_import_in_a_package_init_that_stays_splits_a_submodule_that_left() -> None:
    code, _, _ = rewrite(
        "from . import selection, tracking  # jobs\n",
        moves={"orchestration.jobs.selection": "selection"},
        module="orchestration.jobs",
        is_package=True,
        known_modules=("orchestration.jobs.tracking",),
    )

    assert code == "import selection  # jobs\nfrom . import tracking\n"


def test_file_moving_deeper_in_its_package_recomputes_relative_imports_of_what_stayed() -> None:
    code, _, _ = rewrite(
        "from .naming import build_run_name\nfrom . import paths\n",
        moves={"orchestration.drive_backup": "orchestration.storage.drive"},
        module="orchestration.drive_backup",
        new_module="orchestration.storage.drive",
        known_modules=("orchestration.naming", "orchestration.paths"),
    )

    assert code == "from ..naming import build_run_name\nfrom .. import paths\n"


def test_relative_star_import_from_a_moved_file_of_a_sibling_that_stayed() -> None:
    code, _, _ = rewrite(
        "from .constants import *\n",
        moves={"orchestration.drive_backup": "storage.drive"},
        module="orchestration.drive_backup",
        new_module="storage.drive",
        known_modules=("orchestration.constants",),
    )

    assert code == "from orchestration.constants import *\n"


def test_relative_import_climbing_above_the_top_level_package_is_left_with_a_warning() -> None:
    before = "from ...fingerprints import compute_spec_fp\n"

    code, _, diagnostics = rewrite(before, moves=FINGERPRINTS, module="orchestration.index_manager")

    assert code == before
    assert [(d.code, d.line) for d in diagnostics] == [("MIG901", 1)]


_dotted = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4).map(".".join)


@given(package=_dotted, target=_dotted)
def test_relative_spelling_is_the_shortest_one_that_names_the_target(package: str, target: str) -> None:
    spelling = relative_spelling(package, target)

    if package.split(".")[0] != target.split(".")[0]:
        assert spelling is None
        return
    assert spelling is not None
    level, module = spelling
    assert absolute_module(package, level, module or None) == target
    for fewer_dots in range(1, level):
        base = absolute_module(package, fewer_dots, None) or ""
        assert not (target == base or target.startswith(base + "."))


# ---------------------------------------------------- new names whose last part differs


def test_module_renamed_on_the_way_is_followed_by_every_kind_of_reference() -> None:
    code, edits, diagnostics = rewrite(
        """\
        import orchestration.config_loader
        import orchestration.config_loader as loader
        from orchestration import config_loader
        from orchestration import config_loader as config_loader_module
        from orchestration.config_loader import load_experiment_config
        from unittest import mock

        orchestration.config_loader.load_experiment_config("a.yaml")
        patched = mock.patch("orchestration.config_loader.load_experiment_config")
        entry = "orchestration.config_loader:main"
        """,
        moves=CONFIG_LOADER,
    )

    assert code == textwrap.dedent(
        """\
        import config.loader
        import config.loader as loader
        from config import loader as config_loader
        from config import loader as config_loader_module
        from config.loader import load_experiment_config
        from unittest import mock

        config.loader.load_experiment_config("a.yaml")
        patched = mock.patch("config.loader.load_experiment_config")
        entry = "config.loader:main"
        """
    )
    assert diagnostics == ()
    assert sorted({e.kind for e in edits}) == sorted(
        {RefKind.IMPORT, RefKind.IMPORT_FROM, RefKind.DOTTED_USE, RefKind.STRING}
    )


def test_alias_equal_to_the_new_last_part_is_dropped() -> None:
    code, _, _ = rewrite("from orchestration import fingerprints as compute\n", moves=FINGERPRINTS)

    assert code == "from fingerprints import compute\n"


def test_renamed_symbol_in_an_explicit_reexport_keeps_the_exported_name() -> None:
    code, _, _ = rewrite(
        "from .utils import setup_mlflow_for_stage as setup_mlflow_for_stage\n",
        symbols={"orchestration.utils.setup_mlflow_for_stage": "orchestration.tracking.setup_stage"},
        module="orchestration",
        is_package=True,
        known_modules=("orchestration.utils",),
    )

    assert code == "from .tracking import setup_stage as setup_mlflow_for_stage\n"


def test_the_same_module_imported_twice_under_two_names_becomes_two_imports() -> None:
    code, _, _ = rewrite(
        "from orchestration.jobs import selection, selection as sel\n",
        moves={"orchestration.jobs.selection": "selection"},
    )

    assert code == "import selection\nimport selection as sel\n"


# --------------------------------------------------------------------------- strings


def test_one_word_string_equal_to_a_moved_top_level_module_is_left_with_a_warning() -> None:
    before = 'importlib.import_module("legacy")\n'

    code, _, diagnostics = rewrite(before, (StringTargetRule,), moves={"legacy": "tools.legacy"})

    assert code == before
    assert codes(diagnostics) == ["MIG905"]
    assert "'tools.legacy'" in diagnostics[0].message


def test_entry_point_whose_attribute_part_is_a_moved_module_is_left_with_a_warning() -> None:
    before = 'ENTRY = "orchestration:fingerprints"\n'

    code, _, diagnostics = rewrite(before, (StringTargetRule,), moves=FINGERPRINTS)

    assert code == before
    assert codes(diagnostics) == ["MIG906"]


def test_import_dunder_whose_top_level_package_result_is_used_is_left_with_a_warning() -> None:
    before = 'package = __import__("orchestration.fingerprints")\nassert package.fingerprints.compute_spec_fp\n'

    code, _, diagnostics = rewrite(before, (StringTargetRule,), moves=FINGERPRINTS)

    assert code == before
    assert codes(diagnostics) == ["MIG908"]
    assert "importlib.import_module('fingerprints.compute')" in diagnostics[0].message


# ------------------------------------------------------------------ pipeline contracts


def test_lines_refer_to_the_original_source_after_earlier_rules_inserted_lines() -> None:
    _, edits, _ = rewrite(
        """\
        import orchestration
        import orchestration.fingerprints as fp
        from orchestration import (
            config_loader,
            fingerprints,
        )
        orchestration.jobs.selection.best()
        mock.patch("orchestration.fingerprints.f")
        """,
        moves={**FINGERPRINTS, **CONFIG_LOADER, "orchestration.jobs.selection": "selection"},
    )

    assert [(e.kind, e.line, e.col) for e in edits] == [
        (RefKind.IMPORT, 1, 1),
        (RefKind.IMPORT, 2, 1),
        (RefKind.IMPORT_FROM, 3, 1),
        (RefKind.DOTTED_USE, 7, 1),
        (RefKind.STRING, 8, 12),
    ]


@pytest.mark.parametrize("example", PIPELINE_EXAMPLES, ids=lambda e: e.id)
def test_rewriting_the_result_again_changes_nothing(example: Example) -> None:
    code, _, _ = rewrite_source(example.before, example.context(), example.move_set())
    again, edits, _ = rewrite_source(code, example.context(), example.move_set())

    assert (again, edits) == (code, ())


@pytest.mark.parametrize("rule", [DottedUseRule, ImportModuleRule, ImportFromRule, StringTargetRule])
def test_a_rule_that_changes_nothing_returns_the_very_module_it_was_given(rule: type[Rule]) -> None:
    module = cst.parse_module(
        "import orchestration.naming\nfrom orchestration import naming\nx = 'orchestration.naming'\n"
    )
    moves = MoveSet(modules=FINGERPRINTS)

    assert rule().rewrite(module, FileContext("a.py", "a", "a"), moves).module is module
