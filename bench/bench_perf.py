"""Performance benchmarks of migrator (issues 6 and 16): figures against floors measured in the same run.

Reproduce (from the repository root, in the project's environment):

    python bench/bench_perf.py

Prints two tables and writes every figure as JSON to bench/out/perf.json (each command's
output goes to bench/out/logs/). Takes about fifteen to twenty minutes on 2 cores (Django downloads
about 11 MB); `--quick` (1,000 modules only, no Django) about a minute and a half. Not
a test: these machines are shared, so figures are printed, never asserted.

Options: `--sizes N ...` generated repository sizes (default 1000 5000 20000; `--sizes`
alone for none), `--moves K ...` moves in phase 1 of each (default 1 50),
`--django/--no-django` (default on), `--quick`, `--out FILE`.

Targets
    generated, by bench/gen_repo.py (src/, tests/, config/, mapping.yaml with one phase
    of K module moves), one per size and move count;
    Django 5.2 (the sdist from PyPI, extracted and committed to a fresh git repository;
    mapping: source root ".", excluding the .py files `ast.parse` rejects, one phase
    moving `django.utils.functional` to `django.utils.func`);
    target_repo_fixture with the repository's mapping.yaml, all phases.

Commands, in this order, each in a fresh child Python process (`python -m migrator` run
through runpy, so interpreter start-up and imports count as a user sees them):
    plan (cold)  `plan --format summary` (every unapplied phase; the diff is not
                 rendered) after deleting <target root>/.migrator/cache
    plan (warm)  the same again: what a user reshaping a mapping sees
    apply        `apply --phase 1 --yes` (fixture: every phase in turn; the row holds
                 their sum, the slowest one and each phase's time)
    check (cold) `check` after deleting <target root>/.migrator/cache
    check (warm) `check` again, with whatever cache the first one left
    graph        `graph --format json`; its output also gives the import graph's size
                 (graph_* keys below)

Columns of the main table (one row per target and move count)
    files           files read by the floor (every file under the target root, VCS and
                    .migrator folders left out); py: the Python files among them
    read+prefilter  floor (a): read every file and run the engine's text prefilter
                    (migrator.engine.prefilter.prefilter) over it, in this process; best of 3
    ast.parse       floor (b): `ast.parse` of every Python file (its bytes read
                    beforehand), the plain loop in a fresh interpreter that imports
                    nothing else (_PLAIN_PARSE); best of 3 (each command runs once)
    plan ... graph  wall seconds of the command (inside the child, from before the
                    import of migrator to its exit), its ratio to the ast.parse floor
                    (`×`), and below it the peak memory in MB, measured in the child at
                    exit, after its worker processes are joined: max(its own peak,
                    ru_maxrss of RUSAGE_CHILDREN). Its own peak is VmHWM of
                    /proc/self/status (ru_maxrss of RUSAGE_SELF where there is no /proc):
                    on Linux RUSAGE_SELF inherits the peak of the process that forked
                    it, here this benchmark. `check (warm)` also gives its ratio to the
                    read+prefilter floor (`read`). `rc=N` marks an exit code other than
                    0, `crashed` an exception out of migrator (see the logs).
    plan ÷ fewest   plan wall / plan wall of the same size with the fewest moves (the
                    plan(50 moves) / plan(1 move) ratio of the issue)
    CLI start       fixture only: wall of `--help`, and the import time of migrator.cli
                    (sum of `python -X importtime -c "import migrator.cli"`)

The second table lists each target of issue 16 with the measured value and whether it
is met, every ratio taken from this one run:
    Django, one move: plan (cold) ≤ 0.3× the ast.parse floor, plan (warm) ≤ 0.15×,
        check (cold, after apply) ≤ 0.3×, check (warm) ≤ 0.1×, apply's ratio ≤ plan's
        ratio + 0.2 (both shown), plan peak RSS ≤ 150 MB;
    fixture, every phase: plan (cold) ÷ `--help` ≤ 4, the slowest single apply ÷
        `--help` ≤ 2;
    generated: plan(most moves) ÷ plan(fewest moves) ≤ 1.3 (stated for 20,000
        modules; smaller sizes are shown against the same limit for information), and
        the import graph's size per tree size: modules, edges and edges per module,
        which a gate whose work grows linearly keeps roughly constant across sizes (no
        limit is stated, so these rows have no verdict);
    one file with 16,000 dotted uses: not run here (minutes, gigabytes); the row points
        to bench/bench_big_file.py;
    results byte-identical: not a timing; the row points to tests/test_plan_identical.py.
Two correctness rows of issue 6 follow for Django: modules the move makes fail to
import, and imports still naming the old path. The Django smoke check (every module of
`django/` imported after `django.setup()`, before and after the move; a missing
optional dependency counts as skipped) and a scan for imports still naming the old path
follow the tables.

Keys of a row beyond the columns above
    apply_max_s        fixture: the slowest single phase's apply (generated, Django:
                       the one apply, so equal to apply_s)
    apply_phases_s     fixture: each phase's apply wall, in phase order
    plan_x_help        fixture: plan_s ÷ help_s and apply_max_s ÷ help_s, as the
    apply_max_x_help   targets table shows them
    graph_modules      the import graph in the output of the `graph` command above
    graph_edges        (its first graph, "now": the tree as `graph` finds it, which is
    graph_pairs        after `apply`, so with phase 1's moves and facades; the fixture
    graph_edges_per_module  after every phase): its modules, its edges (one per import
                       statement and per parent-package link, as the JSON lists them),
                       the distinct (importer, imported) pairs among them, and
                       graph_edges ÷ graph_modules. The targets table shows them for
                       the row with the fewest moves of each size. The cycle gate (which
                       `plan` runs, on the tree before and after the phase) builds
                       the same kind of graph (migrator.analysis.graph.build_graph)
                       restricted to the modules the phase's changed files reach;
                       the whole-tree graph reported here is the largest it can be,
                       the one the gate's work follows in the worst case.

JSON: a list of row dicts, every row with the keys of ROW_KEYS (None where a figure does
not apply); times in seconds, memory in MB.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from gen_repo import generate  # noqa: E402

from migrator.mapping.spec import load_mapping  # noqa: E402
from migrator.model.plan import MoveSet  # noqa: E402
from migrator.engine.prefilter import prefilter  # noqa: E402

#: The commands measured on every target, in the order they run.
COMMANDS = ("plan", "plan_warm", "apply", "check_cold", "check_warm", "graph")
_ARGS = {
    "plan": ["plan", "--format", "summary"],
    "plan_warm": ["plan", "--format", "summary"],
    "apply": ["apply", "--phase", "1", "--yes"],
    "check_cold": ["check"],
    "check_warm": ["check"],
    "graph": ["graph", "--format", "json"],
}
_LABELS = {"plan": "plan (cold)", "plan_warm": "plan (warm)", "apply": "apply", "check_cold": "check (cold)", "check_warm": "check (warm)", "graph": "graph"}

#: Every key of a JSON row, in order.
ROW_KEYS = (
    "target", "kind", "modules", "moves", "error",
    "files", "py_files", "unparsable_files", "prefilter_hits", "read_prefilter_s", "ast_parse_s",
    *(f"{c}_{k}" for c in COMMANDS for k in ("s", "rss_mb", "rc", "x_ast")),
    "check_warm_x_read", "plan_x_fewest_moves",
    "apply_max_s", "apply_phases_s",
    "help_s", "cli_import_s", "plan_x_help", "apply_max_x_help",
    "graph_modules", "graph_edges", "graph_pairs", "graph_edges_per_module",
    "django_version", "excluded", "smoke_before", "smoke_after", "smoke_new_failures",
    "facade_imports", "facade_same_object", "old_path_imports_before", "old_path_imports_after",
)

#: Characters of a command's stdout kept in its log (`graph --format json` runs to megabytes).
_LOG_LIMIT = 100_000
#: Each floor is the best of this many runs.
_FLOOR_RUNS = 3
#: Folders the floors never read (version control, the tool's own state).
_NOT_READ = frozenset({".git", ".hg", ".svn", ".migrator", "__pycache__"})

_DJANGO_REQUIREMENT = "django==5.2.*"
_DJANGO_MOVE = ("django.utils.functional", "django.utils.func")
#: Limits of issue 16's targets.
_PLAN_MOVES_RATIO = 1.3
_DJANGO_PLAN_X_AST = 0.3
_DJANGO_PLAN_WARM_X_AST = 0.15
_DJANGO_CHECK_X_AST = 0.3
_DJANGO_CHECK_WARM_X_AST = 0.1
#: apply's ratio to the ast.parse floor may exceed plan's by this much.
_DJANGO_APPLY_OVER_PLAN = 0.2
_DJANGO_PLAN_RSS_MB = 150
_FIXTURE_PLAN_X_HELP = 4.0
_FIXTURE_APPLY_X_HELP = 2.0

#: The exit code _CHILD reports when migrator raised instead of exiting.
_CRASHED = -1
# Runs `python -m migrator ARGS` and reports wall, peak RSS and exit code on stderr. The
# report is written at exit, after concurrent.futures has joined its workers, so that
# RUSAGE_CHILDREN includes them. The process's own peak is VmHWM where /proc has it:
# Linux carries the forking parent's peak into ru_maxrss across exec, so RUSAGE_SELF
# would report at least this benchmark's own size (124 MB after reading Django).
_CHILD = """\
import atexit, resource, runpy, sys, time
sys.argv = ['migrate'] + sys.argv[1:]
result = {'rc': -1}  # _CRASHED, unless migrator returns or exits
def own_peak_kb():
    try:
        with open('/proc/self/status') as status:
            return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:'))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def report():
    rss = max(own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stderr.write(f"\\nBENCH {result['wall']} {rss / 1024} {result['rc']}\\n")
atexit.register(report)
start = time.perf_counter()
try:
    runpy.run_module('migrator', run_name='__main__', alter_sys=True)
    result['rc'] = 0
except SystemExit as exc:
    result['rc'] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    result['wall'] = time.perf_counter() - start
sys.exit(result['rc'])
"""


def child_env() -> dict:
    """The environment of every timed child: this checkout on the path, and the tool's
    bytecode compiled once and reused (in bench/out/pycache, never beside the sources),
    as an installed tool has it. Without it, a shell with PYTHONDONTWRITEBYTECODE set
    (this machine's) compiles migrator's sources again in every run: 0.1–0.15 s a
    command, counted against the tool and not against the `--help` it is divided by
    in equal measure."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(REPO / "bench" / "out" / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_tool() -> None:
    """Compile migrator and the rules into `child_env()`'s bytecode folder."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "migrator"), str(REPO / "rules")], env=child_env(), check=True, capture_output=True)


def new_row(**values) -> dict:
    """A row with every key of ROW_KEYS, None where `values` does not say."""
    unknown = set(values) - set(ROW_KEYS)
    if unknown:
        raise KeyError(f"not in ROW_KEYS: {sorted(unknown)}")
    return {key: values.get(key) for key in ROW_KEYS}


class Runner:
    """Runs migrator commands in fresh child processes, keeping each one's output in `logs`."""

    def __init__(self, logs: Path, progress):
        self.logs = logs
        self.progress = progress
        if logs.exists():
            shutil.rmtree(logs)
        logs.mkdir(parents=True)
        compile_tool()

    def run(self, args: list[str], cwd: Path, log_name: str) -> dict:
        """`{"s", "rss_mb", "rc", "stdout"}` of `python -m migrator ARGS` in `cwd` (s, rss_mb None if the child reported nothing)."""
        proc = subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=cwd, capture_output=True, text=True, env=child_env())
        stdout = proc.stdout if len(proc.stdout) <= _LOG_LIMIT else proc.stdout[:_LOG_LIMIT] + "\n[... cut]\n"
        self.logs.joinpath(f"{log_name}.log").write_text(
            f"$ migrate {' '.join(args)}\n# cwd {cwd}\n# exit {proc.returncode}\n"
            f"## stdout\n{stdout}\n## stderr\n{proc.stderr}",
            encoding="utf-8",
        )
        reports = [line.split() for line in proc.stderr.splitlines() if line.startswith("BENCH ")]
        if not reports:
            self.progress.print(f"[red]{log_name}: no report (exit {proc.returncode}); see {self.logs / log_name}.log")
            return {"s": None, "rss_mb": None, "rc": proc.returncode, "stdout": proc.stdout}
        _, wall, rss, rc = reports[-1]
        return {"s": float(wall), "rss_mb": float(rss), "rc": int(rc), "stdout": proc.stdout}

    def measure(self, row: dict, command: str, args: list[str], cwd: Path, log_name: str) -> None:
        """Run one command and store its figures in `row` under `command`."""
        result = self.run(args, cwd, f"{log_name}_{command}")
        row[f"{command}_s"], row[f"{command}_rss_mb"], row[f"{command}_rc"] = result["s"], result["rss_mb"], result["rc"]
        if command == "apply":
            row["apply_max_s"] = result["s"]
        if command == "graph" and result["rc"] == 0:
            row.update(graph_size(result["stdout"]))
        if result["s"] is not None and row["ast_parse_s"]:
            row[f"{command}_x_ast"] = result["s"] / row["ast_parse_s"]
        shown = f"{result['s']:.2f} s" if result["s"] is not None else "crashed"
        self.progress.print(f"  {row['target']}: {_LABELS.get(command, command)} {shown} (exit {result['rc']})")

    def measure_commands(self, row: dict, mapping_path: Path, log_name: str) -> None:
        """plan, apply phase 1, check cold and warm, graph, on the mapping at `mapping_path`."""
        cwd = mapping_path.parent
        cache = load_mapping(mapping_path).root / ".migrator" / "cache"
        for command in COMMANDS:
            if command in ("plan", "check_cold") and cache.exists():
                shutil.rmtree(cache)
            self.measure(row, command, _ARGS[command], cwd, log_name)
        if row["check_warm_s"] is not None and row["read_prefilter_s"]:
            row["check_warm_x_read"] = row["check_warm_s"] / row["read_prefilter_s"]


def graph_size(stdout: str) -> dict:
    """The graph_* keys of a row, from the stdout of `graph --format json` (its first graph, "now")."""
    try:
        now = json.loads(stdout)["graphs"][0]
    except (ValueError, KeyError, IndexError):
        return {}
    modules, edges = len(now["modules"]), now["edges"]
    return {
        "graph_modules": modules,
        "graph_edges": len(edges),
        "graph_pairs": len({(edge["source"], edge["target"]) for edge in edges}),
        "graph_edges_per_module": len(edges) / modules if modules else None,
    }


# --------------------------------------------------------------------------- floors


def floors(mapping_path: Path) -> dict:
    """Floor (a), read every file + the text prefilter, and floor (b), `ast.parse` of every .py file.

    Each floor is the best of _FLOOR_RUNS: a floor is a lower bound, and a single run
    on a shared machine varies by half.
    """
    mapping = load_mapping(mapping_path)
    every_move = [m for phase in mapping.spec.phases for m in phase.moves]
    moves = MoveSet(
        modules={m.source: m.to for m in every_move if not m.is_symbol},
        symbols={f"{m.source_module}.{m.symbol}": f"{m.to}.{m.symbol}" for m in every_move if m.is_symbol},
    )
    runs = [_floors_once(mapping.root, moves) for _ in range(_FLOOR_RUNS)]
    best = runs[0]
    best["read_prefilter_s"] = min(run["read_prefilter_s"] for run in runs)
    python = [str(path) for path in _all_files(mapping.root) if path.suffix == ".py"]
    parses = [_plain_parse(python) for _ in range(_FLOOR_RUNS)]
    best["ast_parse_s"] = min(seconds for seconds, _ in parses)
    best["unparsable_files"] = parses[0][1]
    return best


#: The plain `ast.parse` loop, in a fresh interpreter that imports nothing else: this
#: process holds migrator, rich and the benchmark's data, and a larger heap makes the
#: collector slow every parse down (by a quarter and more), which would flatter the ratios.
_PLAIN_PARSE = """
import ast, json, sys, time
data = [open(p, "rb").read() for p in json.load(sys.stdin)]
start = time.perf_counter()
unparsable = 0
for raw in data:
    try:
        ast.parse(raw)
    except (SyntaxError, ValueError):
        unparsable += 1
print(time.perf_counter() - start, unparsable)
"""


def _plain_parse(paths: list[str]) -> tuple[float, int]:
    """Seconds of `ast.parse` over the bytes of every file in `paths` (read beforehand),
    in a fresh interpreter, and how many of them do not parse."""
    proc = subprocess.run([sys.executable, "-c", _PLAIN_PARSE], input=json.dumps(paths), capture_output=True, text=True, check=True)
    seconds, unparsable = proc.stdout.split()
    return float(seconds), int(unparsable)


def _floors_once(root: Path, moves: MoveSet) -> dict:
    start = time.perf_counter()
    data = {path: path.read_bytes() for path in _all_files(root)}
    text_filter = prefilter(moves)
    hits = sum(1 for raw in data.values() if text_filter.may_refer(raw.decode("utf-8", "replace")))
    read = time.perf_counter() - start
    python = [path for path in data if path.suffix == ".py"]
    return {"files": len(data), "py_files": len(python), "prefilter_hits": hits, "read_prefilter_s": read}


def _all_files(root: Path) -> list[Path]:
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in _NOT_READ]
        files.extend(Path(folder, name) for name in names if not os.path.islink(os.path.join(folder, name)))
    return files


# --------------------------------------------------------------------------- generated repositories


def bench_generated(runner: Runner, sizes: list[int], move_counts: list[int], work: Path) -> list[dict]:
    """One row per (size, move count)."""
    rows = []
    for size in sizes:
        by_moves = {}
        for moves in sorted(set(move_counts)):
            root = work / f"gen_{size}_{moves}"
            generate(root, modules=size, moves=moves, seed=1)
            row = new_row(target=f"generated {size:,} modules", kind="generated", modules=size, moves=moves)
            row.update(floors(root / "mapping.yaml"))
            runner.measure_commands(row, root / "mapping.yaml", f"gen_{size}_{moves}")
            shutil.rmtree(root)
            by_moves[moves] = row
            rows.append(row)
        fewest = by_moves[min(by_moves)]["plan_s"]
        for row in by_moves.values():
            if row["plan_s"] is not None and fewest:
                row["plan_x_fewest_moves"] = row["plan_s"] / fewest
    return rows


# --------------------------------------------------------------------------- fixture


def bench_fixture(runner: Runner, work: Path) -> dict:
    """target_repo_fixture and the repository's mapping, every phase."""
    base = work / "fixture"
    base.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".migrator")
    shutil.copytree(REPO / "target_repo_fixture", base / "target_repo_fixture", ignore=ignore)
    shutil.copy(REPO / "mapping.yaml", base / "mapping.yaml")
    mapping = load_mapping(base / "mapping.yaml")
    row = new_row(target="target_repo_fixture, all phases", kind="fixture", moves=sum(len(p.moves) for p in mapping.spec.phases))
    row.update(floors(base / "mapping.yaml"))
    runner.measure(row, "plan", _ARGS["plan"], base, "fixture")
    applies = [runner.run(["apply", "--phase", str(n), "--yes"], base, f"fixture_apply_{n}") for n in mapping.phase_numbers]
    row["apply_phases_s"] = [a["s"] for a in applies]
    if all(a["s"] is not None for a in applies):
        row["apply_s"] = sum(a["s"] for a in applies)
        row["apply_max_s"] = max((a["s"] for a in applies), default=None)
        row["apply_x_ast"] = row["apply_s"] / row["ast_parse_s"]
    row["apply_rss_mb"] = max((a["rss_mb"] for a in applies if a["rss_mb"] is not None), default=None)
    row["apply_rc"] = next((a["rc"] for a in applies if a["rc"] != 0), 0)
    runner.progress.print(f"  {row['target']}: apply, {len(applies)} phases, exit {row['apply_rc']}")
    cache = mapping.root / ".migrator" / "cache"
    if cache.exists():
        shutil.rmtree(cache)
    for command in ("check_cold", "check_warm", "graph"):
        runner.measure(row, command, _ARGS[command], base, "fixture")
    if row["check_warm_s"] is not None:
        row["check_warm_x_read"] = row["check_warm_s"] / row["read_prefilter_s"]
    row["help_s"] = runner.run(["--help"], base, "fixture_help")["s"]
    row["cli_import_s"] = cli_import_seconds()
    if row["help_s"]:
        if row["plan_s"] is not None:
            row["plan_x_help"] = row["plan_s"] / row["help_s"]
        if row["apply_max_s"] is not None:
            row["apply_max_x_help"] = row["apply_max_s"] / row["help_s"]
    return row


def cli_import_seconds() -> float:
    """Total of `python -X importtime -c "import migrator.cli"` (the sum of every module's own time)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import migrator.cli"], capture_output=True, text=True, env=child_env())
    own = [line.split("|")[0].rpartition(":")[2].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return sum(int(us) for us in own if us.isdigit()) / 1e6


# --------------------------------------------------------------------------- Django


def bench_django(runner: Runner, work: Path) -> dict:
    """Download, move `django.utils.functional`, measure, smoke-check; never raises."""
    row = new_row(target="Django 5.2", kind="django", moves=1)
    try:
        tree, deps = _prepare_django(work / "django", runner.progress)
    except (DjangoUnavailable, OSError, tarfile.TarError, ValueError) as exc:
        row["error"] = str(exc)
        runner.progress.print(f"[red]Django skipped: {exc}")
        return row
    row["django_version"] = tree.name.partition("-")[2]
    row["excluded"] = load_mapping(tree / "mapping.yaml").spec.target.exclude
    old, new = _DJANGO_MOVE
    smoke = DjangoSmoke(tree, deps, runner.logs)
    row["smoke_before"] = smoke.run("before")
    row["old_path_imports_before"] = len(old_path_imports(tree, old))
    row.update(floors(tree / "mapping.yaml"))
    runner.measure_commands(row, tree / "mapping.yaml", "django")
    row["smoke_after"] = smoke.run("after", alias=(old, new, "cached_property"))
    stale = old_path_imports(tree, old)
    row["old_path_imports_after"] = len(stale)
    if stale:
        runner.progress.print(f"  imports still naming {old}: {', '.join(stale[:10])}")
    if row["smoke_before"].get("failed") is not None and row["smoke_after"].get("failed") is not None:
        row["smoke_new_failures"] = sorted(set(row["smoke_after"]["failed"]) - set(row["smoke_before"]["failed"]))
    alias = row["smoke_after"].get("alias") or {}
    row["facade_imports"], row["facade_same_object"] = alias.get("imports"), alias.get("same_object")
    return row


class DjangoUnavailable(Exception):
    """The Django benchmark cannot run (download, extraction or git failed)."""


def _prepare_django(work: Path, progress) -> tuple[Path, Path]:
    """The extracted, committed tree with its mapping.yaml, and a folder with Django's requirements."""
    work.mkdir()
    progress.print(f"Django: pip download {_DJANGO_REQUIREMENT} (sdist)")
    download = work / "download"
    _checked([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", _DJANGO_REQUIREMENT, "-d", str(download)], "pip download")
    archives = sorted(download.glob("*.tar.gz"))
    if not archives:
        raise DjangoUnavailable(f"pip download left no .tar.gz in {download}")
    with tarfile.open(archives[0]) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(work / "src", **safe)
    (tree,) = [p for p in (work / "src").iterdir() if p.is_dir()]  # ValueError unless exactly one
    unparsable = []
    for path in sorted(tree.rglob("*.py")):
        try:
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            unparsable.append(path.relative_to(tree).as_posix())
    old, new = _DJANGO_MOVE
    (tree / "mapping.yaml").write_text(
        "version: 1\n"
        "target:\n"
        "  root: .\n"
        '  source_roots: ["."]\n'
        f"  exclude: {json.dumps(unparsable)}\n"
        "phases:\n"
        "  - phase: 1\n"
        "    title: Rename functional\n"
        "    moves:\n"
        f"      - {{from: {old}, to: {new}}}\n",
        encoding="utf-8",
    )
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-C", str(tree)]
    _checked([*git, "init", "-q"], "git init")
    (tree / ".git" / "info" / "exclude").write_text(".migrator/\n", encoding="utf-8")
    _checked([*git, "add", "-A"], "git add")
    _checked([*git, "commit", "-q", "-m", f"{tree.name} as released"], "git commit")
    deps = work / "deps"
    requirements = _required_packages(tree / "PKG-INFO")
    progress.print(f"Django: {tree.name}, {len(unparsable)} unparsable file(s) excluded; requirements {requirements}")
    _checked([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(deps), *requirements], "pip install")
    return tree, deps


def _required_packages(pkg_info: Path) -> list[str]:
    """Unconditional `Requires-Dist` of the sdist (no extras, no environment markers)."""
    lines = pkg_info.read_text(encoding="utf-8").splitlines()
    return [line.partition(":")[2].strip() for line in lines if line.startswith("Requires-Dist:") and ";" not in line]


def _checked(command: list[str], what: str) -> None:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DjangoUnavailable(f"{what}: {exc}") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise DjangoUnavailable(f"{what} exited {proc.returncode}: {' / '.join(tail)}")


class DjangoSmoke:
    """bench/django_smoke.py in child processes: which contrib apps import, then every module."""

    def __init__(self, tree: Path, deps: Path, logs: Path):
        self.tree, self.deps, self.logs = tree, deps, logs
        self.apps: list[str] | None = None

    def run(self, label: str, alias: tuple[str, str, str] | None = None) -> dict:
        """Counts (ok, skipped, failed), the failed modules with their error, the alias check."""
        try:
            if self.apps is None:
                # Chosen once, before the move, so both runs configure the same apps.
                self.apps = self._child("apps", label)
            options = ["--apps", ",".join(self.apps), *(("--alias", *alias) if alias else ())]
            result = self._child("modules", label, *options)
        except DjangoUnavailable as exc:
            return {"error": str(exc)}
        return {
            "apps": self.apps,
            "django_file": result["django_file"],
            "ok": len(result["ok"]),
            "skipped": len(result["skipped"]),
            "failed": result["failed"],
            "skip_reasons": _count(result["skipped"].values()),
            "alias": result.get("alias"),
        }

    def _child(self, mode: str, label: str, *options: str):
        out = self.logs / f"django_smoke_{mode}_{label}.json"
        # -B: no __pycache__ in the tree, which is then measured and moved.
        command = [sys.executable, "-B", str(HERE / "django_smoke.py"), mode, str(self.tree), str(self.deps), str(out), *options]
        _checked(command, f"smoke check ({mode}, {label} the move)")
        return json.loads(out.read_text(encoding="utf-8"))


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def old_path_imports(tree: Path, module: str) -> list[str]:
    """`path:line` of import statements naming `module`, outside its own file (the facade).

    A line scan, as grep would do it: `import module`, `from module import`, and
    `from parent import last` on one line (a name inside parentheses on a later line is
    not seen).
    """
    parent, _, last = module.rpartition(".")
    name = re.escape(module)
    pattern = re.compile(
        rf"^\s*(?:from\s+{name}\b|import\s+[^#\n]*\b{name}\b|from\s+{re.escape(parent)}\s+import\s+[^#\n]*\b{re.escape(last)}\b)",
        re.M,
    )
    facade = tree / (module.replace(".", "/") + ".py")
    found = []
    for path in sorted(_all_files(tree)):
        if path.suffix != ".py" or path == facade:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in pattern.finditer(text):
            found.append(f"{path.relative_to(tree).as_posix()}:{text.count(chr(10), 0, match.start()) + 1}")
    return found


# --------------------------------------------------------------------------- targets


def targets(rows: list[dict]) -> list[dict]:
    """Each target of issue 16 that the rows measure: what, limit, measured value, met (None: no verdict)."""
    found = []

    def shown(value, unit: str) -> str:
        return "-" if value is None else f"{value}{unit}" if isinstance(value, int) else f"{value:.2f}{unit}"

    def add(what: str, value: float | None, limit: float, unit: str) -> None:
        met = None if value is None else value <= limit
        found.append({"target": what, "limit": f"≤ {limit:g}{unit}", "measured": shown(value, unit), "met": met})

    def note(what: str, limit: str, measured: str) -> None:
        found.append({"target": what, "limit": limit, "measured": measured, "met": None})

    fewest = {}
    for row in rows:
        if row["kind"] == "generated":
            fewest[row["modules"]] = min(row["moves"], fewest.get(row["modules"], row["moves"]))
    for row in rows:
        if row["kind"] == "fixture":
            add("fixture, every phase: plan (cold) ÷ --help", row["plan_x_help"], _FIXTURE_PLAN_X_HELP, "×")
            phases = ", ".join(shown(s, " s") for s in row["apply_phases_s"] or [])
            add(f"fixture: slowest single apply ÷ --help (phases: {phases})", row["apply_max_x_help"], _FIXTURE_APPLY_X_HELP, "×")
        if row["kind"] == "generated" and row["moves"] > fewest[row["modules"]]:
            add(f"generated {row['modules']:,}: plan({row['moves']} moves) ÷ plan({fewest[row['modules']]} move(s))", row["plan_x_fewest_moves"], _PLAN_MOVES_RATIO, "×")
        if row["kind"] == "generated" and row["moves"] == fewest[row["modules"]]:
            size = "-" if row["graph_edges"] is None else (
                f"{row['graph_modules']:,} modules, {row['graph_edges']:,} edges "
                f"({row['graph_pairs']:,} pairs): {row['graph_edges_per_module']:.2f} edges/module"
            )
            note(f"generated {row['modules']:,}: import graph size (graph --format json)", "edges/module ≈ constant across sizes", size)
        if row["kind"] == "django" and not row["error"]:
            add("Django: plan (cold) ÷ ast.parse floor", row["plan_x_ast"], _DJANGO_PLAN_X_AST, "×")
            add("Django: plan (warm) ÷ ast.parse floor", row["plan_warm_x_ast"], _DJANGO_PLAN_WARM_X_AST, "×")
            add("Django: check (cold, after apply) ÷ ast.parse floor", row["check_cold_x_ast"], _DJANGO_CHECK_X_AST, "×")
            add("Django: check (warm) ÷ ast.parse floor", row["check_warm_x_ast"], _DJANGO_CHECK_WARM_X_AST, "×")
            plan_x, apply_x = row["plan_x_ast"], row["apply_x_ast"]
            limit = None if plan_x is None else plan_x + _DJANGO_APPLY_OVER_PLAN
            found.append({
                "target": "Django: apply ÷ ast.parse floor, against plan's ratio + 0.2",
                "limit": "-" if limit is None else f"≤ {plan_x:.2f}× + {_DJANGO_APPLY_OVER_PLAN:g} = {limit:.2f}×",
                "measured": shown(apply_x, "×"),
                "met": None if apply_x is None or limit is None else apply_x <= limit,
            })
            add("Django: plan peak RSS", row["plan_rss_mb"], _DJANGO_PLAN_RSS_MB, " MB")
            new_failures = row["smoke_new_failures"]
            add("Django: modules the move makes fail to import", None if new_failures is None else len(new_failures), 0, "")
            add(f"Django: imports still naming {_DJANGO_MOVE[0]} (facade aside)", row["old_path_imports_after"], 0, "")
    note("one file with 16,000 dotted uses of a moved module: linear", "see bench/bench_big_file.py", "not run here")
    note("results byte-identical to before the performance work", "see tests/test_plan_identical.py", "not a timing")
    return found


# --------------------------------------------------------------------------- output


def print_report(console, rows: list[dict], goals: list[dict]) -> None:
    from rich.table import Table

    table = Table(title="migrator performance (wall s (× ast.parse floor) / peak RSS, MB)", show_lines=True)
    for column in ("target", "moves", "files", "read+prefilter", "ast.parse", *(_LABELS[c] for c in COMMANDS), "plan ÷ fewest", "CLI start"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for row in rows:
        if row["error"]:
            table.add_row(row["target"], _num(row["moves"]), f"[red]skipped: {row['error']}", *[""] * (len(table.columns) - 3))
            continue
        cli = f"--help {row['help_s']:.2f} s\nimport {row['cli_import_s']:.2f} s" if row["help_s"] is not None else ""
        table.add_row(
            row["target"], _num(row["moves"]), f"{row['files']:,}\npy {row['py_files']:,}",
            f"{row['read_prefilter_s']:.2f} s", f"{row['ast_parse_s']:.2f} s",
            *(_command_cell(row, c) for c in COMMANDS),
            "" if row["plan_x_fewest_moves"] is None else f"{row['plan_x_fewest_moves']:.2f}×",
            cli,
        )
    console.print(table)

    goal_table = Table(title="targets of issue 16 (generated: stated for 20,000 modules)")
    for column in ("target", "limit", "measured", "met"):
        goal_table.add_column(column, justify="left" if column == "target" else "right")
    for goal in goals:
        verdict = "-" if goal["met"] is None else "[green]met" if goal["met"] else "[red]not met"
        goal_table.add_row(goal["target"], goal["limit"], goal["measured"], verdict)
    console.print(goal_table)
    for row in rows:
        if row["kind"] == "django" and not row["error"]:
            _print_smoke(console, row)


def _command_cell(row: dict, command: str) -> str:
    wall = row[f"{command}_s"]
    if wall is None:
        return "-" if row[f"{command}_rc"] is None else f"[red]crashed (exit {row[f'{command}_rc']})"
    lines = [f"{wall:.2f} s ({row[f'{command}_x_ast']:.1f}×)", f"{row[f'{command}_rss_mb']:.0f} MB"]
    if command == "check_warm" and row["check_warm_x_read"] is not None:
        lines.append(f"{row['check_warm_x_read']:.1f}× read")
    rc = row[f"{command}_rc"]
    if rc != 0:
        lines.append("[red]crashed" if rc == _CRASHED else f"[red]rc={rc}")
    return "\n".join(lines)


def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _print_smoke(console, row: dict) -> None:
    old, new = _DJANGO_MOVE
    console.print(f"[bold]Django {row['django_version']} smoke check[/] (every module of django/ imported after django.setup())")
    for when in ("before", "after"):
        smoke = row[f"smoke_{when}"]
        if "error" in smoke:
            console.print(f"  {when} the move: [red]not run: {smoke['error']}")
            continue
        reasons = ", ".join(f"{n} {reason.removeprefix('optional dependency: ')}" for reason, n in smoke["skip_reasons"].items())
        failures = _count(_error_kind(error) for error in smoke["failed"].values())
        console.print(
            f"  {when} the move: {smoke['ok']} ok, {smoke['skipped']} skipped (optional dependency: {reasons}), "
            f"{len(smoke['failed'])} failed ({', '.join(f'{n} {kind}' for kind, n in failures.items()) or 'none'})"
        )
    if row["smoke_new_failures"] is not None:
        console.print(f"  new failures after the move: {len(row['smoke_new_failures'])}")
        for name in row["smoke_new_failures"]:
            console.print(f"    [red]{name}: {row['smoke_after']['failed'][name]}")
    console.print(f"  `import {old}` through the facade works: {row['facade_imports']}")
    console.print(f"  {new}.cached_property is {old}.cached_property: {row['facade_same_object']}")
    console.print(
        f"  import lines naming {old} outside the facade: {row['old_path_imports_before']} before, "
        f"{row['old_path_imports_after']} after"
    )
    console.print(f"  installed apps: {', '.join(a.rpartition('.')[2] for a in row['smoke_before'].get('apps') or [])}")


def _error_kind(error: str) -> str:
    """`ImproperlyConfigured: Could not find the GDAL library` from a one-line exception."""
    kind, _, message = error.partition(": ")
    return f"{kind.rpartition('.')[2]}: {message[:40]}" if message else kind.rpartition(".")[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000], help="generated repository sizes, in modules")
    parser.add_argument("--moves", type=int, nargs="+", default=[1, 50], help="moves in phase 1 of each generated repository")
    parser.add_argument("--django", action=argparse.BooleanOptionalAction, default=True, help="benchmark Django 5.2 (downloads its sdist)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: --sizes 1000 --moves 1 50 --no-django")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "perf.json", help="the JSON file (logs go beside it)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.moves, args.django = [1000], [1, 50], False

    from rich.console import Console

    console = Console(width=200)
    progress = Console(stderr=True)
    runner = Runner(args.out.parent / "logs", progress)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_perf_") as tmp:
        work = Path(tmp)
        progress.print("target_repo_fixture")
        rows.append(bench_fixture(runner, work))
        progress.print(f"generated: sizes {args.sizes}, moves {args.moves}")
        rows.extend(bench_generated(runner, args.sizes, args.moves, work))
        if args.django:
            rows.append(bench_django(runner, work))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print_report(console, rows, targets(rows))
    console.print(f"JSON: {args.out}; command output: {runner.logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
