"""Safety gates that look beyond the moves themselves: shadowed names.

A new top-level package named like a standard-library module or like the import name
of a distribution the target depends on would hide it for every `import` in the
project: the seed's `azureml/` package would shadow the Azure ML SDK's `azureml`
namespace. Dependencies are read from the target's requirements files and
`pyproject.toml`; import names come from the installed environment where the
distribution is installed, and from the distribution's name otherwise.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from migrator.analysis.project import Snapshot

#: Distributions whose import name is not derived from their project name.
KNOWN_IMPORT_NAMES = {
    "pyyaml": ("yaml",),
    "scikit-learn": ("sklearn",),
    "pillow": ("PIL",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "beautifulsoup4": ("bs4",),
    "python-dateutil": ("dateutil",),
    "protobuf": ("google",),
    "attrs": ("attr", "attrs"),
    "pyjwt": ("jwt",),
    "msgpack-python": ("msgpack",),
    "python-dotenv": ("dotenv",),
    "google-cloud-storage": ("google",),
}

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Shadowing:
    name: str
    what: str          # "the standard-library module 'json'" / "the distribution 'azureml-core' ..."
    source: str        # where the dependency is declared, or "stdlib"


def declared_dependencies(snapshot: Snapshot) -> dict[str, str]:
    """Distribution name (normalized) → file that declares it."""
    deps: dict[str, str] = {}
    for path in snapshot.paths():
        name = path.rsplit("/", 1)[-1]
        data = snapshot.get(path) or b""
        if re.fullmatch(r"requirements[\w.-]*\.txt", name) or (name.endswith(".txt") and "/requirements" in "/" + path):
            for line in data.decode("utf-8", "replace").splitlines():
                line = line.split("#", 1)[0].strip()
                if not line or line.startswith("-"):
                    continue
                m = _REQ_NAME.match(line)
                if m:
                    deps.setdefault(_normalize(m.group(1)), path)
        elif name == "pyproject.toml" and "/" not in path:
            try:
                doc = tomllib.loads(data.decode("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            project = doc.get("project", {})
            reqs = list(project.get("dependencies", []))
            for extra in project.get("optional-dependencies", {}).values():
                reqs.extend(extra)
            for req in reqs:
                m = _REQ_NAME.match(req)
                if m:
                    deps.setdefault(_normalize(m.group(1)), path)
    return deps


def _normalize(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


@lru_cache(maxsize=None)
def _installed_import_names(dist: str) -> tuple[str, ...]:
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


def import_names(dist: str) -> tuple[str, ...]:
    """The top-level names a distribution provides (installed metadata, else its name)."""
    dist = _normalize(dist)
    installed = _installed_import_names(dist)
    if installed:
        return installed
    if dist in KNOWN_IMPORT_NAMES:
        return KNOWN_IMPORT_NAMES[dist]
    names = {dist.replace("-", "_")}
    # Namespace families: azureml-core, azureml-mlflow → azureml; google-cloud-x → google.
    names.add(dist.split("-", 1)[0])
    return tuple(sorted(names))


def shadowed(new_top_levels: Iterable[str], snapshot: Snapshot) -> list[Shadowing]:
    """Which of the new top-level package names hide a stdlib module or a dependency."""
    names = sorted(set(new_top_levels))
    if not names:
        return []  # the installed distributions are not looked at (70 ms)
    deps = declared_dependencies(snapshot)
    by_import: dict[str, list[tuple[str, str]]] = {}
    for dist, where in sorted(deps.items()):
        for name in import_names(dist):
            by_import.setdefault(name, []).append((dist, where))
    out = []
    for name in names:
        if name in sys.stdlib_module_names:
            out.append(Shadowing(name, f"the standard-library module {name!r}", "stdlib"))
        elif name in by_import:
            dists = by_import[name]
            listed = ", ".join(d for d, _ in dists)
            out.append(Shadowing(name, f"the import name of {listed} (declared in {dists[0][1]})", dists[0][1]))
    return out


def suggestion(name: str) -> str:
    return f"{name}_utils" if not name.endswith("_utils") else f"{name}_local"
