"""A warm `plan` takes what the last one worked out from the cache, and is never wrong for it.

Issue 16 (warm plan): each file's rewrite, isort's answer for a text, the prefilter's
candidate files and the cycle gate's verdict are pure functions of what they read; the
cache keeps them under a key of all of it (migrator/analysis/scans.result_key). These
tests change each kind of input in turn and compare the cached plan with a plan made
without any cache; they check that a warm run with nothing changed redoes none of that
work, and that entries edited by hand, or made by other code, are never used.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from migrator import report
from migrator.adapters.planning import plan_target
from migrator.mapping.spec import load_mapping
from tests.helpers import copy_fixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_repo import generate  # noqa: E402


def _views(p):
    return [x.digest() for x in p.phases], report.plan_diff(p), report.plan_json(p), [x.cycle_baseline for x in p.phases]


class _Work:
    """Counts the expensive steps a plan runs: files rewritten, texts given to isort,
    prefilter passes over the tree, cycle-gate replays."""

    def __init__(self, monkeypatch):
        from migrator.engine import cycle_gate, import_order, references, rewrite

        self.rewritten = 0
        self.sorted = 0
        self.prefiltered = 0
        self.replayed = 0
        one, isort_, prefilter, failures = rewrite.rewrite, import_order._isort, references.prefilter, cycle_gate.phase_failures

        def counted_rewrite(*args, **kwargs):  # every rewrite of a file, a kept file's full one included
            self.rewritten += 1
            return one(*args, **kwargs)

        def counted_isort(*args):
            self.sorted += 1
            return isort_(*args)

        def counted_prefilter(*args):
            self.prefiltered += 1
            return prefilter(*args)

        def counted_failures(*args, **kwargs):
            self.replayed += 1
            return failures(*args, **kwargs)

        monkeypatch.setattr(rewrite, "rewrite", counted_rewrite)
        monkeypatch.setattr(import_order, "_isort", counted_isort)
        monkeypatch.setattr(references, "prefilter", counted_prefilter)
        monkeypatch.setattr(cycle_gate, "phase_failures", counted_failures)

    def total(self) -> int:
        return self.rewritten + self.sorted + self.prefiltered + self.replayed

    def reset(self) -> None:
        self.rewritten = self.sorted = self.prefiltered = self.replayed = 0


def test_a_warm_plan_of_the_fixture_equals_the_cold_one_and_does_none_of_its_work_again(tmp_path, monkeypatch):
    mapping = load_mapping(copy_fixture(tmp_path))
    phases = mapping.phase_numbers[:3]  # config, azure ml, symbol moves: rewrites, notebooks, facades (no import sorter)
    uncached = plan_target(mapping, phases, jobs=1, cache=False, baseline=True)
    assert not uncached.errors
    work = _Work(monkeypatch)
    cold = plan_target(mapping, phases, jobs=1, baseline=True)
    assert work.rewritten > 20 and work.prefiltered == len(phases) and work.replayed == len(phases)
    work = _Work(monkeypatch)
    warm = plan_target(mapping, phases, jobs=1, baseline=True)
    assert work.total() == 0, vars(work)
    assert _views(cold) == _views(uncached)
    assert _views(warm) == _views(uncached)


def _edits(root: Path):
    """Edits to a generated tree (moves pkg_0.mod_4 and pkg_0.mod_28), each a different
    input of the stored results."""
    src = root / "src" / "pkg_0"
    mapping = root / "mapping.yaml"

    def append(path: Path, text: str) -> None:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return [
        ("nothing", lambda: None),
        ("a new reference in a file", lambda: append(src / "mod_7.py", "\nimport pkg_0.mod_4\nX = pkg_0.mod_4.VALUE\n")),
        ("an import of a name the moved module lacks", lambda: append(src / "mod_16.py", "\nfrom pkg_0.mod_4 import LATER\n")),
        ("the moved module gains that name", lambda: append(src / "mod_4.py", "\nLATER = 1\n")),
        ("an import order to keep", lambda: (root / "pyproject.toml").write_text('[tool.isort]\nprofile = "black"\nknown_first_party = ["pkg_0"]\n', encoding="utf-8")),
        ("another destination", lambda: mapping.write_text(mapping.read_text(encoding="utf-8").replace("to: relocated_0.mod_4", "to: elsewhere.mod_4"), encoding="utf-8")),
        ("one more move", lambda: append(mapping, "      - {from: pkg_0.mod_7, to: relocated_0.mod_7}\n")),
        ("a package whose __init__ imports, at import time, a user of util_x", lambda: _write(root / "src", {
            "util_x.py": "def helper():\n    return 41\n",
            "report_x.py": "from util_x import helper\n\nVALUE = helper() + 1\n",
            "app_x/__init__.py": "from report_x import VALUE\n",
        })),
        ("util_x moves into it: a cycle that fails at import time", lambda: append(mapping, "      - {from: util_x, to: app_x.util_x}\n")),
        ("the cycle opened again", lambda: (root / "src" / "app_x" / "__init__.py").write_text("def value():\n    from report_x import VALUE\n    return VALUE\n", encoding="utf-8")),
        ("a file deleted", lambda: (src / "mod_16.py").unlink()),
        ("a file added", lambda: (src / "mod_99.py").write_text("import pkg_0.mod_28\nY = pkg_0.mod_28.VALUE\n", encoding="utf-8")),
    ]


def _write(base: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")


def test_after_each_kind_of_edit_the_cached_plan_equals_one_without_a_cache(tmp_path, monkeypatch):
    generate(tmp_path, modules=60, moves=2, seed=3)
    work = _Work(monkeypatch)
    seen_refusal = seen_sorting = False
    for what, edit in _edits(tmp_path):
        edit()
        mapping = load_mapping(tmp_path / "mapping.yaml")
        fresh = plan_target(mapping, jobs=1, cache=False, baseline=True)
        seen_sorting = seen_sorting or work.sorted > 0
        assert _views(plan_target(mapping, jobs=1, baseline=True)) == _views(fresh), what
        work.reset()
        assert _views(plan_target(mapping, jobs=1, baseline=True)) == _views(fresh), f"{what}, planned again"
        if not fresh.errors:  # a refused plan keeps no cache: the disk stays as it was
            assert work.total() == 0, (what, vars(work))
        seen_refusal = seen_refusal or bool(fresh.errors)
    assert seen_refusal, "one edit makes the cycle gate refuse: its verdict is a stored result too"
    assert seen_sorting, "one edit gives the project an import order: isort's answers are stored results too"


def _results_file(root: Path) -> Path:
    [path] = (root / ".migrator" / "cache").glob("results-*.json")
    return path


def test_results_edited_by_hand_are_never_used(tmp_path, monkeypatch):
    generate(tmp_path, modules=60, moves=2, seed=3)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    expected = _views(plan_target(mapping, jobs=1, cache=False))
    plan_target(mapping, jobs=1)
    path = _results_file(tmp_path)
    stored = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for entry in stored["entries"].values():
        value = entry[1]
        if isinstance(value, list) and value[:1] == ["changed"]:
            value[1] = base64.b64encode(b"tampered = True\n").decode("ascii")  # its digest left as it was
            changed += 1
    assert changed > 2
    path.write_text(json.dumps(stored), encoding="utf-8")
    work = _Work(monkeypatch)
    assert _views(plan_target(mapping, jobs=1)) == expected
    assert work.rewritten >= changed, "each edited entry was made again"


def test_results_of_other_code_are_never_used(tmp_path, monkeypatch):
    from migrator.adapters import cache

    generate(tmp_path, modules=60, moves=2, seed=3)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    expected = _views(plan_target(mapping, jobs=1, cache=False))
    plan_target(mapping, jobs=1)
    assert json.loads(_results_file(tmp_path).read_text(encoding="utf-8"))["code"] == cache.code_digest()
    monkeypatch.setattr(cache, "code_digest", lambda: "another version of the tool")
    work = _Work(monkeypatch)
    assert _views(plan_target(mapping, jobs=1)) == expected
    assert work.rewritten > 0 and work.replayed == 1, "nothing stored by other code was used"
    assert json.loads(_results_file(tmp_path).read_text(encoding="utf-8"))["code"] == "another version of the tool"


def test_no_cache_stores_no_results(tmp_path, monkeypatch):
    generate(tmp_path, modules=40, moves=1, seed=5)
    mapping = load_mapping(tmp_path / "mapping.yaml")
    plan_target(mapping, jobs=1, cache=False)
    plan_target(mapping, jobs=1, cache=False)
    assert not (tmp_path / ".migrator").exists()
    work = _Work(monkeypatch)
    plan_target(mapping, jobs=1, cache=False)
    assert work.rewritten > 0 and work.replayed == 1, "--no-cache works everything out again"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)
_shaped = st.tuples(st.sampled_from(["changed", "unchanged", "skipped", "failed"]), _json, _json, _json).map(list)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_json, _shaped))
def test_any_stored_value_decodes_to_a_result_or_to_a_miss_never_an_error(value):
    from migrator.engine import cycle_gate
    from migrator.engine.rewrite import FileResult, decode_result

    found = decode_result(value)
    assert found is None or isinstance(found, FileResult.__args__)
    verdict = cycle_gate._decode(value)
    assert verdict is None or isinstance(verdict, list)
    components = cycle_gate._decode_components(value)
    assert components is None or isinstance(components, tuple)


def test_check_again_reads_no_references_and_after_each_edit_finds_what_a_run_without_cache_finds(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from migrator.adapters.state import read_state
    from migrator.cli import app
    from migrator.commands import check

    generate(tmp_path, modules=80, moves=2, seed=3)
    result = CliRunner().invoke(app, ["apply", "--phase", "1", "--yes", "--allow-dirty", "-m", str(tmp_path / "mapping.yaml")])
    assert result.exit_code == 0, result.output
    state = read_state(tmp_path)
    old = next(iter(state.applied[-1].moves))
    src, mapping_path = tmp_path / "src" / "pkg_0", tmp_path / "mapping.yaml"
    importer = src / "mod_7.py"
    text = importer.read_text(encoding="utf-8")
    edits = [
        ("nothing", lambda: None),
        ("a stale import", lambda: importer.write_text(text + f"\nimport {old}\n", encoding="utf-8")),
        ("a stale dotted use too", lambda: importer.write_text(text + f"\nimport {old}\nX = {old}.VALUE\n", encoding="utf-8")),
        ("the file kept on facades", lambda: mapping_path.write_text(mapping_path.read_text(encoding="utf-8").replace("  source_roots: [src]\n", "  source_roots: [src]\n  keep_on_facades: [\"src/pkg_0/mod_7.py\"]\n"), encoding="utf-8")),
        ("docs the mapping keeps current", lambda: (tmp_path / "docs").mkdir() or (tmp_path / "docs" / "api.md").write_text(f"::: {old}\n", encoding="utf-8")),
        ("the docs glob", lambda: mapping_path.write_text(mapping_path.read_text(encoding="utf-8").replace("  source_roots: [src]\n", "  source_roots: [src]\n  docs: [\"docs/**\"]\n"), encoding="utf-8")),
        ("the stale import fixed", lambda: importer.write_text(text, encoding="utf-8")),
    ]
    calls = []
    real = check.rewrite_file
    monkeypatch.setattr(check, "rewrite_file", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    seen = 0
    for what, edit in edits:
        edit()
        mapping = load_mapping(mapping_path)
        uncached = check.run_check(mapping, state, cache=False)
        assert check.run_check(mapping, state) == uncached, what
        calls.clear()
        assert check.run_check(mapping, state) == uncached, f"{what}, checked again"
        assert calls == [], f"{what}: checked again without reading a file's references"
        seen = max(seen, sum(f.code != "MIG401" for f in uncached))
    assert seen >= 2, "the edits gave check stale references to find"


def test_a_packages_reexports_are_read_from_the_cache_the_second_time(tmp_path, monkeypatch):
    # What each package `__init__` imports at its top level is stored by content: the
    # same answer, with no parse the second time, and a changed `__init__` is read again.
    import ast

    from migrator.adapters.snapshot import read_tree
    from migrator.analysis.project import ProjectIndex
    from migrator.analysis.scans import MemoryCache
    from migrator.engine import reexports
    from migrator.model.plan import MoveSet

    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from .impl import helper as h, other\ntry:\n    from .impl import late\nexcept ImportError:\n    pass\n")
    (root / "pkg" / "impl.py").write_text("def helper(): ...\ndef other(): ...\nlate = 1\n")
    snapshot = read_tree(root, ["."])
    index = ProjectIndex.build(snapshot, ["."])
    moves = MoveSet(modules={"pkg.impl": "pkg.core"}, known_modules=frozenset({"pkg", "pkg.impl"}))
    expected = {"pkg.h": "pkg.core.helper", "pkg.other": "pkg.core.other"}
    assert dict(reexports.with_reexports(moves, index, snapshot).reexports) == expected
    cache = MemoryCache()
    assert dict(reexports.with_reexports(moves, index, snapshot, cache).reexports) == expected
    parses = []
    real = ast.parse
    monkeypatch.setattr(reexports.ast, "parse", lambda *a, **k: parses.append(1) or real(*a, **k))
    assert dict(reexports.with_reexports(moves, index, snapshot, cache).reexports) == expected
    assert parses == []
    (root / "pkg" / "__init__.py").write_text("from .impl import other\n")
    changed = read_tree(root, ["."])
    assert dict(reexports.with_reexports(moves, ProjectIndex.build(changed, ["."]), changed, cache).reexports) == {"pkg.other": "pkg.core.other"}
    assert parses == [1]


def test_the_gates_verdict_follows_what_the_phase_writes_not_only_where(tmp_path):
    # Two plans of the same tree, moves and changed paths, whose written files differ (the
    # mapping's formatter changes what user.py imports): the second must not reuse the
    # first's stored verdict. Its key holds the files after the phase, not only their paths.
    import json as json_

    from tests.helpers import write_project

    files = {
        "src/app/__init__.py": "",
        "src/app/old.py": "def f():\n    return 1\n",
        "src/app/user.py": "from app.old import f\n\n\ndef g():\n    return f()\n",
        "src/app/other.py": "from app.user import g\n\nX = g\n",
    }
    # A "formatter" that puts an import of app.other at the top of app/user.py: with it,
    # `import app.user` runs app.other first, which reads `g` from the half-run app.user.
    tool = tmp_path / "fmt.py"
    tool.write_text(
        "import sys\n"
        "data = sys.stdin.read()\n"
        "if sys.argv[1].endswith('user.py') and sys.argv[2] == 'cycle':\n"
        "    data = 'from app.other import X\\n' + data\n"
        "sys.stdout.write(data)\n"
    )

    def mapping_text(mode: str) -> str:
        command = json_.dumps([sys.executable, str(tool), "{path}", mode])
        return (
            "version: 1\n"
            "target: {root: proj, source_roots: [src]}\n"
            f"format: {command}\n"
            "phases:\n"
            "  - {phase: 1, title: Rename, moves: [{from: app.old, to: app.new}]}\n"
        )

    mapping_path = write_project(tmp_path, files, mapping_text("plain"))
    first = plan_target(load_mapping(mapping_path), cache=True)
    assert not first.errors
    mapping_path.write_text(mapping_text("cycle"), encoding="utf-8")
    cached = plan_target(load_mapping(mapping_path), cache=True)
    uncached = plan_target(load_mapping(mapping_path), cache=False)
    assert [d.code for d in uncached.errors] == ["MIG401"]
    assert [d.code for d in cached.errors] == [d.code for d in uncached.errors]
