"""Legacy facade -- normalisation moved to ``core.normalize``."""

# moved to src/core/normalize.py
from core.normalize import *  # noqa: F401,F403
from core.normalize import normalize_key, normalize_name, normalize_tags  # noqa: F401
