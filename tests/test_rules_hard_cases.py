"""Nasty cases of the rewrite rules: comments, scopes, packages, renames, warnings."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import strategies as st

from migrator.model.plan import Diagnostic, Edit, FileContext, MoveSet, RefKind
from rules import ALL_RULES, PIPELINE_EXAMPLES, rewrite_source
from migrator.model.names import absolute_module
from rules._imports import relative_spelling
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
    result = rewrite_source(spec.before, spec.context(), spec.move_set(), rules=rules)
    if rules == ALL_RULES:
        # What `plan` does (triage, only the rules that can find work, from-imports on
        # their own) must come out exactly as every rule over the whole file.
        from migrator.engine.rewrite import rewrite_file

        data, edits, diagnostics = rewrite_file(spec.context().path, spec.before.encode("utf-8"), spec.context(), spec.move_set())
        assert (data.decode("utf-8"), edits, diagnostics) == result
    return result


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


def test_statements_cut_out_of_a_function_body_are_lazy_imports() -> None:
    # The statement fast path rewrites a function's from-import as a small module of its
    # own and says so (`FileContext.in_function`): re-exports are not followed there.
    source = "from orchestration import compute_spec_fp, naming\n"
    spec = Example(
        id="function body",
        before=source,
        after=None,
        moves=FINGERPRINTS,
        reexports={"orchestration.compute_spec_fp": "fingerprints.compute.compute_spec_fp"},
        known_modules=("orchestration.naming",),
    )
    eager = rewrite_source(source, spec.context(), spec.move_set(), rules=(ImportFromRule,))
    lazy = rewrite_source(source, dataclasses.replace(spec.context(), in_function=True), spec.move_set(), rules=(ImportFromRule,))

    assert eager[0] == "from fingerprints.compute import compute_spec_fp\nfrom orchestration import naming\n"
    assert lazy == (source, (), ())


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


def test_new_root_name_taken_by_a_local_variable_reads_an_alias_there_and_warns_nothing() -> None:
    code, edits, diagnostics = rewrite(
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
        import config.loader
        import config.loader as config_loader


        def load(path):
            config = config_loader.load_experiment_config(path)
            return config


        def config_dir():
            return config.loader.CONFIG_DIR
        """
    )
    assert diagnostics == ()
    assert [(e.kind, e.line, e.new) for e in edits] == [
        (RefKind.IMPORT, 1, "import config.loader as config_loader"),
        (RefKind.IMPORT, 1, "import config.loader"),
        (RefKind.DOTTED_USE, 5, "config_loader"),
        (RefKind.DOTTED_USE, 10, "config.loader"),
    ]


def test_new_root_name_taken_at_module_level_turns_the_import_into_the_alias() -> None:
    before = "import orchestration.config_loader\n\nconfig = orchestration.config_loader.load()\n"

    code, edits, diagnostics = rewrite(before, moves=CONFIG_LOADER)

    assert code == "import config.loader as config_loader\n\nconfig = config_loader.load()\n"
    assert diagnostics == ()
    assert [(e.kind, e.old, e.new) for e in edits] == [
        (RefKind.IMPORT, "import orchestration.config_loader", "import config.loader as config_loader"),
        (RefKind.DOTTED_USE, "orchestration.config_loader", "config_loader"),
    ]


def test_lazy_import_whose_new_root_is_a_local_of_its_function_becomes_the_alias_there() -> None:
    code, _, diagnostics = rewrite(
        """\
        def load(path):
            import orchestration.config_loader  # lazy: heavy

            config = orchestration.config_loader.load_experiment_config(path)
            return config


        def load_twice(path):
            import orchestration.config_loader
            import orchestration.fingerprints

            config = orchestration.config_loader.load_experiment_config(path)
            fingerprints = orchestration.fingerprints.compute_spec_fp(config)
            return config, fingerprints
        """,
        moves={**CONFIG_LOADER, **FINGERPRINTS},
    )

    assert code == textwrap.dedent(
        """\
        def load(path):
            import config.loader as config_loader  # lazy: heavy

            config = config_loader.load_experiment_config(path)
            return config


        def load_twice(path):
            import config.loader as config_loader
            import fingerprints.compute as fingerprints_compute

            config = config_loader.load_experiment_config(path)
            fingerprints = fingerprints_compute.compute_spec_fp(config)
            return config, fingerprints
        """
    )
    assert diagnostics == ()


def test_a_clash_next_to_an_ambiguous_root_keeps_the_old_import_and_adds_the_alias() -> None:
    code, _, diagnostics = rewrite(
        """\
        try:
            import orchestration.config_loader
        except ImportError:
            orchestration = None

        config = {}
        if orchestration is not None:
            config = orchestration.config_loader.load_experiment_config("a.yaml")
        """,
        moves=CONFIG_LOADER,
    )

    assert code == textwrap.dedent(
        """\
        try:
            import orchestration.config_loader
            import config.loader as config_loader
        except ImportError:
            orchestration = None

        config = {}
        if orchestration is not None:
            config = orchestration.config_loader.load_experiment_config("a.yaml")
        """
    )
    assert codes(diagnostics) == ["MIG904", "MIG902"]
    assert "added `import config.loader as config_loader`" in diagnostics[0].message


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


def test_chain_whose_root_is_bound_by_two_imports_of_which_none_loads_the_module_is_left() -> None:
    before = textwrap.dedent(
        """\
        import orchestration.naming
        import orchestration.paths
        from tools import selection

        orchestration.jobs.selection.best()
        """
    )

    code, edits, diagnostics = rewrite(before, moves={"orchestration.jobs.selection": "selection"})

    assert (code, edits) == (before, ())
    assert codes(diagnostics) == ["MIG902"]
    assert "add `import selection as ...`" in diagnostics[0].message


def test_chain_whose_root_several_imports_bind_is_left_when_only_a_function_loads_the_module() -> None:
    before = textwrap.dedent(
        """\
        import pkg.utils
        import pkg._impl

        try:
            from pkg._compat import WIN
        except ImportError:
            WIN = False


        def test_tty(monkeypatch):
            from pkg._compat import isatty
            monkeypatch.setattr(pkg._compat, "isatty", lambda stream: True)
        """
    )

    code, _, diagnostics = rewrite(before, moves={"pkg._compat": "pkg.sub._compat"}, known_modules=("pkg.utils", "pkg._impl"))

    assert "monkeypatch.setattr(pkg._compat, " in code
    assert codes(diagnostics) == ["MIG902"]
    assert "add `import pkg.sub._compat`" in diagnostics[0].message


def test_chain_whose_root_several_imports_bind_follows_a_module_level_import_of_a_submodule_below() -> None:
    code, edits, diagnostics = rewrite(
        """\
        import pkg.utils
        import pkg._impl
        from pkg._compat.win import console

        print(pkg._compat.isatty)
        """,
        moves={"pkg._compat": "pkg.sub._compat"},
        known_modules=("pkg.utils", "pkg._impl", "pkg._compat.win"),
    )

    assert code.splitlines()[2:] == ["from pkg.sub._compat.win import console", "", "print(pkg.sub._compat.isatty)"]
    assert diagnostics == ()


def test_chain_whose_root_several_imports_bind_and_whose_new_root_is_taken_reads_an_alias_imported_after_the_loader() -> None:
    code, _, diagnostics = rewrite(
        """\
        import pkg.utils
        import pkg._impl
        from pkg._compat import WIN

        compat = None


        def test_tty(monkeypatch):
            monkeypatch.setattr(pkg._compat, "isatty", lambda stream: True)
        """,
        moves={"pkg._compat": "compat"},
        known_modules=("pkg.utils", "pkg._impl"),
    )

    assert code.splitlines()[2:4] == ["from compat import WIN", "import compat as compat_module"]
    assert 'monkeypatch.setattr(compat_module, "isatty"' in code
    assert diagnostics == ()


def test_one_alias_per_module_and_file_shared_by_every_clashing_scope() -> None:
    code, _, _ = rewrite(
        """\
        import orchestration.config_loader


        def first(config):
            return orchestration.config_loader.load_experiment_config(config)


        def second():
            config = orchestration.config_loader.CONFIG_DIR
            return config
        """,
        moves=CONFIG_LOADER,
    )

    assert code == textwrap.dedent(
        """\
        import config.loader as config_loader


        def first(config):
            return config_loader.load_experiment_config(config)


        def second():
            config = config_loader.CONFIG_DIR
            return config
        """
    )


def test_an_import_read_from_a_string_annotation_is_not_turned_into_the_alias() -> None:
    code, _, _ = rewrite(
        """\
        import orchestration.config_loader


        def load(path) -> "orchestration.config_loader.ExperimentConfig":
            config = orchestration.config_loader.load_experiment_config(path)
            return config
        """,
        moves=CONFIG_LOADER,
    )

    assert code == textwrap.dedent(
        """\
        import config.loader
        import config.loader as config_loader


        def load(path) -> "config.loader.ExperimentConfig":
            config = config_loader.load_experiment_config(path)
            return config
        """
    )


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
    assert absolute_module(module or None, level=level, package=package) == target
    for fewer_dots in range(1, level):
        base = absolute_module(None, level=fewer_dots, package=package) or ""
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


def test_keys_that_only_start_with_a_moved_module_path_are_left_with_a_warning() -> None:
    before = textwrap.dedent(
        """\
        import os
        from contextvars import ContextVar

        PRESERVE = os.environ.get("mypkg.debug.preserve_context")
        stream = ContextVar("mypkg.debug.console.stream")
        ENTRY = "mypkg.debug.console:missing"
        """
    )
    moves = {"mypkg.debug": "mypkg.tools", "mypkg.debug.console": "mypkg.tools.console"}
    attributes = {"mypkg.debug": ("console",), "mypkg.debug.console": ("write",)}

    code, edits, diagnostics = rewrite(before, moves=moves, attributes=attributes)

    assert (code, edits) == (before, ())
    assert [(d.code, d.path, d.line) for d in diagnostics] == [("MIG909", "example.py", n) for n in (4, 5, 6)]
    assert "`mypkg.debug.console`, which has no `stream`" in diagnostics[1].message
    assert "'mypkg.tools.console.stream'" in diagnostics[1].message


def test_keys_below_a_module_whose_names_cannot_be_known_are_rewritten_as_before() -> None:
    code, _, diagnostics = rewrite(
        'key = "mypkg.debug.preserve_context"\n', moves={"mypkg.debug": "mypkg.tools"}
    )

    assert code == 'key = "mypkg.tools.preserve_context"\n'
    assert diagnostics == ()


def test_entry_point_whose_attribute_part_is_a_moved_module_is_left_with_a_warning() -> None:
    before = 'ENTRY = "orchestration:fingerprints"\n'

    code, _, diagnostics = rewrite(before, (StringTargetRule,), moves=FINGERPRINTS)

    assert code == before
    assert codes(diagnostics) == ["MIG906"]


@pytest.mark.parametrize(
    "before",
    [
        pytest.param('package = __import__("orchestration.fingerprints")\nprint(package)\n', id="bare result"),
        pytest.param(
            'package = __import__("orchestration.fingerprints")\nprint(package.__name__)\n',
            id="attribute of the old top-level package",
        ),
        pytest.param(
            'package = __import__("orchestration.fingerprints")\npackage.naming.build_run_name()\n',
            id="read of a module the call did not load",
        ),
        pytest.param(
            'package = __import__("orchestration.fingerprints")\npackage = package.fingerprints\n',
            id="name assigned twice",
        ),
        pytest.param(
            'def f():\n    package = __import__("orchestration.fingerprints")\n'
            '    spec: "package.fingerprints.Spec" = package.fingerprints.load()\n',
            id="read from a string annotation",
        ),
        pytest.param('print(__import__("orchestration.fingerprints"))\n', id="result passed on"),
        pytest.param(
            'a, b = __import__("orchestration.fingerprints"), None\nassert a.fingerprints.compute_spec_fp\n',
            id="result unpacked",
        ),
    ],
)
def test_import_dunder_whose_top_level_result_cannot_be_followed_is_left_with_a_warning(before: str) -> None:
    code, edits, diagnostics = rewrite(before, moves=FINGERPRINTS)

    assert (code, edits) == (before, ())
    assert codes(diagnostics) == ["MIG908"]
    assert "importlib.import_module('fingerprints.compute')" in diagnostics[0].message


def test_import_dunder_reads_are_re_spelled_in_nested_scopes_and_reported_as_dotted_uses() -> None:
    code, edits, diagnostics = rewrite(
        """\
        def outer():
            package = __import__("orchestration.jobs.selection")

            def inner(runs):
                return package.jobs.selection.best(runs), package.jobs.selection.scoring.score

            return inner
        """,
        moves=SELECTION_PACKAGE,
    )

    assert code == textwrap.dedent(
        """\
        def outer():
            package = __import__("selection")

            def inner(runs):
                return package.best(runs), package.scoring.score

            return inner
        """
    )
    assert diagnostics == ()
    assert [(e.kind, e.line, e.old, e.new) for e in edits] == [
        (RefKind.STRING, 2, '"orchestration.jobs.selection"', '"selection"'),
        (RefKind.DOTTED_USE, 5, "package.jobs.selection", "package"),
        (RefKind.DOTTED_USE, 5, "package.jobs.selection", "package"),
    ]


def test_import_dunder_whose_module_stays_in_its_top_level_package_keeps_the_unmoved_reads() -> None:
    code, _, diagnostics = rewrite(
        'pkg = __import__("orchestration.jobs.selection")\npkg.jobs.selection.best()\npkg.__version__\n',
        moves={"orchestration.jobs.selection": "orchestration.selection"},
    )

    assert code == 'pkg = __import__("orchestration.selection")\npkg.selection.best()\npkg.__version__\n'
    assert diagnostics == ()


# ------------------------------------------------------- run before and after the move

#: The modules of `orchestration` that the runs below move, as files of the old layout
#: and of the new one (`orchestration` itself stays, without them: no facades).
RUN_MOVES = {
    "orchestration.config_loader": "config.loader",
    "orchestration.metadata_manager": "metadata.training",
    "orchestration.fingerprints": "fingerprints.compute",
}
RUN_MODULES = {
    "orchestration.config_loader": "CONFIG_DIR = 'conf'\ndef load_experiment_config(path):\n    return ('cfg', path)\n",
    "orchestration.metadata_manager": (
        "class MetadataManager:\n    def __init__(self, root):\n        self.root = root\n"
    ),
    "orchestration.fingerprints": "def compute_spec_fp(spec):\n    return 'fp%d' % len(spec)\n",
    "orchestration.naming": "NAME = 'n'\n",
    "orchestration.paths": "PATH = 'p'\n",
}


def _write_layout(root: Path, modules: dict[str, str]) -> None:
    for name, text in {"orchestration": "__version__ = '1.0'\n", **modules}.items():
        *packages, last = name.split(".")
        for depth in range(1, len(packages) + 1):
            init = root.joinpath(*packages[:depth], "__init__.py")
            init.parent.mkdir(parents=True, exist_ok=True)
            if not init.exists():
                init.write_text("", encoding="utf-8")
        path = root.joinpath(*packages, f"{last}.py") if packages else root / last / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _run(code: str, layout: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(layout)!r})\n{code}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "before",
    [
        pytest.param(
            """\
            import orchestration.metadata_manager
            import orchestration.config_loader


            def records(root):
                metadata = orchestration.metadata_manager.MetadataManager(root)
                return metadata.root


            def load(path):
                config = orchestration.config_loader.load_experiment_config(path)
                return config


            print(records("meta"), load("a.yaml"), orchestration.config_loader.CONFIG_DIR)
            """,
            id="new root names taken by locals",
        ),
        pytest.param(
            """\
            import orchestration.config_loader, orchestration.fingerprints

            config = orchestration.config_loader.load_experiment_config("a.yaml")
            fingerprints = orchestration.fingerprints.compute_spec_fp(config)
            print(config, fingerprints, orchestration.__version__)
            """,
            id="new root names taken at module level, old root still used",
        ),
        pytest.param(
            """\
            import orchestration.fingerprints as fp


            def dunder_import():
                package = __import__("orchestration.fingerprints")
                direct = __import__("orchestration.fingerprints").fingerprints
                assert package.fingerprints.compute_spec_fp is fp.compute_spec_fp
                return package.fingerprints.compute_spec_fp("ab"), direct is fp


            print(dunder_import())
            """,
            id="__import__ results",
        ),
        pytest.param(
            """\
            import orchestration.naming
            import orchestration.paths
            from orchestration.fingerprints import compute_spec_fp


            def patched():
                original = orchestration.fingerprints.compute_spec_fp
                orchestration.fingerprints.compute_spec_fp = lambda spec: "patched"
                try:
                    return compute_spec_fp("ab"), orchestration.fingerprints.compute_spec_fp("ab")
                finally:
                    orchestration.fingerprints.compute_spec_fp = original


            print(patched(), orchestration.naming.NAME, orchestration.paths.PATH)
            """,
            id="root bound by several imports, module loaded by a from-import",
        ),
    ],
)
def test_rewritten_code_runs_on_the_new_layout_as_the_original_on_the_old_one(tmp_path: Path, before: str) -> None:
    before = textwrap.dedent(before)
    after, _, diagnostics = rewrite(before, moves=RUN_MOVES)
    old, new = tmp_path / "old", tmp_path / "new"
    _write_layout(old, RUN_MODULES)
    _write_layout(new, {RUN_MOVES.get(name, name): text for name, text in RUN_MODULES.items()})

    assert diagnostics == ()
    assert not any(name in after for name in RUN_MOVES)
    assert _run(after, new) == _run(before, old)


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
