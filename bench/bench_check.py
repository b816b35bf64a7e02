"""Benchmark `migrate plan`, `apply` and `check` against the floors measured in the same run.

    python bench/bench_check.py [--sizes 1000 5000] [--moves 1] [--out bench/out/check.json]

For each generated repository (bench/gen_repo.py) and for the migrated fixture, prints
wall time and peak RSS of each command (each in a fresh child process, so imports and
memory are counted as a user sees them) next to two floors: reading every file plus the
text prefilter, and `ast.parse` of every Python file in one process. Ratios are to the
`ast.parse` floor. Not a test: these machines are shared, so figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from gen_repo import generate  # noqa: E402


def _run(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of `python -m migrator ARGS`."""
    code = (
        "import resource, runpy, sys, time\n"
        "t = time.perf_counter()\n"
        "sys.argv = ['migrate'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('migrator', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    rc = e.code or 0\n"
        "else:\n"
        "    rc = 0\n"
        "sys.stderr.write(f'BENCH {time.perf_counter() - t} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024} {rc}\\n')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, env=env)
    line = [l for l in proc.stderr.splitlines() if l.startswith("BENCH ")][-1]
    _, wall, rss, rc = line.split()
    return float(wall), float(rss), int(rc)


def _floors(root: Path) -> dict[str, float]:
    from migrator.mapping import load_mapping
    from migrator.planner import prefilter, read_snapshot
    from migrator.model import MoveSet

    mapping = load_mapping(root / "mapping.yaml") if (root / "mapping.yaml").exists() else None
    t = time.perf_counter()
    files = [p for p in root.rglob("*") if p.is_file() and ".migrator" not in p.parts]
    data = {p: p.read_bytes() for p in files}
    moves = MoveSet({m.source: m.to for ph in mapping.spec.phases for m in ph.moves if not m.is_symbol}) if mapping else MoveSet()
    pf = prefilter(moves)
    hits = sum(1 for d in data.values() if pf.may_refer(d.decode("utf-8", "replace")))
    read = time.perf_counter() - t
    t = time.perf_counter()
    for p, d in data.items():
        if p.suffix == ".py":
            ast.parse(d)
    parse = time.perf_counter() - t
    return {"read_prefilter_s": read, "ast_parse_s": parse, "files": len(files), "prefilter_hits": hits}


def bench_generated(size: int, moves: int, work: Path) -> dict:
    root = work / f"gen_{size}_{moves}"
    generate(root, modules=size, moves=moves, seed=1)
    floors = _floors(root)
    row = {"target": f"generated {size} modules, {moves} move(s)", **floors}
    for name, args in (
        ("plan", ["plan", "--format", "summary"]),
        ("graph", ["graph", "--format", "json"]),
        ("apply", ["apply", "--phase", "1", "--yes"]),
        ("check", ["check"]),
        ("check_again", ["check"]),
    ):
        wall, rss, rc = _run(args, root)
        row[f"{name}_s"], row[f"{name}_rss_mb"], row[f"{name}_rc"] = wall, rss, rc
    return row


def bench_fixture(work: Path) -> dict:
    base = work / "fixture"
    base.mkdir()
    shutil.copytree(REPO / "target_repo_fixture", base / "target_repo_fixture", ignore=shutil.ignore_patterns("__pycache__", ".migrator"))
    shutil.copy(REPO / "mapping.yaml", base / "mapping.yaml")
    from migrator.mapping import load_mapping

    numbers = load_mapping(base / "mapping.yaml").phase_numbers
    plan_wall, plan_rss, _ = _run(["plan", "--format", "summary"], base)
    for n in numbers:
        _run(["apply", "--phase", str(n), "--yes"], base)
    floors = _floors(base / "target_repo_fixture")
    check_wall, check_rss, rc = _run(["check"], base)
    help_wall, _, _ = _run(["--help"], base)
    return {
        "target": "target_repo_fixture, all phases",
        **floors,
        "plan_s": plan_wall, "plan_rss_mb": plan_rss,
        "check_s": check_wall, "check_rss_mb": check_rss, "check_rc": rc,
        "help_s": help_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--moves", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "check.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows.append(bench_fixture(work))
        for size in args.sizes:
            rows.append(bench_generated(size, args.moves, work))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    from rich.console import Console
    from rich.table import Table

    table = Table(title="migrator benchmark (wall seconds; × = ratio to the ast.parse floor)")
    for col in ("target", "files", "read+prefilter", "ast.parse", "plan", "apply", "check", "check (again)", "peak RSS plan"):
        table.add_column(col)

    def cell(row, key):
        if f"{key}_s" not in row:
            return "-"
        return f"{row[f'{key}_s']:.2f} ({row[f'{key}_s'] / row['ast_parse_s']:.1f}×)"

    for row in rows:
        table.add_row(
            row["target"], str(row["files"]), f"{row['read_prefilter_s']:.2f}", f"{row['ast_parse_s']:.2f}",
            cell(row, "plan"), cell(row, "apply"), cell(row, "check"), cell(row, "check_again"),
            f"{row.get('plan_rss_mb', 0):.0f} MB",
        )
    Console(width=200).print(table)
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()
