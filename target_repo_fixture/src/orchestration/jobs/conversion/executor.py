"""Convert a training checkpoint into a deployable model file."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

from ...constants import CHECKPOINT_FILENAME, STAGE_CONVERSION
from ...conversion_config import ConversionConfig, load_conversion_config
from ...fingerprints import compute_conv_fp
from .validation import validate_conversion_inputs, validate_converted_model

if TYPE_CHECKING:
    from ...metadata_manager import MetadataManager

__all__ = [
    "ConversionError",
    "ConversionExecutor",
    "ConversionResult",
    "quantize_weights",
    "dequantize_weights",
    "main",
]

PathLike = Union[str, "os.PathLike[str]"]


class ConversionError(RuntimeError):
    pass


@dataclass
class ConversionResult:
    model_path: str
    conv_fp: str
    exec_fp: str
    format: str
    quantized: bool
    n_weights: int

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def quantize_weights(weights: Sequence[float], bits: int = 8) -> Tuple[List[int], float]:
    """Symmetric linear quantisation; returns (ints, scale)."""
    qmax = 2 ** (bits - 1) - 1
    peak = max(abs(w) for w in weights)
    scale = peak / qmax if peak else 1.0
    return [int(round(w / scale)) for w in weights], scale


def dequantize_weights(values: Sequence[int], scale: float) -> List[float]:
    return [v * scale for v in values]


def _exporter_name() -> str:
    try:
        import onnx
    except ImportError:
        return "mlops-json-exporter"
    return f"onnx-{getattr(onnx, '__version__', 'unknown')}"


class ConversionExecutor:
    def __init__(self, config: Optional[ConversionConfig] = None, metadata: Optional[MetadataManager] = None):
        self.config = config or ConversionConfig()
        self.metadata = metadata

    def convert(self, checkpoint_dir: PathLike, output_dir: PathLike) -> ConversionResult:
        errors = validate_conversion_inputs(checkpoint_dir, self.config)
        if errors:
            raise ConversionError("; ".join(errors))
        checkpoint = json.loads((Path(checkpoint_dir) / CHECKPOINT_FILENAME).read_text(encoding="utf-8"))
        weights = [float(w) for w in checkpoint["weights"]]
        exec_fp = checkpoint.get("exec_fp") or "unversioned"
        conv_fp = compute_conv_fp(exec_fp, self.config.to_dict())

        payload: Dict[str, Any] = {
            "format": self.config.format,
            "opset": self.config.opset if self.config.format == "onnx" else None,
            "dynamic_axes": self.config.dynamic_axes,
            "exec_fp": exec_fp,
            "conv_fp": conv_fp,
            "producer": _exporter_name(),
        }
        if self.config.quantize:
            payload["weights"], payload["scale"] = quantize_weights(weights)
            payload["dtype"] = "int8"
        else:
            payload["weights"], payload["dtype"] = weights, "float32"

        out_dir = Path(output_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        model_path = out_dir / self.config.model_filename
        model_path.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
        problems = validate_converted_model(model_path, self.config)
        if problems:
            raise ConversionError("; ".join(problems))

        result = ConversionResult(model_path.as_posix(), conv_fp, exec_fp, self.config.format, self.config.quantize, len(weights))
        if self.metadata is not None:
            self.metadata.mark_complete(STAGE_CONVERSION, conv_fp, **result.to_dict())
        return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="convert-model", description="Convert a checkpoint")
    parser.add_argument("--checkpoint-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--config", default=None, help="conversion YAML")
    parser.add_argument("--quantize", action="store_true")
    args = parser.parse_args(argv)
    overrides = {"quantize": True} if args.quantize else None
    executor = ConversionExecutor(load_conversion_config(args.config, overrides=overrides))
    try:
        result = executor.convert(args.checkpoint_dir, args.output_dir)
    except ConversionError as exc:
        print(f"conversion failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_dict(), sort_keys=True))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
