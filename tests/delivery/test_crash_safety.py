"""A worker killed with SIGKILL in the middle of a broadcast loses nothing: a restarted worker
makes every delivery, and only the sends that were in flight at the kill can arrive twice.

Real processes: `python -m bot worker` against the fake Bot API, killed and started again.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import seeding
from bot.config import PROJECT_ROOT
from bot.fake_bot_api import FakeBotAPI, RateLimit
from bot.fake_bot_api.server import DEFAULT_TOKEN
from bot.i18n import Catalogs
from bot.services import broadcasts, networks
from bot.services.actors import Actor
from db.models import Delivery, DeliveryStatus, Resident
from db.session import create_engine, create_sessionmaker
from tests.support.workers import start_worker, wait_for

pytestmark = pytest.mark.slow  # real worker processes, one killed with SIGKILL

RESIDENTS = 2000
FIRST_ID = 7_000_000
KILL_AFTER = 250  # sendMessage requests that reach "Telegram" before the kill: mid-batch
# A Wednesday at 12:00 in Oslo, in the past: outside quiet hours, so every delivery is due now
# whatever the hour the test runs at.
NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)


async def _seed(database_url: str, fake_api: FakeBotAPI) -> int:
    """2000 onboarded residents in one network, a broadcast to them; returns the notice id."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            view = await networks.create_network(
                session, Actor.operator(), name="Torstrand", slug="torstrand"
            )
            await session.commit()
            await seeding.seed_members(
                session, view.id, RESIDENTS, first_telegram_id=FIRST_ID, now=NOON
            )
            for telegram_id in range(FIRST_ID, FIRST_ID + RESIDENTS):
                fake_api.chats.setdefault(telegram_id, [])
            catalogs = Catalogs(PROJECT_ROOT / "locales", "nb")
            result = await broadcasts.broadcast(
                session,
                Actor.operator(),
                catalogs,
                text="Dugnad lørdag kl. 11 ved lekeplassen.",
                network_id=view.id,
                now=NOON,
            )
    finally:
        await engine.dispose()
    assert sum(result.by_locale.values()) == RESIDENTS
    assert result.held == 0
    return result.notice_id


async def _by_status(database_url: str) -> Counter[DeliveryStatus]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            )
            return Counter({DeliveryStatus(r[0]): int(r[1]) for r in rows})
    finally:
        await engine.dispose()


async def _in_flight(database_url: str) -> set[int]:
    """Telegram ids whose delivery was claimed (leased) but whose outcome was not recorded."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.scalars(
                select(Resident.telegram_id)
                .join(Delivery, Delivery.resident_id == Resident.id)
                .where(Delivery.status == DeliveryStatus.PENDING, Delivery.lease_until.is_not(None))
            )
            return {int(t) for t in rows if t is not None}
    finally:
        await engine.dispose()


async def test_a_worker_killed_mid_broadcast_loses_nothing_and_sends_at_most_in_flight_twice(
    database_url: str, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    # A kill amid hundreds of sends a second (SEND_RATE=400), to have many in flight: past
    # what Telegram would take, so its limits are off here (pacing has tests of its own).
    fake_api.rate_limit = RateLimit.off()
    await _seed(database_url, fake_api)
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SEND_RATE": "400",
        "DELIVERY_LEASE_SECONDS": "2",
    }

    # The first worker is killed the moment the KILL_AFTER-th send reaches "Telegram": that
    # send is certainly in flight (claimed, not yet answered, so its outcome is not recorded).
    sends = 0
    killed = asyncio.Event()
    first, first_log = await start_worker(env, tmp_path, tmp_path / "first.log")

    def on_request(method: str) -> None:
        nonlocal sends
        if method != "sendMessage":
            return
        sends += 1
        if sends >= KILL_AFTER and not killed.is_set():
            first.send_signal(signal.SIGKILL)
            killed.set()

    fake_api.on_request = on_request
    try:
        await asyncio.wait_for(killed.wait(), 60)
        assert await wait_for(first, 10) == -signal.SIGKILL
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
        first_log.close()
    fake_api.on_request = None

    # Nothing can change the database now: what is leased and pending was in flight.
    in_flight = await _in_flight(database_url)
    at_kill = await _by_status(database_url)
    assert in_flight, "the send that triggered the kill was in flight"
    assert at_kill[DeliveryStatus.PENDING] > len(in_flight), "the kill was mid-broadcast"
    print(
        f"\nkilled after {sends} sends: {at_kill[DeliveryStatus.SENT]} recorded sent, "
        f"{len(in_flight)} in flight, {at_kill[DeliveryStatus.PENDING]} pending"
    )

    second, second_log = await start_worker(env, tmp_path, tmp_path / "second.log")
    try:
        for _ in range(600):  # at most 60 s
            if (await _by_status(database_url))[DeliveryStatus.PENDING] == 0:
                break
            await asyncio.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        code = await wait_for(second, 30)
    finally:
        if second.returncode is None:
            second.kill()
            await second.wait()
        second_log.close()
    stderr = (tmp_path / "second.log").read_text(errors="replace")
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr

    statuses = await _by_status(database_url)
    assert statuses == Counter({DeliveryStatus.SENT: RESIDENTS}), statuses

    received = {
        telegram_id: sum(1 for m in fake_api.chats[telegram_id] if m.from_bot)
        for telegram_id in range(FIRST_ID, FIRST_ID + RESIDENTS)
    }
    missing = [t for t, n in received.items() if n == 0]
    twice = {t for t, n in received.items() if n == 2}
    more = [t for t, n in received.items() if n > 2]
    print(f"duplicates: {len(twice)} of {len(in_flight)} in flight at the kill")
    assert not missing, f"{len(missing)} residents got nothing"
    assert not more, f"{len(more)} residents got the notice three times or more"
    assert len(twice) <= len(in_flight)
    assert twice <= in_flight, "only sends in flight at the kill may be repeated"
    # Every notice that arrived is the broadcast, in the resident's language's frame.
    assert all(
        "Dugnad lørdag" in m.text
        for t in range(FIRST_ID, FIRST_ID + RESIDENTS)
        for m in fake_api.chats[t]
    )
