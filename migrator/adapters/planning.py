"""Planning the target on disk: its snapshot and its import cache in, the plan out.

The engine plans on what it is given (`engine.plan.plan`: a snapshot and a scan
cache); this is where `plan` and `apply` get both from the disk and keep the cache for
the next command. The cache is saved only when the plan is not refused: a refusal
leaves the disk exactly as it was.
"""

from __future__ import annotations

from typing import Iterable

from migrator.adapters.cache import ImportCache
from migrator.adapters.environment import installed_import_names
from migrator.adapters.formatter import command_formatter
from migrator.adapters.snapshot import read_snapshot
from migrator.analysis.project import Snapshot
from migrator.engine import plan as planner
from migrator.mapping.spec import Mapping
from migrator.model.plan import Plan, Progress


def plan_target(
    mapping: Mapping,
    phases: Iterable[int] | None = None,
    *,
    snapshot: Snapshot | None = None,
    cache: bool = True,
    skip_unparsable: bool = False,
    jobs: int | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
    statements_alone: bool = True,
) -> Plan:
    """`engine.plan.plan` of the target on disk (`snapshot`: default, read now).

    `cache`: read and update the import cache in the target's state folder (never
    changes the result; `--no-cache` neither reads nor writes it). When it is kept,
    more than three entries per file read make it drop what this command did not use.
    The mapping's `format` command, if any, runs on every Python file a phase writes.
    """
    snapshot = snapshot if snapshot is not None else read_snapshot(mapping)
    imports = ImportCache.load(mapping.root) if cache else ImportCache()
    command = mapping.spec.format
    result = planner.plan(
        mapping, snapshot, phases, imports=imports, skip_unparsable=skip_unparsable, jobs=jobs, baseline=baseline, progress=progress,
        statements_alone=statements_alone, formatter=command_formatter(command, mapping.root) if command else None,
        installed=installed_import_names,
    )
    if not result.errors:  # a refused plan leaves the disk exactly as it was
        imports.save(limit=3 * len(snapshot.files))
    return result
