"""Faithful bytes: encoding declarations, BOM, CRLF, trailing newline, tabs, modes, links.

Every test runs the real `migrate apply` on a small project and compares whole files
byte for byte with what they must be.
"""

from __future__ import annotations

import os
import re
import stat
import textwrap
from pathlib import Path

from tests.helpers import run_cli
from tests.test_safety_transactions import tree_state, write_tree

BASE = {
    "src/app/__init__.py": b"",
    "src/app/utils/__init__.py": b"",
    "src/app/utils/dates.py": b"def today():\n    return '2026-11-26'\n",
    "src/app/utils/other.py": b"def other():\n    return 'other'\n",
}


def _apply(tmp_path: Path, files: dict, moves: str, phases: int = 1) -> Path:
    root = tmp_path / "proj"
    write_tree(root, {**BASE, **files})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\ntarget: {root: proj, source_roots: [src]}\nphases:\n" + textwrap.dedent(moves),
        encoding="utf-8",
    )
    for n in range(1, phases + 1):
        result = run_cli("apply", "--mapping", str(mapping), "--phase", str(n))
        assert result.exit_code == 0, result.output
    return root


DATES_MOVE = """\
  - phase: 1
    title: Dates
    moves: [{from: app.utils.dates, to: app.dates}]
"""


def _only_crlf(data: bytes) -> bool:
    return b"\r\n" in data and re.search(rb"(?<!\r)\n", data) is None


# --------------------------------------------------------------------------- encodings


def test_a_latin1_file_keeps_its_declaration_and_its_bytes(tmp_path):
    text = "# -*- coding: latin-1 -*-\nfrom app.utils.dates import today\n\nCAFE = 'café'  # ñ\n"
    root = _apply(tmp_path, {"src/app/main.py": text.encode("latin-1")}, DATES_MOVE)
    assert (root / "src/app/main.py").read_bytes() == text.replace("app.utils.dates", "app.dates").encode("latin-1")


def test_a_moved_latin1_module_keeps_its_encoding(tmp_path):
    text = "# -*- coding: latin-1 -*-\nfrom .other import other\n\nNAME = 'Zoë'\n"
    root = _apply(tmp_path, {"src/app/utils/dates.py": text.encode("latin-1")}, DATES_MOVE)
    expected = text.replace("from .other", "from .utils.other").encode("latin-1")
    assert (root / "src/app/dates.py").read_bytes() == expected


def test_a_latin1_module_keeps_its_encoding_when_a_symbol_moves_out_of_it(tmp_path):
    text = "# -*- coding: latin-1 -*-\nNAME = 'Zoë'\n\n\ndef today():\n    return 'héhé'\n"
    root = _apply(
        tmp_path,
        {"src/app/utils/dates.py": text.encode("latin-1")},
        """\
  - phase: 1
    title: Symbol
    moves: [{from: "app.utils.dates:today", to: app.days}]
""",
    )
    source = (root / "src/app/utils/dates.py").read_bytes()
    # the back-import goes to the top, where imports belong (issue 15: no E402)
    assert source == "# -*- coding: latin-1 -*-\nfrom app.days import today  # noqa: F401\n\n\nNAME = 'Zoë'\n".encode("latin-1")
    assert "return 'héhé'" in (root / "src/app/days.py").read_text(encoding="utf-8")


def test_a_bom_survives_an_edit_and_a_move(tmp_path):
    bom = b"\xef\xbb\xbf"
    root = _apply(
        tmp_path,
        {
            "src/app/main.py": bom + "from app.utils.dates import today\nNAME = 'Zoë'\n".encode(),
            "src/app/utils/dates.py": bom + b"from .other import other\n\n\ndef today():\n    return other()\n",
        },
        DATES_MOVE,
    )
    assert (root / "src/app/main.py").read_bytes() == bom + "from app.dates import today\nNAME = 'Zoë'\n".encode()
    assert (root / "src/app/dates.py").read_bytes() == bom + b"from .utils.other import other\n\n\ndef today():\n    return other()\n"


# --------------------------------------------------------------------------- line endings

CRLF_MAIN = (
    b"from app.utils import dates, other\r\n"
    b"import app.utils.dates\r\n"
    b"\r\n"
    b"\r\n"
    b"def run():\r\n"
    b"    from app.utils.dates import today\r\n"
    b"    return app.utils.dates.today() + today() + other.other()\r\n"
)


def test_crlf_files_stay_crlf_in_rewritten_and_inserted_lines(tmp_path):
    root = _apply(tmp_path, {"src/app/main.py": CRLF_MAIN}, DATES_MOVE)
    assert (root / "src/app/main.py").read_bytes() == (
        b"from app import dates\r\n"
        b"from app.utils import other\r\n"
        b"import app.dates\r\n"
        b"\r\n"
        b"\r\n"
        b"def run():\r\n"
        b"    from app.dates import today\r\n"
        b"    return app.dates.today() + today() + other.other()\r\n"
    )


def test_a_moved_crlf_module_its_facade_and_new_packages_keep_crlf(tmp_path):
    root = _apply(
        tmp_path,
        {"src/app/utils/dates.py": b"from .other import other\r\n\r\n\r\ndef today():\r\n    return other()\r\n"},
        """\
  - phase: 1
    title: Dates
    moves: [{from: app.utils.dates, to: app.time.dates}]
""",
    )
    assert (root / "src/app/time/dates.py").read_bytes() == b"from ..utils.other import other\r\n\r\n\r\ndef today():\r\n    return other()\r\n"
    assert _only_crlf((root / "src/app/utils/dates.py").read_bytes())  # the facade


def test_symbol_moves_keep_crlf_in_source_and_destination(tmp_path):
    root = _apply(
        tmp_path,
        {
            "src/app/utils/dates.py": b"import os\r\n\r\n\r\ndef today():\r\n    return os.sep\r\n\r\n\r\ndef later():\r\n    return 1\r\n",
            "src/app/old.py": b'"""Old."""\r\n\r\n\r\ndef legacy():\r\n    return 2\r\n',
            "src/app/days.py": b'"""Days."""\r\n\r\nX = 1\r\n',
        },
        """\
  - phase: 1
    title: Symbols
    moves:
      - {from: "app.utils.dates:today", to: app.days}
      - {from: "app.old:legacy", to: app.fresh}
""",
    )
    for path in ("src/app/utils/dates.py", "src/app/days.py", "src/app/old.py", "src/app/fresh.py"):
        assert _only_crlf((root / path).read_bytes()), path
    assert (root / "src/app/days.py").read_bytes() == b'"""Days."""\r\n\r\nimport os\r\n\r\nX = 1\r\n\r\n\r\ndef today():\r\n    return os.sep\r\n'


def test_a_package_merged_into_a_crlf_package_keeps_crlf(tmp_path):
    root = _apply(
        tmp_path,
        {
            "src/app/utils/__init__.py": b"from .dates import today\n",
            "src/app/lib/__init__.py": b'"""Lib."""\r\nX = 1\r\n',
        },
        """\
  - phase: 1
    title: Merge
    moves: [{from: app.utils, to: app.lib, merge: true}]
""",
    )
    merged = (root / "src/app/lib/__init__.py").read_bytes()
    assert merged.startswith(b'"""Lib."""\r\nX = 1\r\n')
    assert merged.endswith(b"# Merged from `app.utils` by migrator.\r\nfrom .dates import today\r\n")
    assert _only_crlf(merged)


def test_a_file_without_a_trailing_newline_keeps_none(tmp_path):
    root = _apply(
        tmp_path,
        {"src/app/main.py": b"X = 1\nfrom app.utils.dates import today", "src/app/crlf.py": b"X = 1\r\nimport app.utils.dates"},
        DATES_MOVE,
    )
    assert (root / "src/app/main.py").read_bytes() == b"X = 1\nfrom app.dates import today"
    assert (root / "src/app/crlf.py").read_bytes() == b"X = 1\r\nimport app.dates"


def test_a_file_with_old_mac_line_endings_is_reported_not_mangled(tmp_path):
    root = tmp_path / "proj"
    data = b"from app.utils.dates import today\rX = today()\r"
    write_tree(root, {**BASE, "src/app/mac.py": data})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("version: 1\ntarget: {root: proj, source_roots: [src]}\nphases:\n" + DATES_MOVE, encoding="utf-8")
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")
    assert result.exit_code == 3
    assert "src/app/mac.py: MIG202 has old Mac line endings (CR only)" in result.output
    assert (root / "src/app/mac.py").read_bytes() == data


# --------------------------------------------------------------------------- tabs


def test_tab_indentation_is_kept_in_rewritten_and_inserted_lines(tmp_path):
    root = _apply(
        tmp_path,
        {"src/app/main.py": b"def run():\n\tfrom app.utils import dates, other\n\tif True:\n\t\timport app.utils.dates\n\t\treturn app.utils.dates.today()\n"},
        DATES_MOVE,
    )
    assert (root / "src/app/main.py").read_bytes() == (
        b"def run():\n\tfrom app import dates\n\tfrom app.utils import other\n\tif True:\n\t\timport app.dates\n\t\treturn app.dates.today()\n"
    )


# --------------------------------------------------------------------------- permissions


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_permissions_are_kept_for_edited_and_moved_files(tmp_path):
    root = _apply(
        tmp_path,
        {
            "scripts/run.py": (b"#!/usr/bin/env python\nfrom app.utils.dates import today\nprint(today())\n", 0o755),
            "src/app/secret.py": (b"from app.utils.dates import today\n", 0o600),
            "src/app/utils/dates.py": (b"#!/usr/bin/env python\ndef today():\n    return 1\n", 0o755),
            "src/app/utils/tool.sh": (b"#!/bin/sh\necho hi\n", 0o755),
        },
        """\
  - phase: 1
    title: Package
    moves: [{from: app.utils, to: app.common}]
""",
    )
    assert _mode(root / "scripts/run.py") == 0o755
    assert (root / "scripts/run.py").read_bytes().startswith(b"#!/usr/bin/env python\nfrom app.common.dates import today\n")
    assert _mode(root / "src/app/secret.py") == 0o600
    assert _mode(root / "src/app/common/dates.py") == 0o755
    assert (root / "src/app/common/dates.py").read_bytes().startswith(b"#!/usr/bin/env python\n")
    assert _mode(root / "src/app/common/tool.sh") == 0o755
    assert _mode(root / "src/app/common/other.py") == 0o644


def test_rollback_restores_permissions(tmp_path):
    root = _apply(
        tmp_path,
        {"scripts/run.py": (b"from app.utils.dates import today\n", 0o755), "src/app/utils/dates.py": (b"def today():\n    return 1\n", 0o700)},
        DATES_MOVE,
    )
    assert _mode(root / "src/app/dates.py") == 0o700  # the moved file kept its mode
    # Put back by hand with the old content but another mode: rollback fixes the mode.
    (root / "scripts/run.py").write_bytes(b"from app.utils.dates import today\n")
    os.chmod(root / "scripts/run.py", 0o644)
    result = run_cli("rollback", "--mapping", str(tmp_path / "mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert _mode(root / "scripts/run.py") == 0o755
    assert _mode(root / "src/app/utils/dates.py") == 0o700
    assert not (root / "src/app/dates.py").exists()


# --------------------------------------------------------------------------- symlinks


def test_symlinks_out_of_the_target_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shared.py").write_bytes(b"from app.utils.dates import today\n")
    (outside / "pkg").mkdir()
    (outside / "pkg/mod.py").write_bytes(b"import app.utils.dates\n")
    root = tmp_path / "proj"
    write_tree(root, {**BASE, "src/app/main.py": b"from app.utils.dates import today\n"})
    (root / "src/app/shared.py").symlink_to(outside / "shared.py")
    (root / "src/app/linked").symlink_to(outside / "pkg", target_is_directory=True)
    (root / "src/app/inner.py").symlink_to("main.py")
    outside_before = tree_state(outside)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("version: 1\ntarget: {root: proj, source_roots: [src]}\nphases:\n" + DATES_MOVE, encoding="utf-8")

    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1")

    assert result.exit_code == 0, result.output
    assert tree_state(outside) == outside_before
    assert os.readlink(root / "src/app/shared.py") == str(outside / "shared.py")
    assert (root / "src/app/linked").is_symlink()
    assert os.readlink(root / "src/app/inner.py") == "main.py"  # still a link, showing the rewritten file
    assert (root / "src/app/inner.py").read_bytes() == b"from app.dates import today\n"
