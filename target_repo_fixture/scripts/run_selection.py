#!/usr/bin/env python3
"""Select the best HPO configuration for an experiment and print the final training config.

Usage:
    scripts/run_selection.py bert_base --candidates candidates.json [--config-dir config]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from orchestration import load_experiment_config, compute_spec_fp  # noqa: E402
from orchestration.jobs import selection  # noqa: E402
from orchestration.final_training_config import FinalTrainingConfig  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("--candidates", required=True)
    parser.add_argument("--config-dir", default="config")
    args = parser.parse_args(argv)

    experiment = load_experiment_config(args.experiment, config_dir=args.config_dir)
    candidates = json.loads(Path(args.candidates).read_text(encoding="utf-8"))
    selector = selection.build_selector_from_config(experiment.selection)
    best = selector.select(candidates=candidates)
    final = FinalTrainingConfig(model=experiment.model, seed=experiment.seed).with_best_params(best.params, best.candidate_id)
    print(json.dumps({
        "experiment": experiment.name,
        "spec_fp": compute_spec_fp(experiment.to_dict()),
        "selected": best.candidate_id,
        "final_training": final.to_dict(),
    }, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
