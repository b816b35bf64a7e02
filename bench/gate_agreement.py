"""How often the cycle gate's verdict equals the interpreter's, on many random trees.

    .venv/bin/python bench/gate_agreement.py [TREES]      (default 400)

Runs the differential test of tests/test_gate_vs_interpreter.py on TREES trees drawn by
hypothesis (no shrinking, no example database), without stopping at a failed
assertion, and prints: trees, verdicts compared (tree × state × module), agreements,
the same for trees with guarded imports, gate decisions that match the interpreter, and
the assertion failures (claims of the test that did not hold), if any.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from tests.test_gate_vs_interpreter import Tally, check_tree, trees  # noqa: E402


def main(count: int) -> int:
    tally = Tally()
    failures: list[str] = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(trees())
    def run(tree):
        try:
            check_tree(tree, tally)
        except AssertionError as exc:
            failures.append(f"{exc}\n  {tree}")

    run()
    print(f"trees: {tally.trees}")
    print(f"verdicts (tree x before/after x module): {tally.verdicts}, agreements: {tally.agreements} ({100 * tally.agreements / max(tally.verdicts, 1):.2f} %)")
    print(f"  in trees with guarded imports: {tally.guarded_verdicts}, agreements: {tally.guarded_agreements}")
    print(f"gate decisions (MIG401 or not) equal to the interpreter's 'some import broke': {tally.gate_agreements} of {tally.trees}")
    print(f"claims of the test that failed: {len(failures)}")
    for line in failures[:20]:
        print(line)
    for line in tally.disagreements[:20]:
        print("disagreement:", line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400))
