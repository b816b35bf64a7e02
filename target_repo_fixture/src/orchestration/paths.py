"""Legacy facade -- path helpers moved to src/paths (the ``paths`` package).

Kept so existing notebooks keep working; new code should import from ``paths``.
"""

# moved to src/paths
from paths import *  # noqa: F401,F403
from paths import (  # noqa: F401
    OUTPUTS_DIRNAME,
    PathsConfig,
    build_output_path,
    load_paths_config,
    resolve_config_dir,
    resolve_output_dir,
    validate_path_before_mkdir,
)
