"""MLOps orchestration: configs, fingerprints, metadata and pipeline jobs.

This is the public API used by the notebooks; import from here rather than
from individual modules where possible.
"""

from .constants import DEFAULT_SEED, STAGE_BENCHMARK, STAGE_CONVERSION, STAGE_HPO, STAGE_TRAINING, STAGES
from .config_loader import ConfigError, ExperimentConfig, compute_config_hash, load_all_configs, load_experiment_config
from .conversion_config import ConversionConfig, load_conversion_config
from .final_training_config import FinalTrainingConfig, load_final_training_config
from .config_compat import ConfigCompatError, assert_compatible, validate_config_compat
from .environment import EnvironmentConfig, build_environment_spec, load_environment_config
from .fingerprints import compute_bench_fp, compute_conv_fp, compute_exec_fp, compute_hardware_fp, compute_spec_fp
from .index_manager import IndexManager
from .metadata_manager import MetadataManager
from .mlflow_utils import setup_mlflow_for_stage
from .benchmark_utils import percentile, summarize_latencies
from .data_assets import DataAsset, get_data_asset, register_data_asset
from .path_resolution import resolve_hpo_output_dir
from .jobs.selection import BestConfigSelector, SelectionCriteria, select_best_config

try:
    from .drive_backup import backup_to_drive, restore_from_drive
except ImportError:  # pragma: no cover - optional on minimal installs
    backup_to_drive = None
    restore_from_drive = None

__version__ = "0.7.2"

__all__ = [
    "DEFAULT_SEED",
    "STAGES",
    "STAGE_BENCHMARK",
    "STAGE_CONVERSION",
    "STAGE_HPO",
    "STAGE_TRAINING",
    "BestConfigSelector",
    "ConfigCompatError",
    "ConfigError",
    "ConversionConfig",
    "DataAsset",
    "EnvironmentConfig",
    "ExperimentConfig",
    "FinalTrainingConfig",
    "IndexManager",
    "MetadataManager",
    "SelectionCriteria",
    "assert_compatible",
    "backup_to_drive",
    "build_environment_spec",
    "compute_bench_fp",
    "compute_config_hash",
    "compute_conv_fp",
    "compute_exec_fp",
    "compute_hardware_fp",
    "compute_spec_fp",
    "get_data_asset",
    "load_all_configs",
    "load_conversion_config",
    "load_environment_config",
    "load_experiment_config",
    "load_final_training_config",
    "percentile",
    "register_data_asset",
    "resolve_hpo_output_dir",
    "restore_from_drive",
    "select_best_config",
    "setup_mlflow_for_stage",
    "summarize_latencies",
    "validate_config_compat",
]
