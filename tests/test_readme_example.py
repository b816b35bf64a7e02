"""The README's five-line example shows what `migrate plan` really prints (golden test)."""

from __future__ import annotations

import re

from tests.helpers import REPO, run_cli

FILES = {
    "src/app/__init__.py": "",
    "src/app/utils/__init__.py": "",
    "src/app/utils/dates.py": "import datetime\n\n\ndef today():\n    return datetime.date.today().isoformat()\n",
    "src/app/report.py": 'from app.utils.dates import today\n\n\ndef banner():\n    return f"Report of {today()}"\n',
}


def _readme_blocks() -> tuple[str, str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own project in five lines") :]
    mapping = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    diff = re.search(r"```diff\n(.*?)```", section, re.S).group(1)
    summary = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    return mapping, diff, summary


def test_the_readme_example_output_is_what_plan_prints(tmp_path):
    mapping, diff, summary = _readme_blocks()
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = run_cli("plan", "--mapping", str(tmp_path / "mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert len(mapping.strip().splitlines()) == 5
    assert result.stdout == diff + summary
