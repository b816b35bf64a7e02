"""Run the final training of a selected configuration and persist checkpoint + lineage."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

from orchestration.final_training_config import FinalTrainingConfig, load_final_training_config
from orchestration.metadata_manager import MetadataManager
from paths.validation import validate_path_before_mkdir
from training.config import TrainingConfig
from training.trainer import Trainer

from ...constants import CHECKPOINT_FILENAME, STAGE_TRAINING
from .lineage import build_lineage, record_lineage
from .tags import build_training_tags

if TYPE_CHECKING:
    from ..tracking.trackers.training_tracker import TrainingTracker

__all__ = ["FinalTrainingExecutor", "FinalTrainingResult", "split_xy", "main"]

PathLike = Union[str, "os.PathLike[str]"]


def split_xy(samples: Sequence[Tuple[float, float]]) -> Tuple[List[float], List[float]]:
    if not samples:
        raise ValueError("no samples")
    xs, ys = zip(*samples)
    return [float(x) for x in xs], [float(y) for y in ys]


@dataclass
class FinalTrainingResult:
    checkpoint_dir: str
    metrics: Dict[str, float]
    lineage: Dict[str, Any]
    tags: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


class FinalTrainingExecutor:
    def __init__(
        self,
        config: FinalTrainingConfig,
        output_root: PathLike,
        metadata: Optional[MetadataManager] = None,
        tracker: Optional[TrainingTracker] = None,
    ):
        errors = config.validate()
        if errors:
            raise ValueError("; ".join(errors))
        self.config = config
        self.output_root = Path(output_root)
        self.metadata = metadata
        self.tracker = tracker

    def run(
        self,
        train: Sequence[Tuple[float, float]],
        val: Optional[Sequence[Tuple[float, float]]] = None,
        hpo_study: Optional[str] = None,
    ) -> FinalTrainingResult:
        lineage = build_lineage(self.config, hpo_study=hpo_study)
        xs, ys = split_xy(train)
        trainer = Trainer(
            TrainingConfig(epochs=self.config.epochs, learning_rate=self.config.learning_rate, seed=self.config.seed)
        )
        history = trainer.fit(xs, ys)
        metrics = {"train_mse": history[-1]}
        if val:
            val_xs, val_ys = split_xy(val)
            metrics.update({f"val_{k}": v for k, v in trainer.evaluate(val_xs, val_ys).items()})

        checkpoint_dir = self.output_root / STAGE_TRAINING / lineage["spec_fp"]
        validate_path_before_mkdir(checkpoint_dir, root=self.output_root)
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        checkpoint = {
            "weights": trainer.weights,
            "state": trainer.state_dict(),
            "spec_fp": lineage["spec_fp"],
            "exec_fp": lineage["exec_fp"],
            "config": self.config.to_dict(),
        }
        (checkpoint_dir / CHECKPOINT_FILENAME).write_text(json.dumps(checkpoint, indent=2, sort_keys=True), encoding="utf-8")

        tags = build_training_tags(self.config, lineage)
        if self.metadata is not None:
            record_lineage(self.metadata, lineage)
            self.metadata.mark_complete(STAGE_TRAINING, lineage["spec_fp"], metrics=metrics, checkpoint_dir=checkpoint_dir.as_posix())
        if self.tracker is not None:
            self.tracker.start(**{k.split(".", 1)[1]: v for k, v in tags.items() if k != "mlops.stage" and k != "mlops.model"})
            for epoch, loss in enumerate(history):
                self.tracker.log_epoch(epoch, {"train_mse": loss})
            self.tracker.log_metrics(metrics)
            self.tracker.log_lineage(lineage)
            self.tracker.finish()
        return FinalTrainingResult(checkpoint_dir.as_posix(), metrics, lineage, tags)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="run-final-training", description="Train the selected configuration")
    parser.add_argument("--config", required=True, help="final training YAML")
    parser.add_argument("--data", required=True, help="JSON file with [[x, y], ...] samples")
    parser.add_argument("--output-root", default="outputs")
    args = parser.parse_args(argv)
    config = load_final_training_config(args.config)
    with open(args.data, "r", encoding="utf-8") as handle:
        samples = [tuple(pair) for pair in json.load(handle)]
    split = max(1, int(len(samples) * 0.8))
    metadata = MetadataManager(Path(args.output_root) / "metadata")
    result = FinalTrainingExecutor(config, args.output_root, metadata=metadata).run(samples[:split], samples[split:] or None)
    print(json.dumps(result.to_dict(), sort_keys=True))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
