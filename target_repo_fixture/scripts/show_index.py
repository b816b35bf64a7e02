"""Print the run index (``outputs/index.json``) grouped by stage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import orchestration.index_manager  # noqa: E402
from orchestration.constants import STAGES  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index", nargs="?", default="outputs/index.json")
    args = parser.parse_args(argv)
    index = orchestration.index_manager.IndexManager(args.index)
    if not len(index):
        print(f"{index.path}: empty")
        return 0
    for stage in STAGES:
        entries = index.find_by(stage=stage)
        if entries:
            print(f"[{stage}]")
            for key, entry in entries:
                print(f"  {key} -> {entry.get('run_id', entry.get('path', '?'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
