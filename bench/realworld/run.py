"""Real-world corpus (issue 11 §3): migrate popular projects and rerun their own suites.

Reproduce (from the repository root, in the project's environment):

    python bench/realworld/run.py [--quick] [--project NAME ...] [--keep] [--out FILE]

For each project of projects.py: `pip download` its pinned sdist into a temporary folder
(never into this repository), commit it to a fresh git repository, create one virtualenv
with its test dependencies (reused by every scenario of the run), and run its suite
(`python -m pytest -p no:cacheprovider -q --continue-on-collection-errors --junitxml ...`, the copy's source root on
PYTHONPATH; before every run the venv prints `pkg.__file__`, which must point into the
copy) for a baseline. Then, for every scenario × facade style (alias, none), on a fresh
copy: write mapping.yaml, run `python -m migrator apply --phase 1 --yes`, and rerun the
suite. A run matches when the same set of tests passes as in the baseline; a lost test
listed as known in projects.py is shown with its reason.

Prints a table and writes every row as JSON (default bench/out/realworld.json, the same
table as Markdown beside it, realworld.md; logs of every command in bench/out/realworld-logs/). `--quick`: the first project only.
`--keep`: keep the temporary folder (its path is printed). `--project`, `--scenario`
(a substring of its name) and `--style` select; `--cycles warn` writes `cycles: warn`
into every mapping, to see what a phase the cycle gate refuses does to the suite. Not a test: nothing is
asserted, and the run takes several minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from harness import compare, counts, first_line, junit_outcomes, mapping_text, markdown_table, normalized, refusal_line, row_notes  # noqa: E402
from projects import PROJECTS, Project, scenarios_of  # noqa: E402

STYLES = ("alias", "none")
#: Seconds before a command is abandoned (a suite that hangs after a bad move).
TIMEOUT = 600
_GIT = ["git", "-c", "user.name=corpus", "-c", "user.email=corpus@example.invalid"]


class Unavailable(Exception):
    """A project cannot be prepared (download, venv or baseline failed)."""


def _run(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `command`, write its output to `log`, return it (never raises on a non-zero exit)."""
    started = time.monotonic()
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        proc = subprocess.CompletedProcess(command, -9, exc.stdout or "", f"timed out after {TIMEOUT}s")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"$ {' '.join(command)}\n# cwd {cwd}\n# rc {proc.returncode} in {time.monotonic() - started:.1f}s\n"
                   f"## stdout\n{proc.stdout}\n## stderr\n{proc.stderr}\n", encoding="utf-8")
    return proc


def _checked(command: list[str], cwd: Path, log: Path, what: str) -> None:
    proc = _run(command, cwd, log)
    if proc.returncode != 0:
        raise Unavailable(f"{what} failed (rc={proc.returncode}): {first_line(proc.stderr or proc.stdout)}; see {log}")


def prepare(project: Project, work: Path, logs: Path, console: Console) -> tuple[Path, Path]:
    """The pristine tree (extracted sdist, committed to git) and the project's venv python."""
    download = work / "download"
    console.print(f"[bold]{project.name}[/]: pip download {project.requirement} (sdist)")
    _checked([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
              project.requirement, "-d", str(download)], work, logs / "download.log", "pip download")
    archives = sorted(download.glob("*.tar.gz"))
    if not archives:
        raise Unavailable(f"pip download left no .tar.gz in {download}")
    with tarfile.open(archives[0]) as archive:
        archive.extractall(work / "extract", filter="data")
    (tree,) = [p for p in (work / "extract").iterdir() if p.is_dir()]
    pristine = work / "pristine"
    tree.rename(pristine)
    _checked([*_GIT, "init", "-q"], pristine, logs / "git.log", "git init")
    (pristine / ".git" / "info" / "exclude").write_text(".migrator/\nmapping.yaml\n", encoding="utf-8")
    _checked([*_GIT, "add", "-A"], pristine, logs / "git.log", "git add")
    _checked([*_GIT, "commit", "-q", "-m", f"{archives[0].name} as released"], pristine, logs / "git.log", "git commit")
    console.print(f"[bold]{project.name}[/]: virtualenv with {', '.join(project.test_deps)}")
    venv = work / "venv"
    _checked([sys.executable, "-m", "venv", str(venv)], work, logs / "venv.log", "venv")
    python = venv / "bin" / "python"
    _checked([str(python), "-m", "pip", "install", "-q", *project.test_deps], work, logs / "pip-install.log", "pip install")
    return pristine, python


def fresh_copy(pristine: Path, tree: Path) -> None:
    """Replace `tree` with a copy of the pristine sdist (its git history included)."""
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(pristine, tree, symlinks=True)


def run_suite(project: Project, python: Path, tree: Path, log_dir: Path, label: str) -> dict:
    """Run the project's suite in `tree`: outcomes by test id, or an error."""
    env = {**os.environ, "PYTHONPATH": str(tree / project.source_root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    where = _run([str(python), "-c", f"import {project.package}; print({project.package}.__file__)"], tree,
                 log_dir / f"{label}-import.log", env)
    imported = where.stdout.strip()
    if where.returncode != 0 or not Path(imported).resolve().is_relative_to(tree.resolve()):
        last = where.stderr.strip().splitlines()[-1:] or [""]
        return {"error": f"`import {project.package}` fails (rc={where.returncode}): {imported or last[0]}", "imported": imported}
    junit = log_dir / f"{label}-junit.xml"
    # A module that no longer imports must cost its own tests only, not the session's.
    command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=",
               "--continue-on-collection-errors", f"--junitxml={junit}", *project.test_paths]
    for test_id in project.deselect:
        command += ["--deselect", test_id]
    started = time.monotonic()
    proc = _run(command, tree, log_dir / f"{label}-pytest.log", env)
    seconds = round(time.monotonic() - started, 1)
    if not junit.exists():
        return {"error": f"pytest wrote no junit xml (rc={proc.returncode}): {first_line(proc.stdout + proc.stderr)}",
                "seconds": seconds, "imported": imported}
    outcomes = normalized(junit_outcomes(junit.read_text(encoding="utf-8")), project.volatile_ids)
    return {"outcomes": outcomes, "counts": counts(outcomes), "rc": proc.returncode, "seconds": seconds, "imported": imported}


def run_scenario(project: Project, pristine: Path, python: Path, work: Path, logs: Path, baseline: dict,
                 scenario: str, moves: tuple[tuple[str, str], ...], style: str, cycles: str | None = None) -> dict:
    """Migrate a fresh copy with one scenario and facade style, rerun the suite, compare."""
    slug = "".join(c if c.isalnum() else "-" for c in scenario.lower()).strip("-")
    label = f"{slug}-{style}"
    tree = work / "tree"
    fresh_copy(pristine, tree)
    mapping = mapping_text(project.source_root, scenario, moves, style, cycles)
    (tree / "mapping.yaml").write_text(mapping, encoding="utf-8")
    row = {"project": project.name, "requirement": project.requirement, "scenario": scenario, "style": style,
           "moves": [f"{old} -> {new}" for old, new in moves], "mapping": mapping}
    started = time.monotonic()
    proc = _run([sys.executable, "-m", "migrator", "apply", "--phase", "1", "--yes", "--mapping", "mapping.yaml"],
                tree, logs / f"{label}-migrate.log")
    row["migrate_s"] = round(time.monotonic() - started, 1)
    row["migrate_rc"] = proc.returncode
    if proc.returncode != 0:
        row.update(status="refused", reason=f"exit {proc.returncode}: {refusal_line(proc.stderr + proc.stdout)}")
        return row
    suite = run_suite(project, python, tree, logs, label)
    if "error" in suite:
        row.update(status="broken", reason=suite["error"])
        return row
    verdict = compare(baseline["outcomes"], suite["outcomes"], project.known, scenario, style)
    row.update(status=verdict.status, counts=suite["counts"], suite_s=suite["seconds"], lost=list(verdict.lost),
               explained=[list(pair) for pair in verdict.explained], gained=list(verdict.gained))
    return row


def render(rows: list[dict], baselines: dict[str, dict], console: Console, seconds: float) -> None:
    """The table: project × scenario × facade style against the baseline."""
    table = Table(title=f"Real-world corpus: suites after the move vs baseline ({seconds:.0f} s)")
    for column in ("project", "scenario", "facades", "result", "passed / failed / skipped", "notes"):
        table.add_column(column, overflow="fold")
    for name, base in baselines.items():
        if "counts" in base:
            c = base["counts"]
            table.add_row(name, "baseline", "", "", f"{c['passed']} / {c['failed']} / {c['skipped']}",
                          f"{base['seconds']} s; imports {base['imported']}")
        else:
            table.add_row(name, "baseline", "", "[red]unavailable[/]", "", base.get("error", ""))
    colours = {"match": "green", "explained": "yellow", "differs": "red", "refused": "red", "broken": "red"}
    for row in rows:
        notes = row_notes(row)
        c = row.get("counts")
        figures = f"{c['passed']} / {c['failed']} / {c['skipped']}" if c else ""
        colour = colours[row["status"]]
        table.add_row(row["project"], row["scenario"], row["style"], f"[{colour}]{row['status']}[/]", figures, notes)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first project only")
    parser.add_argument("--project", action="append", choices=[p.name for p in PROJECTS], help="only this project (repeatable)")
    parser.add_argument("--scenario", action="append", help="only scenarios whose name contains this (repeatable)")
    parser.add_argument("--style", action="append", choices=STYLES, help="only this facade style (repeatable)")
    parser.add_argument("--cycles", choices=("warn",), help="write `cycles: warn` into every mapping: see what a phase "
                        "the cycle gate refuses would do to the suite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "realworld.json")
    args = parser.parse_args(argv)
    console = Console()
    projects = [p for p in PROJECTS if not args.project or p.name in args.project]
    if args.quick and not args.project:
        projects = projects[:1]
    styles = args.style or list(STYLES)
    logs_root = args.out.parent / "realworld-logs"
    shutil.rmtree(logs_root, ignore_errors=True)
    temp = Path(tempfile.mkdtemp(prefix="migrator-realworld-"))
    started = time.monotonic()
    rows: list[dict] = []
    baselines: dict[str, dict] = {}
    try:
        for project in projects:
            work, logs = temp / project.name, logs_root / project.name
            work.mkdir()
            try:
                pristine, python = prepare(project, work, logs, console)
                fresh_copy(pristine, work / "tree")
                baseline = run_suite(project, python, work / "tree", logs, "baseline")
                if "error" in baseline:
                    raise Unavailable(baseline["error"])
                if baseline["rc"] not in (0, 1) or not baseline["counts"]["passed"]:
                    raise Unavailable(f"baseline suite did not run (pytest rc={baseline['rc']}, "
                                      f"{baseline['counts']['passed']} passed); see {logs}/baseline-pytest.log")
            except Unavailable as exc:
                baselines[project.name] = {"error": str(exc)}
                console.print(f"[red]{project.name}: {exc}[/]")
                continue
            baselines[project.name] = baseline
            c = baseline["counts"]
            console.print(f"[bold]{project.name}[/]: baseline {c['passed']} passed, {c['failed']} failed, "
                          f"{c['skipped']} skipped in {baseline['seconds']} s ({baseline['imported']})")
            for scenario, moves in scenarios_of(project).items():
                if args.scenario and not any(s in scenario for s in args.scenario):
                    continue
                for style in styles:
                    row = run_scenario(project, pristine, python, work, logs, baseline, scenario, moves, style, args.cycles)
                    rows.append(row)
                    console.print(f"  {scenario} / {style}: {row['status']} {row.get('reason', '')}".rstrip())
    finally:
        if args.keep:
            console.print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    seconds = time.monotonic() - started
    render(rows, baselines, console, seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {name: {k: v for k, v in base.items() if k != "outcomes"} for name, base in baselines.items()}
    args.out.write_text(json.dumps({"seconds": round(seconds, 1), "baselines": summary, "rows": rows}, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown_table(rows, baselines), encoding="utf-8")
    console.print(f"JSON: {args.out} (Markdown table: {args.out.with_suffix('.md')}); logs: {logs_root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
