"""Every command-line error is one line in an operator's words (issue 18, point 2): no field
names, no library wording, no traceback, and a non-zero exit code; `db upgrade` says what it
did. Every command is tried with input it must refuse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from bot.cli import main


def _commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def _needs_input(path: tuple[str, ...]) -> bool:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return any(param.required for param in command.params)


COMMANDS = _commands()


def _one_line_error(result: Result) -> str:
    """The error line, checked to be the only thing on stderr, with a non-zero exit."""
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("naboskap: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_the_commands_are_all_found():
    assert ("db", "upgrade") in COMMANDS and ("event", "add") in COMMANDS and len(COMMANDS) > 25


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unknown_option_is_one_line_naming_the_help(command: tuple[str, ...]):
    result = CliRunner().invoke(main, [*command, "--no-such-option"])
    line = _one_line_error(result)
    assert "--no-such-option" in line
    if command != ("db", "downgrade"):  # where "-1" is a revision, not an option
        assert result.exit_code == 2 and f"naboskap {' '.join(command)} --help" in line


@pytest.mark.parametrize("command", [c for c in COMMANDS if _needs_input(c)], ids=" ".join)
def test_a_missing_argument_is_one_line(command: tuple[str, ...]):
    line = _one_line_error(CliRunner().invoke(main, list(command)))
    assert "Missing" in line


def test_an_unknown_command_is_one_line():
    assert "No such command 'frobnicate'" in _one_line_error(
        CliRunner().invoke(main, ["frobnicate"])
    )


# Bad values, in an operator's words


def test_an_event_in_the_past_is_refused_without_field_names(cli):
    cli("network", "add", "torstrand", "Torstrand")
    past = cli(
        "event", "add", "--network", "torstrand", "--title", "X", "--starts", "2001-01-01 10:00"
    )
    line = _one_line_error(past)
    assert line == "naboskap: the start is in the past"
    ends = cli(
        "event",
        "add",
        "--network",
        "torstrand",
        "--title",
        "X",
        "--starts",
        "2099-01-01 10:00",
        "--ends",
        "2099-01-01 09:00",
    )
    assert _one_line_error(ends) == "naboskap: the end must be after the start"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("network", "add", "Tor strand!", "Torstrand"), "the slug has the wrong format"),
        (("network", "archive", "nowhere"), "not found (check the slug or id)"),
        (("host", "add", "nowhere", "123456"), "not found"),
        (("coordinator", "add", "--", "-5"), "is not a Telegram user id"),
        (("feed", "add", "--network", "torstrand", "ftp://x.example/a.ics"), "the feed address"),
        (("feed", "remove", "999"), "not found"),
        (("event", "import", "/nonexistent.ics", "--network", "torstrand"), "does not exist"),
        (("broadcast", "--network", "nowhere", "Hei"), "not found"),
        (
            (
                "resident",
                "add",
                "--phone",
                "12",
                "--language",
                "nb",
                "--network",
                "torstrand",
                "--consent",
            ),
            "phone",
        ),
        (
            (
                "resident",
                "add",
                "--phone",
                "+4791234567",
                "--language",
                "xx",
                "--network",
                "torstrand",
                "--consent",
            ),
            "'xx' is not one of",
        ),
        (("db", "downgrade", "nonsense"), "there is no way to schema version 'nonsense'"),
        (("db", "upgrade", "9999"), "give one of 0001…"),
        (("i18n", "review", "xx", "--out", "sheet.csv"), "'xx' is not a shipped language"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else None,
)
def test_bad_values_are_one_line_in_operator_words(cli, args: tuple[str, ...], says: str):
    cli("network", "add", "torstrand", "Torstrand")
    cli("db", "upgrade")
    line = _one_line_error(cli(*args))
    assert says in line
    # No names from the code: fields, exceptions, libraries.
    for internal in ("starts_at", "ends_at", "InvalidInput", "NotFound", "Error:", "pydantic"):
        assert internal not in line


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SEND_RATE", "-1", "SEND_RATE is invalid: must be more than 0"),
        ("SEND_RATE", "fast", "SEND_RATE is invalid: must be a number"),
        ("RETENTION_DAYS", "a year", "RETENTION_DAYS is invalid: must be a whole number"),
        ("NEW_EVENT_NOTICES_PER_DAY", "-3", "NEW_EVENT_NOTICES_PER_DAY is invalid: must be 0 or"),
    ],
)
def test_a_bad_setting_is_said_without_pydantic_wording(
    cli, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
):
    monkeypatch.setenv(variable, value)
    line = _one_line_error(cli("network", "list"))
    assert says in line and "Input should" not in line and value not in line.split(":", 2)[-1]


# What `db upgrade` did


def test_db_upgrade_says_what_it_did(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "new.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    runner = CliRunner()
    from db.migrate import revisions

    versions = revisions()
    first = runner.invoke(main, ["db", "upgrade", versions[-2]])
    assert first.output == f"created a new database at {database}, version {versions[-2]}\n"
    then = runner.invoke(main, ["db", "upgrade"])
    assert then.output == (
        f"upgraded the database at {database} from version {versions[-2]} to {versions[-1]}\n"
    )
    again = runner.invoke(main, ["db", "upgrade"])
    assert again.output == (
        f"the database at {database} is already at version {versions[-1]}; nothing to do\n"
    )
    back = runner.invoke(main, ["db", "downgrade", "-1"])
    assert back.output == (
        f"stepped the database at {database} back from version {versions[-1]} to {versions[-2]}\n"
    )


def test_a_reader_that_goes_away_is_no_error():
    # `naboskap resident list --csv | head -1`: the list outlives its reader (click quiets
    # the broken pipe; a list written from a worker thread must not undo that).
    script = (
        "import sys, click\n"
        "from bot.cli import OperatorGroup\n"
        "@click.group(cls=OperatorGroup)\n"
        "def root(): pass\n"
        "@root.command()\n"
        "def rows():\n"
        "    for n in range(200000): click.echo(f'row {n}')\n"
        "root(['rows'], prog_name='naboskap')\n"
    )
    # The reader takes one line and goes: the writer meets a broken pipe.
    writer = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    assert writer.stdout is not None and writer.stderr is not None
    assert writer.stdout.readline() == b"row 0\n"
    writer.stdout.close()
    errors = writer.stderr.read()
    assert writer.wait(timeout=60) != 0
    assert errors == b""
