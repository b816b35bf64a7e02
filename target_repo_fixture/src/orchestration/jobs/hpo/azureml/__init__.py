"""Azure ML sweep submission."""

from .sweeps import *  # noqa: F401,F403
from .sweeps import __all__  # noqa: F401
