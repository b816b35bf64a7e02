"""Model conversion configuration (``config/conversion.yaml``)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Dict, List, Mapping, Optional, Union

import yaml

__all__ = ["SUPPORTED_FORMATS", "ConversionConfig", "load_conversion_config"]

SUPPORTED_FORMATS = ("onnx", "torchscript")
_EXTENSIONS = {"onnx": "onnx", "torchscript": "pt"}
MIN_ONNX_OPSET = 11


@dataclass(frozen=True)
class ConversionConfig:
    format: str = "onnx"
    opset: int = 17
    quantize: bool = False
    dynamic_axes: bool = True
    max_sequence_length: int = 128

    @property
    def model_filename(self) -> str:
        return f"model.{_EXTENSIONS.get(self.format, self.format)}"

    def validate(self) -> List[str]:
        errors: List[str] = []
        if self.format not in SUPPORTED_FORMATS:
            errors.append(f"unsupported format {self.format!r} (expected one of {', '.join(SUPPORTED_FORMATS)})")
        if self.format == "onnx" and self.opset < MIN_ONNX_OPSET:
            errors.append(f"opset {self.opset} is too old, need >= {MIN_ONNX_OPSET}")
        if self.quantize and self.format != "onnx":
            errors.append("quantization is only supported for onnx exports")
        if self.max_sequence_length <= 0:
            errors.append("max_sequence_length must be positive")
        return errors

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def load_conversion_config(
    source: Union[None, Mapping[str, Any], str, "os.PathLike[str]"] = None,
    overrides: Optional[Mapping[str, Any]] = None,
) -> ConversionConfig:
    """Load from YAML (optionally nested under ``conversion:``) or a mapping, then apply overrides."""
    if source is None:
        data: Dict[str, Any] = {}
    elif isinstance(source, Mapping):
        data = dict(source)
    else:
        with open(source, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    if "conversion" in data and isinstance(data["conversion"], Mapping):
        data = dict(data["conversion"])
    known = {f.name for f in fields(ConversionConfig)}
    unknown = sorted(set(data) | set(overrides or {}))
    unknown = [key for key in unknown if key not in known]
    if unknown:
        raise ValueError(f"unknown conversion config keys: {', '.join(unknown)}")
    config = ConversionConfig(**data)
    if overrides:
        config = replace(config, **dict(overrides))
    return config
