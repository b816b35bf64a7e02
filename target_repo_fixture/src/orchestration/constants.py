"""Constants shared by the orchestration stages."""

__all__ = [
    "STAGE_HPO",
    "STAGE_TRAINING",
    "STAGE_CONVERSION",
    "STAGE_BENCHMARK",
    "STAGES",
    "DEFAULT_SEED",
    "DEFAULT_CONFIG_DIR",
    "EXPERIMENTS_SUBDIR",
    "METRIC_F1",
    "METRIC_ACCURACY",
    "METRIC_LOSS",
    "METRIC_LATENCY_P50",
    "METRIC_LATENCY_P95",
    "METRIC_NAMESPACE",
    "METADATA_FILENAME",
    "INDEX_FILENAME",
    "CACHE_FILENAME",
    "CHECKPOINT_FILENAME",
    "BENCHMARK_RESULTS_FILENAME",
    "FINGERPRINT_LENGTH",
    "DEFAULT_BATCH_SIZES",
]

# Pipeline stages (also used as directory names and MLflow tag values)
STAGE_HPO = "hpo"
STAGE_TRAINING = "final_training"
STAGE_CONVERSION = "conversion"
STAGE_BENCHMARK = "benchmarking"
STAGES = (STAGE_HPO, STAGE_TRAINING, STAGE_CONVERSION, STAGE_BENCHMARK)

DEFAULT_SEED = 42
DEFAULT_CONFIG_DIR = "config"
EXPERIMENTS_SUBDIR = "experiments"

# Metric names as logged to MLflow
METRIC_F1 = "macro_f1"
METRIC_ACCURACY = "accuracy"
METRIC_LOSS = "loss"
METRIC_LATENCY_P50 = "latency_p50_ms"
METRIC_LATENCY_P95 = "latency_p95_ms"
# Prefix of the platform's own metrics on the dashboards (a metric key, not a module)
METRIC_NAMESPACE = "orchestration.jobs"

# File names
METADATA_FILENAME = "metadata.json"
INDEX_FILENAME = "index.json"
CACHE_FILENAME = "best_config_cache.json"
CHECKPOINT_FILENAME = "checkpoint.json"
BENCHMARK_RESULTS_FILENAME = "benchmark_results.json"

FINGERPRINT_LENGTH = 16
DEFAULT_BATCH_SIZES = (1, 8, 32)
