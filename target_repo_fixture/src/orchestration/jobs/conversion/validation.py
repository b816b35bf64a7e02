"""Pre- and post-conversion checks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Union

from ...constants import CHECKPOINT_FILENAME
from ...conversion_config import ConversionConfig
from ...fingerprints import compute_conv_fp

__all__ = ["validate_conversion_inputs", "validate_converted_model", "verify_fingerprint", "read_model_file"]

PathLike = Union[str, "os.PathLike[str]"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_conversion_inputs(checkpoint_dir: PathLike, config: ConversionConfig) -> List[str]:
    errors = list(config.validate())
    directory = Path(checkpoint_dir)
    checkpoint = directory / CHECKPOINT_FILENAME
    if not directory.is_dir():
        return errors + [f"checkpoint directory {directory} does not exist"]
    if not checkpoint.exists():
        return errors + [f"missing {CHECKPOINT_FILENAME} in {directory}"]
    try:
        data = json.loads(checkpoint.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return errors + [f"checkpoint is not valid JSON: {exc}"]
    weights = data.get("weights")
    if not isinstance(weights, list) or not weights or not all(_is_number(w) for w in weights):
        errors.append("checkpoint 'weights' must be a non-empty list of numbers")
    return errors


def read_model_file(model_path: PathLike) -> Dict[str, Any]:
    return json.loads(Path(model_path).read_text(encoding="utf-8"))


def validate_converted_model(model_path: PathLike, config: ConversionConfig) -> List[str]:
    path = Path(model_path)
    if not path.exists():
        return [f"converted model {path} does not exist"]
    model = read_model_file(path)
    errors = []
    if model.get("format") != config.format:
        errors.append(f"format mismatch: {model.get('format')!r} != {config.format!r}")
    if not model.get("weights"):
        errors.append("converted model has no weights")
    if config.quantize and model.get("dtype") != "int8":
        errors.append("model should be quantized to int8")
    return errors


def verify_fingerprint(model_path: PathLike, config: ConversionConfig) -> bool:
    """Recompute the conversion fingerprint from the exec_fp stored in the model."""
    model = read_model_file(model_path)
    return model.get("conv_fp") == compute_conv_fp(model["exec_fp"], config.to_dict())
