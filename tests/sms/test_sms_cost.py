"""What SMS cost: the host's and coordinator's previews show SMS recipients, segments and the
estimated price per language; a monthly segment budget holds non-essential SMS until the next
month and tells hosts and coordinators once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.channels.sms.sender import SmsBudget, SmsSender
from bot.fake_bot_api import FakeUser
from bot.services import broadcasts, networks, sms_cost
from bot.services.actors import Actor
from bot.services.networks import NetworkName
from bot.sms_segments import count
from bot.sms_texts import to_sms
from db.models import Channel, Delivery, DeliveryStatus, Notice, NoticeKind
from handlers.callbacks import BroadcastAction, HostCb, HostEventCb
from tests.support.outbox import outbox_worker
from tests.support.residents import onboard
from tests.support.settings import COORDINATOR_ID
from tests.support.sms_phone import Phone, SmsNetwork, sms_network

OSLO = ZoneInfo("Europe/Oslo")
NB_NUMBER, UK_NUMBER = "+4791234567", "+4791234568"
TEXT = "The water is off on Tuesday from 9 to 12. Fill a jug tonight!"


@dataclass
class CostNetwork(SmsNetwork):
    """The SMS side with the worker as `naboskap run` builds it: with the monthly budget."""

    async def deliver(self) -> None:
        worker = outbox_worker(self.app, self.clock)
        settings = self.app.settings
        budget = None
        if settings.sms_monthly_segments is not None:
            budget = SmsBudget(
                settings.sms_monthly_segments, settings.zone, frozenset(settings.coordinator_ids)
            )
        sender = SmsSender(
            self.app.sms_gateway,  # type: ignore[arg-type]
            self.app.catalogs,
            self.app.sessionmaker,
            budget=budget,
            clock=self.clock.utc,
        )
        worker.senders = {**worker.senders, Channel.SMS: sender}
        await worker.drain()


async def _network_of(
    database_url: str, fake_api, **overrides: object
) -> AsyncIterator[CostNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api, CostNetwork, **overrides):
        assert isinstance(network, CostNetwork)
        yield network


@pytest.fixture
async def costly(database_url: str, fake_api) -> AsyncIterator[CostNetwork]:  # type: ignore[no-untyped-def]
    """NOK 0.50 a segment and a budget of 20 segments a month (onboarding takes 13 of them:
    the Ukrainian privacy notice is three segments, whole)."""
    async for network in _network_of(
        database_url, fake_api, sms_price_per_segment=0.5, sms_monthly_segments=20
    ):
        yield network


@pytest.fixture
async def unlimited(database_url: str, fake_api) -> AsyncIterator[CostNetwork]:  # type: ignore[no-untyped-def]
    async for network in _network_of(database_url, fake_api, sms_price_per_segment=0.5):
        yield network


async def _sms_member(sms: SmsNetwork, number: str, choice: str, join: str) -> Phone:
    phone = sms.phone(number)
    await phone.send("Hei")
    await phone.send(choice)
    await phone.send("1")
    await phone.send(join)
    return phone


async def _torstrand(sms: SmsNetwork, fake_api) -> tuple[int, FakeUser, FakeUser]:  # type: ignore[no-untyped-def]
    """Torstrand with an English-speaking host and coordinator on Telegram, and two SMS
    members: one in Norwegian (GSM), one in Ukrainian (UCS-2)."""
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = FakeUser(fake_api, 5001, "Hilde", "en")
    await onboard(host, "English")
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    coordinator = FakeUser(fake_api, COORDINATOR_ID, "Marte", "en")
    await onboard(coordinator, "English")
    await _sms_member(sms, NB_NUMBER, "1", "BLI MED TORSTRAND")
    await _sms_member(sms, UK_NUMBER, "3", "ПРИЄДНАТИСЯ Torstrand")
    return view.id, host, coordinator


def _segments(sms: SmsNetwork, locale: str, text: str = TEXT) -> int:
    render = broadcasts.render_broadcast(sms.app.catalogs, NetworkName("Torstrand"), text, "en")
    translator = sms.app.catalogs.translator(locale)
    return count(to_sms(render(locale, Channel.SMS), translator).text).segments


async def _broadcast(sms: SmsNetwork, network_id: int, text: str = TEXT) -> int:
    async with sms.app.sessionmaker() as session:
        sent = await broadcasts.broadcast(
            session,
            Actor.operator(),
            sms.app.catalogs,
            text=text,
            network_id=network_id,
            now=sms.clock.utc(),
        )
    return sent.notice_id


async def _deliveries(sms: SmsNetwork, notice_id: int) -> list[Delivery]:
    async with sms.app.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.notice_id == notice_id, Delivery.channel == Channel.SMS)
        )
        return list(rows)


async def _budget_notices(sms: SmsNetwork) -> list[Notice]:
    async with sms.app.sessionmaker() as session:
        rows = await session.scalars(select(Notice).where(Notice.kind == NoticeKind.SMS_BUDGET))
        return list(rows)


# ---- estimates ---------------------------------------------------------------------------------


async def test_the_broadcast_preview_shows_segments_and_cost_per_language(costly, fake_api):
    network_id, host, _coordinator = await _torstrand(costly, fake_api)
    # Norwegian fits GSM 7-bit in one segment; the Ukrainian frame makes it UCS-2, two.
    assert _segments(costly, "nb") == 1
    assert _segments(costly, "uk") == 2
    await host.press_data(HostCb(action=BroadcastAction.WRITE, network_id=network_id).pack())
    replies = await host.send(TEXT)
    preview = replies[-1].text
    assert "By SMS: 2 members (estimate):" in preview
    en = costly.app.catalogs.translator("en")
    assert sms_cost.money(en, Decimal("1.5")) == "NOK1.50"  # Babel's English pattern
    assert "Norsk (bokmål): 1 by SMS, 1 SMS each, ≈ NOK0.50" in preview
    assert "Українська: 1 by SMS, 2 SMS each, ≈ NOK1.00" in preview
    assert "In all: 3 SMS segments, ≈ NOK1.50" in preview
    assert "SMS this month: 13 of 20 segments" in preview
    # Sent: the reach says what the SMS cost.
    await host.press("📣 Send")
    await costly.deliver()
    replies = await host.press("📊 Reach")
    assert "By SMS: 2 sent, 0 waiting, 0 failed; 3 segments used" in replies[-1].text


async def test_the_event_preview_shows_the_sms_cost(costly, fake_api):
    network_id, host, _coordinator = await _torstrand(costly, fake_api)
    await host.press_data(HostEventCb(action="new", network_id=network_id).pack())
    await host.send("Language café")
    await host.send("/skip")
    await host.press(host.last.button_texts[2])  # the day after tomorrow
    await host.send("18:00")
    await host.send("/skip")
    await host.send("The library")
    await host.press("No")
    replies = await host.press("Continue to the preview ›")
    preview = replies[-1].text
    assert "By SMS: 2 members (estimate):" in preview
    assert "Norsk (bokmål): 1 by SMS," in preview
    assert "Українська: 1 by SMS," in preview
    lines = {line.split(":")[0]: line for line in preview.splitlines()}
    nb = int(lines["Norsk (bokmål)"].split(", ")[1].split()[0])
    uk = int(lines["Українська"].split(", ")[1].split()[0])
    assert uk > nb  # Cyrillic costs more segments than the same notice in Norwegian
    total = Decimal(nb + uk) * Decimal("0.5")
    assert f"In all: {nb + uk} SMS segments, ≈ NOK{total:.2f}" in preview


async def test_no_sms_part_without_sms_recipients(costly, fake_api):
    async with costly.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Stavern", slug="stavern"
        )
    coordinator = FakeUser(fake_api, COORDINATOR_ID, "Marte", "en")
    await onboard(coordinator, "English")
    await coordinator.press_data(HostCb(action=BroadcastAction.WRITE, network_id=view.id).pack())
    replies = await coordinator.send(TEXT)
    assert "By SMS" not in replies[-1].text
    assert "SMS this month" not in replies[-1].text


def test_estimate_and_money_in_the_readers_locale(costly):
    catalogs = costly.app.catalogs
    render = broadcasts.render_broadcast(catalogs, NetworkName("Torstrand"), TEXT, "en")
    found = sms_cost.estimate({"nb": 3, "uk": 2}, render, catalogs, Decimal("0.35"))
    assert [(c.locale, c.recipients, c.segments) for c in found.languages] == [
        ("nb", 3, _segments(costly, "nb")),
        ("uk", 2, _segments(costly, "uk")),
    ]
    assert found.segments == 3 * 1 + 2 * 2
    assert found.cost() == Decimal("2.45")
    nb = catalogs.translator("nb")
    assert sms_cost.money(nb, found.cost()) == "2,45\xa0kr"
    assert sms_cost.estimate({}, render, catalogs, Decimal(1)).languages == ()


def test_month_bounds_are_local():
    # 23:30 UTC on 31 January is already February in Oslo.
    start, end = sms_cost.month_bounds(datetime(2027, 1, 31, 23, 30, tzinfo=UTC), OSLO)
    assert (start.month, end.month, end.year) == (2, 3, 2027)
    assert start.utcoffset() == end.utcoffset()  # both winter time
    start, end = sms_cost.month_bounds(datetime(2026, 12, 15, tzinfo=UTC), OSLO)
    assert (start.year, start.month, end.year, end.month) == (2026, 12, 2027, 1)


# ---- the monthly budget ------------------------------------------------------------------------


async def test_a_used_up_budget_holds_broadcast_sms_until_next_month(costly, fake_api):
    network_id, host, coordinator = await _torstrand(costly, fake_api)
    # Onboarding replies are essential and were sent, counting against the budget.
    async with costly.app.sessionmaker() as session:
        costs = sms_cost.SmsCosts.from_settings(costly.app.settings)
        used = (await sms_cost.month_usage(session, costs, costly.clock.utc())).used
    assert used > 0
    rounds = 0
    held: list[Delivery] = []
    while not held:
        notice_id = await _broadcast(costly, network_id, f"{TEXT} ({rounds})")
        await costly.deliver()
        held = [
            d for d in await _deliveries(costly, notice_id) if d.status is DeliveryStatus.PENDING
        ]
        rounds += 1
        assert rounds < 10
    async with costly.app.sessionmaker() as session:
        used = (await sms_cost.month_usage(session, costs, costly.clock.utc())).used
    assert used <= 20  # non-essential SMS never go past the budget
    _start, next_month = sms_cost.month_bounds(costly.clock.utc(), OSLO)
    morning = next_month.replace(hour=8)  # not in the night: after the default quiet hours
    for delivery in held:
        assert delivery.not_before == morning
        assert delivery.attempts == 0  # not a failed attempt
        assert delivery.sent_at is None
    # Hosts and the coordinator are told, on Telegram, once.
    [notice] = await _budget_notices(costly)
    assert notice.dedupe_key == f"sms-budget:{_start:%Y-%m}"
    told = "The monthly SMS budget is used up"
    assert sum(told in m.text for m in coordinator.messages) == 1
    assert sum(told in m.text for m in host.messages) == 1
    await _broadcast(costly, network_id, "One more")
    await costly.deliver()
    assert len(await _budget_notices(costly)) == 1
    assert sum(told in m.text for m in coordinator.messages) == 1
    # Next month the held SMS go out.
    costly.clock.now = morning - timedelta(minutes=1)
    await costly.deliver()
    waiting = [d for d in await _deliveries(costly, notice_id) if d.id in {h.id for h in held}]
    assert {d.status for d in waiting} == {DeliveryStatus.PENDING}
    costly.clock.now = morning
    await costly.deliver()
    for delivery in await _deliveries(costly, notice_id):
        assert delivery.status is DeliveryStatus.SENT
    await coordinator.send("/coordinate")
    replies = await coordinator.press("📊 Reach")
    assert "SMS this month: " in replies[-1].text
    assert " of 20 segments" in replies[-1].text


async def test_essential_replies_go_out_when_the_budget_is_used_up(costly, fake_api):
    network_id, _host, _coordinator = await _torstrand(costly, fake_api)
    held = False
    for rounds in range(10):
        notice_id = await _broadcast(costly, network_id, f"{TEXT} ({rounds})")
        await costly.deliver()
        deliveries = await _deliveries(costly, notice_id)
        if held := any(d.status is DeliveryStatus.PENDING for d in deliveries):
            break
    assert held
    phone = costly.phone(NB_NUMBER)
    phone.seen = len(phone.inbox)
    replies = await phone.send("HJELP")  # a reply to their own SMS: the keyword list
    assert any("STOPP" in reply for reply in replies)
    [confirmation] = await phone.send("STOPP")
    assert "START" in confirmation
    async with costly.app.sessionmaker() as session:
        costs = sms_cost.SmsCosts.from_settings(costly.app.settings)
        usage = await sms_cost.month_usage(session, costs, costly.clock.utc())
    assert usage.reached and usage.used > 20  # essential SMS may go past the budget


async def test_a_digest_over_the_budget_is_dropped_not_held_for_a_month(costly, fake_api):
    from bot.services import digest

    network_id, _host, _coordinator = await _torstrand(costly, fake_api)
    for rounds in range(10):  # use the budget up
        notice_id = await _broadcast(costly, network_id, f"{TEXT} ({rounds})")
        await costly.deliver()
        if any(d.status is DeliveryStatus.PENDING for d in await _deliveries(costly, notice_id)):
            break
    now = costly.clock.utc()
    summary = await digest.Round(
        costly.app.sessionmaker, costly.app.catalogs, municipality="Larvik", now=now
    ).run(digest.week_of(now, OSLO))
    assert summary.sent >= 2
    await costly.deliver()
    async with costly.app.sessionmaker() as session:
        rows = list(
            await session.execute(
                select(Delivery.status, Delivery.error)
                .join(Notice, Notice.id == Delivery.notice_id)
                .where(Notice.kind == NoticeKind.DIGEST, Delivery.channel == Channel.SMS)
            )
        )
    # Any room left in the budget takes a digest; the rest are dropped, none held for a month.
    dropped = [error for status, error in rows if status is DeliveryStatus.FAILED]
    assert dropped and all("next digest" in (error or "") for error in dropped)
    assert {status for status, _ in rows} <= {DeliveryStatus.SENT, DeliveryStatus.FAILED}


async def test_an_unlimited_budget_never_holds_anything(unlimited, fake_api):
    network_id, _host, coordinator = await _torstrand(unlimited, fake_api)
    for rounds in range(6):
        notice_id = await _broadcast(unlimited, network_id, f"{TEXT} ({rounds})")
        await unlimited.deliver()
        assert {d.status for d in await _deliveries(unlimited, notice_id)} == {DeliveryStatus.SENT}
    assert await _budget_notices(unlimited) == []
    await coordinator.send("/coordinate")
    replies = await coordinator.press("📊 Reach")
    assert "SMS this month:" in replies[-1].text
    assert " of " not in replies[-1].text.split("SMS this month:")[1].splitlines()[0]


def test_naboskap_reach_shows_this_months_sms(cli, monkeypatch):
    cli("network", "add", "torstrand", "Torstrand")
    assert "SMS this month" not in cli("reach").output  # no SMS configured
    monkeypatch.setenv("SMS_GATEWAY", "console")
    assert "SMS this month: 0 segments (no monthly budget)" in cli("reach").output
    monkeypatch.setenv("SMS_MONTHLY_SEGMENTS", "500")
    assert "SMS this month: 0 of 500 segments" in cli("reach").output
    assert cli("reach", "--csv").output.splitlines()[0].startswith("network,")
