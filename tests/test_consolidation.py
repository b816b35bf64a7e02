"""Consolidation: a symbol or module moved onto an existing copy of itself.

Equal copies (docstrings, comments, formatting and local names aside) consolidate: the
existing one stays, the old place re-exports it, references point to it. Different
copies are refused with the two side by side (symbols) or a diff (modules), unless the
move says which one wins: `prefer: destination` keeps the existing code, `prefer:
source` puts the moved code in its place.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import REPO, copy_fixture, run_cli, tree_digest, write_project

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
phases:
  - phase: 1
    title: Consolidate
    moves:
      - {move}
"""

OLD = '''\
"""Old helpers."""

from pathlib import Path


def clean(path, parts=()):
    """Normalize a path (old docstring)."""
    result = Path(path)  # comment only here
    for part in parts:
        result = result / part
    return result.resolve()
'''

# The same function: other docstring, comments, formatting and local names.
SAME = '''\
"""New helpers."""

from pathlib import Path


def clean(path, parts=()):
    """Normalize a path."""
    p = Path(path)
    for piece in parts:
        p = p / piece
    return p.resolve()


def other():
    return 1
'''

# A drifted copy: it also expands the user.
DIFFERENT = SAME.replace("p = Path(path)", "p = Path(path).expanduser()")

USER = "from pkg.old import clean\nimport pkg.old\n\n\ndef run():\n    return clean('.'), pkg.old.clean('.')\n"


def project(tmp_path: Path, files: dict[str, str], move: str) -> Path:
    return write_project(tmp_path, {"src/pkg/__init__.py": "", **files}, MAPPING.format(move=move))


def read(tmp_path: Path, rel: str) -> str:
    return (tmp_path / "proj" / rel).read_text(encoding="utf-8")


def imports_fine(tmp_path: Path, code: str) -> str:
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=tmp_path / "proj" / "src", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


# --------------------------------------------------------------------------- symbols


def test_a_symbol_onto_an_equal_copy_is_a_consolidation(tmp_path):
    mapping = project(tmp_path, {"src/pkg/old.py": OLD, "src/pkg/new.py": SAME, "src/app.py": USER}, '{from: "pkg.old:clean", to: pkg.new}')
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert read(tmp_path, "src/pkg/new.py") == SAME, "the existing copy stays as it is"
    old = read(tmp_path, "src/pkg/old.py")
    assert "def clean" not in old and "from pkg.new import clean" in old
    app = read(tmp_path, "src/app.py")
    assert "from pkg.new import clean\n" in app and "pkg.new.clean('.')" in app
    assert imports_fine(tmp_path, "import pkg.old, pkg.new; print(pkg.old.clean is pkg.new.clean)") == "True"


def test_a_symbol_onto_a_different_copy_is_refused_with_both_side_by_side(tmp_path):
    mapping = project(tmp_path, {"src/pkg/old.py": OLD, "src/pkg/new.py": DIFFERENT, "src/app.py": USER}, '{from: "pkg.old:clean", to: pkg.new}')
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    err = result.stderr
    assert "MIG302 cannot consolidate pkg.old:clean into pkg.new: the existing definition differs" in err
    assert "add `prefer: destination` to keep it or `prefer: source` to replace it" in err
    header = next(line for line in err.splitlines() if "pkg.new.clean (existing)" in line)
    assert header.index("pkg.new.clean (existing)") < header.index("pkg.old.clean (moved)")
    drifted = next(line for line in err.splitlines() if "expanduser" in line)
    assert "≠" in drifted and "result = Path(path)" in drifted, "the differing lines face each other"
    assert tree_digest(tmp_path / "proj") == before


def test_prefer_destination_keeps_the_existing_symbol(tmp_path):
    mapping = project(tmp_path, {"src/pkg/old.py": OLD, "src/pkg/new.py": DIFFERENT, "src/app.py": USER}, '{from: "pkg.old:clean", to: pkg.new, prefer: destination}')
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    assert read(tmp_path, "src/pkg/new.py") == DIFFERENT
    assert "from pkg.new import clean" in read(tmp_path, "src/pkg/old.py")
    assert imports_fine(tmp_path, "import pkg.old, pkg.new; print(pkg.old.clean is pkg.new.clean)") == "True"


def test_prefer_source_replaces_the_existing_symbol_in_place(tmp_path):
    new = DIFFERENT.replace('from pathlib import Path\n', 'from pathlib import Path\n\n__all__ = ["clean", "other"]\n')
    mapping = project(tmp_path, {"src/pkg/old.py": OLD, "src/pkg/new.py": new, "src/app.py": USER}, '{from: "pkg.old:clean", to: pkg.new, prefer: source}')
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    moved_def = OLD[OLD.index("def clean"):]
    expected = new[: new.index("def clean")] + moved_def + new[new.index("\n\ndef other"):]
    assert read(tmp_path, "src/pkg/new.py") == expected, "the moved definition takes the existing one's place"
    assert "from pkg.new import clean" in read(tmp_path, "src/pkg/old.py")
    assert imports_fine(tmp_path, "import pkg.new; print(pkg.new.clean('a').name)") == "a"


# --------------------------------------------------------------------------- modules


MODULE_OLD = '''\
"""The old copy of the sweep helpers."""

from .space import SEED


def best(values, seed=SEED):
    ranked = sorted(values)  # the old comment
    return ranked[-1] if ranked else seed
'''

# The copy left behind by a half-finished migration: absolute import, other names.
MODULE_SAME = '''\
"""Sweep helpers (moved from pkg.jobs.sweeps)."""

from pkg.jobs.space import SEED


def best(values, seed=SEED):
    ordered = sorted(values)
    return ordered[-1] if ordered else seed
'''

MODULE_DIFFERENT = MODULE_SAME.replace("return ordered[-1] if ordered else seed", "return max(ordered, default=seed)")


def module_project(tmp_path: Path, existing: str, prefer: str = "") -> Path:
    files = {
        "src/pkg/jobs/__init__.py": "",
        "src/pkg/jobs/space.py": "SEED = 7\n",
        "src/pkg/jobs/sweeps.py": MODULE_OLD,
        "src/pkg/hpo/__init__.py": "",
        "src/pkg/hpo/sweep.py": existing,
        "src/app.py": "from pkg.jobs.sweeps import best\n\n\ndef run():\n    return best([3, 1, 2])\n",
    }
    extra = f", prefer: {prefer}" if prefer else ""
    return project(tmp_path, files, "{from: pkg.jobs.sweeps, to: pkg.hpo.sweep" + extra + "}")


def test_a_module_onto_an_equivalent_copy_consolidates(tmp_path):
    mapping = module_project(tmp_path, MODULE_SAME)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 0, result.output
    assert read(tmp_path, "src/pkg/hpo/sweep.py") == MODULE_SAME, "relative vs absolute imports, docstrings and local names do not count"
    assert "This facade keeps old imports working" in read(tmp_path, "src/pkg/jobs/sweeps.py")
    assert read(tmp_path, "src/app.py").startswith("from pkg.hpo.sweep import best\n")
    assert imports_fine(tmp_path, "import pkg.jobs.sweeps as a, pkg.hpo.sweep as b; print(a is b, a.best([1]))") == "True 1"


def test_a_module_onto_a_different_copy_is_refused_with_a_diff(tmp_path):
    mapping = module_project(tmp_path, MODULE_DIFFERENT)
    before = tree_digest(tmp_path / "proj")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    err = result.stderr
    assert "MIG301 cannot move 'pkg.jobs.sweeps' onto 'pkg.hpo.sweep': src/pkg/hpo/sweep.py already exists with different code" in err
    assert "--- src/pkg/hpo/sweep.py (existing)" in err and "+++ src/pkg/jobs/sweeps.py (moved here)" in err
    assert "-    return max(ordered, default=seed)" in err
    assert tree_digest(tmp_path / "proj") == before


def test_a_module_onto_a_different_copy_with_prefer_destination_keeps_the_existing_code(tmp_path):
    mapping = module_project(tmp_path, MODULE_DIFFERENT, "destination")
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    assert read(tmp_path, "src/pkg/hpo/sweep.py") == MODULE_DIFFERENT
    assert imports_fine(tmp_path, "import app; print(app.run())") == "3"


def test_a_module_onto_a_different_copy_with_prefer_source_takes_the_moved_code(tmp_path):
    mapping = module_project(tmp_path, MODULE_DIFFERENT, "source")
    assert run_cli("apply", "--mapping", str(mapping), "--phase", "1").exit_code == 0
    new = read(tmp_path, "src/pkg/hpo/sweep.py")
    assert "ranked = sorted(values)  # the old comment" in new
    assert "from ..jobs.space import SEED" in new, "the moved copy's relative import is re-resolved from its new place"
    assert imports_fine(tmp_path, "import app; print(app.run())") == "3"


# --------------------------------------------------------------------------- the fixture's planted copies


def _phase8_hpo_mapping(*, drop_prefer: bool = False) -> str:
    """The real mapping, with only the HPO moves of its phase 8 (the planted copies)."""
    text = (REPO / "mapping.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("phases:\n")
    phase8 = rest[rest.index("  - phase: 8"):rest.index("  - phase: 9")]
    moves = [line for line in phase8.splitlines() if "from: orchestration.jobs.hpo" in line]
    if drop_prefer:
        moves = [line.replace(", prefer: destination", "") for line in moves]
    return head + "phases:\n  - phase: 8\n    title: Reorganize jobs\n    moves:\n" + "".join(m + "\n" for m in moves)


def test_the_fixtures_hpo_copies_consolidate_in_phase_8(tmp_path):
    mapping = copy_fixture(tmp_path, _phase8_hpo_mapping())
    root = tmp_path / "target_repo_fixture"
    search_space = (root / "src/hpo/core/search_space.py").read_bytes()
    sweep = (root / "src/hpo/execution/local/sweep.py").read_bytes()
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "8")
    assert result.exit_code == 0, result.output
    # search_space: identical after normalization → consolidated, the existing copy stays.
    assert (root / "src/hpo/core/search_space.py").read_bytes() == search_space
    # local_sweeps: drifted, and the mapping prefers the destination.
    assert (root / "src/hpo/execution/local/sweep.py").read_bytes() == sweep
    for old in ("search_space", "local_sweeps"):
        assert "This facade keeps old imports working" in (root / f"src/orchestration/jobs/hpo/{old}.py").read_text(encoding="utf-8")
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_hpo.py", "tests/test_legacy_imports.py"],
        cwd=root, capture_output=True, text=True, env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert suite.returncode == 0, suite.stdout[-3000:]


def test_the_fixtures_drifted_sweep_copy_is_refused_without_prefer(tmp_path):
    mapping = copy_fixture(tmp_path, _phase8_hpo_mapping(drop_prefer=True))
    result = run_cli("plan", "--mapping", str(mapping), "--phase", "8")
    assert result.exit_code == 3
    err = result.stderr
    assert "MIG301 cannot move 'orchestration.jobs.hpo.local_sweeps' onto 'hpo.execution.local.sweep'" in err
    assert "MIG301 cannot move 'orchestration.jobs.hpo.search_space'" not in err, "the identical copy consolidates"
    assert "-    early_stop_patience: Optional[int] = None," in err, "the diff shows where the copies drifted"
    assert textwrap.dedent("""\
        --- src/hpo/execution/local/sweep.py (existing)
        +++ src/orchestration/jobs/hpo/local_sweeps.py (moved here)""") in err
