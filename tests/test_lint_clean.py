"""What `migrate` writes passes the project's own linter (issue 15): a project clean under
its ruff configuration (`select = ["E", "F", "I", "W"]`, `line-length = 88`) stays clean
after a module move, a package move and a symbol move, facades included."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import copy_fixture, run_cli, write_project

RUFF_CONFIG = """\
[tool.ruff]
line-length = 88
src = ["src"]

[tool.ruff.lint]
select = ["E", "F", "I", "W"]
"""

FILES = {
    "src/shop/__init__.py": "",
    "src/shop/utils/__init__.py": "",
    "src/shop/utils/money.py": '"""Money helpers."""\n\n\ndef cents(amount: float) -> int:\n    return round(amount * 100)\n',
    "src/shop/storefront_administration/__init__.py": "",
    "src/shop/storefront_administration/inventory_reporting.py": "def report() -> str:\n    return 'ok'\n",
    "src/shop/basket.py": "from dataclasses import dataclass, field\n\n\n@dataclass\nclass Basket:\n    prices: list[int] = field(default_factory=list)\n",
    "src/shop/pricing.py": textwrap.dedent('''\
        """Prices."""

        from __future__ import annotations

        import os
        from decimal import Decimal

        from shop.basket import Basket
        from shop.utils.money import cents


        def discount(price: int) -> int:
            return price - cents(float(os.environ.get("DISCOUNT", "0")))


        def total(basket: Basket) -> Decimal:
            return Decimal(sum(discount(p) for p in basket.prices))
        '''),
    "src/shop/checkout.py": textwrap.dedent('''\
        import json

        from shop.basket import Basket
        from shop.pricing import discount, total
        from shop.storefront_administration.inventory_reporting import report
        from shop.utils import money


        def receipt(basket: Basket) -> str:
            one = discount(money.cents(1.0))
            return json.dumps({"total": str(total(basket)), "one": one, "r": report()})
        '''),
    "tests/test_checkout.py": "from shop.basket import Basket\nfrom shop.checkout import receipt\nfrom shop.utils.money import cents\n\n\ndef test_receipt():\n    assert receipt(Basket([cents(1.0)]))\n",
}

MOVES = {
    "module": "{from: shop.utils.money, to: shop.zmoney}",
    "package": "{from: shop.storefront_administration, to: shop.admin.storefront_administration_tools}",
    "symbol": '{from: "shop.pricing:discount", to: shop.discounts}',
}


def _ruff(root: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "--no-cache", "."],
        cwd=root, capture_output=True, text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(line for line in proc.stdout.splitlines() if ": " in line and line[:1] not in " [")


def _project(tmp_path: Path, moves: list[str], config: str = RUFF_CONFIG, files: dict[str, str] = FILES) -> Path:
    phases = "\n".join(f"  - {{phase: {n}, title: Step {n}, moves: [{m}]}}" for n, m in enumerate(moves, start=1))
    mapping = write_project(tmp_path, {**files, "pyproject.toml": config}, f"version: 1\ntarget: {{root: proj, source_roots: [src]}}\nphases:\n{phases}\n")
    return mapping


@pytest.mark.parametrize("kind", [*MOVES, "all three"])
def test_every_kind_of_move_leaves_a_ruff_clean_project_clean(tmp_path, kind):
    moves = list(MOVES.values()) if kind == "all three" else [MOVES[kind]]
    mapping = _project(tmp_path, moves)
    root = tmp_path / "proj"
    assert _ruff(root) == []
    for n in range(1, len(moves) + 1):
        result = run_cli("apply", "--mapping", str(mapping), "--phase", str(n), "--yes")
        assert result.exit_code == 0, result.output
        assert _ruff(root) == [], f"after phase {n}"


def test_a_symbol_move_leaves_the_old_module_as_a_person_would(tmp_path):
    mapping = _project(tmp_path, [MOVES["symbol"]], config="")  # no import sorter configured
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    # the back-import joins the import block in its sorted place; `os` and `cents`,
    # used only by the moved function, go
    assert (tmp_path / "proj/src/shop/pricing.py").read_text() == textwrap.dedent('''\
        """Prices."""

        from __future__ import annotations

        from decimal import Decimal

        from shop.basket import Basket
        from shop.discounts import discount


        def total(basket: Basket) -> Decimal:
            return Decimal(sum(discount(p) for p in basket.prices))
        ''')


def test_an_import_other_modules_take_from_the_old_module_stays(tmp_path):
    files = {**FILES, "src/shop/report.py": "from shop.pricing import cents\n\nprint(cents(1.0))\n"}
    mapping = _project(tmp_path, [MOVES["symbol"]], files=files)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    pricing = (tmp_path / "proj/src/shop/pricing.py").read_text()
    assert "from shop.utils.money import cents" in pricing and "import os" not in pricing


def test_an_unsorted_import_block_is_not_sorted_by_the_tool(tmp_path):
    unsorted = "import sys\nimport json\n\nfrom shop.utils.money import cents\nfrom shop.basket import Basket\n\nprint(sys, json, cents, Basket)\n"
    mapping = _project(tmp_path, [MOVES["module"]], files={**FILES, "src/shop/loose.py": unsorted})
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj/src/shop/loose.py").read_text() == unsorted.replace("shop.utils.money", "shop.zmoney")


def test_a_rewritten_import_moves_to_its_sorted_place_under_isort_settings(tmp_path):
    files = {**FILES, "src/shop/late.py": "from shop.basket import Basket\nfrom shop.utils.money import cents\n\nprint(Basket, cents)\n"}
    mapping = _project(tmp_path, ["{from: shop.utils.money, to: shop.amounts}"], config="[tool.isort]\nprofile = \"black\"\n", files=files)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj/src/shop/late.py").read_text() == "from shop.amounts import cents\nfrom shop.basket import Basket\n\nprint(Basket, cents)\n"


def test_an_import_inside_a_function_moves_to_its_sorted_place_too(tmp_path):
    # isort sorts each indented import block with its own copy of the settings (the
    # tool makes those copies cheaper: migrator/engine/import_order.py); the block in a
    # method, and the one in a nested function, land where isort puts them.
    late = textwrap.dedent("""\
        class Till:
            def total(self):
                from shop.basket import Basket
                from shop.utils.money import cents

                def inner():
                    from shop.basket import Basket as B
                    from shop.utils.money import cents as c

                    return B, c

                return Basket, cents, inner
        """)
    files = {**FILES, "src/shop/late.py": late}
    mapping = _project(tmp_path, ["{from: shop.utils.money, to: shop.amounts}"], config="[tool.isort]\nprofile = \"black\"\n", files=files)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj/src/shop/late.py").read_text() == textwrap.dedent("""\
        class Till:
            def total(self):
                from shop.amounts import cents
                from shop.basket import Basket

                def inner():
                    from shop.amounts import cents as c
                    from shop.basket import Basket as B

                    return B, c

                return Basket, cents, inner
        """)


def _ruff_counts(root: Path, select: str) -> dict[tuple[str, str], int]:
    """(path, code) → how many violations ruff finds there, under `select`."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", select, "--output-format", "json", "--no-cache", "."],
        cwd=root, capture_output=True, text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    counts: dict[tuple[str, str], int] = {}
    for v in json.loads(proc.stdout):
        key = (Path(v["filename"]).relative_to(root.resolve()).as_posix(), v["code"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_the_seed_phases_add_no_lint_violation_to_the_fixture(tmp_path):
    # The fixture configures no linter and is not lint-clean (it is a grown codebase):
    # what counts is that the phases add nothing. pyflakes and pycodestyle (E, F, W; no
    # import order, which the fixture does not keep): no file the phases edited has more
    # violations of a code than before, and no code has more in the whole tree.
    mapping = copy_fixture(tmp_path)
    root = tmp_path / "target_repo_fixture"
    before = _ruff_counts(root, "E,F,W")
    result = run_cli("apply", "--mapping", str(mapping), "--all", "--yes")
    assert result.exit_code == 0, result.output
    after = _ruff_counts(root, "E,F,W")
    worse = {key: (before.get(key, 0), n) for key, n in after.items() if key[0] in {k[0] for k in before} and n > before.get(key, 0)}
    assert worse == {}, worse
    totals = lambda counts, code: sum(n for (_, c), n in counts.items() if c == code)  # noqa: E731
    grown = {code: (totals(before, code), totals(after, code)) for code in {c for _, c in after} if totals(after, code) > totals(before, code)}
    assert grown == {}, grown


def test_an_import_the_rewrite_left_unused_goes(tmp_path):
    # `utils.money.cents` now reads `shop.zmoney.cents`: `from shop import utils` is unused
    files = {**FILES, "src/shop/report.py": "from shop import utils\n\nprint(utils.money.cents(1.0))\n"}
    mapping = _project(tmp_path, [MOVES["module"]], files=files)
    result = run_cli("apply", "--mapping", str(mapping), "--phase", "1", "--yes")
    assert result.exit_code == 0, result.output
    report = (tmp_path / "proj/src/shop/report.py").read_text()
    assert "from shop import utils" not in report and "print(shop.zmoney.cents(1.0))" in report, report
    assert _ruff(tmp_path / "proj") == [], report
