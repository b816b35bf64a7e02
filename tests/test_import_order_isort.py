"""The import order is isort's own, byte for byte (migrator/engine/import_order.py): the
copies of the settings that isort makes for each indented import block are cheaper
under the tool, and nothing else changes."""

from __future__ import annotations

import dataclasses
import textwrap

import isort
import isort.settings
import pytest

from migrator.engine import import_order
from migrator.engine.import_order import ImportStyle

TEXTS = [
    textwrap.dedent("""\
        import sys
        import os


        def f():
            import json, re
            from b import y
            from a import x

            class K:
                def g(self):
                    from zz import q
                    from aa import p  # why

                    return p, q

            return json, re, x, y, K


        if sys:
            from c import z
            import abc
        """),
    "def f():\n    import b\n    import a\n    return a, b\n",
    "def f():\n\timport b\n\timport a\n\treturn a, b\n",
    "import a\n",
    "def f():\n    from very.long.module.name.that.goes.on import (first_name, second_name, third_name, fourth_name)\n",
]

STYLES = [
    {"profile": "black", "known_first_party": ("a", "b")},
    {"line_length": 40, "force_single_line": True},
    {"profile": "google", "lines_after_imports": 2},
]


def _style(settings: dict) -> ImportStyle:
    return ImportStyle(tuple(sorted({**settings, "src_paths": (), "py_version": "311"}.items())), "pyproject.toml")


@pytest.mark.parametrize("settings", STYLES)
@pytest.mark.parametrize("text", TEXTS)
def test_the_tool_sorts_as_isort_does(settings, text):
    style = _style(settings)
    plain = isort.Config(**{k: (list(v) if isinstance(v, tuple) else v) for k, v in style.settings}, quiet=True)
    assert import_order._isort(text, style) == isort.code(text, config=plain)
    assert isort.settings.asdict is dataclasses.asdict, "isort's own asdict is back after the call"


def test_indented_blocks_copy_the_settings_once(monkeypatch):
    # What makes it cheaper: one deep copy of the settings per config, not one per
    # indented block (here: three blocks, sorted twice). Fails if an isort release
    # stops taking the shortcut (the output stays right; only the time grows).
    calls = []
    real = dataclasses.asdict

    def counted(obj, **kwargs):
        calls.append(obj)
        return real(obj, **kwargs)

    monkeypatch.setattr(dataclasses, "asdict", counted)
    monkeypatch.setattr(isort.settings, "asdict", counted)
    import_order._SETTINGS_OF.clear()
    style = _style({"profile": "black", "line_length": 77})
    config = import_order._config(style)
    for _ in range(2):
        import_order._isort(TEXTS[0], style)
    assert sum(obj is config for obj in calls) == 1
