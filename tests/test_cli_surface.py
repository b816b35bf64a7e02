"""What a user meets before any command runs: `--version`, `-h`/`--help` everywhere,
help that lists every choice and no type after a flag, in the user's words, and a
README whose commands and options are the ones the commands accept.

The checks walk the typer app, so commands and options added later are held to the
same rules without touching this file."""

from __future__ import annotations

import re
import tomllib

import pytest
import typer.main

from migrator.cli import app
from tests.helpers import REPO, run_cli

CLICK = typer.main.get_command(app)
COMMANDS = sorted(CLICK.commands)
#: Words of the project's own history or internals that mean nothing to a user.
JARGON = re.compile(r"\bseed\b|\bPhase \d+\b|\bMIG\d{3}\b.*\bseed", re.I)


def _help(*args: str) -> str:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "300", "TERMINAL_WIDTH": "300"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _long_options(command) -> list[tuple[str, ...]]:
    """Each option of a command as the long spellings it accepts (`--cache`, `--no-cache`)."""
    out = []
    for param in command.params:
        names = tuple(o for o in (*param.opts, *getattr(param, "secondary_opts", ())) if o.startswith("--"))
        if names and not getattr(param, "hidden", False):
            out.append(names)
    return out


def test_version_prints_the_version_pyproject_declares():
    import migrator

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = migrator.__version__ if "version" in project.get("dynamic", ()) else project["version"]
    assert run_cli("--version").output == f"migrate {declared}\n"
    assert migrator.__version__ == declared  # the fallback from a source tree says the same


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_dash_h_is_help_everywhere(command):
    args = [command] if command else []
    assert _help(*args, "-h") == _help(*args, "--help")
    assert "Usage: " in _help(*args, "-h")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_type_after_a_flag_and_lists_every_choice(command):
    text = _help(command, "--help")
    assert "<bool>" not in text and "BOOLEAN" not in text
    for param in CLICK.commands[command].params:
        choices = getattr(param.type, "choices", None)
        if choices:
            assert "|".join(str(getattr(c, "value", c)) for c in choices) in text, (command, param.name)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_speaks_the_users_language(command):
    text = _help(*([command] if command else []), "--help")
    assert not JARGON.search(text), JARGON.search(text)


def test_every_enumerated_option_is_an_enum_not_free_text():
    """A `--format` that takes any string lists no choices and accepts typos."""
    for name, command in CLICK.commands.items():
        for param in command.params:
            if "--format" in param.opts:
                assert getattr(param.type, "choices", None), f"`{name} --format` takes free text"


# --------------------------------------------------------------------------- the README


def _readme_table() -> dict[str, str]:
    """README's Commands table: command name → the first cell (its usage)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Commands\n") :]
    rows = {}
    for line in section.splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        usage = line.split(" | ")[0].strip("| `").replace("\\|", "|")
        if usage.startswith("migrate "):
            rows[usage.split()[1]] = usage
    return rows


def _options_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))


def test_the_readme_table_has_a_row_for_every_command_and_no_other():
    assert sorted(_readme_table()) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_row_names_only_options_the_command_accepts_and_all_of_them(command):
    usage = _readme_table().get(command, "")
    options = _long_options(CLICK.commands[command])
    accepted = {name for names in options for name in names}
    named = _options_in(usage)
    assert named <= accepted, f"README says `migrate {command}` takes {sorted(named - accepted)}"
    # --mapping (every command) and --help are documented once, below the table
    missing = [names for names in options if not set(names) & named and not set(names) & {"--mapping", "--help"}]
    assert not missing, f"README's row for `migrate {command}` leaves out {missing}"


def test_every_migrate_command_line_in_the_readme_uses_real_commands_and_options():
    """Commands in code spans and code blocks anywhere in the README (the CI snippet,
    examples in prose) name commands that exist, with options those commands accept."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.findall(r"```[a-z]*\n(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    seen = 0
    for piece in code:
        for line in piece.replace("\\|", "|").splitlines():
            for m in re.finditer(r"(?:^|[\s/])migrate\s+([a-z][a-z-]*)([^|;&]*)", line):
                name, rest = m.group(1), m.group(2)
                assert name in CLICK.commands, f"README runs `migrate {name}`, which is no command: {line!r}"
                accepted = {n for names in _long_options(CLICK.commands[name]) for n in names} | {"--help"}
                wrong = _options_in(rest.split(" migrate ")[0]) - accepted
                assert not wrong, f"README runs `migrate {name}` with {sorted(wrong)}: {line!r}"
                seen += 1
    assert seen > 10  # the scan finds the README's command lines
