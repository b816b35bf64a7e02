"""Legacy facade -- token expansion moved to ``naming.context_tokens``."""

# moved to src/naming/context_tokens.py
from naming.context_tokens import *  # noqa: F401,F403
from naming.context_tokens import MissingTokenError, build_context, expand_tokens, list_tokens  # noqa: F401
