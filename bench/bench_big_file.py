"""One 5 MB file of dotted uses, end to end through the real CLI: `migrate plan`, then
`migrate apply`, of a move of the module it uses.

`python bench/bench_big_file.py [MEGABYTES]` (default 5) writes a project whose
`app/uses.py` is `import pkg.old.mod` followed by one statement `v = pkg.old.mod.f()`
per line up to MEGABYTES MB, moves `pkg.old.mod` to `pkg.new.mod` (no facades), runs
`migrate plan` and `migrate apply --yes` as subprocesses and asserts that each exits 0
without a traceback and that `app/uses.py` afterwards is, byte for byte, the same file
with every use (and the import) spelled from the new module. It prints the file's size
and each command's seconds and peak memory.

Measured on the 2-core development machine (2026-12-03, 5 MB, 249,999 uses): plan
780 s, apply 902 s, 6.3 GB peak memory, output correct. After issue 16's changes
(same machine, shared with another benchmark at the time): 0.32 MB (15,999 uses) plan
54.5 s, apply 47.3 s, 514 MB; 1.28 MB (63,999 uses, 4×) plan 184 s (3.4×), apply 232 s
(4.9×), 1.9 GB (3.7×); output correct both times. It lives here and not in the
suite because that is longer than the whole suite may take (10 minutes);
tests/test_linear_work.py shows in the suite, by counting operations, that the per-file
work is linear, which is what makes this size finish at all.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIGRATE = Path(sys.executable).with_name("migrate")

MAPPING = """version: 1
target: {root: proj, source_roots: [src]}
facades: {style: none}
phases:
  - {phase: 1, title: move the module, moves: [{from: pkg.old.mod, to: pkg.new.mod}]}
"""

LINE = "v = {}.f()\n"


def uses_file(module: str, size: int) -> str:
    """`import <module>` and dotted uses of it, one per line, up to `size` bytes."""
    head = f"import {module}\n\n"
    line = LINE.format(module)
    return head + line * max(1, (size - len(head)) // len(line))


def write_project(base: Path, size: int) -> tuple[Path, Path]:
    src = base / "proj" / "src"
    for package in ("pkg", "pkg/old", "app"):
        (src / package).mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
    (src / "pkg/old/mod.py").write_text("def f():\n    return 1\n")
    uses = src / "app" / "uses.py"
    uses.write_text(uses_file("pkg.old.mod", size))
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING)
    return mapping, uses


def run(*args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(MIGRATE), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"migrate {' '.join(args)} exited {proc.returncode}:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    return elapsed


def main(argv: list[str]) -> int:
    megabytes = float(argv[0]) if argv else 5.0
    size = int(megabytes * 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        mapping, uses = write_project(Path(tmp), size)
        before = uses.read_text()
        print(f"app/uses.py: {len(before.encode()):,} bytes, {before.count(chr(10)) - 2:,} dotted uses", flush=True)
        t_plan = run("plan", "--phase", "1", "--format", "summary", "--mapping", str(mapping))
        assert uses.read_text() == before, "plan changed the file"
        peak_plan = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"migrate plan:  {t_plan:7.1f} s, peak {peak_plan:,.0f} MB", flush=True)
        t_apply = run("apply", "--phase", "1", "--yes", "--mapping", str(mapping))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"migrate apply: {t_apply:7.1f} s, peak {peak:,.0f} MB (largest of both)", flush=True)
        expected = uses_file("pkg.new.mod", size)
        after = uses.read_text()
        assert after == expected, "app/uses.py is not the file with every use re-spelled"
        assert (uses.parent.parent / "pkg/new/mod.py").read_text() == "def f():\n    return 1\n"
        assert not (uses.parent.parent / "pkg/old/mod.py").exists()
        print("ok: app/uses.py re-spelled byte for byte, the module moved", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
