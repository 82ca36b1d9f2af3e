"""Shared fixtures: a migrated database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the fake Bot API server, and the real app wired to both."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from bot.app import App, build_app
from bot.cli import main
from bot.config import Settings
from bot.dispatching import parse_update
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.limits import WarpTime
from db import migrate
from db.models import Base
from db.session import create_engine
from tests.support.ports import reserved_ports
from tests.support.residents import UserFactory, onboard, user_factory
from tests.support.settings import (
    PG_URL,
    REDIS_URL,
    XDIST_WORKER,
    create_database,
    make_settings,
)

# A real Kannel on loopback for the SMS gateway tests (skipped where Kannel is not installed).
# Every test runs at DEBUG and fails if the log carries a resident's data (log_guard).
pytest_plugins = [
    "tests.support.log_guard",
    "tests.support.kannel",
    # Each catalog compiled once per test process, not once per app (the module says why).
    "tests.support.compiled_catalogs",
]

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy, which is far quicker than migrating."""
    path = tmp_path_factory.mktemp("template") / "naboskap.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    assert PG_URL is not None
    if XDIST_WORKER:  # this worker's own database, <db>_gwN, may not be there yet
        asyncio.run(create_database(PG_URL))
    asyncio.run(_reset_postgres(PG_URL))
    migrate.upgrade(PG_URL)
    return PG_URL


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _truncate(url: str) -> None:
    """Empty every table and restart every id. DELETE, children before parents, is about ten
    times quicker than TRUNCATE on tables this small (TRUNCATE makes each table's files anew)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
        await connection.execute(
            text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
        )
    await engine.dispose()


@pytest.fixture
def redis_url() -> str:
    """This worker's Redis database, emptied: what an earlier test left there (conversation
    state, the update ledger's handled updates, whose numbers the fake Bot API starts again
    at 1 in every test) is gone. Skips the test without TEST_REDIS_URL (CI sets it)."""
    if not REDIS_URL:
        pytest.skip("needs TEST_REDIS_URL (CI sets it)")
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        client.flushdb()
    return REDIS_URL


@pytest.fixture
def reserved_port() -> Iterator[int]:
    """A port of 127.0.0.1 that is this test's alone (tests/support/ports.py): a connection to
    it is refused until something the test starts listens on it, and no other process — say
    another pytest-xdist worker — is handed it in the meantime."""
    with reserved_ports(1) as (port,):
        yield port


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "naboskap.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        asyncio.run(_truncate(url))
        yield url


@pytest.fixture
async def fake_api(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API with Telegram's flood limits, counted in warp time: the app below
    waits by the same time, so pacing costs the test nothing, and a send that comes too soon
    for that time is refused as Telegram would refuse it. A well-paced bot meets no refusal:
    every test is held to that (a test that provokes 429s on purpose is marked
    `meets_flood_limits`)."""
    async with FakeBotAPI(pace=WarpTime()) as server:
        yield server
        if request.node.get_closest_marker("meets_flood_limits") is None:
            assert server.flood_refusals == 0, "the bot went past Telegram's flood limits"


@pytest.fixture
def settings(database_url: str, fake_api: FakeBotAPI) -> Settings:
    return make_settings(database_url, fake_api.base_url)


@pytest.fixture
async def app(settings: Settings, fake_api: FakeBotAPI) -> AsyncIterator[App]:
    """The real bot, its updates handed straight to the dispatcher so tests can await them."""
    application = build_app(settings, pace=fake_api.pace)

    async def deliver(update: dict[str, object]) -> object:
        # Read as `naboskap run` reads it (polling and webhook alike): the pressed message's
        # keyboard is left out, so no handler can come to rely on it.
        return await application.dispatcher.feed_update(
            application.bot, parse_update(update, application.bot)
        )

    fake_api.deliver = deliver
    yield application
    await application.close()


@pytest.fixture
def make_user(fake_api: FakeBotAPI, app: App) -> UserFactory:
    return user_factory(fake_api)


@pytest.fixture
def resident(make_user: UserFactory) -> Callable[..., Awaitable[FakeUser]]:
    """An onboarded resident."""

    async def factory(
        first_name: str = "Kari",
        language: str = "Norsk (bokmål)",
        language_code: str = "nb",
        user_id: int | None = None,
    ) -> FakeUser:
        user = make_user(first_name, language_code, user_id)
        await onboard(user, language)
        return user

    return factory


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args: str):
        # Imported here: the plugin list below loads the module first, for assert rewriting.
        from tests.support.log_guard import personal

        if args and args[0] == "broadcast":
            personal(args[-1])  # a broadcast's text is for residents' eyes, not the log
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
async def hosted_network(app: App, resident):  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde, nb) and a Ukrainian member (Olena)."""
    from bot.services import networks
    from bot.services.actors import Actor

    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/start join-torstrand")
    return view, host, olena
