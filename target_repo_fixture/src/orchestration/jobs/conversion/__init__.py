"""Model conversion (checkpoint -> ONNX / TorchScript)."""

from .executor import ConversionError, ConversionExecutor, ConversionResult, dequantize_weights, quantize_weights
from .validation import validate_conversion_inputs, validate_converted_model, verify_fingerprint

__all__ = [
    "ConversionError",
    "ConversionExecutor",
    "ConversionResult",
    "dequantize_weights",
    "quantize_weights",
    "validate_conversion_inputs",
    "validate_converted_model",
    "verify_fingerprint",
]
