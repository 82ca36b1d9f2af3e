"""Each update handled once (bot.update_ledger): a webhook update Telegram sends again — after a
timeout, or to another instance behind a balancer, or twice at once — is answered once; an
update whose first handler died with its process is handled by the next delivery, not
dropped. The ledger in memory (SQLite, one process), in the database (PostgreSQL) and in
Redis (when TEST_REDIS_URL is set)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis
from aiohttp import web

from bot.app import App, build_app
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.runners import webhook_application
from bot.update_ledger import DatabaseLedger, Ledger, MemoryLedger, RedisLedger
from db.session import create_engine, create_sessionmaker
from tests.support.settings import REDIS_URL, make_settings

BOT = 123456789
SHORT = 0.6  # a lease that runs out within the test


async def _serve(app: App) -> web.AppRunner:
    runner = web.AppRunner(webhook_application(app, "s3cret", "/telegram"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cret")
    return runner


async def _until(api: FakeBotAPI, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async def satisfied() -> None:
        async with api.changed:
            await api.changed.wait_for(condition)

    await asyncio.wait_for(satisfied(), timeout)


@pytest.fixture(params=["own", "redis"])
async def served(
    request: pytest.FixtureRequest, database_url: str, fake_api: FakeBotAPI
) -> AsyncIterator[App]:
    """The bot serving its webhook, its ledger the database's own (memory on SQLite, the
    table on PostgreSQL) or Redis's (REDIS_URL set, as with several instances)."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    app = build_app(
        make_settings(database_url, fake_api.base_url, redis_url=redis_url), pace=fake_api.pace
    )
    runner = await _serve(app)
    yield app
    await runner.cleanup()
    await app.close()


def _sends(api: FakeBotAPI, chat_id: int) -> int:
    return sum(
        1 for c in api.calls if c.method == "sendMessage" and c.params.get("chat_id") == chat_id
    )


async def test_an_update_sent_again_is_answered_once(served: App, fake_api: FakeBotAPI) -> None:
    olena = FakeUser(fake_api, 5001, "Olena", "uk")
    await olena.send("/start")
    await _until(fake_api, lambda: _sends(fake_api, olena.id) == 1)
    [update_id] = list(fake_api.updates_sent)
    # Telegram's retry after a lost 200, then two more at once.
    await fake_api.send_again(update_id)
    await asyncio.gather(fake_api.send_again(update_id), fake_api.send_again(update_id))
    await olena.send("/help")  # a new update is still handled, after the retries
    await _until(fake_api, lambda: _sends(fake_api, olena.id) == 2)
    assert _sends(fake_api, olena.id) == 2
    assert len(olena.messages) == 2


async def test_the_same_update_at_once_is_answered_once(served: App, fake_api: FakeBotAPI) -> None:
    """A retry arriving while the first delivery is still being handled waits for it."""
    kari = FakeUser(fake_api, 5002, "Kari", "nb")
    fake_api.open_chat(kari.id)
    update = {
        "update_id": 9000,
        "message": fake_api.user_message(kari.id, "/start").as_api(fake_api.bot_user, kari.profile),
    }
    fake_api.updates_sent[9000] = update
    await asyncio.gather(*(fake_api.send_again(9000) for _ in range(5)))
    await _until(fake_api, lambda: _sends(fake_api, kari.id) >= 1)
    await asyncio.sleep(0.3)  # room for a second answer, were there one
    assert _sends(fake_api, kari.id) == 1


@pytest.fixture
async def second_instance(
    database_url: str, fake_api: FakeBotAPI, served: App
) -> AsyncIterator[App]:
    """Another instance on the same database: what a balancer sends the retry to."""
    if database_url.startswith("sqlite"):
        pytest.skip("instances share a PostgreSQL database (SQLite is one process)")
    app = build_app(
        make_settings(database_url, fake_api.base_url, redis_url=served.settings.redis_url),
        pace=fake_api.pace,
    )
    yield app
    await app.close()


async def test_a_retry_on_another_instance_is_not_answered_again(
    served: App, second_instance: App, fake_api: FakeBotAPI
) -> None:
    per = FakeUser(fake_api, 5003, "Per", "nb")
    await per.send("/start")  # to the first instance, whose webhook Telegram knows
    await _until(fake_api, lambda: _sends(fake_api, per.id) == 1)
    [update_id] = list(fake_api.updates_sent)
    runner = await _serve(second_instance)  # the webhook now points at the second
    try:
        await fake_api.send_again(update_id)
        # The second instance handles what is new to it (another resident's first message).
        kari = FakeUser(fake_api, 5004, "Kari", "nb")
        await kari.send("/start")
        await _until(fake_api, lambda: _sends(fake_api, kari.id) == 1)
    finally:
        await runner.cleanup()
    assert _sends(fake_api, per.id) == 1
    assert len(per.messages) == 1


# The ledgers themselves: each backend's claim, done, wait and take-over.


@pytest.fixture(params=["memory", "database", "redis"])
async def ledgers(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[Callable[[float], Ledger]]:
    """Make ledgers of one kind, as separate processes would have them (a holder each)."""
    kind = request.param
    if kind == "database" and database_url.startswith("sqlite"):
        pytest.skip("the database ledger is PostgreSQL's")
    if kind == "redis" and not REDIS_URL:
        pytest.skip("needs TEST_REDIS_URL (CI sets it)")
    if kind != "database" and not database_url.startswith("sqlite"):
        pytest.skip("memory and Redis ledgers are tried once, with SQLite")
    engine = create_engine(database_url)
    clients: list[redis.Redis] = []
    memory = MemoryLedger()
    prefix = f"naboskap:test-ledger:{id(request)}:"

    def make(lease: float) -> Ledger:
        if kind == "memory":
            return memory  # one process: one ledger
        if kind == "database":
            return DatabaseLedger(create_sessionmaker(engine), lease=lease)
        assert REDIS_URL is not None
        client = redis.Redis.from_url(REDIS_URL)
        clients.append(client)
        return RedisLedger(client, lease=lease, prefix=prefix)

    yield make
    for client in clients:
        await client.aclose()
    await engine.dispose()


async def test_a_claim_is_once(ledgers: Callable[[float], Ledger]) -> None:
    first, second = ledgers(30.0), ledgers(30.0)
    assert await first.claim(BOT, 1)
    await first.done(BOT, 1)
    assert not await second.claim(BOT, 1)
    assert not await first.claim(BOT, 1)
    assert await second.claim(BOT + 1, 1)  # another bot's update 1 is another update


async def test_a_second_delivery_waits_for_the_first_to_finish(
    ledgers: Callable[[float], Ledger],
) -> None:
    first, second = ledgers(30.0), ledgers(30.0)
    assert await first.claim(BOT, 2)
    waiting = asyncio.create_task(second.claim(BOT, 2))
    await asyncio.sleep(0.5)
    assert not waiting.done()  # the first is still handling it
    await first.done(BOT, 2)
    assert await asyncio.wait_for(waiting, 10) is False


async def test_an_update_whose_holder_died_is_taken_over(
    ledgers: Callable[[float], Ledger],
) -> None:
    dead, alive = ledgers(SHORT), ledgers(SHORT)
    if isinstance(dead, MemoryLedger):
        pytest.skip("one process: its claims die with it")
    assert await dead.claim(BOT, 3)  # and never says done: its process was killed
    assert await asyncio.wait_for(alive.claim(BOT, 3), 10) is True
    await alive.done(BOT, 3)
    assert not await dead.claim(BOT, 3)


async def test_a_renewed_claim_is_not_taken_over(ledgers: Callable[[float], Ledger]) -> None:
    slow, other = ledgers(SHORT), ledgers(SHORT)
    if isinstance(slow, MemoryLedger):
        pytest.skip("one process: its claims cannot lapse")
    assert await slow.claim(BOT, 4)
    waiting = asyncio.create_task(other.claim(BOT, 4))
    for _ in range(6):  # a slow handler, renewing as `holding` does, past several leases
        await asyncio.sleep(SHORT / 3)
        await slow.renew(BOT, 4)
    assert not waiting.done()
    await slow.done(BOT, 4)
    assert await asyncio.wait_for(waiting, 10) is False
