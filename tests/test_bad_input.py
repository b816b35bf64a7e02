"""Bad input never gives a traceback: a damaged state file, a hand-edited cache, odd
mapping files, odd files in the tree. Each is one clear message and an exit code (2 for
a mapping or usage mistake, 3 for a refusal), and nothing on disk changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run_cli, tree_digest, write_project

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "def today():\n    return 1\n",
    "src/app/report.py": "from app.utils.dates import today\n",
}
MAPPING = """version: 1
target: {root: proj, source_roots: [src]}
phases:
  - {phase: 1, title: Split utils, moves: [{from: app.utils.dates, to: app.dates}]}
"""

# --------------------------------------------------------------------------- state.json

BAD_STATES = [
    pytest.param(b"garbage{", "not valid JSON (line 1, column 1", id="garbage"),
    pytest.param(b"\xff\xfe\x00\x01\x80", "not UTF-8 text", id="binary"),
    pytest.param(b"", "not valid JSON", id="empty"),
    pytest.param(b"[]", "the top level is list, expected an object", id="a list"),
    pytest.param(b'{"version": 1}', "applied is missing", id="no applied key"),
    pytest.param(b'{"applied": []}', "version is missing", id="no version key"),
    pytest.param(b'{"version": 2, "applied": []}', "version is 2", id="another version"),
    pytest.param(b'{"version": 1, "applied": {}}', "applied is {}, expected a list", id="applied not a list"),
    pytest.param(b'{"version": 1, "applied": [7]}', "applied[0] is int, expected an object", id="entry not an object"),
    pytest.param(
        b'{"version": 1, "applied": [{"phase": "1", "title": "t", "applied_at": "x", "plan_digest": "d", "files": {}}]}',
        "applied[0].phase is '1', expected a whole number", id="phase a string",
    ),
    pytest.param(
        b'{"version": 1, "applied": [{"phase": 1, "title": "t", "applied_at": "x", "plan_digest": "d", "files": {"a.py": 3}}]}',
        "applied[0].files['a.py'] is 3", id="digest a number",
    ),
    pytest.param(
        b'{"version": 1, "applied": [{"phase": 1, "title": "t", "applied_at": "x", "plan_digest": "d", "files": {}, "cycles": [1]}]}',
        "applied[0].cycles holds 1", id="cycles of numbers",
    ),
]

COMMANDS = [("status",), ("rollback",), ("plan",), ("apply", "--phase", "1", "--yes"), ("check",), ("graph",), ("audit",)]


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path, FILES, MAPPING)


@pytest.mark.parametrize("content,why", BAD_STATES)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_damaged_state_file_refuses_every_command_with_what_is_wrong(project, content, why, command):
    state = project.parent / "proj" / ".migrator" / "state.json"
    state.parent.mkdir()
    state.write_bytes(content)
    before = tree_digest(project.parent)
    result = run_cli(*command, "--mapping", str(project))
    assert result.exit_code == 3, result.output
    assert f"{state}: {why}" in result.output
    assert "put back state.json from a backup" in result.output
    assert "Traceback" not in result.output
    assert tree_digest(project.parent) == before


def _applied(project: Path) -> Path:
    assert run_cli("apply", "--phase", "1", "--yes", "--mapping", str(project)).exit_code == 0
    return project.parent / "proj" / ".migrator"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_deleted_state_file_with_undo_records_is_not_taken_as_nothing_applied(project, command):
    sdir = _applied(project)
    (sdir / "state.json").unlink()
    before = tree_digest(project.parent)
    result = run_cli(*command, "--mapping", str(project))
    assert result.exit_code == 3, result.output
    assert "state.json: missing, but undo records of phase(s) 1 are in" in result.output
    assert "journal.json lists every file phase N touched with its pre-image" in result.output
    assert tree_digest(project.parent) == before


def test_the_manual_steps_for_a_lost_state_file_restore_the_tree(project):
    """Following the message's steps (pre-images back, created files removed) gives
    the tree from before the phase: the steps are true of the undo record's format."""
    original = tree_digest(project.parent / "proj")
    sdir = _applied(project)
    (sdir / "state.json").unlink()
    assert "copy each pre-image back to its path and delete each file the phase created" in run_cli("status", "--mapping", str(project)).output
    record = sdir / "applied" / "1"
    journal = json.loads((record / "journal.json").read_text())
    root = project.parent / "proj"
    for entry in journal["entries"]:
        if entry["existed"]:
            (root / entry["path"]).write_bytes((record / entry["pre"]).read_bytes())
        else:
            (root / entry["path"]).unlink()
    for d in journal["created_dirs"]:
        (root / d).rmdir()
    import shutil

    shutil.rmtree(sdir)
    assert tree_digest(root) == original
    assert run_cli("status", "--mapping", str(project)).exit_code == 0


def test_a_damaged_rollback_marker_refuses_rollback_with_the_fix(project):
    sdir = _applied(project)
    (sdir / "rollback.json").write_text("{oops")
    before = tree_digest(project.parent)
    result = run_cli("rollback", "--mapping", str(project))
    assert result.exit_code == 3, result.output
    assert "rollback.json: not valid JSON" in result.output and '{"phase": N}' in result.output
    assert tree_digest(project.parent) == before


# --------------------------------------------------------------------------- mapping files


def _alias_bomb() -> bytes:
    lines = ["version: 1", 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("phases: [{phase: 1, title: t}]")
    return ("\n".join(lines) + "\n").encode()


HEAD = "version: 1\ntarget: {root: proj, source_roots: [src]}\n"

BAD_MAPPINGS = [
    pytest.param(
        (HEAD + "base: &base {phase: 1, title: t}\nphases:\n  - <<: *base\n    moves: []\n").encode(),
        5, 5, "merge keys (`<<: *anchor`) are not supported", id="merge key",
    ),
    pytest.param(
        (HEAD + 'phases: !!python/object/apply:os.system ["echo hi"]\n').encode(),
        3, 9, "the YAML tag '!!python/object/apply:os.system' is not allowed", id="python tag",
    ),
    pytest.param((HEAD + "phases: [{phase: 1, title: !custom t}]\n").encode(), 3, 28, "the YAML tag '!custom' is not allowed", id="local tag"),
    pytest.param((HEAD + "!!python/name:os.system phases: []\n").encode(), 3, 1, "is not allowed", id="tag on a key"),
    pytest.param((HEAD + "phases: " + "[" * 100_000 + "]" * 100_000 + "\n").encode(), 3, 41, "nested more than 32 deep", id="100k brackets"),
    pytest.param(_alias_bomb(), None, None, "an alias bomb?", id="alias bomb"),
    pytest.param((HEAD + 'phases: [{phase: 1, title: "t\xff"}]\n').encode("latin-1"), 3, 30, "not UTF-8 (byte 0xff", id="latin-1 byte"),
    pytest.param((HEAD + 'phases: [{phase: 1, title: "t\0"}]\n').encode(), 3, 30, "holds a NUL byte", id="NUL byte"),
    pytest.param((HEAD + "phases: [{phase: true, title: t}]\n").encode(), 3, 18, "phases[0].phase is True — it must be a whole number", id="phase true"),
    pytest.param((HEAD + 'phases: [{phase: "1", title: t}]\n').encode(), 3, 18, "phases[0].phase is '1' — it must be a whole number", id="phase string"),
    pytest.param((HEAD + "phases: [{phase: 1.0, title: t}]\n").encode(), 3, 18, "phases[0].phase is 1.0 — it must be a whole number", id="phase float"),
    pytest.param(
        (HEAD + 'phases: [{phase: 1, title: t, moves: [{from: a.b, to: c.d, merge: "yes"}]}]\n').encode(),
        3, 67, "merge is 'yes' — it must be true or false", id="merge string",
    ),
    pytest.param((HEAD + "facades: {warning: 1}\nphases: [{phase: 1, title: t}]\n").encode(), 3, 20, "facades.warning is 1 — it must be true or false", id="warning number"),
    pytest.param(b"version: true\nphases: [{phase: 1, title: t}]\n", 1, 10, "version is True, which is not allowed", id="version true"),
    pytest.param((HEAD + "phases: [{phase: 1, title: t}]\n---\nversion: 1\n").encode(), 4, 1, "fix the YAML syntax", id="two documents"),
    pytest.param((HEAD + "phases: [{phase: 1, title: t, phase: 2}]\n").encode(), 3, 31, "duplicate key 'phase'", id="duplicate key"),
]


@pytest.mark.parametrize("content,line,col,what", BAD_MAPPINGS)
def test_a_bad_mapping_file_is_one_message_at_its_line_and_column(tmp_path, content, line, col, what):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes(content)
    result = run_cli("status", "--mapping", str(mapping))
    assert result.exit_code == 2, result.output
    where = f"{mapping}:{line}:{col}: " if line is not None else f"{mapping}:"
    assert where in result.output and what in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 3


def test_the_alias_bomb_is_reported_at_a_line_and_column(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes(_alias_bomb())
    out = run_cli("status", "--mapping", str(mapping)).output
    assert re.search(rf"{re.escape(str(mapping))}:\d+:\d+: aliases expand this document", out), out


def test_a_directory_as_mapping_names_it_and_the_file_to_pass(tmp_path):
    result = run_cli("plan", "--mapping", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path}: is a directory, not a mapping file — pass the file itself" in result.output


def test_aliases_that_share_a_value_still_load(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\ntarget: {root: ., source_roots: &roots [src], keep_on_facades: *roots}\n"
        "phases: [{phase: 1, title: t}]\n"
    )
    from migrator.mapping.spec import load_mapping

    assert load_mapping(mapping).spec.target.keep_on_facades == ("src",)


# --------------------------------------------------------------------------- the import cache


def _cache_files(project: Path) -> tuple[Path, Path | None]:
    folder = project.parent / "proj" / ".migrator" / "cache"
    (imports,) = folder.glob("imports-*.json")
    return imports, next(folder.glob("memos-*.json"), None)


def _scan_of(entry):
    """The scan inside a stored entry (`[digest, scan]`; a bare scan in older layouts)."""
    return entry[1] if isinstance(entry[0], str) else entry


def _outputs(project: Path, cache: bool) -> list[str]:
    flag = "--cache" if cache else "--no-cache"
    out = []
    for args in (("graph", "--format", "json"), ("plan", "--format", "diff", "--jobs", "1"), ("check", "--format", "json")):
        result = run_cli(*args, flag, "--mapping", str(project))
        assert result.exit_code in (0, 1), result.output
        out.append(result.stdout)
    return out


def _report_key(project: Path) -> str:
    from migrator.analysis.scans import content_key

    return content_key((project.parent / "proj" / "src/app/report.py").read_bytes())


def test_a_hand_edited_cache_entry_cannot_change_a_result(project):
    expected = _outputs(project, cache=False)
    _outputs(project, cache=True)  # fills the cache
    imports, _ = _cache_files(project)
    entries = json.loads(imports.read_text())
    key = _report_key(project)
    # The forged scan has the right shape: report.py "imports" nothing.
    scan = _scan_of(entries[key])
    assert scan[0], "report.py's imports are in the cache"
    scan[0] = []
    imports.write_text(json.dumps(entries))
    assert _outputs(project, cache=True) == expected


def test_a_hand_edited_cycle_memo_cannot_change_check(project):
    _applied(project)
    expected = run_cli("check", "--format", "json", "--no-cache", "--mapping", str(project)).stdout
    run_cli("check", "--format", "json", "--mapping", str(project))
    _, memos_file = _cache_files(project)
    stored = json.loads(memos_file.read_text())
    memos = stored["memos"] if "digest" in stored else stored
    (memo,) = memos.values()
    memo["components"].append([["app.report"], ["src/app/report.py", 1, "forged cycle"]])
    memos_file.write_text(json.dumps(stored))
    assert run_cli("check", "--format", "json", "--mapping", str(project)).stdout == expected


WRONG_SHAPES = [
    pytest.param("x", id="a string"),
    pytest.param([], id="an empty list"),
    pytest.param({"a": 1}, id="an object"),
    pytest.param(["0" * 32, "x"], id="digest and a string"),
    pytest.param(["0" * 32, [[["a"]], None]], id="a record of one string"),
    pytest.param(["0" * 32, [[[1, 0, 1, 9, "sideways", False, 0, "app", []]], None]], id="an unknown kind"),
    pytest.param(["0" * 32, [[], [1, "x", "msg"]]], id="a failure with a string column"),
    pytest.param([[], None], id="a bare scan"),
]


@pytest.mark.parametrize("bad", WRONG_SHAPES)
def test_cache_entries_of_the_wrong_shape_are_ignored(project, bad):
    expected = _outputs(project, cache=False)
    _outputs(project, cache=True)
    imports, _ = _cache_files(project)
    entries = json.loads(imports.read_text())
    imports.write_text(json.dumps({k: bad for k in entries}))
    assert _outputs(project, cache=True) == expected


@pytest.mark.parametrize("content", [b"[]", b"garbage", b'{"x": 1}', b"\xff\xfe"], ids=["a list", "garbage", "other keys", "binary"])
def test_damaged_cache_files_and_key_are_ignored(project, content):
    expected = _outputs(project, cache=False)
    _outputs(project, cache=True)
    imports, memos = _cache_files(project)
    for f in (imports, memos, *imports.parent.glob("key")):
        if f is not None:
            f.write_bytes(content)
    assert _outputs(project, cache=True) == expected
    assert _outputs(project, cache=True) == expected  # and once rewritten


def test_the_cache_is_still_used_when_nobody_touched_it(project):
    """The digests do not make every entry look forged: a warm run parses nothing."""
    from migrator.adapters.cache import ImportCache
    from migrator.adapters.snapshot import read_snapshot
    from migrator.analysis.graph import build_graph
    from migrator.analysis.project import ProjectIndex
    from migrator.mapping.spec import load_mapping
    from tests.fake_cache import CountingCache

    _outputs(project, cache=True)
    mapping = load_mapping(project)
    snapshot = read_snapshot(mapping)
    index = ProjectIndex.build(snapshot, mapping.spec.target.source_roots)
    imports = CountingCache(ImportCache.load(mapping.root))
    build_graph(snapshot, index, cache=imports)  # what `migrate graph` builds
    assert imports.misses == [] and imports.learned == []
    assert len(imports.found) == len(index.modules)


# --------------------------------------------------------------------------- odd files in the tree


@pytest.mark.parametrize(
    "data,what",
    [
        pytest.param("import app.utils.dates\n".encode("utf-16"), "is UTF-16 (or UTF-32)", id="UTF-16 with a BOM"),
        pytest.param("x = 1\n".encode("utf-16-le"), "is not text: it holds NUL bytes", id="UTF-16 without a BOM, unrelated"),
    ],
)
def test_a_file_python_cannot_read_is_reported_not_skipped(project, data, what):
    (project.parent / "proj" / "src/app/wide.py").write_bytes(data)
    before = tree_digest(project.parent)
    result = run_cli("apply", "--phase", "1", "--yes", "--mapping", str(project))
    assert result.exit_code == 3, result.output
    assert f"src/app/wide.py: MIG202 {what}" in result.output
    assert "save it as UTF-8, or list it in target.exclude (or pass --skip-unparsable)" in result.output
    assert tree_digest(project.parent) == before


def test_skipping_a_utf16_file_lists_its_mentions_of_moved_paths(project):
    (project.parent / "proj" / "src/app/wide.py").write_bytes("import app.utils.dates\n".encode("utf-16"))
    result = run_cli("plan", "--skip-unparsable", "--format", "summary", "--mapping", str(project))
    assert result.exit_code == 0, result.output
    assert "src/app/wide.py:1:8: MIG203 mentions 'app.utils.dates'" in result.output


def test_symlink_loops_in_the_tree_are_passed_over(project):
    app = project.parent / "proj" / "src" / "app"
    (app / "loop1").symlink_to("loop2")
    (app / "loop2").symlink_to("loop1")
    (app / "here").symlink_to(".")
    (app / "deep.py").symlink_to("here/here/deep.py")
    for args in (("plan", "--format", "summary"), ("graph",), ("check",), ("apply", "--phase", "1", "--yes"), ("rollback",)):
        result = run_cli(*args, "--mapping", str(project))
        assert result.exit_code == 0, (args, result.output)
    assert (app / "loop1").is_symlink() and (app / "deep.py").is_symlink()


@pytest.mark.parametrize("terms", [1_500], ids=["deeper than libcst goes"])
def test_a_chain_of_dotted_uses_too_deep_to_parse_is_refused_with_the_file_named(project, terms):
    chain = "import app.utils.dates\n\nx = (" + " +\n    ".join(["app.utils.dates.today()"] * terms) + ")\n"
    (project.parent / "proj" / "src/app/chain.py").write_text(chain)
    before = tree_digest(project.parent)
    result = run_cli("apply", "--phase", "1", "--yes", "--mapping", str(project))
    assert result.exit_code == 3, result.output
    assert "src/app/chain.py: MIG201 does not parse: an expression nests too deeply" in result.output
    assert tree_digest(project.parent) == before
    assert run_cli("graph", "--mapping", str(project)).exit_code == 0
    skipped = run_cli("plan", "--skip-unparsable", "--format", "summary", "--mapping", str(project))
    assert skipped.exit_code == 0 and "src/app/chain.py:3:6: MIG203 mentions 'app.utils.dates.today'" in skipped.output


def test_a_file_whose_scan_found_it_too_deep_never_reaches_libcst():
    """libcst takes minutes on an expression of thousands of terms before it gives up
    (6,000 took 87 s): a file the stdlib parser already found too deep is refused from
    its scan at once. Shown with a source libcst would rewrite without trouble, handed
    the scan of a too-deep one: the refusal can only come from the scan."""
    from migrator.engine.rewrite import Changed, Failed, rewrite
    from migrator.analysis import pyast
    from migrator.model.plan import FileContext, MoveSet

    deep = ("import pkg.mod\nx = " + " + ".join(["pkg.mod.attr"] * 6_000) + "\n").encode()
    scan = pyast.scan(deep)
    assert scan[1] is not None and scan[1][2] == pyast.TOO_DEEP
    source = b"import pkg.mod\nx = pkg.mod.attr\n"
    moves = MoveSet(modules={"pkg.mod": "pkg.new"})
    assert isinstance(rewrite("src/a.py", source, FileContext(path="src/a.py"), moves, pyast.scan(source)), Changed)
    result = rewrite("src/a.py", source, FileContext(path="src/a.py"), moves, scan)
    assert isinstance(result, Failed) and result.diagnostic.code == "MIG201"
