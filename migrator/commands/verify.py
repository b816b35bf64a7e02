"""`migrate verify`, the seed's Phase 12: after the phases, is everything still right?

Five checks, one report:

1. **Tests.** The target's test command (`test_command` in the mapping, default
   `python -m pytest -q`) runs with the target's interpreter (`choose_interpreter`:
   `test_interpreter` in the mapping, else the active virtualenv, else a `.venv` in
   the target root or above it up to the repository root, else `python` on PATH; a
   bare `python` in the command is that interpreter, and its folder comes first on
   PATH) on the tree as it is and, in a temporary copy, on the tree before the plan.
   That baseline is rebuilt from the undo records the applied phases left in
   `<target>/.migrator/applied/<N>/` (pre-images + journal, replayed newest first, as
   `migrate rollback` would), or given (`baseline`: a directory holding the pre-plan
   tree, or a JUnit XML file of its results). For pytest, `--junitxml` gives per-test
   outcomes: a test that passed before and does not pass now (failed, error, skipped
   or gone) is a **regression** — except an id that is gone while its test function
   passes as many times as before under other ids: parametrized ids that carry module
   names change when the migration rewrites those strings (reported as renamed). A
   test that failed before and fails now is **already failing**: listed, not a
   regression, and alone it does not fail verify (the migration did not break it).
   Other commands are compared by exit status, and any non-zero exit now fails.
   Tests that could not run fail verify (`TestComparison.problem`): the command or
   the interpreter not found, pytest not importable in the interpreter, no test
   collected (pytest exit 5, or no test case in its results).
2. **Imports.** A fresh interpreter (the same one, running `verify_probe.py` by its
   path) imports every module of the target, each against a clean table of the
   target's modules (third-party modules stay loaded), and reports what fails;
   failures that name a partially initialized module are flagged as import-time cycles.
3. **Facades.** For every module the applied phases moved, every public name it had
   before the plan (read from the baseline; from the new module when there is none) is
   reached through the old path and must be the very object found at the new path;
   every moved symbol likewise.
4. **Remaining duplicates.** Definitions still present, identical or near-identical,
   both at an old location and at its new one (`audit.duplicates_between`).
5. **check.** Stale references to old paths and edited facades (`check.run_check`).

The target's tests and imports run in subprocesses; the only files written are in a
temporary directory. Nothing in the target changes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from migrator.analysis import pyast
from migrator.commands import audit, check, verify_probe
from migrator.mapping.spec import Mapping
from migrator.model.plan import Diagnostic
from migrator.analysis.project import STATE_DIR, ProjectIndex, Snapshot
from migrator.adapters.state import APPLIED_DIR, State
from migrator.adapters.snapshot import read_tree

#: How long one run of the target's tests may take (seconds).
TEST_TIMEOUT = 1800
#: How long importing every module may take (seconds).
IMPORT_TIMEOUT = 600


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class TestRun:
    """One run of the test command: exit status and, for pytest, outcome per test id."""

    __test__ = False  # not a pytest test class

    where: str  # "now" | "before"
    command: str
    returncode: int | None  # None: it could not run (see `error`)
    outcomes: dict[str, str]  # test id → passed | failed | error | skipped
    output_tail: str = ""
    error: str | None = None

    @property
    def per_test(self) -> bool:
        return bool(self.outcomes)

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
        for outcome in self.outcomes.values():
            out[outcome] = out.get(outcome, 0) + 1
        return out


@dataclass(frozen=True)
class Regression:
    test: str
    before: str
    now: str  # failed | error | skipped | missing | "exit N" (no per-test results)


@dataclass(frozen=True)
class Interpreter:
    """The Python that runs the target's tests and the import check, and why it is that one."""

    path: str | None  # absolute, symbolic links kept (a venv's python is one); None: none found
    source: str  # mapping | virtualenv | project-venv | path | none
    reason: str  # for people: "the active virtualenv, VIRTUAL_ENV=/x/.venv"


@dataclass(frozen=True)
class TestComparison:
    __test__ = False

    baseline: str  # how the "before" results were obtained
    now: TestRun
    before: TestRun | None
    regressions: tuple[Regression, ...] = ()
    fixed: tuple[str, ...] = ()
    #: failed (or errored) before and fail now: "already failing", not a regression.
    still_failing: tuple[str, ...] = ()
    new_failing: tuple[str, ...] = ()
    #: ids that passed before and exist no more, while their test function passes as
    #: many times as before under other ids: parameters the migration renamed
    #: (`parametrize(["old.mod", "new.mod"])` becomes `["new.mod", "new.mod"]`).
    renamed: tuple[str, ...] = ()
    #: why the comparison proves nothing (the tests did not run, collected nothing, or
    #: a command without per-test results exits non-zero): verify fails.
    problem: str | None = None
    interpreter: Interpreter | None = None

    @property
    def ok(self) -> bool:
        return not self.regressions and self.problem is None


@dataclass(frozen=True)
class ImportFailure:
    module: str
    error: str
    cycle: bool


@dataclass(frozen=True)
class FacadeFailure:
    old: str  # the old module (or module of a moved symbol)
    new: str
    name: str | None  # None: the old module itself does not import
    problem: str


@dataclass(frozen=True)
class VerifyReport:
    target: str
    applied: tuple[int, ...]
    tests: TestComparison | None
    modules_imported: int
    import_failures: tuple[ImportFailure, ...]
    facades_checked: int
    facade_failures: tuple[FacadeFailure, ...]
    duplicates: tuple[audit.Overlap, ...]
    check_findings: tuple[Diagnostic, ...]
    notes: tuple[str, ...] = field(default=())

    interpreter: Interpreter | None = None

    @property
    def ok(self) -> bool:
        tests_ok = self.tests is None or self.tests.ok
        return tests_ok and not (self.import_failures or self.facade_failures or self.duplicates or self.check_findings)


class VerifyError(Exception):
    """Verify cannot run as asked (no undo record to rebuild the baseline from, ...)."""


# --------------------------------------------------------------------------- entry point


def run_verify(
    mapping: Mapping,
    state: State,
    snapshot: Snapshot,
    *,
    baseline: Path | None = None,
    run_tests: bool = True,
    test_timeout: int = TEST_TIMEOUT,
) -> VerifyReport:
    """Verify the target as it is against the tree before the applied phases."""
    root = mapping.root
    roots = mapping.spec.target.source_roots
    index = ProjectIndex.build(snapshot, roots)
    notes: list[str] = []
    python = choose_interpreter(root, mapping.spec.test_interpreter, os.environ)
    with tempfile.TemporaryDirectory(prefix="migrate-verify-") as tmp:
        tmp_path = Path(tmp)
        before_root, baseline_desc, before_xml = _baseline(root, state, baseline, tmp_path)
        before_snapshot = read_tree(before_root, roots, mapping.spec.target.exclude) if before_root is not None else None

        tests = None
        if run_tests:
            jobs = TestJobs(mapping.spec.test_command, python, root, before_root, before_xml, tmp_path, test_timeout)
            tests = _run_and_compare(jobs, baseline_desc)

        moves = check.applied_moves(state, index)
        facade_jobs, symbol_jobs = _facade_jobs(moves, index, snapshot, before_snapshot, roots)
        if mapping.spec.facades.style == "none" and facade_jobs:
            notes.append("facades.style is none: old paths are gone by design, their names are not checked")
            facade_jobs = []
        retired = set(check.facade_modules(state.retired(), roots).values())
        if retired and facade_jobs:
            notes.append(f"{len(retired)} facade(s) retired by `migrate retire`: their old paths are gone on purpose, their names are not checked")
            facade_jobs = [job for job in facade_jobs if job[0] not in retired]
        modules = sorted(index.modules)
        imported = _import_everything(python, root, roots, modules, facade_jobs, symbol_jobs)

    pairs = [(old, new) for old, new in moves.modules.items()]
    pairs += [(old.rpartition(".")[0], new.rpartition(".")[0]) for old, new in moves.symbols.items()]
    duplicates = tuple(audit.duplicates_between(snapshot, index, sorted(set(pairs))))
    findings = tuple(check.run_check(mapping, state, snapshot))
    if not state.applied:
        notes.append("no phase is applied: the tree is its own baseline")
    return VerifyReport(
        target=str(root),
        applied=state.applied_numbers,
        tests=tests,
        modules_imported=len(modules),
        import_failures=imported[0],
        facades_checked=imported[1],
        facade_failures=imported[2],
        duplicates=duplicates,
        check_findings=findings,
        notes=tuple(notes),
        interpreter=python,
    )


# --------------------------------------------------------------------------- baseline


_COPY_IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc", ".git", ".hg", ".venv", "node_modules")


def _baseline(root: Path, state: State, given: Path | None, tmp: Path) -> tuple[Path | None, str, Path | None]:
    """(the pre-plan tree, how it was obtained, a JUnit file of its results)."""
    if given is not None:
        given = given.resolve()
        if given.is_dir():
            return given, f"the tree at {given}", None
        if given.is_file():
            return None, f"the test results in {given}", given
        raise VerifyError(f"--baseline {given}: no such file or directory — give the pre-plan tree or a JUnit XML file of its test results")
    if not state.applied:
        return None, "none (no phase is applied)", None
    copy = tmp / "before"
    shutil.copytree(root, copy, ignore=_COPY_IGNORE, symlinks=True)
    rebuild_pre_plan_tree(copy, state)
    phases = ", ".join(map(str, state.applied_numbers))
    return copy, f"the tree before phases {phases}, rebuilt from their undo records", None


def rebuild_pre_plan_tree(copy: Path, state: State) -> None:
    """Turn `copy` (a copy of the target, `.migrator/` included) into the tree before
    every applied phase, replaying their undo records newest first; `.migrator/` goes."""
    from migrator.adapters.journal import restore_from_journal

    for applied in reversed(state.applied):
        undo = copy / STATE_DIR / APPLIED_DIR / str(applied.phase)
        if not (undo / "journal.json").exists():
            raise VerifyError(
                f"the undo record of phase {applied.phase} is missing ({STATE_DIR}/{APPLIED_DIR}/{applied.phase}) — "
                "pass --baseline with the pre-plan tree (e.g. a git worktree of the commit before the migration)"
            )
        restore_from_journal(copy, undo)
    shutil.rmtree(copy / STATE_DIR, ignore_errors=True)


# --------------------------------------------------------------------------- tests


@dataclass(frozen=True)
class TestJobs:
    """What the test runs need: the command, the interpreter, where, and for how long."""

    __test__ = False

    command: str
    python: Interpreter
    root: Path
    before_root: Path | None
    before_xml: Path | None
    tmp: Path
    timeout: int = TEST_TIMEOUT


def _run_and_compare(jobs: TestJobs, desc: str) -> TestComparison:
    """Run the tests now and on the baseline (in parallel) and compare them; a reason
    they cannot run is found first and makes `problem` without running anything."""
    cannot = cannot_run(jobs.command, jobs.python, jobs.root)
    if cannot is not None:
        now = TestRun("now", jobs.command, None, {}, error=cannot)
        return TestComparison(desc, now, None, problem=cannot, interpreter=jobs.python)
    where_paths = {"now": jobs.root}
    if jobs.before_root is not None:
        where_paths["before"] = jobs.before_root
    with ThreadPoolExecutor(max_workers=len(where_paths)) as pool:
        futures = {
            where: pool.submit(run_tests, jobs.command, path, jobs.tmp / f"{where}.xml", where, jobs.timeout, jobs.python)
            for where, path in where_paths.items()
        }
        runs = {where: f.result() for where, f in futures.items()}
    before = runs.get("before")
    if jobs.before_xml is not None:
        outcomes = parse_junit(jobs.before_xml)
        error = None if outcomes else f"the baseline results in {jobs.before_xml} hold no test case — give a JUnit XML file of the pre-plan tree's test run"
        before = TestRun("before", f"(results in {jobs.before_xml})", 0, outcomes, error=error)
    result = compare(runs["now"], before, desc)
    return dataclasses.replace(result, interpreter=jobs.python)


def choose_interpreter(root: Path, setting: str | None, environ) -> Interpreter:
    """The target's Python: `test_interpreter` from the mapping, else the active
    virtualenv (`VIRTUAL_ENV`), else the first `.venv` from the target root up to the
    repository root (the folder holding `.git`; the target root alone outside a
    repository), else `python` (or `python3`) on PATH."""
    if setting:
        found = _executable(root, setting, environ)
        if found is None:
            return Interpreter(None, "mapping", f"test_interpreter {setting!r} in the mapping: no such executable (relative paths start at the target root {root})")
        return Interpreter(found, "mapping", f"test_interpreter {setting!r} in the mapping")
    venv = environ.get("VIRTUAL_ENV")
    if venv and _venv_python(Path(venv)) is not None:
        return Interpreter(_venv_python(Path(venv)), "virtualenv", f"the active virtualenv, VIRTUAL_ENV={venv}")
    for folder in _up_to_repository_root(root):
        found = _venv_python(folder / ".venv")
        if found is not None:
            where = "the target root" if folder == root else str(folder)
            return Interpreter(found, "project-venv", f"the project's virtualenv {folder / '.venv'} (in {where}), no virtualenv being active")
    for name in ("python", "python3"):
        found = shutil.which(name, path=environ.get("PATH"))
        if found is not None:
            return Interpreter(os.path.abspath(found), "path", f"`{name}` on PATH: no virtualenv is active and there is no .venv in the target root or above it")
    return Interpreter(None, "none", "no virtualenv is active, there is no .venv in the target root or above it, and there is no `python` on PATH")


def _executable(root: Path, setting: str, environ) -> str | None:
    if "/" in setting or os.sep in setting:
        path = Path(setting) if Path(setting).is_absolute() else root / setting
        return os.path.abspath(path) if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which(setting, path=environ.get("PATH"))
    return os.path.abspath(found) if found else None


def _venv_python(venv: Path) -> str | None:
    for rel in ("bin/python", "Scripts/python.exe"):
        path = venv / rel
        if path.is_file() and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


def _up_to_repository_root(root: Path) -> list[Path]:
    """`root` and its parents up to the one holding `.git`; only `root` when none does."""
    chain = [root, *root.parents]
    for i, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: i + 1]
    return [root]


def _uses_pytest(argv: list[str]) -> bool:
    return any(Path(a).name.startswith("pytest") or a == "pytest" for a in argv)


def command_argv(command: str, junit: Path | None, python: str = sys.executable) -> list[str]:
    """The argv for `command`: a bare `python` is the test interpreter `python`; pytest
    writes JUnit XML to `junit` and leaves no cache in the tree."""
    argv = shlex.split(command)
    if argv and argv[0] in ("python", "python3"):
        argv[0] = python
    if junit is not None and _uses_pytest(argv):
        # One module that fails to import must not hide the outcome of every other test.
        argv += [f"--junitxml={junit}", "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    return argv


def _test_env(python: str | None) -> dict[str, str]:
    """The environment of the test runs: the interpreter's folder first on PATH (as an
    activated virtualenv has it), no PYTEST_* of ours, no bytecode written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if python is not None:
        env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    return env


def cannot_run(command: str, python: Interpreter, root: Path) -> str | None:
    """Why `command` cannot run at all (with the fix), or None: the interpreter or the
    command's program is not found, or pytest is not importable in the interpreter."""
    setting = "set `test_interpreter` in the mapping to the Python that has the target's test dependencies"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"test_command {command!r} is not a valid command line ({exc}) — fix `test_command` in the mapping"
    if not argv:
        return "test_command in the mapping is empty — give the command that runs the target's tests, e.g. `python -m pytest -q`"
    runs_python = argv[0] in ("python", "python3")
    if runs_python and python.path is None:
        return f"no Python to run the tests with: {python.reason} — activate the target's virtualenv or {setting}"
    argv = command_argv(command, None, python.path or sys.executable)
    env = _test_env(python.path)
    program = argv[0]
    found = Path(root, program).is_file() if "/" in program or os.sep in program else shutil.which(program, path=env["PATH"]) is not None
    if not found:
        return f"the test command `{command}` cannot run: `{argv[0]}` was not found — install it, or fix `test_command` in the mapping"
    if runs_python and argv[1:3] == ["-m", "pytest"]:
        probe = subprocess.run([argv[0], "-c", "import pytest"], cwd=root, capture_output=True, text=True, env=env, timeout=120)
        if probe.returncode != 0:
            return (
                f"pytest is not installed in {python.path} ({python.reason}) — install it there "
                f"(`{python.path} -m pip install pytest` and the target's test dependencies), or {setting}"
            )
    return None


def run_tests(command: str, cwd: Path, junit: Path, where: str, timeout: int = TEST_TIMEOUT, python: Interpreter | None = None) -> TestRun:
    """Run the test command in `cwd`; per-test outcomes when it writes JUnit XML.
    `error` says why the run proves nothing: it did not start, timed out, or (pytest)
    collected no test or wrote no results."""
    path = python.path if python is not None else None
    argv = command_argv(command, junit, path or sys.executable)
    env = _test_env(path)
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return TestRun(where, command, None, {}, error=f"the test command `{command}` took longer than {timeout}s")
    except OSError as exc:
        return TestRun(where, command, None, {}, error=f"the test command `{command}` cannot run: {exc.strerror or exc} ({argv[0]}) — fix `test_command` in the mapping")
    outcomes = parse_junit(junit) if junit.exists() else {}
    tail = (proc.stdout[-3000:] + proc.stderr[-1000:]).strip()
    error = None
    if _uses_pytest(argv) and not outcomes:
        if proc.returncode == 5 or junit.exists():
            error = f"the test command `{command}` collected no tests (pytest exit {proc.returncode}) — check `test_command` in the mapping and where the tests are"
        else:
            last = tail.splitlines()[-1] if tail else "no output"
            error = f"the test command `{command}` exited {proc.returncode} without running a test: {last}"
    return TestRun(where, command, proc.returncode, outcomes, tail, error)


def parse_junit(path: Path) -> dict[str, str]:
    """Test id (`classname::name`) → passed | failed | error | skipped."""
    try:
        tree = ElementTree.parse(path)
    except (ElementTree.ParseError, OSError):
        return {}
    out: dict[str, str] = {}
    for case in tree.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("error") is not None:
            outcome = "error"
        elif case.find("failure") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        # A test id can appear twice (a teardown error after a pass): the worse wins.
        if _RANK[outcome] > _RANK.get(out.get(test_id, "passed"), 0) or test_id not in out:
            out[test_id] = outcome
    return out


_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def compare(now: TestRun, before: TestRun | None, desc: str) -> TestComparison:
    """Per-test comparison; exit statuses when either side has no per-test results.

    `problem` is set when the runs prove nothing: one did not run, or, without per-test
    results, the command exits non-zero now (a regression when it exited 0 before)."""
    for run, label in ((now, "the tests did not run"), (before, "the tests of the tree before the plan did not run")):
        if run is not None and run.error is not None:
            return TestComparison(desc, now, before, problem=f"{label}: {run.error}")
    if before is None:
        failing = tuple(sorted(t for t, o in now.outcomes.items() if o in ("failed", "error")))
        problem = None if now.per_test or now.returncode == 0 else f"the test command exits {now.returncode} and gives no per-test results, so verify cannot tell what fails"
        return TestComparison(desc, now, None, (), (), failing, (), problem=problem)
    if not (now.per_test and before.per_test):
        regressions, problem = (), None
        if now.returncode != 0 and before.returncode == 0:
            regressions = (Regression(f"`{now.command}`", "exit 0", f"exit {now.returncode}"),)
        elif now.returncode != 0:
            problem = (
                f"the test command exits {now.returncode} now and exited {before.returncode} before; without per-test results "
                "verify cannot tell a regression from a test that was already failing — use pytest (per-test results), or make it pass"
            )
        return TestComparison(desc, now, before, regressions, problem=problem)
    regressions, fixed, still, new_failing, renamed = [], [], [], [], []
    passing_now = Counter(_function_of(t) for t, o in now.outcomes.items() if o == "passed")
    passing_before = Counter(_function_of(t) for t, o in before.outcomes.items() if o == "passed")
    for test, was in sorted(before.outcomes.items()):
        is_now = now.outcomes.get(test, "missing")
        if was == "passed" and is_now == "missing" and passing_now[_function_of(test)] >= passing_before[_function_of(test)]:
            renamed.append(test)
        elif was == "passed" and is_now != "passed":
            regressions.append(Regression(test, was, is_now))
        elif was in ("failed", "error") and is_now == "passed":
            fixed.append(test)
        elif was in ("failed", "error") and is_now in ("failed", "error"):
            still.append(test)
    for test, is_now in sorted(now.outcomes.items()):
        if test not in before.outcomes and is_now in ("failed", "error"):
            new_failing.append(test)
    return TestComparison(desc, now, before, tuple(regressions), tuple(fixed), tuple(still), tuple(new_failing), tuple(renamed))


def _function_of(test_id: str) -> str:
    """`tests.t::test_x[a-b]` → `tests.t::test_x`: the test function, whatever its parameters."""
    return test_id.split("[", 1)[0]


# --------------------------------------------------------------------------- imports and facades


def _facade_jobs(moves, index: ProjectIndex, now: Snapshot, before: Snapshot | None, roots) -> tuple[list, list]:
    """[(old module, new module, names)] and [(old module, name, new module)] to check."""
    before_index = ProjectIndex.build(before, roots) if before is not None else None
    module_jobs = []
    for old, new in sorted(moves.modules.items()):
        source = None
        if before_index is not None and before_index.get(old) is not None:
            source = before.get(before_index.modules[old].path)
        if source is None and index.get(new) is not None:
            source = now.get(index.modules[new].path)
        module_jobs.append((old, new, pyast.public_names(source or b"")))
    symbol_jobs = []
    for old, new in sorted(moves.symbols.items()):
        old_module, _, name = old.rpartition(".")
        new_module, _, new_name = new.rpartition(".")
        symbol_jobs.append((old_module, name, new_module, new_name))
    return module_jobs, symbol_jobs


def _import_everything(python: Interpreter, root: Path, roots, modules: list[str], facade_jobs: list, symbol_jobs: list) -> tuple[tuple[ImportFailure, ...], int, tuple[FacadeFailure, ...]]:
    job = {
        "roots": [str((root / r).resolve()) if r not in ("", ".") else str(root) for r in roots],
        "tops": sorted({m.split(".")[0] for m in modules} | {o.split(".")[0] for o, _, _ in facade_jobs} | {o.split(".")[0] for o, *_ in symbol_jobs}),
        "modules": modules,
        "facades": facade_jobs,
        "symbols": symbol_jobs,
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if python.path is None:
        return (ImportFailure("*", f"no Python to import the modules with: {python.reason} — set `test_interpreter` in the mapping", False),), 0, ()
    probe = [python.path, str(Path(verify_probe.__file__).resolve())]  # by path: no need for migrator there
    try:
        proc = subprocess.run(probe, input=json.dumps(job), cwd=root, capture_output=True, text=True, env=env, timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return (ImportFailure("*", f"importing every module took longer than {IMPORT_TIMEOUT}s", False),), 0, ()
    except OSError as exc:
        return (ImportFailure("*", f"{python.path} cannot run: {exc.strerror or exc} — set `test_interpreter` in the mapping", False),), 0, ()
    marker = verify_probe.MARKER
    if marker not in proc.stdout:
        tail = (proc.stderr or proc.stdout)[-2000:]
        return (ImportFailure("*", f"the import check crashed (exit {proc.returncode}): {tail}", False),), 0, ()
    data = json.loads(proc.stdout.rpartition(marker)[2])
    failures = tuple(
        ImportFailure(name, error, "partially initialized" in error or "circular import" in error)
        for name, error in data["imports"]
        if error
    )
    facades = tuple(FacadeFailure(old, new, name, problem) for old, new, name, problem in data["facades"])
    return failures, data["checked"], facades
