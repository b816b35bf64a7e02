"""Import every module of an extracted Django tree; a child process of bench_perf.py.

    python bench/django_smoke.py apps TREE DEPS OUT
    python bench/django_smoke.py modules TREE DEPS OUT --apps admin,auth,... [--alias OLD NEW NAME]

Both modes put TREE (the extracted sdist) and then DEPS (a folder holding Django's
required packages) first on `sys.path`, and write their result as JSON to OUT (not to
stdout, which imported modules may print to).

`apps` lists the `django.contrib` apps whose package and `apps` module import cleanly
once settings are configured (gis needs the GDAL library, postgres needs psycopg).

`modules` configures settings with those apps, runs `django.setup()`, then imports every
module of `TREE/django/` in path order and sorts each into ok, skipped (an optional
dependency is missing: somewhere in the exception's chain is an ImportError of a module
outside `django`) or failed (with the error). `--alias OLD NEW NAME` also checks that
`import OLD` works and that `OLD.NAME is NEW.NAME` (a moved module and its facade).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
import warnings
from pathlib import Path


def contrib_apps(tree: Path) -> list[str]:
    """`django.contrib` apps (folders with an `apps.py`) that import with configured settings."""
    from django.conf import settings

    settings.configure()
    clean = []
    for apps_py in sorted((tree / "django" / "contrib").glob("*/apps.py")):
        name = f"django.contrib.{apps_py.parent.name}"
        try:
            importlib.import_module(name)
            importlib.import_module(f"{name}.apps")
        except Exception:
            continue
        clean.append(name)
    return clean


def import_all(tree: Path, apps: list[str], alias: tuple[str, str, str] | None) -> dict:
    """Set Django up with `apps`, then import every module under `tree/django`."""
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=apps,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    )
    django.setup()
    result: dict = {"django_file": django.__file__, "ok": [], "skipped": {}, "failed": {}}
    for name in _module_names(tree):
        try:
            importlib.import_module(name)
        except BaseException as exc:  # a module may raise anything at import, SystemExit included
            missing = _missing_optional(exc)
            if missing:
                result["skipped"][name] = f"optional dependency: {missing}"
            else:
                result["failed"][name] = _one_line(exc)
        else:
            result["ok"].append(name)
    if alias:
        result["alias"] = _check_alias(*alias)
    return result


def _module_names(tree: Path) -> list[str]:
    names = []
    for path in sorted((tree / "django").rglob("*.py")):
        parts = path.relative_to(tree).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _missing_optional(exc: BaseException) -> str | None:
    """The missing non-django module somewhere in `exc`'s chain of causes, if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ImportError):
            missing = exc.name or ""
            if missing and missing.split(".")[0] != "django":
                return missing
        exc = exc.__cause__ or exc.__context__
    return None


def _one_line(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()[:300]


def _check_alias(old: str, new: str, name: str) -> dict:
    """Whether `import old` works and `old.name is new.name`."""
    try:
        old_module = importlib.import_module(old)
        new_module = importlib.import_module(new)
    except BaseException as exc:
        return {"imports": False, "same_object": False, "error": _one_line(exc)}
    same = getattr(old_module, name, None) is getattr(new_module, name, object())
    return {"imports": True, "same_object": same, "error": None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("apps", "modules"))
    parser.add_argument("tree", type=Path)
    parser.add_argument("deps", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--apps", default="", help="comma-separated INSTALLED_APPS (modules mode)")
    parser.add_argument("--alias", nargs=3, metavar=("OLD", "NEW", "NAME"))
    args = parser.parse_args(argv)
    sys.path[:0] = [str(args.tree.resolve()), str(args.deps.resolve())]
    warnings.simplefilter("ignore")
    if args.mode == "apps":
        result: object = contrib_apps(args.tree)
    else:
        apps = [a for a in args.apps.split(",") if a]
        result = import_all(args.tree, apps, tuple(args.alias) if args.alias else None)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
