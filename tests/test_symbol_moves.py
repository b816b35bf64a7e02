"""Symbol moves (`module:Name` → `dest.module`): what travels, what is rewritten, what is refused."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.engine import symbols
from tests.helpers import copy_fixture, run_cli, tree_digest, write_project

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
phases:
  - phase: 1
    title: Move symbols
    moves:
{moves}
"""


def project(tmp_path: Path, files: dict[str, str], moves: list[str]) -> Path:
    return write_project(
        tmp_path,
        {rel: textwrap.dedent(text) for rel, text in files.items()},
        MAPPING.format(moves="".join(f"      - {m}\n" for m in moves)),
    )


def read(tmp_path: Path, rel: str) -> str:
    return (tmp_path / "proj" / rel).read_text(encoding="utf-8")


def run_python(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=tmp_path / "proj" / "src", capture_output=True, text=True)


SOURCE = '''\
    """Utilities that grew in the wrong place."""

    from __future__ import annotations

    import functools
    import os
    import json
    from typing import Optional

    from .base import Base, unrelated

    RETRIES = 3


    def _unused():
        return json.dumps({})


    # The cache decorator keeps repeated lookups cheap.
    # (two comment lines travel with the definition)
    @functools.lru_cache(maxsize=None)
    def lookup(key: str, default: Optional[str] = None) -> "os.PathLike[str]":
        """Find a key."""
        RETRIES = 1  # a local that shadows the module constant: not a dependency
        values = [Base(k) for k in key]  # inline comments stay
        return values or default


    def stays():
        return lookup("x")
'''


def test_a_moved_function_keeps_decorators_and_comments_and_takes_only_the_imports_it_uses(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/base.py": "class Base:\n    def __init__(self, k):\n        self.k = k\n\n\ndef unrelated():\n    pass\n",
        "src/pkg/utils.py": SOURCE,
    }, ['{from: "pkg.utils:lookup", to: pkg.lookups}'])
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    moved = read(tmp_path, "src/pkg/lookups.py")
    assert moved == textwrap.dedent('''\
        """Moved here by migrator (phase 1: Move symbols)."""

        from __future__ import annotations

        import functools
        import os
        from typing import Optional
        from pkg.base import Base


        # The cache decorator keeps repeated lookups cheap.
        # (two comment lines travel with the definition)
        @functools.lru_cache(maxsize=None)
        def lookup(key: str, default: Optional[str] = None) -> "os.PathLike[str]":
            """Find a key."""
            RETRIES = 1  # a local that shadows the module constant: not a dependency
            values = [Base(k) for k in key]  # inline comments stay
            return values or default
        ''')
    old = read(tmp_path, "src/pkg/utils.py")
    assert "from pkg.lookups import lookup\n" in old
    assert "def lookup" not in old and "# The cache decorator" not in old
    check = run_python(tmp_path, "import pkg.utils, pkg.lookups; assert pkg.utils.lookup is pkg.lookups.lookup; print(pkg.utils.stays())")
    assert check.returncode == 0, check.stderr


def test_every_kind_of_reference_follows_the_symbol(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/utils.py": "def helper():\n    return 1\n",
        "src/pkg/new.py": '"""The new home."""\n',
        "src/app.py": textwrap.dedent("""\
            from pkg.utils import helper
            import pkg.utils
            from pkg import utils as u


            def run():
                return helper() + pkg.utils.helper()
            """),
        "tests/test_app.py": textwrap.dedent("""\
            from unittest import mock

            import app


            @mock.patch("pkg.utils.helper", return_value=5)
            def test_patched(helper):
                assert app.run() == 6
            """),
    }, ['{from: "pkg.utils:helper", to: pkg.new}'])
    result = run_cli("plan", "--mapping", str(mapping), "--format", "json")
    assert result.exit_code == 0, result.output
    app = next(f for f in json.loads(result.stdout)["phases"][0]["files"] if f["path"] == "src/app.py")
    assert {(e["kind"], e["new"]) for e in app["edits"]} >= {
        ("import-from", "from pkg.new import helper"),
        ("dotted-use", "pkg.new.helper"),
    }
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    assert "from pkg.new import helper" in read(tmp_path, "src/app.py")
    assert "pkg.new.helper()" in read(tmp_path, "src/app.py")
    assert '@mock.patch("pkg.new.helper", return_value=5)' in read(tmp_path, "tests/test_app.py")
    assert read(tmp_path, "src/pkg/new.py") == '"""The new home."""\n\n\ndef helper():\n    return 1\n'


def test_a_helper_the_mapping_does_not_move_travels_with_the_definition_and_stays_importable(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/utils.py": textwrap.dedent("""\
            SCALE = 10


            def _scale(x):
                return x * SCALE


            def area(w, h):
                return _scale(w) * h


            def other():
                return _scale(1)
            """),
    }, ['{from: "pkg.utils:area", to: pkg.geometry}'])
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert "MIG913 pkg.utils:_scale travels with area to pkg.geometry" in result.stderr
    assert "MIG913 pkg.utils:SCALE travels with _scale to pkg.geometry" in result.stderr
    geometry = read(tmp_path, "src/pkg/geometry.py")
    assert geometry.index("SCALE = 10") < geometry.index("def _scale") < geometry.index("def area")
    utils = read(tmp_path, "src/pkg/utils.py")
    # the back-imports of the carried helpers join the moved name's, in the import block;
    # names kept only for `pkg.utils.area` to work are marked as re-exports for the linter
    assert utils == "from pkg.geometry import SCALE, _scale, area  # noqa: F401\n\n\ndef other():\n    return _scale(1)\n"
    check = run_python(tmp_path, "import pkg.utils as u, pkg.geometry as g; assert u._scale is g._scale; print(u.other(), g.area(2, 3))")
    assert check.stdout.split() == ["10", "60"], check.stderr


def test_module_state_rebound_through_global_cannot_travel(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/counter.py": textwrap.dedent("""\
            _count = 0


            def bump():
                global _count
                _count += 1
                return _count


            def peek():
                return _count
            """),
    }, ['{from: "pkg.counter:peek", to: pkg.view}'])
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    assert "MIG108 cannot move pkg.counter:peek: it uses _count from its module, which cannot travel with it" in result.stderr
    assert "module state that a function rebinds through `global`" in result.stderr
    assert tree_digest(tmp_path / "proj") == before


def test_a_name_the_destination_binds_to_something_else_is_refused(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/a.py": "from pathlib import Path\n\n\ndef home():\n    return Path('~')\n",
        "src/pkg/b.py": "from os import path as Path\n",
    }, ['{from: "pkg.a:home", to: pkg.b}'])
    result = run_cli("plan", "--mapping", str(mapping))
    assert result.exit_code == 3
    assert "MIG111 cannot add home to pkg.b: it already binds 'Path'" in result.stderr


def test_type_checking_imports_stay_under_type_checking_and_all_grows(tmp_path):
    mapping = project(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/models.py": "class Model:\n    pass\n",
        "src/pkg/a.py": textwrap.dedent("""\
            from __future__ import annotations

            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from pkg.models import Model


            def name_of(model: Model) -> str:
                return type(model).__name__
            """),
        "src/pkg/b.py": '"""B."""\n\nimport os\n\n__all__ = ["other"]\n\n\ndef other():\n    return os.sep\n',
    }, ['{from: "pkg.a:name_of", to: pkg.b}'])
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    assert read(tmp_path, "src/pkg/b.py") == textwrap.dedent('''\
        """B."""

        from __future__ import annotations

        import os
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from pkg.models import Model

        __all__ = ["other", "name_of"]


        def other():
            return os.sep


        def name_of(model: Model) -> str:
            return type(model).__name__
        ''')
    check = run_python(tmp_path, "import pkg.b, pkg.models; print(pkg.b.name_of(pkg.models.Model()))")
    assert check.stdout.strip() == "Model", check.stderr


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("def f():\n    x = helper\n    return x\n", {"helper"}, id="module global read in the body"),
        pytest.param("def f():\n    helper = 1\n    return helper\n", set(), id="local that shadows a global"),
        pytest.param("def f():\n    return [helper for helper in range(3)]\n", set(), id="comprehension variable"),
        pytest.param("def f(helper=helper):\n    return helper\n", {"helper"}, id="default value runs in the module scope"),
        pytest.param("@deco\ndef f():\n    pass\n", {"deco"}, id="decorator"),
        pytest.param("def f() -> 'helper':\n    pass\n", {"helper"}, id="string annotation"),
        pytest.param("class C(Base):\n    x = helper\n\n    def m(self):\n        return x\n", {"Base", "helper"}, id="class body names are not visible in methods"),
    ],
)
def test_dependencies_resolve_names_by_scope(body, expected):
    source = "helper = 1\nx = 2\n\n\ndef deco(f):\n    return f\n\n\nclass Base:\n    pass\n\n\n" + body
    name = "C" if body.startswith("class") else "f"
    deps = symbols.dependencies(source, name)
    assert deps.analysed_by == "rope"
    assert set(deps.names) - {"x"} == expected
    if name == "C":
        assert "x" in deps.names, "`return x` in a method reads the module's x, not the class attribute"


def test_the_seeds_phase_9_symbol_moves_consolidate_and_move_on_the_fixture(tmp_path):
    mapping_text = (Path(__file__).resolve().parents[1] / "mapping.yaml").read_text(encoding="utf-8")
    head, _, rest = mapping_text.partition("phases:\n")
    phase9 = rest[rest.index("  - phase: 9"):rest.index("  - phase: 10")]
    mapping = copy_fixture(tmp_path, head + "phases:\n" + phase9)
    root = tmp_path / "target_repo_fixture"
    validation_before = (root / "src/paths/validation.py").read_bytes()
    setup_before = (root / "src/tracking/mlflow/setup.py").read_bytes()
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "9")
    assert result.exit_code == 0, result.output
    # Consolidations: the existing copies stay as they were, the old ones become re-exports.
    assert (root / "src/paths/validation.py").read_bytes() == validation_before
    assert (root / "src/tracking/mlflow/setup.py").read_bytes() == setup_before
    path_resolution = (root / "src/orchestration/path_resolution.py").read_text(encoding="utf-8")
    reexported = {(n.module, a.name) for n in ast.parse(path_resolution).body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert {("paths.validation", "validate_path_before_mkdir"), ("hpo.utils.paths", "resolve_hpo_output_dir")} <= reexported
    assert "def " not in path_resolution
    assert "def setup_mlflow_for_stage" not in (root / "src/orchestration/mlflow_utils.py").read_text(encoding="utf-8")
    # A move: the new module holds the function, its constant and the imports they use.
    hpo_paths = (root / "src/hpo/utils/paths.py").read_text(encoding="utf-8")
    assert 'HPO_OUTPUT_SUBDIR = "hpo"' in hpo_paths and "def resolve_hpo_output_dir(" in hpo_paths
    assert "from paths.validation import validate_path_before_mkdir" in hpo_paths
    assert "import os\n" in hpo_paths, "os is only named in a string annotation, and still imported"
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_paths.py", "tests/test_mlflow_setup.py", "tests/test_hpo.py"],
        cwd=root, capture_output=True, text=True, env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert suite.returncode == 0, suite.stdout[-3000:]
