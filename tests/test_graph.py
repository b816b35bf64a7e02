"""The import graph: which import statement makes which module run, and when."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from migrator.analysis.cycles import new_import_failures
from migrator.analysis.graph import Cycle, ImportEdge, ImportGraph, ParseFailure, build_graph
from migrator.mapping.spec import load_mapping
from migrator.adapters.snapshot import read_tree
from migrator.analysis.project import FileEntry, ModuleInfo, ProjectIndex, Snapshot

REPO = Path(__file__).resolve().parents[1]


def _snapshot(files: dict[str, str | bytes]) -> Snapshot:
    entries = {
        path: FileEntry(text if isinstance(text, bytes) else textwrap.dedent(text).encode(), 0o644)
        for path, text in files.items()
    }
    return Snapshot(root=Path("/nonexistent"), files=entries)


def _graph(files: dict[str, str | bytes], *, workers: int | None = None) -> ImportGraph:
    snapshot = _snapshot(files)
    return build_graph(snapshot, ProjectIndex.build(snapshot, ["src"]), workers=workers)


def _imports_of(graph: ImportGraph, source: str) -> set[tuple[str, int, str]]:
    """(target, line, kind) of the explicit edges out of `source`."""
    return {(e.target, e.line, e.kind) for e in graph.edges() if e.source == source and not e.implicit}


# --------------------------------------------------------------------------- import forms

#: A small project; `app.api.views` is the module whose imports each case varies.
APP = {
    "src/app/__init__.py": "",
    "src/app/util.py": "",
    "src/app/core/__init__.py": "",
    "src/app/core/models.py": "CONST = 1\n",
    "src/app/core/db.py": "",
    "src/app/api/__init__.py": "",
    "src/lib.py": "",
}


@pytest.mark.parametrize(
    "statement,targets",
    [
        pytest.param("import app.core.models", {"app", "app.core", "app.core.models"}, id="import runs every parent package"),
        pytest.param("import app.core.models as m", {"app", "app.core", "app.core.models"}, id="aliased import"),
        pytest.param("import lib", {"lib"}, id="top-level module"),
        pytest.param("import os, json.decoder", set(), id="standard library is not a node"),
        pytest.param("import app.missing.thing", {"app"}, id="missing module: the packages that exist"),
        pytest.param("from app.core import models", {"app.core", "app.core.models"}, id="from package import submodule"),
        pytest.param("from app.core.models import CONST", {"app.core.models"}, id="from module import attribute"),
        pytest.param("from app.core import CONST", {"app.core"}, id="from package import attribute"),
        pytest.param("from app.core import models, db, nothing", {"app.core", "app.core.models", "app.core.db"}, id="several names"),
        pytest.param("from app.core.models import *", {"app.core.models"}, id="star import"),
        pytest.param("from app.missing import thing", {"app"}, id="from missing module: nearest package"),
        pytest.param("from . import absent", {"app.api"}, id="relative: own package"),
        pytest.param("from .. import util", {"app", "app.util"}, id="relative: submodule of the parent package"),
        pytest.param("from ..core.models import CONST", {"app.core.models"}, id="relative: two levels up and down"),
        pytest.param("from ..core import db as database", {"app.core", "app.core.db"}, id="relative aliased submodule"),
        pytest.param("from .. import *", {"app"}, id="relative star import"),
        pytest.param("from ... import anything", set(), id="relative import beyond the top-level package"),
        pytest.param("from __future__ import annotations", set(), id="future import"),
    ],
)
def test_each_import_form_resolves_to_the_modules_it_runs(statement, targets):
    graph = _graph({**APP, "src/app/api/views.py": statement + "\n"})
    assert _imports_of(graph, "app.api.views") == {(t, 1, "top") for t in targets}


def test_a_package_init_resolves_relative_imports_from_the_package_itself():
    graph = _graph({**APP, "src/app/core/__init__.py": "from . import models\nfrom .db import *\nfrom .. import util\n"})
    assert _imports_of(graph, "app.core") == {
        ("app.core.models", 1, "top"),
        ("app.core.db", 2, "top"),
        ("app", 3, "top"),
        ("app.util", 3, "top"),
    }


def test_a_package_importing_its_own_attribute_imports_itself():
    graph = _graph({**APP, "src/app/core/__init__.py": "from . import models, CONST\n"})
    assert _imports_of(graph, "app.core") == {("app.core", 1, "top"), ("app.core.models", 1, "top")}


def test_each_statement_gives_its_own_edge():
    graph = _graph({**APP, "src/app/api/views.py": "import lib\n\nimport lib\nimport app.util, lib\n"})
    assert _imports_of(graph, "app.api.views") == {
        ("lib", 1, "top"),
        ("lib", 3, "top"),
        ("app", 4, "top"),
        ("app.util", 4, "top"),
        ("lib", 4, "top"),
    }


# --------------------------------------------------------------------------- parent packages


def test_every_module_depends_on_its_parent_package_through_an_implicit_edge():
    graph = _graph({**APP, "src/app/api/views.py": ""})
    parents = {(e.source, e.target) for e in graph.edges() if e.implicit}
    assert parents == {
        ("app.util", "app"),
        ("app.core", "app"),
        ("app.core.models", "app.core"),
        ("app.core.db", "app.core"),
        ("app.api", "app"),
        ("app.api.views", "app.api"),
    }
    edge = next(e for e in graph.edges() if e.source == "app.api.views" and e.implicit)
    assert edge == ImportEdge("app.api.views", "app.api", "src/app/api/views.py", 0, "top", implicit=True)
    assert str(edge) == "src/app/api/views.py: app.api.views → app.api (parent package)"


def test_a_namespace_package_is_skipped_on_the_way_to_the_nearest_package():
    graph = _graph({"src/app/__init__.py": "", "src/app/plugins/extra.py": "", "src/ns/only/mod.py": ""})
    assert {(e.source, e.target) for e in graph.edges() if e.implicit} == {("app.plugins.extra", "app")}
    assert graph.modules() == ("app", "app.plugins.extra", "ns.only.mod")


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    "source,kind",
    [
        pytest.param("import lib\n", "top", id="module level"),
        pytest.param("import sys\nif sys.version_info >= (3, 8):\n    import lib\n", "top", id="module-level if"),
        pytest.param("try:\n    import ujson\nexcept ImportError:\n    import lib\n", "top", id="try/except ImportError fallback"),
        pytest.param("try:\n    pass\nfinally:\n    import lib\n", "top", id="finally"),
        pytest.param("class Config:\n    import lib\n", "top", id="class body"),
        pytest.param("with open(__file__):\n    import lib\n", "top", id="with block"),
        pytest.param("for _ in ():\n    pass\nelse:\n    import lib\n", "top", id="for-else"),
        pytest.param("match 1:\n    case 1:\n        import lib\n", "top", id="match case"),
        pytest.param("def load():\n    import lib\n", "lazy", id="function body"),
        pytest.param("async def load():\n    import lib\n", "lazy", id="async function body"),
        pytest.param("class C:\n    def m(self):\n        import lib\n", "lazy", id="method body"),
        pytest.param("def outer():\n    class C:\n        import lib\n", "lazy", id="class inside a function"),
        pytest.param("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import lib\n", "typing", id="TYPE_CHECKING"),
        pytest.param("import typing\nif typing.TYPE_CHECKING:\n    import lib\n", "typing", id="typing.TYPE_CHECKING"),
        pytest.param("if TYPE_CHECKING:\n    def f():\n        import lib\n", "typing", id="function under TYPE_CHECKING"),
        pytest.param("def f():\n    if TYPE_CHECKING:\n        import lib\n", "typing", id="TYPE_CHECKING inside a function"),
        pytest.param("if TYPE_CHECKING:\n    pass\nelse:\n    import lib\n", "top", id="else branch of TYPE_CHECKING"),
    ],
)
def test_edge_kind_says_when_the_import_runs(source, kind):
    graph = _graph({**APP, "src/app/api/views.py": source})
    assert {k for target, _, k in _imports_of(graph, "app.api.views") if target == "lib"} == {kind}


# --------------------------------------------------------------------------- cycles

RING = {
    "src/ring/__init__.py": "",
    "src/ring/a.py": "import ring.b\n",
    "src/ring/b.py": "\n\nfrom ring.c import f\n",
    "src/ring/c.py": "from ring import d\nfrom ring.a import g\n",
    "src/ring/d.py": "import ring.a\n",
}


def test_the_shortest_cycle_of_a_component_is_reported_with_file_and_line():
    graph = _graph(RING)
    assert graph.sccs() == [("ring.a", "ring.b", "ring.c", "ring.d")]
    [cycle] = graph.import_time_cycles()
    assert str(cycle) == "ring.a → ring.b → ring.c → ring.a"
    assert cycle.modules == ("ring.a", "ring.b", "ring.c")
    assert [e.location() for e in cycle.edges] == ["src/ring/a.py:1", "src/ring/b.py:3", "src/ring/c.py:2"]
    assert cycle.describe() == textwrap.dedent(
        """\
        ring.a → ring.b → ring.c → ring.a
          src/ring/a.py:1: ring.a → ring.b (top import)
          src/ring/b.py:3: ring.b → ring.c (top import)
          src/ring/c.py:2: ring.c → ring.a (top import)"""
    )


def test_a_module_importing_itself_is_a_cycle_of_one_edge():
    graph = _graph({"src/pkg/__init__.py": "", "src/pkg/mod.py": "def f():\n    pass\n\nfrom pkg.mod import f\n"})
    [cycle] = graph.import_time_cycles()
    assert str(cycle) == "pkg.mod → pkg.mod"
    assert [e.location() for e in cycle.edges] == ["src/pkg/mod.py:4"]


def test_a_package_that_imports_its_submodule_is_a_cycle_through_the_parent_package_edge():
    graph = _graph({"src/pkg/__init__.py": "from .mod import f\n", "src/pkg/mod.py": "def f():\n    pass\n"})
    [cycle] = graph.import_time_cycles()
    assert cycle.describe() == (
        "pkg → pkg.mod → pkg\n"
        "  src/pkg/__init__.py:1: pkg → pkg.mod (top import)\n"
        "  src/pkg/mod.py: pkg.mod → pkg (parent package)"
    )


def test_a_cycle_hop_shows_the_explicit_import_rather_than_the_parent_package():
    graph = _graph({"src/pkg/__init__.py": "from .mod import f\nX = 1\n", "src/pkg/mod.py": "\nfrom pkg import X\n"})
    [cycle] = graph.import_time_cycles()
    assert [(e.location(), e.implicit) for e in cycle.edges] == [("src/pkg/__init__.py:1", False), ("src/pkg/mod.py:2", False)]


@pytest.mark.parametrize(
    "back_edge,kind",
    [
        pytest.param("def later():\n    import loop.a\n", "lazy", id="lazy"),
        pytest.param("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import loop.a\n", "typing", id="typing"),
    ],
)
def test_a_cycle_closed_only_by_a_lazy_or_typing_import_is_reported_apart(back_edge, kind):
    graph = _graph({"src/loop/__init__.py": "", "src/loop/a.py": "import loop.b\n", "src/loop/b.py": back_edge})
    assert graph.import_time_cycles() == []
    [cycle] = graph.lazy_and_typing_cycles()
    assert str(cycle) == "loop.a → loop.b → loop.a"
    assert [e.kind for e in cycle.edges] == ["top", kind]


def test_an_import_time_cycle_is_not_repeated_among_lazy_and_typing_cycles():
    graph = _graph({**RING, "src/ring/b.py": "from ring.c import f\n\ndef later():\n    import ring.c\n"})
    assert len(graph.import_time_cycles()) == 1
    assert graph.lazy_and_typing_cycles() == []


def test_an_acyclic_graph_has_no_cycles():
    graph = _graph(APP)
    assert (graph.sccs(), graph.import_time_cycles(), graph.lazy_and_typing_cycles()) == ([], [], [])


# --------------------------------------------------------------------------- new failures


def _new(before: ImportGraph, after: ImportGraph, renames: dict[str, str]) -> list[str]:
    return [f"{', '.join(f.modules)}: {f.cycle}" for f in new_import_failures(before, after, renames)]


def test_a_package_importing_a_submodule_moved_into_it_breaks_no_import():
    # pkg → pkg.tools → (parent) pkg is a cycle of the graph, but Python runs it: the
    # package is in sys.modules before its body imports the submodule.
    before = _graph({"src/pkg/__init__.py": "from tools import helper\n", "src/tools.py": "def helper():\n    pass\n"})
    after = _graph({"src/pkg/__init__.py": "from pkg.tools import helper\n", "src/pkg/tools.py": "def helper():\n    pass\n"})
    assert after.import_time_cycles()
    assert _new(before, after, {"tools": "pkg.tools"}) == []


def test_moving_a_module_into_a_package_whose_init_imports_back_breaks_the_importer():
    before = _graph({
        "src/report.py": "from util import helper\nVALUE = helper()\n",
        "src/util.py": "def helper():\n    return 1\n",
        "src/app/__init__.py": "from report import VALUE\n",
    })
    after = _graph({
        "src/report.py": "from app.util import helper\nVALUE = helper()\n",
        "src/app/util.py": "def helper():\n    return 1\n",
        "src/app/__init__.py": "from report import VALUE\n",
    })
    assert _new(before, after, {"util": "app.util"}) == ["report: app → report → app.util → app"]


def test_a_package_local_cycle_that_now_crosses_packages_breaks_the_moved_module():
    # Before: all inside `orchestration`. After the move, entering through
    # metadata.training runs orchestration/__init__, which imports it back.
    before = _graph({
        "src/orchestration/__init__.py": "from .manager import Manager\n",
        "src/orchestration/constants.py": "NAME = 'x'\n",
        "src/orchestration/manager.py": "from .constants import NAME\nclass Manager: pass\n",
    })
    after = _graph({
        "src/orchestration/__init__.py": "from metadata.training import Manager\n",
        "src/orchestration/constants.py": "NAME = 'x'\n",
        "src/metadata/__init__.py": "",
        "src/metadata/training.py": "from orchestration.constants import NAME\nclass Manager: pass\n",
    })
    assert _new(before, after, {"orchestration.manager": "metadata.training"}) == [
        "metadata.training: metadata.training → orchestration.constants → orchestration → metadata.training"
    ]


def test_a_failing_cycle_that_was_only_renamed_breaks_nothing_new():
    before = _graph({"src/old/__init__.py": "", "src/old/a.py": "from old.b import y\nx = 1\n", "src/old/b.py": "from old.a import x\ny = 1\n"})
    after = _graph({"src/new/__init__.py": "", "src/new/a.py": "from new.b import y\nx = 1\n", "src/new/b.py": "from new.a import x\ny = 1\n"})
    assert after.import_failure("new.a") is not None
    assert _new(before, after, {"old": "new"}) == []
    assert _new(before, after, {"old.a": "new.a", "old.b": "new.b", "old": "new"}) == []


def _package_p(a: str, b: str, c: str) -> ImportGraph:
    """Package `p` with modules `a`, `b` and `c` of the given sources."""
    return _graph({"src/p/__init__.py": "", "src/p/a.py": a, "src/p/b.py": b, "src/p/c.py": c})


def test_a_cycle_that_grows_but_only_imports_modules_breaks_nothing():
    before = _package_p("import p.b\n", "import p.a\n", "import p.a\n")
    after = _package_p("import p.b\n", "import p.c\n", "import p.a\n")
    assert after.sccs() == [("p.a", "p.b", "p.c")]
    assert _new(before, after, {}) == []


def test_a_cycle_that_grows_a_read_of_a_late_name_breaks_only_the_entry_still_paused_before_it():
    before = _package_p("import p.b\nA = 1\n", "import p.a\n", "from p.a import A\n")
    after = _package_p("import p.b\nA = 1\n", "import p.c\n", "from p.a import A\n")
    # `import p.b` and `import p.c` load p.a completely before anything reads A.
    assert _new(before, after, {}) == ["p.a: p.a → p.b → p.c → p.a"]


def test_a_facade_left_at_the_old_path_counts_as_the_module_it_forwards_to():
    before = _graph({
        "src/pkg/__init__.py": "from pkg.mod import run\nCONFIG = 1\n",
        "src/pkg/mod.py": "from pkg import CONFIG\ndef run():\n    pass\n",
    })
    after = _graph({
        "src/pkg/__init__.py": "from pkg.mod import run\nCONFIG = 1\n",
        "src/pkg/mod.py": "import sys\nfrom lib import mod as _mod\nsys.modules[__name__] = _mod\n",
        "src/lib/__init__.py": "",
        "src/lib/mod.py": "from pkg import CONFIG\ndef run():\n    pass\n",
    })
    assert after.sccs() == [("lib.mod", "pkg", "pkg.mod")]
    assert _new(before, after, {"pkg.mod": "lib.mod"}) == []


def test_a_module_reading_its_own_late_name_fails_but_importing_itself_does_not():
    before = _graph({"src/m.py": "X = 1\n"})
    assert _new(before, _graph({"src/m.py": "import m\nX = 1\n"}), {}) == []
    assert _new(before, _graph({"src/m.py": "from m import X\nX = 1\n"}), {}) == ["m: m → m"]
    assert _new(before, _graph({"src/m.py": "X = 1\nfrom m import X\n"}), {}) == []


# --------------------------------------------------------------------------- the replay


def _fails(files: dict[str, str]) -> dict[str, str | None]:
    graph = _graph(files)
    return {m: (str(c) if (c := graph.import_failure(m)) else None) for m in graph.modules()}


COMPAT = {
    # pkg/__init__ imports _compat first; _compat defines Wrapper, then imports
    # _console, which reads Wrapper from the half-initialized _compat: it is bound.
    "src/pkg/__init__.py": "from . import _compat\n",
    "src/pkg/_compat.py": "class Wrapper:\n    pass\n\nfrom ._console import get_stream\n",
    "src/pkg/_console.py": "from ._compat import Wrapper\n\ndef get_stream():\n    return Wrapper\n",
}


def test_a_name_defined_before_the_import_that_closes_the_cycle_can_be_read():
    assert _fails(COMPAT) == {"pkg": None, "pkg._compat": None, "pkg._console": None}


def test_a_name_defined_after_the_import_that_closes_the_cycle_cannot():
    files = {**COMPAT, "src/pkg/_compat.py": "from ._console import get_stream\n\nclass Wrapper:\n    pass\n"}
    assert _fails(files)["pkg"] == "pkg._compat → pkg._console → pkg._compat"


@pytest.mark.parametrize(
    "binding,bound",
    [
        pytest.param("Wrapper = 1\n", True, id="assignment"),
        pytest.param("Wrapper: int = 1\n", True, id="annotated assignment"),
        pytest.param("Wrapper: int\n", False, id="annotation only"),
        pytest.param("from os import sep as Wrapper\n", True, id="aliased from import"),
        pytest.param("import os as Wrapper\n", True, id="aliased import"),
        pytest.param("for Wrapper in range(2):\n    pass\n", True, id="for target"),
        pytest.param("with open(__file__) as Wrapper:\n    pass\n", True, id="with target"),
        pytest.param("if X:\n    Wrapper = 1\nelse:\n    Wrapper = 2\n", True, id="every branch of an if"),
        pytest.param("if X:\n    Wrapper = 1\n", False, id="an if without else"),
        pytest.param("if X:\n    Wrapper = 1\nelif Y:\n    Wrapper = 2\n", False, id="an elif without else"),
        pytest.param("try:\n    Wrapper = 1\nexcept ValueError:\n    Wrapper = 2\n", True, id="try and every handler"),
        pytest.param("try:\n    Wrapper = 1\nexcept ValueError:\n    pass\n", False, id="a handler that does not bind"),
        pytest.param("def __getattr__(name):\n    return 1\n", True, id="module __getattr__"),
        pytest.param("from os.path import *\n", True, id="star import"),
        pytest.param("def Wrapper():\n    pass\n", True, id="function"),
    ],
)
def test_which_statements_bind_a_name_before_the_pause_point(binding, bound):
    files = {**COMPAT, "src/pkg/_compat.py": "X = Y = 0\n" + binding + "from ._console import get_stream\n"}
    assert (_fails(files)["pkg"] is None) is bound


GUARDED = {
    "src/pkg/__init__.py": "",
    "src/pkg/a.py": "{guard}\nA = 1\n",
    "src/pkg/b.py": "from pkg.a import A\n",
}


@pytest.mark.parametrize(
    "guard",
    [
        pytest.param("import sys\nif sys.platform.startswith('win'):\n    import pkg.b\n", id="platform check"),
        pytest.param("WIN = False\nif WIN:\n    import pkg.b\n", id="feature flag"),
        pytest.param("try:\n    import pkg.b\nexcept ImportError:\n    pass\n", id="try except ImportError"),
    ],
)
def test_a_guarded_import_never_makes_an_import_fail_by_itself(guard):
    graph = _graph({**GUARDED, "src/pkg/a.py": guard + "A = 1\n"})
    assert graph.sccs() == [("pkg.a", "pkg.b")], "the guarded edge is part of the cycle"
    [guarded] = [e for e in graph.edges() if e.guarded and e.target == "pkg.b"]
    assert (guarded.source, guarded.kind) == ("pkg.a", "top")
    assert "conditional import" in str(guarded)
    assert graph.import_failure("pkg.a") is None
    assert graph.import_failure("pkg.b") is None


def test_a_failure_that_happens_with_or_without_the_guarded_edge_is_reported_with_it():
    # pkg.b reads A before pkg.a binds it whether or not a's guarded import runs.
    graph = _graph({
        "src/pkg/__init__.py": "",
        "src/pkg/a.py": "import pkg.b\ntry:\n    import pkg.c\nexcept ImportError:\n    pass\nA = 1\n",
        "src/pkg/b.py": "from pkg.a import A\n",
        "src/pkg/c.py": "",
    })
    assert str(graph.import_failure("pkg.a")) == "pkg.a → pkg.b → pkg.a"


def test_a_failure_caught_by_a_try_leaves_the_half_initialized_modules_unloaded():
    # a tries b; b fails reading A from a. The except catches it, b is gone from
    # sys.modules, and a's later unguarded `import pkg.b` runs b again: A exists now.
    graph = _graph({
        "src/pkg/__init__.py": "",
        "src/pkg/a.py": "try:\n    import pkg.b\nexcept ImportError:\n    pass\nA = 1\nimport pkg.b\n",
        "src/pkg/b.py": "from pkg.a import A\n",
    })
    assert graph.import_failure("pkg.a") is None
    assert graph.import_failure("pkg.b") is None


def test_conditional_edges_are_marked_in_json():
    graph = _graph({**GUARDED, "src/pkg/a.py": "try:\n    import pkg.b\nexcept ImportError:\n    pass\nA = 1\n"})
    assert [(e["source"], e["target"], e["conditional"]) for e in graph.to_json()["edges"] if not e["implicit"]] == [
        ("pkg.a", "pkg", True), ("pkg.a", "pkg.b", True), ("pkg.b", "pkg.a", False)
    ]


# --------------------------------------------------------------------------- rendering

_DOT_ID = r'"(?:[^"\\]|\\.)*"'
_DOT_STATEMENT = re.compile(rf"^  {_DOT_ID}(?: -> {_DOT_ID})? \[[^\]]*\];$")


def test_dot_output_quotes_every_name_and_styles_edges_by_kind():
    graph = _graph({
        **RING,
        "src/ring/d.py": "def later():\n    import ring.a\n",
        "src/ring/e.py": "if TYPE_CHECKING:\n    import ring.a\n",
    })
    dot = graph.to_dot()
    lines = dot.splitlines()
    assert lines[0] == "digraph imports {" and lines[-1] == "}"
    body = [line for line in lines[1:-1] if not line.startswith(("  graph ", "  node ", "  edge "))]
    assert all(_DOT_STATEMENT.match(line) for line in body), body
    assert '  "ring.a" -> "ring.b" [style=solid, color=red, penwidth=2, tooltip="src/ring/a.py:1"];' in lines
    assert '  "ring.d" -> "ring.a" [style=dashed, tooltip="src/ring/d.py:2"];' in lines
    assert '  "ring.e" -> "ring.a" [style=dotted, tooltip="src/ring/e.py:2"];' in lines
    assert '  "ring.d" -> "ring" [style=solid, color=gray50, arrowhead=empty, tooltip="src/ring/d.py"];' in lines
    assert '  "ring" [shape=folder, tooltip="src/ring/__init__.py"];' in lines


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_output_renders_with_graphviz():
    result = subprocess.run(["dot", "-Tsvg"], input=_graph(RING).to_dot(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout


def test_json_is_the_same_for_the_same_project_whatever_the_file_order():
    files = {**RING, **APP, "src/app/api/views.py": "def f():\n    from ..core import models\n"}
    forward = json.dumps(_graph(files).to_json())
    backward = json.dumps(_graph(dict(reversed(list(files.items())))).to_json())
    assert forward == backward
    assert json.dumps(_graph(files).to_json()) == forward


def test_json_lists_modules_edges_cycles_and_failures():
    graph = _graph({
        "src/pkg/__init__.py": "from .mod import f\n",
        "src/pkg/mod.py": "def f():\n    pass\n",
        "src/pkg/bad.py": "def (:\n",
    })
    parent = {"source": "pkg.mod", "target": "pkg", "path": "src/pkg/mod.py", "line": 0, "kind": "top", "implicit": True, "conditional": False}
    child = {"source": "pkg", "target": "pkg.mod", "path": "src/pkg/__init__.py", "line": 1, "kind": "top", "implicit": False, "conditional": False}
    assert graph.to_json() == {
        "format": "migrator.import-graph/2",
        "modules": [
            {"name": "pkg", "path": "src/pkg/__init__.py", "package": True},
            {"name": "pkg.bad", "path": "src/pkg/bad.py", "package": False},
            {"name": "pkg.mod", "path": "src/pkg/mod.py", "package": False},
        ],
        "edges": [
            child,
            {"source": "pkg.bad", "target": "pkg", "path": "src/pkg/bad.py", "line": 0, "kind": "top", "implicit": True, "conditional": False},
            parent,
        ],
        "import_time_cycles": [{"modules": ["pkg", "pkg.mod"], "edges": [child, parent]}],
        "failing_cycles": [],
        "lazy_and_typing_cycles": [],
        "unparsable": [{"path": "src/pkg/bad.py", "line": 1, "col": 5, "message": "invalid syntax"}],
    }


# --------------------------------------------------------------------------- files


def test_a_file_that_does_not_parse_is_recorded_and_the_rest_is_still_built():
    graph = _graph({**APP, "src/app/api/views.py": "import lib\n\nclass :\n", "src/app/ok.py": "import lib\n"})
    assert graph.unparsable == (ParseFailure("src/app/api/views.py", 3, 7, "invalid syntax"),)
    assert "app.api.views" in graph.modules()
    assert _imports_of(graph, "app.api.views") == set()
    assert _imports_of(graph, "app.ok") == {("lib", 1, "top")}


def test_files_in_other_encodings_and_with_a_bom_are_parsed_by_their_declaration():
    graph = _graph({
        **APP,
        "src/app/latin.py": "# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\nimport lib\n".encode("latin-1"),
        "src/app/bom.py": b"\xef\xbb\xbfimport lib\n",
        "src/app/broken.py": b"import lib\nNAME = '\xff'\n",
    })
    assert _imports_of(graph, "app.latin") == {("lib", 3, "top")}
    assert _imports_of(graph, "app.bom") == {("lib", 1, "top")}
    assert [f.path for f in graph.unparsable] == ["src/app/broken.py"]


def test_invalid_escape_sequences_do_not_warn(recwarn):
    _graph({**APP, "src/app/util.py": "import re\nPATTERN = '\\d+'\n"})
    assert not [w for w in recwarn if issubclass(w.category, (SyntaxWarning, DeprecationWarning))]


def test_the_constructor_drops_duplicate_edges_and_sorts():
    modules = [ModuleInfo("b", "src/b.py", "src", False), ModuleInfo("a", "src/a.py", "src", False)]
    edge = ImportEdge("a", "b", "src/a.py", 1, "top")
    itself = ImportEdge("a", "a", "src/a.py", 1, "top")
    graph = ImportGraph(modules, [edge, itself, edge])
    assert graph.modules() == ("a", "b")
    assert graph.edges() == (itself, edge)
    assert graph.import_time_cycles() == [Cycle((itself,))]


def test_the_constructor_refuses_edges_to_unknown_modules():
    with pytest.raises(ValueError, match="'ghost'"):
        ImportGraph([ModuleInfo("a", "src/a.py", "src", False)], [ImportEdge("a", "ghost", "src/a.py", 1, "top")])


# --------------------------------------------------------------------------- synthetic repositories


def _gen_repo() -> ModuleType:
    """bench/gen_repo.py, which is a script, not part of an installed package."""
    if "gen_repo" not in sys.modules:
        spec = importlib.util.spec_from_file_location("gen_repo", REPO / "bench" / "gen_repo.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["gen_repo"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["gen_repo"]


def _read(root: Path) -> tuple[Snapshot, ProjectIndex]:
    snapshot = read_tree(root, ["src"])
    return snapshot, ProjectIndex.build(snapshot, ["src"])


def test_a_generated_repository_is_acyclic_and_the_same_in_serial_and_in_parallel(tmp_path):
    _gen_repo().generate(tmp_path, modules=400, moves=3, seed=5)
    snapshot, index = _read(tmp_path)
    serial = build_graph(snapshot, index, workers=1)
    assert len(serial.modules()) == 400
    assert serial.import_time_cycles() == []
    kinds = {e.kind for e in serial.edges()}
    assert kinds == {"top", "lazy", "typing"}
    assert build_graph(snapshot, index, workers=2).to_json() == serial.to_json()


def test_a_generated_repository_with_cycles_has_a_two_module_cycle_per_thousand_modules(tmp_path):
    _gen_repo().generate(tmp_path, modules=1000, moves=1, seed=3, cycles=True)
    [cycle] = build_graph(*_read(tmp_path)).import_time_cycles()
    assert len(cycle.edges) == 2


def test_a_generated_repository_is_deterministic_and_its_mapping_loads(tmp_path):
    gen_repo = _gen_repo()
    gen_repo.generate(tmp_path / "one", modules=120, moves=4, seed=9)
    gen_repo.generate(tmp_path / "two", modules=120, moves=4, seed=9)
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in sorted((tmp_path / "one").rglob("*")) if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in sorted((tmp_path / "two").rglob("*")) if p.is_file()}
    assert one == two
    mapping = load_mapping(tmp_path / "one" / "mapping.yaml")
    [phase] = mapping.spec.phases
    assert len(phase.moves) == 4
    assert all(m.to.startswith("relocated_0.") for m in phase.moves)
    assert mapping.root == (tmp_path / "one").resolve()


def test_the_graph_of_what_some_modules_reach_has_exactly_their_cycles_and_failures():
    # Two failing cycles (reads of names), one harmless cycle, a package importing its
    # submodule, lazy edges out of the reached set, and modules nothing reaches.
    files = {
        "src/app/__init__.py": "from app import core\n",
        "src/app/core.py": "from app.util import helper\nVALUE = 1\n",
        "src/app/util.py": "from app.core import VALUE\n\ndef helper():\n    from far import away\n    return VALUE\n",
        "src/loop/a.py": "import loop.b\n",
        "src/loop/b.py": "import loop.a\n",
        "src/loop/__init__.py": "",
        "src/x.py": "from y import Y\nX = 1\n",
        "src/y.py": "from x import X\nY = 1\n",
        "src/far.py": "away = 1\n",
        "src/user.py": "import app\nimport x\n",
    }
    snapshot = _snapshot(files)
    index = ProjectIndex.build(snapshot, ["src"])
    whole = build_graph(snapshot, index)
    for start in index.modules:
        part = build_graph(snapshot, index, reach_from=[start])
        back = build_graph(snapshot, index, reach_from=[start], and_back=True)
        assert start in part.modules() and start in back.modules()
        assert set(back.modules()) <= set(part.modules())
        for scc in whole.sccs():
            if start in scc:
                assert scc in part.sccs() and scc in back.sccs()
                assert part.failing_cycle(scc) == whole.failing_cycle(scc)
                assert back.failing_cycle(scc) == whole.failing_cycle(scc)
        assert set(part.sccs()) <= set(whole.sccs())
        assert set(back.sccs()) <= set(whole.sccs())
        assert all(start in scc for scc in back.sccs()), "only cycles through the start are kept"
        for module in part.modules():
            assert part.import_failure(module) == whole.import_failure(module), "same load order as the whole tree"
    reached = build_graph(snapshot, index, reach_from=["user"])
    assert "far" not in reached.modules(), "only import-time edges are followed"
    assert "loop.a" not in reached.modules()
    assert {"app", "app.core", "app.util", "x", "y"} <= set(reached.modules())


def test_the_import_cache_gives_the_graph_built_without_it(tmp_path):
    from migrator.adapters.cache import ImportCache
    from migrator.analysis.scans import content_key

    _gen_repo().generate(tmp_path, modules=300, moves=2, seed=8, cycles=True)
    snapshot, index = _read(tmp_path)
    plain = build_graph(snapshot, index, workers=1).to_json()
    cache = ImportCache.load(tmp_path)
    assert build_graph(snapshot, index, workers=1, cache=cache).to_json() == plain
    cache.save(limit=10_000)
    again = ImportCache.load(tmp_path)
    assert again.get(content_key(snapshot.get(next(iter(index.modules.values())).path))) is not None
    assert build_graph(snapshot, index, workers=1, cache=again).to_json() == plain
    ignore = tmp_path / ".migrator" / "cache" / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*", "git never sees the cache"


def test_the_graph_of_what_a_module_reaches_replays_its_import_as_the_whole_tree_does():
    # c imports p, and p <-> x fails; neither p nor x leads back to c, so pruning to the
    # modules on a path back to c (and_back) drops them and the replay from c "works".
    files = {
        "src/c.py": "import p\n",
        "src/p.py": "import x\nP = 1\n",
        "src/x.py": "from p import P\n",
    }
    snapshot = _snapshot(files)
    index = ProjectIndex.build(snapshot, ["src"])
    whole = build_graph(snapshot, index)
    assert str(whole.import_failure("c")) == "p → x → p"
    assert str(build_graph(snapshot, index, reach_from=["c"]).import_failure("c")) == "p → x → p"
    assert build_graph(snapshot, index, reach_from=["c"], and_back=True).import_failure("c") is None


def test_a_facade_migrator_writes_runs_the_module_it_forwards_to():
    from migrator.engine import facades

    graph = _graph({
        "src/old.py": facades.alias_module("old", "new.mod", phase=1, title="t"),
        "src/oldpkg/__init__.py": facades.alias_package("oldpkg", "new", phase=1, title="t", submodules={}),
        "src/new/__init__.py": "",
        "src/new/mod.py": "from old import X\nX = 1\n",
    })
    assert {(e.source, e.target) for e in graph.edges() if e.source in ("old", "oldpkg") and not e.implicit} == {
        ("old", "new"), ("old", "new.mod"), ("oldpkg", "new")
    }
    assert str(graph.import_failure("old")) == "new.mod → old → new.mod"
