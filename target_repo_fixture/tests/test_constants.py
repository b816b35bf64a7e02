import importlib
import sys

from orchestration.constants import *  # noqa: F401,F403
from orchestration.constants import DEFAULT_SEED as SEED


def test_star_import_exposes_stage_constants():
    assert STAGES == (STAGE_HPO, STAGE_TRAINING, STAGE_CONVERSION, STAGE_BENCHMARK)  # noqa: F405
    assert len(set(STAGES)) == 4  # noqa: F405


def test_default_seed_via_sys_modules():
    importlib.import_module("orchestration.constants")
    module = sys.modules["orchestration.constants"]
    assert module.DEFAULT_SEED == SEED == 42
    assert set(module.__all__) <= set(dir(module))


def test_metric_namespace_is_a_metric_key():
    # a dashboard metric prefix, not an import path
    assert METRIC_NAMESPACE == "orchestration.jobs"  # noqa: F405
    assert METRIC_F1 != METRIC_ACCURACY  # noqa: F405


def test_file_names_are_json():
    for name in (METADATA_FILENAME, INDEX_FILENAME, CACHE_FILENAME, CHECKPOINT_FILENAME, BENCHMARK_RESULTS_FILENAME):  # noqa: F405
        assert name.endswith(".json")
