"""With `facades: none`, a symbol move leaves no re-export behind unless the old module
still uses the name: the old path stops serving it (that is what `none` proves), and
no import-time edge back into the new module is created for nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.engine import symbols
from tests.helpers import run_cli, write_project

MAPPING = """\
version: 1
target: {{root: proj, source_roots: [src]}}
facades: {{style: {style}}}
phases:
  - {{phase: 1, title: Help text, moves: [{{from: "pkg.utils:short_help", to: pkg.fmt}}]}}
"""

# click's shape: errors imports utils, fmt imports errors. A back-import
# `from pkg.fmt import short_help` in utils closes utils → fmt → errors → utils at import time.
FILES = {
    "src/pkg/__init__.py": "from pkg.utils import echo\nfrom pkg.fmt import wrap\n",
    "src/pkg/errors.py": "from .utils import echo\n\n\nclass Bad(Exception):\n    def show(self):\n        echo(str(self))\n",
    "src/pkg/fmt.py": "from .errors import Bad\n\n\ndef wrap(text):\n    if not text:\n        raise Bad('empty')\n    return text\n",
    "src/pkg/utils.py": textwrap.dedent(
        '''\
        __all__ = ["echo", "short_help"]


        def echo(message):
            print(message)


        def short_help(text):
            return text.split(".")[0]
        '''
    ),
    "src/pkg/cli.py": "from pkg.utils import short_help\n\n\ndef main():\n    return short_help('Do it. Now.')\n",
}


def _apply(tmp_path: Path, style: str, files: dict[str, str] = FILES):
    mapping = write_project(tmp_path, files, MAPPING.format(style=style))
    return run_cli("apply", "--phase", "1", "--yes", "--mapping", str(mapping))


def _python(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=tmp_path / "proj" / "src", capture_output=True, text=True)


def test_with_facades_none_an_unused_back_import_is_not_written_and_leaves_all(tmp_path):
    result = _apply(tmp_path, "none")
    assert result.exit_code == 0, result.output
    utils = (tmp_path / "proj/src/pkg/utils.py").read_text()
    assert "import short_help" not in utils and "short_help" not in utils, utils
    assert '__all__ = ["echo"]' in utils
    assert "from pkg.fmt import short_help" in (tmp_path / "proj/src/pkg/cli.py").read_text()
    run = _python(tmp_path, "import pkg, pkg.cli; from pkg.utils import *; print(pkg.cli.main())")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Do it"


def test_with_alias_facades_the_old_module_still_serves_the_moved_name(tmp_path):
    files = dict(FILES, **{"src/pkg/fmt.py": "def wrap(text):\n    return text\n"})
    result = _apply(tmp_path, "alias", files)
    assert result.exit_code == 0, result.output
    assert "from pkg.fmt import short_help" in (tmp_path / "proj/src/pkg/utils.py").read_text()
    run = _python(tmp_path, "from pkg.utils import short_help; print(short_help('a. b'))")
    assert run.returncode == 0 and run.stdout.strip() == "a", run.stderr


def test_with_facades_none_a_name_the_old_module_still_uses_is_imported_back(tmp_path):
    files = dict(FILES)
    files["src/pkg/fmt.py"] = "def wrap(text):\n    return text\n"
    files["src/pkg/utils.py"] = FILES["src/pkg/utils.py"] + "\n\ndef summary(text):\n    return short_help(text).upper()\n"
    result = _apply(tmp_path, "none", files)
    assert result.exit_code == 0, result.output
    assert "from pkg.fmt import short_help" in (tmp_path / "proj/src/pkg/utils.py").read_text()
    run = _python(tmp_path, "from pkg.utils import summary; print(summary('a. b'))")
    assert run.returncode == 0 and run.stdout.strip() == "A", run.stderr


@pytest.mark.parametrize(
    "source, kept",
    [
        pytest.param("from new import f\n\n\ndef g():\n    return 1\n", False, id="unused"),
        pytest.param("from new import f\n\n\ndef g():\n    return f()\n", True, id="called"),
        pytest.param("from new import f\n\n\ndef g() -> 'f':\n    ...\n", True, id="string annotation"),
        pytest.param("from new import f\n\n\ndef g():\n    global f\n", True, id="global"),
        pytest.param("from new import f as f2\n", True, id="aliased import is not ours"),
        pytest.param("from other import f\n", True, id="from another module"),
    ],
)
def test_drop_unused_reexports_keeps_only_what_the_module_uses(source, kept):
    out = symbols.drop_unused_reexports(source, {"f": "new"})
    assert (out == source) is kept, out
    if not kept:
        assert "import f" not in out


def test_drop_unused_reexports_takes_the_name_out_of_a_tuple_all():
    source = "__all__ = ('f', 'g')\nfrom new import f\n\n\ndef g():\n    pass\n"
    assert symbols.drop_unused_reexports(source, {"f": "new"}) == "__all__ = ('g',)\n\n\ndef g():\n    pass\n"
