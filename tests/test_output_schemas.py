"""Every JSON output has a published JSON Schema, generated from the model that produces
the output, so the two cannot drift: the checked-in files are what the models generate,
and real outputs of every command validate against them (with jsonschema, a validator
independent of the models). One convention: `"schema": "migrator.<name>/<major>"` first,
paths relative to the target root, absolute paths only in fields named `*_absolute`."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from migrator.mapping.spec import json_schema_text as mapping_schema_text
from migrator.report import schemas, status_json
from migrator.report.schemas.check import CheckOutput
from tests.helpers import REPO, run_cli, write_project

SCHEMAS = REPO / "migrator" / "schemas"
GOLDEN = REPO / "tests" / "golden"

MAPPING = """\
version: 1
target: {root: proj, source_roots: [src]}
test_command: python -m pytest -q -p no:hypothesispytest
phases:
  - phase: 1
    title: Move the helpers
    moves:
      - {from: app.helpers, to: app.tools.helpers}
  - phase: 2
    title: Move a symbol
    moves:
      - {from: "app.main:greet", to: app.greeting}
"""

FILES = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    "src/app/__init__.py": "",
    "src/app/helpers.py": 'SEP = "-"\n\n\ndef join(*parts):\n    return SEP.join(parts)\n',
    "src/app/main.py": "from app.helpers import join\n\n\ndef greet(name):\n    return join('hello', name)\n",
    "src/app/copy.py": 'def join(*parts):\n    return "-".join(parts)\n',
    "tests/test_app.py": textwrap.dedent("""\
        from app.helpers import join
        from app.main import greet


        def test_join():
            assert join("a", "b") == "a-b"


        def test_greet():
            assert greet("you") == "hello-you"


        def test_broken():
            assert join("a") == "b"
        """),
}


def validate(name: str, data: dict) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert next(iter(data)) == "schema" and data["schema"] == schema["properties"]["schema"]["const"]


def absolute_outside_named_fields(data, root: str, key: str = "") -> list[str]:
    """Keys whose string value names the target root absolutely, other than `*_absolute`."""
    if isinstance(data, dict):
        return [k for key_, v in data.items() for k in absolute_outside_named_fields(v, root, key_)]
    if isinstance(data, list):
        return [k for v in data for k in absolute_outside_named_fields(v, root, key)]
    return [key] if isinstance(data, str) and root in data and not key.endswith("_absolute") else []


def json_of(*args: str, rc: int = 0) -> dict:
    result = run_cli(*args, "--format", "json")
    assert result.exit_code == rc, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(schemas.OUTPUTS))
def test_the_published_schema_is_what_the_model_generates(name):
    committed = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schemas.json_schema_text(name), f"run `migrate schema {name} > migrator/schemas/{name}.schema.json`"
    assert run_cli("schema", name).stdout == committed


def test_migrate_schema_alone_still_prints_the_mapping_schema():
    assert run_cli("schema").stdout == run_cli("schema", "mapping").stdout == mapping_schema_text()
    bad = run_cli("schema", "plans")
    assert bad.exit_code == 2 and "plans" in bad.output


def test_every_command_s_json_output_validates_against_its_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # verify runs the tests with this interpreter
    mapping = write_project(tmp_path, FILES, MAPPING)
    m = ("--mapping", str(mapping))
    root = str(tmp_path / "proj")
    outputs = {"plan": json_of("plan", *m), "audit": json_of("audit", *m), "graph": json_of("graph", *m, "--phase", "2")}
    for phase in ("1", "2"):
        assert run_cli("apply", *m, "--phase", phase).exit_code == 0
    (tmp_path / "proj/src/app/stale.py").write_text("from app.helpers import join\n", encoding="utf-8")
    greeting = tmp_path / "proj/src/app/greeting.py"
    greeting.write_text(greeting.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    outputs["check"] = json_of("check", *m, rc=1)
    outputs["status"] = json_of("status", *m)
    outputs["verify"] = json_of("verify", *m, rc=1)
    # The outputs carry what the schemas describe, not only empty lists.
    assert outputs["plan"]["phases"][0]["files"] and outputs["audit"]["overlaps"]
    assert outputs["check"]["findings"] and outputs["status"]["phases"][1]["modified_files"] == ["src/app/greeting.py"]
    assert outputs["verify"]["tests"]["still_failing"] == ["tests.test_app::test_broken"] and outputs["verify"]["check"]
    assert {g["label"] for g in outputs["graph"]["graphs"]} == {"now", "after phase 2"}
    for name, data in outputs.items():
        validate(name, data)
        assert absolute_outside_named_fields(data, root) == [], name
    assert outputs["plan"]["mapping"] == outputs["audit"]["mapping"] == "../mapping.yaml"
    assert outputs["plan"]["target_absolute"] == outputs["verify"]["target_absolute"] == root


def test_a_refused_plan_validates_too(tmp_path):
    mapping = write_project(tmp_path, FILES, MAPPING.replace("app.helpers, to", "app.nowhere, to"))
    data = json_of("plan", "--mapping", str(mapping), rc=3)
    assert data["ok"] is False and data["phases"][0]["status"] == "refused"
    validate("plan", data)


def test_the_seed_plan_and_check_golden_outputs_validate():
    validate("plan", json.loads((GOLDEN / "seed-plan.json").read_text(encoding="utf-8")))
    check = (GOLDEN / "seed-apply-status-check.txt").read_text(encoding="utf-8").split("\n---\n")[3]
    validate("check", json.loads(check))


def test_an_interrupted_status_validates():
    from migrator.adapters.state import Interruption
    from migrator.commands.status import Status

    status = Status(Path("/t"), (), None, Interruption("apply", 2))
    data = status_json(status)
    assert data["interruption"] == {"op": "apply", "phase": 2, "message": str(Interruption("apply", 2)), "fix": "migrate rollback"}
    validate("status", data)


def test_an_output_field_the_model_does_not_declare_is_refused():
    good = {"schema": "migrator.check/2", "applied_phases": [1], "applied_phases_inferred": False, "ok": True, "findings": []}
    assert schemas.dump(CheckOutput, good) == good
    with pytest.raises(ValidationError, match="undeclared"):
        schemas.dump(CheckOutput, {**good, "undeclared": 1})
    with pytest.raises(ValidationError):
        schemas.dump(CheckOutput, {**good, "applied_phases": ["1"]})
