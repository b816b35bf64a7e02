"""HPO core: search spaces."""

from .search_space import SUPPORTED_TYPES, ParamSpec, grid_points, load_search_space, parse_search_space, sample_params, space_size

__all__ = [
    "SUPPORTED_TYPES",
    "ParamSpec",
    "grid_points",
    "load_search_space",
    "parse_search_space",
    "sample_params",
    "space_size",
]
