"""Legacy facade -- naming helpers moved to src/naming (the ``naming`` package)."""

# moved to src/naming
from naming import *  # noqa: F401,F403
from naming import (  # noqa: F401
    TAG_PREFIX,
    build_experiment_name,
    build_run_name,
    build_tags,
    parse_run_name,
)
