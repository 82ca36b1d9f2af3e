"""The identity cache never shows who someone was: every committed change to what `identify`
reads is seen on the very next update, through the real dispatcher, in this process and (with
Redis) in another one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text, update

from bot.app import App, build_app
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.services import identity_cache, residents
from bot.services.identity_cache import IdentityCache
from db.models import Resident
from db.queries import residents as q
from tests.support.residents import onboard
from tests.support.settings import REDIS_URL, make_settings

NATIVE_NORSK = "Norsk (bokmål)"


def _cache(app: App) -> IdentityCache:
    return app.core.identity_cache


async def test_a_new_language_is_spoken_on_the_very_next_update(resident, app):
    user = await resident("Kari")
    await user.send("/help")
    assert user.id in _cache(app)  # the next update is served from memory
    await user.send("/language")
    await user.press("Polski")
    replies = await user.send("/help")
    assert app.catalogs.translator("pl").gettext("What I can do") in replies[-1].text


async def test_after_forget_she_is_someone_new(resident, app):
    user = await resident("Kari")
    await user.send("/help")
    assert user.id in _cache(app)
    nb = app.catalogs.translator("nb")
    await user.send("/forget")
    await user.press(nb.gettext("🗑 Yes, delete my data"))
    replies = await user.send("/networks")
    # Not onboarded any more: back to choosing a language, as for anyone we do not know.
    assert replies[-1].text.startswith(nb.gettext("Choose your language"))


async def test_consent_is_seen_on_the_next_update(make_user, app):
    user = make_user("Kari", "nb")
    await user.send("/start")
    await user.press(NATIVE_NORSK)
    nb = app.catalogs.translator("nb")
    replies = await user.send("/mydata")  # not yet accepted: asked to accept first
    assert replies[-1].button_texts == [nb.gettext("✅ I understand, let's go")]
    assert user.id in _cache(app)
    await user.press(nb.gettext("✅ I understand, let's go"))
    replies = await user.send("/help")
    assert nb.gettext("What I can do") in replies[-1].text


async def test_a_coordinator_made_at_the_command_line_is_one_at_once(resident, app, cli):
    user = await resident("Kari")
    assert "/coordinate" not in (await user.send("/help"))[-1].text
    assert user.id in _cache(app)
    # The CLI builds a core of its own (as its own process would), here in another thread.
    result = await asyncio.to_thread(cli, "coordinator", "add", str(user.id))
    assert result.exit_code == 0, result.output
    assert "/coordinate" in (await user.send("/help"))[-1].text
    result = await asyncio.to_thread(cli, "coordinator", "remove", str(user.id))
    assert result.exit_code == 0, result.output
    assert "/coordinate" not in (await user.send("/help"))[-1].text


async def test_a_host_appointed_at_the_command_line_hosts_at_once(resident, app, cli):
    """Host rights are read from memberships on each use, not cached: this keeps it so."""
    result = await asyncio.to_thread(cli, "network", "add", "torstrand", "Torstrand")
    assert result.exit_code == 0, result.output
    user = await resident("Kari")
    members = app_text(app, "nb", "👥 Members")
    await user.send("/networks")
    assert members not in (await user.press("Torstrand"))[-1].button_texts
    result = await asyncio.to_thread(cli, "host", "add", "torstrand", str(user.id))
    assert result.exit_code == 0, result.output
    await user.send("/networks")
    assert members in (await user.press("Torstrand"))[-1].button_texts


async def test_a_write_that_is_rolled_back_leaves_nothing_behind(resident, app):
    user = await resident("Kari")
    cache = _cache(app)
    async with app.sessionmaker() as session:
        assert (await residents.identify(session, user.id, ())).locale == "nb"
    async with app.sessionmaker() as session:
        await q.update_profile(session, user.id, "pl", None)
        # The transaction sees its own change, but it is not cached: it is not committed.
        assert (await residents.identify(session, user.id, ())).locale == "pl"
        assert cache.snapshot()[user.id].locale == "nb"  # type: ignore[union-attr]
        await session.rollback()
    async with app.sessionmaker() as session:
        assert (await residents.identify(session, user.id, ())).locale == "nb"


@pytest.mark.parametrize(
    "write",
    [
        "by id",
        "by telegram id",
        "unreadable where",
        "raw sql",
        "orm object",
    ],
)
async def test_every_shape_of_write_invalidates(resident, app, write):
    user = await resident("Kari")
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, user.id, ())
    assert user.id in _cache(app)
    async with app.sessionmaker() as session:
        match write:
            case "by id":
                await session.execute(
                    update(Resident).where(Resident.id == actor.resident_id).values(locale="pl")
                )
            case "by telegram id":
                await session.execute(
                    update(Resident).where(Resident.telegram_id == user.id).values(locale="pl")
                )
            case "unreadable where":
                await session.execute(
                    update(Resident)
                    .where((Resident.id == actor.resident_id) | (Resident.id == -1))
                    .values(locale="pl")
                )
            case "raw sql":
                await session.execute(
                    text("UPDATE residents SET locale = 'pl' WHERE telegram_id = :t"),
                    {"t": user.id},
                )
            case "orm object":
                row = await q.by_telegram_id(session, user.id)
                assert row is not None
                row.locale = "pl"
        await session.commit()
    assert user.id not in _cache(app)
    assert app_text(app, "pl", "What I can do") in (await user.send("/help"))[-1].text


async def test_a_telegram_id_given_to_a_resident_drops_its_unknown_entry(resident, make_user, app):
    kari = await resident("Kari")
    stranger = make_user("Per", "nb")
    await stranger.send("/start")  # not known: cached as no one
    assert stranger.id in _cache(app) and _cache(app).snapshot()[stranger.id] is None
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, kari.id, ())
        await session.execute(
            update(Resident).where(Resident.id == actor.resident_id).values(telegram_id=stranger.id)
        )
        await session.commit()
    assert stranger.id not in _cache(app)
    assert kari.id not in _cache(app)


async def test_a_write_to_other_columns_keeps_the_entry(resident, app):
    user = await resident("Kari")
    await user.send("/help")
    async with app.sessionmaker() as session:
        await residents.set_reachable(session, user.id, False)
    assert user.id in _cache(app)


async def test_entries_expire_and_the_least_recent_goes_first():
    now = [0.0]
    cache = IdentityCache("sqlite+aiosqlite:///unused", size=2, ttl=60, monotonic=lambda: now[0])
    found = q.Identity(1, "nb", False, True)
    cache._store(11, found, 60)
    cache._store(12, None, 60)
    cache._store(13, None, 60)
    assert 11 not in cache and 12 in cache and 13 in cache
    now[0] = 61
    assert cache.snapshot() == {}


class _Session:
    """What `IdentityCache.identity` asks of a session, for the reads below."""

    def __init__(self) -> None:
        self.info: dict[str, object] = {}

    def in_transaction(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("dropped", "kept"),
    [
        (identity_cache.Invalidation({22}, {2}), True),  # someone else's write
        (identity_cache.Invalidation({11}, set()), False),  # hers, by Telegram id
        (identity_cache.Invalidation(set(), {1}), False),  # hers, by resident id
        (identity_cache.Invalidation(set(), set(), everyone=True), False),
    ],
)
async def test_a_read_that_raced_a_write_is_kept_only_if_the_write_was_someone_elses(
    monkeypatch: pytest.MonkeyPatch, dropped: identity_cache.Invalidation, kept: bool
) -> None:
    cache = IdentityCache("sqlite+aiosqlite:///unused")
    reading, answer = asyncio.Event(), asyncio.Event()
    found = q.Identity(1, "uk", False, True)

    async def slow_identity(_session: object, telegram_id: int) -> q.Identity:
        assert telegram_id == 11
        reading.set()
        await answer.wait()
        return found

    monkeypatch.setattr(identity_cache.q, "identity", slow_identity)
    read = asyncio.create_task(cache.identity(_Session(), 11))  # type: ignore[arg-type]
    await reading.wait()
    cache.drop(dropped)  # committed while the read ran
    answer.set()
    assert await read == found
    assert (11 in cache) is kept
    # Nothing is remembered of the drop once no read is in flight.
    assert not cache._dropped


# --- Two processes sharing one database and Redis ----------------------------------------------

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


@pytest.fixture
def separate_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each core hears only its own writes in-process, as if each app were a process of its
    own: what reaches the other then came through Redis."""

    def own_only(session):  # type: ignore[no-untyped-def]
        cache = session.info.get("identity_cache")
        return (cache,) if isinstance(cache, IdentityCache) else ()

    monkeypatch.setattr(identity_cache, "_caches_of", own_only)


async def _until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "not within the time"
        await asyncio.sleep(0.01)


def _route(fake_api: FakeBotAPI, app: App) -> None:
    async def deliver(update: dict[str, object]) -> object:
        return await app.dispatcher.feed_raw_update(app.bot, update)

    fake_api.deliver = deliver


@needs_redis
# Two instances answer the same chat, each with its own flood control (as two processes behind a
# balancer would): Telegram may refuse one's reply right behind the other's, which is waited out.
@pytest.mark.meets_flood_limits
async def test_a_change_through_one_instance_is_seen_by_the_other(
    database_url: str, fake_api: FakeBotAPI, separate_processes: None, redis_url: str
):
    settings = make_settings(database_url, fake_api.base_url, redis_url=redis_url)
    first = build_app(settings, pace=fake_api.pace)
    second = build_app(settings, pace=fake_api.pace)
    try:
        user = FakeUser(fake_api, 7001, "Kari", "nb")
        _route(fake_api, first)
        await onboard(user)
        # Each process subscribes at its first update and caches once it listens.
        await _until(lambda: _cache(first).active)
        _route(fake_api, second)
        await user.send("/help")
        await _until(lambda: _cache(second).active)
        await user.send("/help")
        assert user.id in _cache(second)

        _route(fake_api, first)
        await user.send("/language")
        await user.press("Polski")
        # Redis delivers in a moment; the next update to the other instance comes after it.
        await _until(lambda: user.id not in _cache(second))
        _route(fake_api, second)
        replies = await user.send("/help")
        assert app_text(second, "pl", "What I can do") in replies[-1].text
    finally:
        await first.close()
        await second.close()


def app_text(app: App, locale: str, msgid: str) -> str:
    return app.catalogs.translator(locale).gettext(msgid)


async def test_without_redis_the_cache_stands_aside(resident, app):
    """Redis out of reach: we could not hear other processes' changes, so nothing is cached and
    every read asks the database, as it did before there was a cache."""
    user = await resident("Kari")
    cache = IdentityCache(app.engine.url, "redis://127.0.0.1:9/5")
    try:
        for _ in range(3):
            async with app.sessionmaker() as session:
                found = await cache.identity(session, user.id)
            assert found is not None and found.locale == "nb"
            await asyncio.sleep(0.05)  # the subscriber's attempt fails meanwhile
        assert not cache.active
        assert len(cache) == 0
    finally:
        await cache.close()
