"""Legacy facade -- centralized output naming moved to src/paths (``paths.resolve``)."""

# moved to src/paths
from paths.resolve import *  # noqa: F401,F403
from paths.resolve import OUTPUTS_DIRNAME, build_output_path, resolve_output_dir  # noqa: F401
