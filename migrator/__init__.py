"""migrator: declarative, safe reorganization of Python codebases."""

__version__ = "0.1.0"
