"""Shared fixtures.  ``src`` is put on sys.path by ``pythonpath`` in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracking.mlflow.client import LocalTrackingClient

FIXTURE_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project_root() -> Path:
    return FIXTURE_ROOT


@pytest.fixture
def config_dir() -> Path:
    return FIXTURE_ROOT / "config"


@pytest.fixture
def local_client(tmp_path) -> LocalTrackingClient:
    return LocalTrackingClient(tmp_path / "mlruns")


@pytest.fixture
def candidates():
    return [
        {"id": "trial-0", "params": {"learning_rate": 3e-5, "batch_size": 16}, "metrics": {"macro_f1": 0.81, "latency_p95_ms": 30.0}},
        {"id": "trial-1", "params": {"learning_rate": 1e-4, "batch_size": 32}, "metrics": {"macro_f1": 0.86, "latency_p95_ms": 55.0}},
        {"id": "trial-2", "params": {"learning_rate": 5e-4, "batch_size": 8}, "metrics": {"macro_f1": 0.43, "latency_p95_ms": 12.0}},
        {"id": "trial-3", "params": {"learning_rate": 2e-5, "batch_size": 16}, "metrics": {"accuracy": 0.9}},
    ]


@pytest.fixture
def linear_samples():
    """y = 2x + 1 on [0, 2)."""
    return [(x / 10, 2 * x / 10 + 1) for x in range(20)]
