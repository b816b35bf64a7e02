"""What `migrate init` computes, as data: the project's layout and a starter mapping.

`detect_layout` reads the target's file listing (what every command reads: git's files,
or the disk without virtualenvs and build folders) and its `pyproject.toml`:

- the source roots: those `pyproject.toml` declares for setuptools (`[tool.setuptools]
  package-dir` `"" = "src"`, `[tool.setuptools.packages.find] where`, or a `packages`
  list, which means the top folder), else those the tree shows: the folder above each
  outermost package (a folder with `__init__.py`), and `src/` whenever it holds Python
  code (namespace packages too). Folders of tests, docs, examples and builds are not
  roots; the deepest root comes first, since a file belongs to the first root it lies
  in;
- the top-level packages and modules under each root.

`mapping_text` writes the YAML: the schema line for editors, `version`, the `target`
block, and the phases block a `PhasesWriter` produces. `example_phases` is init's own: no
phase yet, and one example in comments that moves a real module of the project, so that
uncommenting it gives a phase `migrate plan` can show. Another source of phases (a plan
written in Markdown, `migrate init --from-plan`) is another `PhasesWriter` over the
same `Layout`: `commands/init_plan.phases_writer`.

Nothing here reads or writes a file: the CLI hands in the listing and the
`pyproject.toml` text, and writes the result.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Callable, Iterable

#: Folders whose Python code is not the project's importable code (a package under one
#: of them does not make a source root; at the top they are not listed as packages).
NOT_SOURCE = frozenset(
    {
        "tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "bench",
        "build", "dist", "site-packages", "node_modules", "fixtures", "testdata",
    }
)
#: Top-level files of a flat layout that are tooling, not modules of the project.
NOT_MODULES = frozenset({"setup", "conftest", "noxfile", "fabfile", "tasks"})


class InitError(Exception):
    """The target has nothing `init` can describe; the message says what to do."""


@dataclass(frozen=True)
class SourceRoot:
    """One import root of the target and what lies at its top."""

    #: posix, relative to the target root; "." for a flat layout
    path: str
    #: why it is a root, for people ("src/ layout", "pyproject.toml [tool.setuptools] ...")
    origin: str
    packages: tuple[str, ...]
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """What `init` found in the target."""

    roots: tuple[SourceRoot, ...]
    #: every module under the roots (dotted, sorted), for the example and for resolving
    #: file paths to modules
    module_names: tuple[str, ...]
    #: what people should know (a pyproject.toml that does not parse, declared roots
    #: that hold no code)
    notes: tuple[str, ...] = ()

    @property
    def source_roots(self) -> tuple[str, ...]:
        return tuple(r.path for r in self.roots)


@dataclass(frozen=True)
class ExampleMove:
    """A move of a real module to a free name: the commented example phase."""

    source: str
    destination: str

    @property
    def title(self) -> str:
        return f"Move {self.source} to {self.destination}"


#: Writes the lines under `phases:` (indented two spaces, or comments) for a layout.
PhasesWriter = Callable[[Layout], list[str]]


# --------------------------------------------------------------------------- layout


def detect_layout(paths: Iterable[str], pyproject: str | None) -> Layout:
    """The layout of a target whose files are `paths` (posix, relative to its root).
    Raises InitError when no source root holds a package or a module."""
    python = sorted(p for p in paths if p.endswith(".py") and not any(part.startswith(".") for part in p.split("/")))
    notes: list[str] = []
    declared = _declared_roots(pyproject, notes)
    roots = [r for r in (_root(path, origin, python) for path, origin in declared) if r is not None]
    for path, _ in declared:
        if not any(r.path == path for r in roots):
            notes.append(f"pyproject.toml names {path!r} as a source root, but it holds no Python package — ignored")
    if not roots:
        roots = [r for r in (_root(path, origin, python) for path, origin in _found_roots(python)) if r is not None]
    if not roots:
        raise InitError(
            "no Python package found: no folder with an __init__.py outside tests and docs, and no src/ "
            "folder with Python code — run `migrate init` in the project's folder (or pass --target DIR), "
            "or write mapping.yaml by hand (`migrate schema` lists every key)"
        )
    roots.sort(key=lambda r: (r.path == ".", -r.path.count("/"), r.path))
    return Layout(tuple(roots), tuple(_module_names(python, [r.path for r in roots])), tuple(notes))


def _declared_roots(pyproject: str | None, notes: list[str]) -> list[tuple[str, str]]:
    """Source roots as setuptools is told them in `pyproject.toml`, with where it says so."""
    if pyproject is None:
        return []
    try:
        data = tomllib.loads(pyproject)
    except tomllib.TOMLDecodeError as exc:
        notes.append(f"pyproject.toml is not valid TOML ({exc}); the source roots were found from the tree")
        return []
    tool = data.get("tool")
    setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
    if not isinstance(setuptools, dict):
        return []
    out: list[tuple[str, str]] = []
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict):
        for name, folder in package_dir.items():
            if not isinstance(folder, str):
                continue
            folder = _clean(folder)
            if name == "":
                out.append((folder, "pyproject.toml [tool.setuptools] package-dir"))
            elif folder == name.replace(".", "/") or folder.endswith("/" + name.replace(".", "/")):
                out.append((_clean(folder[: -len(name.replace(".", "/"))]), "pyproject.toml [tool.setuptools] package-dir"))
    packages = setuptools.get("packages")
    if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        where = packages["find"].get("where", ["."])
        for folder in [where] if isinstance(where, str) else where:
            if isinstance(folder, str):
                out.append((_clean(folder), "pyproject.toml [tool.setuptools.packages.find] where"))
    elif isinstance(packages, list) and not out:
        out.append((".", "pyproject.toml [tool.setuptools] packages"))
    return list(dict.fromkeys(out))


def _clean(folder: str) -> str:
    parts = [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts) or "."


def _found_roots(python: list[str]) -> list[tuple[str, str]]:
    """Roots the tree shows: above each outermost package, and `src/` with code in it."""
    packages = {p.rsplit("/", 1)[0] for p in python if p.endswith("/__init__.py")}
    found: dict[str, str] = {}
    for folder in sorted(packages):
        top = folder
        while "/" in top and top.rsplit("/", 1)[0] in packages:
            top = top.rsplit("/", 1)[0]
        root = top.rsplit("/", 1)[0] if "/" in top else "."
        if not _is_source_folder(root):
            continue
        if root == "." and top in NOT_SOURCE:
            continue
        found.setdefault(root, "src/ layout" if root.rsplit("/", 1)[-1] == "src" else ("flat layout" if root == "." else "packages found here"))
    for p in python:
        parts = p.split("/")
        if "src" in parts[:-1]:
            root = "/".join(parts[: parts.index("src") + 1])
            if _is_source_folder(root) and root not in found:
                found[root] = "src/ layout"
    return sorted(found.items())


def _is_source_folder(root: str) -> bool:
    return root == "." or not any(part in NOT_SOURCE for part in root.split("/"))


def _root(path: str, origin: str, python: list[str]) -> SourceRoot | None:
    """The root at `path` with the packages and modules at its top (None: nothing there)."""
    prefix = "" if path == "." else path + "/"
    packages: set[str] = set()
    modules: set[str] = set()
    for p in python:
        if not p.startswith(prefix):
            continue
        parts = p[len(prefix):].split("/")
        name = parts[0] if len(parts) > 1 else parts[0][:-3]
        if not name.isidentifier():
            continue
        if len(parts) == 1:
            if name not in NOT_MODULES or path != ".":
                modules.add(name)
        elif path != ".":
            packages.add(name)
        elif parts[1:] == ["__init__.py"] and name not in NOT_SOURCE:
            packages.add(name)  # at the top, only regular packages: other folders are tooling
    modules -= {"__init__", "__main__"}
    if not packages and (path == "." or not modules):
        return None
    return SourceRoot(path, origin, tuple(sorted(packages)), tuple(sorted(modules)))


def _module_names(python: list[str], roots: list[str]) -> list[str]:
    """Every module under the roots, each file under the first root it lies in (as the
    engine's index reads them)."""
    names = set()
    for p in python:
        for root in roots:
            prefix = "" if root == "." else root + "/"
            if p.startswith(prefix):
                parts = p[len(prefix):-3].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                if parts and all(part.isidentifier() for part in parts):
                    names.add(".".join(parts))
                break
    return sorted(names)


# --------------------------------------------------------------------------- example


def example_move(layout: Layout) -> ExampleMove | None:
    """A move of a real module in the roots' packages to a name nothing uses:
    `pkg.sub.mod` to `pkg.mod` when that is free, else into a `core` (or `common`)
    subpackage. None when the packages hold no plain module."""
    names = set(layout.module_names)
    taken = names | {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 1)}
    packages = {n for n in names if any(m.startswith(n + ".") for m in names)}
    tops = {p for r in layout.roots for p in r.packages}
    candidates = [
        n for n in layout.module_names
        if "." in n and n.split(".")[0] in tops and n not in packages
        and not any(part.startswith(("_", "test")) or part == "conftest" for part in n.split("."))
    ]
    candidates.sort(key=lambda n: (n.count(".") < 2, n))
    for source in candidates:
        parent, leaf = source.rsplit(".", 1)
        options = [f"{parent.rsplit('.', 1)[0]}.{leaf}"] if "." in parent else []
        options += [f"{parent}.core.{leaf}", f"{parent}.common.{leaf}"]
        for destination in options:
            ancestors = [".".join(destination.split(".")[:i]) for i in range(1, destination.count(".") + 1)]
            if destination not in taken and all(a in packages or a not in names for a in ancestors):
                return ExampleMove(source, destination)
    return None


def example_phases(layout: Layout) -> list[str]:
    """No phase yet, and the example in comments: uncommented, it is phase 1."""
    example = example_move(layout)
    if example is None:
        return [
            "  # No module to suggest a move for. A phase looks like this:",
            "  # - phase: 1",
            "  #   title: Move pkg.utils.dates to pkg.dates",
            "  #   moves:",
            "  #     - {from: pkg.utils.dates, to: pkg.dates}",
        ]
    return [
        "  # An example with a real module of this project: uncomment these lines, then",
        "  # `migrate plan` shows the diff (nothing changes until `migrate apply --phase 1`).",
        "  # - phase: 1",
        f"  #   title: {example.title}",
        "  #   moves:",
        f"  #     - {{from: {example.source}, to: {example.destination}}}",
    ]


# --------------------------------------------------------------------------- the file


def mapping_text(
    layout: Layout, *, target_root: str, schema_ref: str, phases: PhasesWriter = example_phases, plan: str | None = None
) -> str:
    """The starter mapping.yaml: `target_root` is the target relative to the mapping's
    folder, `schema_ref` what the editor's YAML language server loads the schema from;
    `plan`, the Markdown plan the phases come from (`--from-plan`), for the header."""
    roots = ", ".join(_scalar(r) for r in layout.source_roots)
    found = ", ".join(f"{r.path} ({r.origin})" for r in layout.roots)
    first = layout.roots[0]
    prefix = "" if first.path == "." else first.path + "/"
    top = (first.packages or first.modules or ("app",))[0]
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        "#",
        "# Written by `migrate init`. Each phase is a list of moves (modules, packages, or",
        "# `module:Name` symbols); `migrate plan` shows a phase as a diff, `migrate apply",
        "# --phase N` performs it. Every key is described in the schema above (`migrate schema`).",
        *(
            [
                f"# The phases are read from {plan}.",
                "# What it leaves open (TO DECIDE) or what could not be read (NOT READ) is commented",
                "# out where it belongs, with the plan's words and line: nothing is chosen for you.",
            ]
            if plan is not None
            else []
        ),
        "version: 1",
        "",
        "target:",
        f"  root: {_scalar(target_root)}",
        f"  # Import roots: {prefix}{top}/x.py is the module {top}.x. Found: {found}.",
        f"  source_roots: [{roots}]",
        "  # keep_on_facades: [\"notebooks/**\"]   # files that keep the old paths, on facades",
        "  # exclude: [\"legacy/**\"]              # files that are never rewritten",
        "",
        "facades:",
        "  style: alias     # the old path stays importable and *is* the new module",
        "  warning: true    # importing it warns once, naming the new path",
        "",
        "phases:",
        *phases(layout),
        "",
    ]
    return "\n".join(lines)


_PLAIN = re.compile(r"[A-Za-z0-9_./-]+")


def _scalar(value: str) -> str:
    """A YAML scalar for a path: plain when it is safe, else double-quoted."""
    return value if _PLAIN.fullmatch(value) and not value.startswith("-") else json.dumps(value)
