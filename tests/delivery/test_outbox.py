"""The outbox: notices reach every member in their language, paced, and every outcome is kept."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.sender import TelegramSender
from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.delivery.pacing import RateLimiter
from bot.delivery.worker import DeliveryWorker, WorkerSettings
from bot.services import networks
from bot.services.actions import Rsvp
from bot.services.actors import Actor
from db.models import (
    Answer,
    Channel,
    Delivery,
    DeliveryStatus,
    MemberRole,
    Membership,
    NoticeKind,
    NotifyMode,
    Preferences,
    Rendering,
    Resident,
    utcnow,
)
from db.queries import outbox as q
from db.session import create_engine, create_sessionmaker
from tests.support.outbox import NOON, Clock, delivery_statuses, outbox_worker
from tests.support.settings import PG_URL


@pytest.fixture
async def torstrand(app, resident):
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    members = []
    for name, language, code in [
        ("Kari", "Norsk (bokmål)", "nb"),
        ("Olena", "Українська", "uk"),
        ("Amal", "العربية", "ar"),
        ("Ola", "Norsk (bokmål)", "nb"),
    ]:
        user = await resident(name, language, code)
        await user.send("/start join-torstrand")
        members.append(user)
    return view, members


def render(locale: str, channel: Channel) -> Rendered:
    return Rendered(f"<b>{locale}</b>: dugnad lørdag", ((Button("👍", Rsvp(1, Answer.YES)),),))


async def _enqueue(app, network_id: int, now: datetime = NOON, **kwargs):
    async with app.sessionmaker() as session:
        recipients = await q.network_members(session, network_id)
        result = await outbox.enqueue(
            session,
            kind=NoticeKind.BROADCAST,
            recipients=recipients,
            render=render,
            zone=app.settings.zone,
            default_locale="nb",
            network_id=network_id,
            now=now,
            **kwargs,
        )
        await session.commit()
    return result


async def test_a_notice_is_rendered_once_per_language_and_reaches_everyone(app, torstrand):
    view, members = torstrand
    result = await _enqueue(app, view.id)
    assert result.by_locale == {"nb": 2, "uk": 1, "ar": 1}
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Rendering)) == 3
    clock = Clock(NOON)
    assert await outbox_worker(app, clock).drain() == 4
    for user, locale in zip(members, ["nb", "uk", "ar", "nb"], strict=True):
        assert user.last.text == f"{locale}: dugnad lørdag"
        assert user.last.button_texts == ["👍"]
    assert set((await delivery_statuses(app)).values()) == {DeliveryStatus.SENT}


async def test_quiet_hours_hold_notices_until_morning_and_digest_only_holds_them(app, torstrand):
    view, members = torstrand
    late = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # 23:30 in Oslo
    async with app.sessionmaker() as session:
        olena = await session.scalar(
            select(Resident.id).where(Resident.telegram_id == members[1].id)
        )
        session.add(
            Preferences(
                resident_id=olena, notify_mode=NotifyMode.DIGEST, quiet_start=1320, quiet_end=480
            )
        )
        await session.commit()
    result = await _enqueue(app, view.id, now=late)
    assert result.held == 1
    clock = Clock(late)
    assert await outbox_worker(app, clock).drain() == 0
    clock.now = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
    assert await outbox_worker(app, clock).drain() == 3
    statuses = await delivery_statuses(app)
    assert statuses[members[1].id] is DeliveryStatus.HELD
    assert statuses[members[0].id] is DeliveryStatus.SENT


async def test_blocked_residents_become_unreachable_and_get_nothing_more(app, torstrand, fake_api):
    view, members = torstrand
    members[2].server.blocked.add(members[2].id)  # Amal blocked the bot; we were not told
    await _enqueue(app, view.id)
    await _enqueue(app, view.id)
    clock = Clock(NOON)
    await outbox_worker(app, clock).drain()
    async with app.sessionmaker() as session:
        amal = await session.scalar(select(Resident).where(Resident.telegram_id == members[2].id))
        assert amal.reachable is False
        sends = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.resident_id == amal.id, Delivery.status == DeliveryStatus.UNREACHABLE)
        )
    assert sends == 2
    refused = [c for c in fake_api.calls if c.method == "sendMessage" and not c.ok]
    assert len(refused) == 1  # the second notice was not even tried


async def test_429_waits_exactly_retry_after_and_slows_down(app, torstrand, fake_api):
    view, _members = torstrand
    await _enqueue(app, view.id)
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    clock = Clock(NOON)
    worker = outbox_worker(app, clock, concurrency=1)
    await worker.run_once()
    # The refused delivery waits exactly retry_after; the worker paused as long and slowed down.
    async with app.sessionmaker() as session:
        refused = (
            await session.execute(
                select(Delivery.not_before, Delivery.attempts).where(
                    Delivery.status == DeliveryStatus.PENDING
                )
            )
        ).all()
    assert len(refused) == 1
    assert refused[0][0] == NOON + timedelta(seconds=7)
    assert refused[0][1] == 0  # a 429 is not the delivery's fault
    assert any(abs(s - 7) < 0.01 for s in clock.slept)
    assert worker.limiter.current < 25
    assert await worker.drain() == 1
    assert set((await delivery_statuses(app)).values()) == {DeliveryStatus.SENT}


async def test_server_errors_are_retried_with_backoff_then_recorded_as_failed(
    app, torstrand, fake_api
):
    view, _members = torstrand
    await _enqueue(app, view.id)
    for _ in range(3):
        fake_api.fail_next("sendMessage", 502, "Bad Gateway")
    clock = Clock(NOON)
    worker = outbox_worker(app, clock, max_attempts=3, backoff_base=5)
    await worker.run_once()  # three of four fail
    assert list((await delivery_statuses(app)).values()).count(DeliveryStatus.PENDING) == 3
    clock.now += timedelta(seconds=7)
    await worker.drain()
    assert set((await delivery_statuses(app)).values()) == {DeliveryStatus.SENT}

    await _enqueue(app, view.id)
    for _ in range(20):
        fake_api.fail_next("sendMessage", 500, "Internal Server Error")
    for _ in range(4):
        await worker.drain()
        clock.now += timedelta(minutes=5)
    async with app.sessionmaker() as session:
        failed = (
            await session.execute(
                select(Delivery.status, Delivery.error, Delivery.attempts).where(
                    Delivery.notice_id == 2
                )
            )
        ).all()
    assert {DeliveryStatus(s) for s, _, _ in failed} == {DeliveryStatus.FAILED}
    assert all("Internal Server Error" in (e or "") and a == 3 for _, e, a in failed)


async def test_a_crashed_worker_s_lease_runs_out_and_the_delivery_is_still_made(app, torstrand):
    view, members = torstrand
    await _enqueue(app, view.id)
    async with app.sessionmaker() as session:
        claimed = await q.claim(session, NOON, NOON + timedelta(minutes=2), 10, skip_locked=False)
        await session.commit()
    assert len(claimed) == 4  # ...and then the worker died before sending
    clock = Clock(NOON + timedelta(minutes=1))
    assert await outbox_worker(app, clock).drain() == 0
    clock.now = NOON + timedelta(minutes=3)
    assert await outbox_worker(app, clock).drain() == 4
    assert all(user.last.text.endswith("dugnad lørdag") for user in members)


async def test_the_global_rate_and_per_chat_spacing_hold(app, torstrand):
    view, _members = torstrand
    for _ in range(3):
        await _enqueue(app, view.id)
    clock = Clock(NOON)
    start = clock.monotonic()
    worker = outbox_worker(app, clock, concurrency=1)
    sent_at: list[float] = []
    original = worker._deliver

    async def spy(item, message):
        await original(item, message)
        sent_at.append(clock.monotonic())

    worker._deliver = spy
    assert await worker.drain() == 12
    # 12 sends at 25/s take at least 11/25 s; each of the 4 chats got 3, a second apart.
    assert sent_at[-1] - start >= 11 / 25
    assert sent_at[-1] - start >= 2.0


async def test_a_stopping_worker_hands_back_what_it_has_not_sent(app, torstrand, fake_api):
    view, _members = torstrand
    for _ in range(3):
        await _enqueue(app, view.id)
    stop = asyncio.Event()
    sends = 0

    def on_request(method: str) -> None:
        nonlocal sends
        if method == "sendMessage":
            sends += 1
            stop.set()  # the shutdown comes while the first messages are on their way

    fake_api.on_request = on_request
    worker = outbox_worker(app, Clock(NOON))
    await asyncio.wait_for(worker.run(stop), 10)
    fake_api.on_request = None
    async with app.sessionmaker() as session:
        rows = list(
            await session.execute(
                select(Delivery.status, Delivery.lease_until, Delivery.attempts).where(
                    Delivery.status == DeliveryStatus.PENDING
                )
            )
        )
    # Each chat's first message may have gone; the second and third of each were handed back:
    # no lease left on them, no attempt counted, for the next worker to send at once.
    assert len(rows) >= 8
    assert all(lease is None and attempts == 0 for _, lease, attempts in rows)
    assert sends == 12 - len(rows)
    assert await outbox_worker(app, Clock(NOON + timedelta(seconds=5))).drain() == len(rows)


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
async def test_two_workers_drain_one_outbox_without_sending_twice(app, fake_api, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("this test is about PostgreSQL")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Stavern", slug="stavern"
        )
        for i in range(60):
            resident = Resident(
                telegram_id=50_000 + i,
                locale=("nb", "uk", "ar")[i % 3],
                first_name=f"R{i}",
                is_coordinator=False,
                reachable=True,
                privacy_accepted_at=NOON,
            )
            session.add(resident)
            await session.flush()
            session.add(
                Membership(resident_id=resident.id, network_id=view.id, role=MemberRole.MEMBER)
            )
            fake_api.chats.setdefault(50_000 + i, [])
        await session.commit()
    await _enqueue(app, view.id, now=utcnow(), quiet_hours=False)  # whatever the hour

    sends: list[float] = []
    fake_api.on_request = lambda method: (
        sends.append(time.monotonic()) if method == "sendMessage" else None
    )
    rate = 40.0
    workers = []
    for _ in range(2):  # two "processes": separate engines, a shared database
        engine = create_engine(database_url)
        makers = create_sessionmaker(engine)
        limiter = RateLimiter(makers, rate=rate, block=5)
        workers.append(
            (
                engine,
                DeliveryWorker(
                    makers,
                    {Channel.TELEGRAM: TelegramSender(app.bot)},
                    limiter,
                    settings=WorkerSettings(batch=10),
                ),
            )
        )
    handled = await asyncio.gather(*(w.drain() for _, w in workers))
    for engine, _ in workers:
        await engine.dispose()

    assert sum(handled) == 60
    assert all(h > 0 for h in handled), "both workers should have taken part"
    for i in range(60):
        assert len([m for m in fake_api.chats[50_000 + i] if m.from_bot]) == 1
    # The shared budget: 60 sends at 40/s cannot take less than about 1.5 s, whichever
    # worker sent them (a lower bound, so a slow machine cannot make it fail).
    assert sends[-1] - sends[0] >= (60 - 10) / rate
