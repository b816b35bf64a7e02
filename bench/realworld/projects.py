"""The corpus: pinned sdists, how to run their suites, and the moves a maintainer would make.

Each project names its scenarios as lists of `(from, to)` moves; `all` is every other
scenario's moves in one phase. Every scenario runs twice, with `facades: {style: alias}`
and `facades: {style: none}`, on a fresh copy of the sdist.

`known` lists tests that fail after a move for a reason unrelated to migrator (matched by
test id with fnmatch, optionally only for some facade styles); the table shows them as
explained, with the reason, instead of hiding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Known:
    """A test that a move breaks for a reason that is not a migrator defect."""

    pattern: str
    reason: str
    styles: tuple[str, ...] = ("alias", "none")
    scenarios: tuple[str, ...] = ()  # empty: every scenario


@dataclass(frozen=True)
class Project:
    """One sdist of the corpus."""

    name: str
    requirement: str  # pinned, for `pip download --no-binary :all:`
    package: str  # the import name whose `__file__` must point into the copy
    source_root: str  # relative to the sdist root
    test_paths: tuple[str, ...]
    test_deps: tuple[str, ...]
    scenarios: dict[str, tuple[tuple[str, str], ...]]
    deselect: dict[str, str] = field(default_factory=dict)  # test id -> why it never runs
    known: tuple[Known, ...] = ()
    # (regex, replacement) applied to test ids: parameters that change from run to run
    volatile_ids: tuple[tuple[str, str], ...] = ()


#: Same pytest for every suite: a baseline and its rerun must differ only by the move.
PYTEST = "pytest==8.3.3"

PROJECTS: tuple[Project, ...] = (
    Project(
        name="click",
        requirement="click==8.1.7",
        package="click",
        source_root="src",
        test_paths=("tests",),
        test_deps=(PYTEST,),
        scenarios={
            # _compat: imported by nearly every module, relatively, and by two test files.
            "private helper → new subpackage, new name": (("click._compat", "click._internal.platform"),),
            # test_shell_completion patches "click.shell_completion.BashComplete._check_version".
            "public module patched by string": (("click.shell_completion", "click.completion.shell"),),
            # termui imports _termui_impl inside six functions; test_termui does
            # monkeypatch.setattr(click._termui_impl, "isatty", ...).
            "lazily imported module": (("click._termui_impl", "click._impl.termui"),),
            "symbol move": (("click.utils:make_default_short_help", "click.formatting"),),
        },
    ),
    Project(
        name="jinja2",
        requirement="jinja2==3.1.4",
        package="jinja2",
        source_root="src",
        test_paths=("tests",),
        test_deps=(PYTEST, "markupsafe==2.1.5", "trio==0.26.2"),
        scenarios={
            # lexer.py: `from ._identifier import pattern as name_re`.
            "private helper → new subpackage, new name": (("jinja2._identifier", "jinja2._lexing.identifier"),),
            # tests name extensions by string: Environment(extensions=["jinja2.ext.i18n"]).
            "public module patched by string": (("jinja2.ext", "jinja2.extensions.core"),),
            # environment.py imports .debug inside handle_exception; test_debug inside a test.
            "lazily imported module": (("jinja2.debug", "jinja2._tb.debug"),),
            "symbol move": (("jinja2.utils:LRUCache", "jinja2.lrucache"),),
        },
    ),
    Project(
        name="dateutil",
        requirement="python-dateutil==2.9.0.post0",
        package="dateutil",
        source_root="src",
        test_paths=("tests",),
        # pytest-cov registers the `no_cover` mark tests/conftest.py adds (unknown marks
        # are errors under the suite's filterwarnings = error); coverage itself stays off.
        test_deps=(PYTEST, "pytest-cov==5.0.0", "six==1.16.0", "freezegun==1.5.1", "hypothesis==6.112.1"),
        scenarios={
            "private helper → new subpackage, new name": (("dateutil._common", "dateutil._internal.common"),),
            # rrule imports easter inside a method; dateutil/__init__ imports submodules lazily
            # (PEP 562 __getattr__ over __all__); tests import it inside test functions.
            "lazily imported module": (("dateutil.easter", "dateutil.calendars.easter"),),
            # zoneinfo/ carries dateutil-zoneinfo.tar.gz, read with pkgutil.get_data(__name__, ...);
            # tz.tz imports it lazily.
            "subpackage with data files": (("dateutil.zoneinfo", "dateutil.data.zoneinfo"),),
            "symbol move": (("dateutil.utils:within_delta", "dateutil.deltas"),),
        },
        known=(
            # Both use the package's own lazy submodule API (`__all__` + PEP 562 __getattr__),
            # which still names the old path; with facades none that is FINDINGS F4.
            Known("tests.test_import_star::*",
                  "warnings as errors: `from dateutil import *` imports the old path (named in __all__); "
                  "the facade's DeprecationWarning fails it under filterwarnings = error",
                  styles=("alias",)),
            Known("tests.test_imports::test_lazy_import[[]*[]]",
                  "warnings as errors: getattr(dateutil, name) imports the old path; "
                  "the facade's DeprecationWarning fails it under filterwarnings = error",
                  styles=("alias",)),
            # With `none` the old public path is gone by design: these tests assert that
            # `dateutil.<name>` still exists, named as a string (`__all__`, and a
            # getattr over it) that no rewrite can follow; migrate plan warns (MIG916,
            # dateutil/__init__.py) with the import to add if the API must stay.
            Known("tests.test_import_star::*",
                  "the test asserts the old public path exists: `from dateutil import *` names the moved "
                  "submodule in __all__, which facades none removes by design (plan warns MIG916)",
                  styles=("none",)),
            Known("tests.test_imports::test_lazy_import[[]*[]]",
                  "the test asserts the old public path exists: getattr(dateutil, name) over __all__, "
                  "which facades none removes by design (plan warns MIG916)",
                  styles=("none",)),
        ),
    ),
    Project(
        name="marshmallow",
        requirement="marshmallow==3.21.3",
        package="marshmallow",
        source_root="src",
        test_paths=("tests",),
        test_deps=(PYTEST, "pytz==2024.2", "simplejson==3.19.3"),
        # test_invalid_datetime_deserialization is parametrized with the current time.
        volatile_ids=((r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d", "<date> <time>"), (r"\d\d:\d\d:\d\d \d{4}-\d\d-\d\d", "<time> <date>")),
        scenarios={
            "private helper → new subpackage, new name": (("marshmallow.error_store", "marshmallow._internal.errorstore"),),
            # fields.py: `from marshmallow import class_registry, types, utils, validate`;
            # test_registry reads class_registry._registry as a dotted use.
            "public module imported from its package": (("marshmallow.class_registry", "marshmallow.registry.classes"),),
            # fields.Nested.schema imports marshmallow.schema inside the property (a cycle
            # the project breaks on purpose).
            "lazily imported module": (("marshmallow.schema", "marshmallow.schemas.core"),),
            # fields.py imports it with two other names in one parenthesized import.
            "symbol move": (("marshmallow.utils:is_collection", "marshmallow.seqs"),),
        },
    ),
    Project(
        name="pluggy",
        requirement="pluggy==1.5.0",
        package="pluggy",
        source_root="src",
        test_paths=("testing",),
        # pytest itself imports pluggy: on PYTHONPATH the copy under test wins, so pytest
        # runs on the migrated pluggy too (as in pluggy's own tox environments).
        test_deps=(PYTEST,),
        scenarios={
            # test_tracer: `from pluggy._tracing import TagTracer`.
            "private helper → new subpackage, new name": (("pluggy._tracing", "pluggy._internal.trace"),),
            # docs/conf.py names "pluggy._result.ResultType" in nitpick_ignore strings.
            "module named by string": (("pluggy._result", "pluggy.results.result"),),
            "symbol move": (("pluggy._hooks:HookimplMarker", "pluggy._markers"),),
        },
    ),
)


def scenarios_of(project: Project) -> dict[str, tuple[tuple[str, str], ...]]:
    """The project's scenarios plus `all`: every move of the others in one phase."""
    every = tuple(move for moves in project.scenarios.values() for move in moves)
    return {**project.scenarios, "all in one phase": every}
