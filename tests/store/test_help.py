"""Every command's --help prints, with no crash: the CLI's front door."""

from __future__ import annotations

import pytest
import typer.main

from vpcflow.cli.main import app


def _commands(group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_cli_has_the_foundation_commands():
    names = {c[0] for c in COMMANDS}
    assert {"ingest", "query", "top", "stats", "quarantine", "fields", "demo"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_prints(cli, command):
    result = cli(*command, "--help")
    assert result.code == 0, result.err
    assert "Usage" in result.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("top", "--output", "xml"), "Invalid value for '--output'"),
        (("simulate", "--destination", "ftp"), "Invalid value for '--destination'"),
        (("no-such-command",), "No such command"),
    ],
)
def test_a_usage_error_is_one_message_and_exit_code_2_not_a_traceback(cli, args, says):
    result = cli(*args)
    assert result.code == 2
    assert says in result.err
    assert "Traceback" not in result.err
