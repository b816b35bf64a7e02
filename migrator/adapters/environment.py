"""What the Python environment the tool runs in has installed: read here, where I/O
belongs, and handed to the engine's shadowing gate as a function
(`PhaseOptions.installed`)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def installed_import_names(dist: str) -> tuple[str, ...]:
    """The top-level import names of the installed distribution `dist` (the one
    `importlib.metadata.distribution` finds first on the path, as an import would);
    empty when it is not installed. Its `top_level.txt`, else the top folders and
    modules of its `.py` files, as `importlib.metadata.packages_distributions` reads
    them; one distribution is looked up, not every installed one (that took 60 ms)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        found = distribution(dist)
    except (PackageNotFoundError, ValueError):
        return ()
    declared = (found.read_text("top_level.txt") or "").split()
    if declared:
        return tuple(sorted(set(declared)))
    inferred = {f.parts[0] if len(f.parts) > 1 else f.with_suffix("").name for f in found.files or () if f.suffix == ".py"}
    return tuple(sorted(inferred))
