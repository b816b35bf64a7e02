"""The plan of a generated benchmark tree stays byte for byte what it was before the performance work.

Issue 16 asks that results stay byte-identical on every benchmark tree. Each tree here is
made by bench/gen_repo.py's `generate()` (the generator of bench/bench_perf.py; the same
arguments give the same bytes), small enough for the suite: 300 modules with 1 move,
with 20 moves, and with 5 moves and import cycles (`cycles=True`, mapping
`cycles: forbid-new`). `migrate plan --no-cache --format json` runs in a child process
with the tree as working directory (its mapping.yaml is found there), twice: the two
outputs must be equal (the plan is deterministic), and equal to
tests/golden/generated/<tree>.json.

The plan names one absolute path, by design: `target_absolute`, the tree's folder. The
test checks that the folder occurs in the output exactly once, on that line, and writes
it as `<tree>`; every other byte is compared as printed.

The golden files are the pre-optimisation reference: they were written by the code at
commit 7b7b0c1, before the performance work of issue 16, with

    python tests/test_plan_identical.py CODE_DIR

where CODE_DIR is a checkout of that commit (its `migrator` is the one that plans).
Regenerate them only for an intended change of output, which is then reviewed in the
diff of tests/golden/generated/; the repository's convention does it with the code
under test:

    MIGRATOR_UPDATE_GOLDEN=1 python -m pytest tests/test_plan_identical.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "generated"
UPDATE = os.environ.get("MIGRATOR_UPDATE_GOLDEN") == "1"

sys.path.insert(0, str(REPO / "bench"))
from gen_repo import generate

#: name: generate()'s arguments.
TREES = {
    "modules300-moves1": {"modules": 300, "moves": 1, "seed": 7},
    "modules300-moves20": {"modules": 300, "moves": 20, "seed": 7},
    "modules300-moves5-cycles": {"modules": 300, "moves": 5, "seed": 7, "cycles": True},
}
PLACEHOLDER = b"<tree>"


def plan_json(tree: Path, code: Path = REPO) -> bytes:
    """stdout of `migrate plan --no-cache --format json` in `tree`, planned by the `migrator` under `code`,
    with the tree's absolute path written as PLACEHOLDER."""
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "plan", "--no-cache", "--format", "json"],
        cwd=tree, capture_output=True, check=False,
        env={**os.environ, "PYTHONPATH": str(code)},
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    absolute = str(tree).encode()
    lines = [line for line in proc.stdout.splitlines() if absolute in line]
    assert lines == [b'  "target_absolute": "' + absolute + b'",'], f"absolute paths in the plan: {lines}"
    return proc.stdout.replace(absolute, PLACEHOLDER)


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("generated")
    for name, arguments in TREES.items():
        generate(base / name, **arguments)
    return {name: base / name for name in TREES}


@pytest.mark.parametrize("name", list(TREES))
def test_the_plan_of_a_generated_tree_is_deterministic_and_unchanged(trees, name):
    first, second = plan_json(trees[name]), plan_json(trees[name])
    assert first == second, f"two plans of {name} differ"
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_bytes(first)
    assert path.exists(), f"{path} is missing: run with MIGRATOR_UPDATE_GOLDEN=1 to create it"
    assert first == path.read_bytes(), f"the plan differs from {path.relative_to(REPO)}"


def write_goldens(code: Path) -> None:
    """Write every golden file from the plans of the `migrator` under `code`."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plan_identical_") as tmp:
        for name, arguments in TREES.items():
            generate(Path(tmp) / name, **arguments)
            GOLDEN.joinpath(f"{name}.json").write_bytes(plan_json(Path(tmp) / name, code))
            print(f"wrote {GOLDEN / name}.json, planned by {code}")


if __name__ == "__main__":
    write_goldens(Path(sys.argv[1]).resolve())
