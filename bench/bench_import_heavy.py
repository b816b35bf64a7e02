"""Per-file work on a file made of thousands of imports that all spell a moved name's
last component (issue 12: per-file work must be linear in the file's size).

    python bench/bench_import_heavy.py [SIZES...]

Times the triage's "is the word used outside the imports?" search (`fastpath._outside`,
median of 3) for each size and prints the ratio to the smallest size; a linear search
gives ratios close to the size ratios. Not a test: a timing on a shared machine.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrator.engine import fastpath  # noqa: E402
from migrator.analysis import pyast  # noqa: E402


def main(sizes: list[int]) -> None:
    words = re.compile(r"\bdates\b")
    first = None
    print(f"{'imports':>8} {'seconds':>9} {'ratio':>7} {'size ratio':>10}")
    for n in sizes:
        text = "".join(f"from pkg.m{i} import dates as d{i}\n" for i in range(n)) + "x = 1\n"
        spans = [((r[0], r[1]), (r[2], r[3])) for r in pyast.scan(text)[0]]
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            fastpath._outside(text, words, spans)
            runs.append(time.perf_counter() - start)
        median = statistics.median(runs)
        first = first or (n, median)
        print(f"{n:>8} {median:>9.4f} {median / first[1]:>7.2f} {n / first[0]:>10.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 4000, 8000, 16000])
