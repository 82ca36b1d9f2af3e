"""`naboskap run` and `naboskap worker` as real processes when something they depend on is out of
reach: a database or Redis ends them in one line naming the setting and a non-zero exit;
Telegram out of reach does not end `run`: it tries again with a growing pause, one line per
attempt, starts once Telegram answers, and stops at once on SIGTERM while it waits."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest

from bot.app import build_app
from bot.channels.telegram.reach import Backoff, reach_telegram
from bot.dependencies import DependencyDown, where
from bot.fake_bot_api import FakeBotAPI
from bot.fake_bot_api.server import DEFAULT_TOKEN
from tests.support.processes import RealProcess, clean_environment
from tests.support.settings import REDIS_URL, make_settings

PASSWORD = "pw-Do-Not-Print"
ATTEMPT = re.compile(
    r" WARNING naboskap: TELEGRAM_API_BASE: cannot reach Telegram at 127\.0\.0\.1:(\d+) "
    r"\(connection refused\); attempt (\d+), trying again in [0-9.]+ s$"
)


def _naboskap(command: str, cwd: Path, **env: str) -> RealProcess:
    # At the default level, as an operator sees it (the log guard runs children at DEBUG).
    settings = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": "http://127.0.0.1:9",
        "LOG_LEVEL": "INFO",
        **env,
    }
    return RealProcess.naboskap(command, env=clean_environment(**settings), cwd=cwd)


def _exits_with_one_line(process: RealProcess) -> str:
    code = process.popen.wait(150)
    _, stderr = process.stop()
    assert code == 1, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and PASSWORD not in stderr
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "worker"])
def test_a_postgresql_nobody_answers_ends_run_and_worker_in_one_line(
    tmp_path: Path, command: str, reserved_port: int
):
    port = reserved_port  # refused: nothing listens there
    url = f"postgresql+asyncpg://naboskap:{PASSWORD}@127.0.0.1:{port}/naboskap"
    line = _exits_with_one_line(_naboskap(command, tmp_path, DATABASE_URL=url))
    assert line == (
        f"naboskap: DATABASE_URL: cannot reach the database at 127.0.0.1:{port} "
        "(connection refused)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "worker"])
def test_an_sqlite_file_in_a_missing_directory_ends_run_and_worker_in_one_line(
    tmp_path: Path, command: str
):
    missing = tmp_path / "not-made"
    url = f"sqlite+aiosqlite:///{missing / 'naboskap.db'}"
    line = _exits_with_one_line(_naboskap(command, tmp_path, DATABASE_URL=url))
    assert line == (
        f"naboskap: DATABASE_URL: the directory {missing} of the SQLite file does not exist "
        "(create it, or point DATABASE_URL elsewhere)"
    )
    assert not missing.exists()


@pytest.mark.slow
def test_redis_out_of_reach_ends_run_in_one_line(
    database_url: str, tmp_path: Path, reserved_port: int
):
    """Only `run` keeps conversation state (in Redis when REDIS_URL is set); it checks Redis
    before it takes updates, rather than failing every update in turn."""
    port = reserved_port  # refused: nothing listens there
    process = _naboskap(
        "run",
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://:{PASSWORD}@127.0.0.1:{port}/9",
    )
    line = _exits_with_one_line(process)
    assert (
        line == f"naboskap: REDIS_URL: cannot reach Redis at 127.0.0.1:{port} (connection refused)"
    )


@pytest.mark.slow
async def test_run_waits_for_telegram_and_starts_once_it_answers(
    database_url: str, tmp_path: Path, reserved_port: int
):
    port = reserved_port  # refused until the fake Bot API below listens there
    process = _naboskap(
        "run",
        tmp_path,
        DATABASE_URL=database_url,
        TELEGRAM_API_BASE=f"http://127.0.0.1:{port}",
        TELEGRAM_RETRY_FIRST="0.1",
        TELEGRAM_RETRY_MAX="0.4",
    )
    try:
        process.wait_for_line("attempt 4,")
        async with FakeBotAPI(port=port) as api:
            assert "long polling as @" in await process.until_ready()
            assert api.commands_for("nb")  # it went on with its start-up as usual
            code, stderr = await process.stopped()
    finally:
        process.kill()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    attempts = [m for m in map(ATTEMPT.search, lines) if m]
    # Every line before the start-up went on is one failed attempt, numbered in turn.
    first_other = next(i for i, line in enumerate(lines) if not ATTEMPT.search(line))
    assert first_other == len(attempts) >= 4, stderr
    assert [int(m[2]) for m in attempts] == list(range(1, len(attempts) + 1))
    assert {m[1] for m in attempts} == {str(port)}
    # The pause doubles from TELEGRAM_RETRY_FIRST and stays at TELEGRAM_RETRY_MAX.
    pauses = [line.rsplit("in ", 1)[1] for line in lines[: len(attempts)]]
    assert pauses[:4] == ["0.1 s", "0.2 s", "0.4 s", "0.4 s"], pauses


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_while_waiting_for_telegram_is_clean(
    database_url: str, tmp_path: Path, how: signal.Signals, reserved_port: int
):
    """Even in the middle of an hour's pause: the test's deadline for the exit is far below it."""
    process = _naboskap(
        "run",
        tmp_path,
        DATABASE_URL=database_url,
        TELEGRAM_API_BASE=f"http://127.0.0.1:{reserved_port}",  # refused
        TELEGRAM_RETRY_FIRST="3600",
        TELEGRAM_RETRY_MAX="3600",
    )
    assert "attempt 1, trying again in 3600 s" in process.wait_for_line("TELEGRAM_API_BASE")
    code, stderr = process.stop(how)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 2, stderr  # the attempt, and "received ...: stopping"


# ---- The same checks in-process: quick, and with a Redis that answers.


async def test_the_redis_check_names_redis_url_and_not_its_password(
    database_url: str, reserved_port: int
):
    port = reserved_port  # refused: nothing listens there
    settings = make_settings(
        database_url, "http://127.0.0.1:9", redis_url=f"redis://:{PASSWORD}@127.0.0.1:{port}/9"
    )
    app = build_app(settings)
    try:
        with pytest.raises(DependencyDown) as down:
            await app.check_storage()
    finally:
        await app.close()
    assert (
        str(down.value) == f"REDIS_URL: cannot reach Redis at 127.0.0.1:{port} (connection refused)"
    )


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
async def test_a_redis_that_answers_passes_the_check(database_url: str):
    settings = make_settings(database_url, "http://127.0.0.1:9", redis_url=REDIS_URL)
    app = build_app(settings)
    try:
        await app.check_storage()
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+asyncpg://u:secret@db.example:5433/naboskap", "db.example:5433"),
        ("postgresql+asyncpg://u:secret@[::1]:5432/naboskap", "[::1]:5432"),
        ("postgresql+asyncpg://u@db.example/naboskap", "db.example"),
        ("rediss://:secret@cache.example:6380/0", "cache.example:6380"),
        ("unix:///run/redis/redis.sock?db=9", "/run/redis/redis.sock"),
    ],
)
def test_where_a_setting_points_is_shown_without_user_or_password(url: str, shown: str):
    assert where(url) == shown


def test_the_pauses_double_up_to_the_cap():
    delays = Backoff(first=1, cap=60).delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_a_token_telegram_refuses_is_one_line_naming_bot_token(fake_api: FakeBotAPI):
    """Not worth waiting for: it would be refused the same way forever."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_api.base_url))
    bot = Bot("123456:not-the-fake-apis-token-at-all", session=session)
    try:
        with pytest.raises(DependencyDown) as down:
            await reach_telegram(bot, fake_api.base_url, asyncio.Event(), Backoff(0.1, 0.1))
    finally:
        await session.close()
    assert str(down.value) == (
        f"BOT_TOKEN: Telegram at 127.0.0.1:{fake_api.port} refused the token (Unauthorized): "
        "check it with @BotFather"
    )
