"""A database out of reach ends an operator's command in one line naming DATABASE_URL, where it
points and why, and a non-zero exit: never a traceback, never the password. (`run` and
`worker` are tried as real processes in tests/runners/test_dependencies_down.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

PASSWORD = "pw-Do-Not-Print"


def _naboskap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return CliRunner().invoke(main, list(args))


COMMANDS = [("network", "list"), ("db", "upgrade"), ("db", "current"), ("db", "downgrade", "base")]


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_postgresql_nobody_answers_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: tuple[str, ...], reserved_port: int
):
    port = reserved_port  # refused: nothing listens there
    url = f"postgresql+asyncpg://naboskap:{PASSWORD}@127.0.0.1:{port}/naboskap"
    line = _one_line(_naboskap(monkeypatch, tmp_path, url, *args))
    assert line == (
        f"naboskap: DATABASE_URL: cannot reach the database at 127.0.0.1:{port} "
        "(connection refused)"
    )


def test_a_postgresql_host_that_does_not_exist_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    url = f"postgresql+asyncpg://naboskap:{PASSWORD}@no-such-host.invalid:5432/naboskap"
    line = _one_line(_naboskap(monkeypatch, tmp_path, url, "network", "list"))
    assert line == (
        "naboskap: DATABASE_URL: cannot reach the database at no-such-host.invalid:5432 "
        "(host not found)"
    )


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_sqlite_file_in_a_missing_directory_names_the_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: tuple[str, ...]
):
    missing = tmp_path / "not-made" / "yet"
    url = f"sqlite+aiosqlite:///{missing / 'naboskap.db'}"
    line = _one_line(_naboskap(monkeypatch, tmp_path, url, *args))
    assert line == (
        f"naboskap: DATABASE_URL: the directory {missing} of the SQLite file does not exist "
        "(create it, or point DATABASE_URL elsewhere)"
    )
    assert not (tmp_path / "not-made").exists()  # not created behind the operator's back


def test_a_relative_sqlite_path_is_named_as_the_full_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    line = _one_line(
        _naboskap(monkeypatch, tmp_path, "sqlite+aiosqlite:///data/naboskap.db", "db", "upgrade")
    )
    assert f"the directory {tmp_path / 'data'} of the SQLite file does not exist" in line


def test_an_sqlite_file_in_an_existing_directory_is_still_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'naboskap.db'}"
    result = _naboskap(monkeypatch, tmp_path, url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "naboskap.db").exists()


def test_an_sqlite_file_under_a_file_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    (tmp_path / "data").write_text("not a directory")
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'naboskap.db'}"
    line = _one_line(_naboskap(monkeypatch, tmp_path, url, "network", "list"))
    assert line == (
        f"naboskap: DATABASE_URL: {tmp_path / 'data'}, where the SQLite file should be, "
        "is not a directory"
    )
