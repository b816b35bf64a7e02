"""Per-file cost of dotted uses: one module with N `pkg.mod.attr` uses, planned once per N.

`python bench/bench_dotted_uses.py [N ...]` (default 1000 2000 4000 8000) generates, for
each N, a project whose `app/uses.py` does `import pkg.mod` and then N statements
`v_i = pkg.mod.attr`, moves `pkg.mod` to `pkg.newmod`, and times `plan_target` of that
phase (one process, no workers, no cache). It prints seconds per size and the ratio to
the previous size: linear work doubles with N (ratio ≈ 2), quadratic work quadruples.
Timing only, so it lives here and not in the suite (the machine is shared and noisy);
tests/test_bad_input.py counts operations instead.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAPPING = """version: 1
target: {root: proj, source_roots: [src]}
phases:
  - {phase: 1, title: move, moves: [{from: pkg.mod, to: pkg.newmod}]}
"""


def uses_module(n: int) -> str:
    """`import pkg.mod` and `n` dotted uses of it, one per line."""
    return "import pkg.mod\n\n" + "".join(f"v{i} = pkg.mod.attr\n" for i in range(n))


def write_project(base: Path, n: int) -> Path:
    src = base / "proj" / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "app").mkdir()
    (src / "pkg" / "__init__.py").write_text("")
    (src / "pkg" / "mod.py").write_text("attr = 1\n")
    (src / "app" / "__init__.py").write_text("")
    (src / "app" / "uses.py").write_text(uses_module(n))
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING)
    return mapping


def time_plan(n: int) -> float:
    from migrator.adapters.planning import plan_target
    from migrator.mapping.spec import load_mapping

    with tempfile.TemporaryDirectory() as tmp:
        m = load_mapping(write_project(Path(tmp), n))
        start = time.perf_counter()
        result = plan_target(m, [1], jobs=1, cache=False)
        elapsed = time.perf_counter() - start
        assert not result.errors, [d.message for p in result.phases for d in p.errors]
        return elapsed


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1000, 2000, 4000, 8000]
    time_plan(50)  # imports and warm-up
    print(f"{'uses':>7} {'bytes':>9} {'seconds':>8} {'ratio':>6}")
    prev = None
    for n in sizes:
        t = time_plan(n)
        ratio = f"{t / prev:.2f}" if prev else "-"
        print(f"{n:>7} {len(uses_module(n)):>9} {t:>8.2f} {ratio:>6}", flush=True)
        prev = t
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
