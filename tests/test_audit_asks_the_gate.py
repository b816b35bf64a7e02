"""`migrate audit` and the cycle gate answer "which imports does this phase break?" with
one function (`engine.cycle_gate.phase_failures`): the cycles audit lists for a phase
are exactly those the gate reports for it."""

from __future__ import annotations

from migrator.adapters.snapshot import read_snapshot
from migrator.commands import audit
from migrator.engine.plan import plan_phase
from migrator.mapping.spec import load_mapping
from tests.test_cycle_gate import _project


def test_audit_lists_the_cycles_the_gate_warns_about(tmp_path):
    mapping = load_mapping(_project(tmp_path, "warn"))
    phase_plan, _ = plan_phase(mapping, mapping.phase(1), read_snapshot(mapping))
    gate = [d.message.splitlines()[0] for d in phase_plan.diagnostics if d.code == "MIG401"]
    assert gate, "the phase breaks an import"
    [phase] = audit.run_audit(mapping, read_snapshot(mapping)).phases
    assert phase.status == "new-cycles"
    assert len(phase.new_cycles) == len(gate)
    for cycle, message in zip(phase.new_cycles, gate):
        assert f"fails at import time: {cycle} " in message


def test_audit_shows_the_refusal_of_the_gate(tmp_path):
    mapping = load_mapping(_project(tmp_path, "forbid-new"))
    [phase] = audit.run_audit(mapping, read_snapshot(mapping)).phases
    assert phase.status == "refused"
    assert [e.split(" ")[0] for e in phase.errors] == ["MIG401"]
