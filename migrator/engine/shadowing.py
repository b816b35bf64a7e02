"""Safety gates that look beyond the moves themselves: shadowed names.

A new top-level package named like a standard-library module or like the import name
of a distribution the target depends on would hide it for every `import` in the
project: the seed's `azureml/` package would shadow the Azure ML SDK's `azureml`
namespace. Dependencies are read from the target's requirements files and
`pyproject.toml`; import names come from the installed environment where the
distribution is installed (read by the adapters, `adapters/environment.py`, and handed
in as a function), and from the distribution's name otherwise.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from typing import Callable, Iterable

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


#: (normalized distribution name) → the top-level names it installs, empty when it is
#: not installed; the adapters read the environment (`adapters.environment`).
InstalledNames = Callable[[str], tuple[str, ...]]


def import_names(dist: str, installed: InstalledNames | None = None) -> tuple[str, ...]:
    """The top-level names a distribution provides (`installed` metadata, else its name)."""
    dist = _normalize(dist)
    found = installed(dist) if installed is not None else ()
    if found:
        return found
    if dist in KNOWN_IMPORT_NAMES:
        return KNOWN_IMPORT_NAMES[dist]
    names = {dist.replace("-", "_")}
    # Namespace families: azureml-core, azureml-mlflow → azureml; google-cloud-x → google.
    names.add(dist.split("-", 1)[0])
    return tuple(sorted(names))


def shadowed(new_top_levels: Iterable[str], snapshot: Snapshot, installed: InstalledNames | None = None) -> list[Shadowing]:
    """Which of the new top-level package names hide a stdlib module or a dependency
    (its import names from `installed`, else from its name)."""
    names = sorted(set(new_top_levels))
    if not names:
        return []
    deps = declared_dependencies(snapshot)
    by_import: dict[str, list[tuple[str, str]]] = {}
    for dist, where in sorted(deps.items()):
        for name in import_names(dist, installed):
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
