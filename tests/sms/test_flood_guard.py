"""The flood guard (issue 14): a network's members hear of at most a few new events one by one
per local day; the rest, and every new event for SMS members, come in one summary per
resident. Through the real services, the outbox worker and the in-memory SMS gateway."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.fake_bot_api import FakeUser
from bot.i18n import SHIPPED_LOCALES
from bot.services import digest, events, networks
from bot.services.actors import Actor
from bot.services.events import EventDraft
from bot.services.events import summary as summaries
from bot.services.events.summary import Item, SummaryJob
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import Delivery, DeliveryStatus, Notice, NoticeKind
from tests.support.residents import onboard
from tests.support.sms_phone import Phone, SmsNetwork

NUMBER = "+4791234567"
OSLO = ZoneInfo("Europe/Oslo")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


async def _network(sms_: SmsNetwork, name: str, slug: str) -> int:
    async with sms_.app.sessionmaker() as session:
        view = await networks.create_network(session, Actor.operator(), name=name, slug=slug)
    return view.id


async def _members(sms_: SmsNetwork, make_user, slugs: tuple[str, ...]) -> tuple[FakeUser, Phone]:  # type: ignore[no-untyped-def]
    kari = make_user("Kari", "nb")
    await onboard(kari)
    phone = sms_.phone(NUMBER)
    for text in ("Hei", "1", "1"):
        await phone.send(text)
    for slug in slugs:
        await kari.send(f"/start join-{slug}")
        await phone.send(f"BLI MED {slug}")
    await phone.receive()
    return kari, phone


async def _publish(
    sms_: SmsNetwork, network_id: int, titles: list[str], at: datetime, **session_info: object
) -> None:
    for n, title in enumerate(titles):
        now = at + timedelta(minutes=n)
        async with sms_.app.sessionmaker(info=session_info) as session:
            await events.publish(
                session,
                Actor.operator(),
                sms_.app.catalogs,
                EventDraft(
                    network_id=network_id,
                    title=title,
                    starts_at=now + timedelta(days=10, hours=n),
                    place="Torget",
                ),
                now=now,
            )


def _texts(user: FakeUser, before: int) -> list[str]:
    return [m.text for m in user.messages[before:]]


async def _event_deliveries(sms_: SmsNetwork) -> list[tuple[int, DeliveryStatus, str | None]]:
    async with sms_.app.sessionmaker() as session:
        rows = await session.execute(
            select(Delivery.notice_id, Delivery.status, Delivery.external_id)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.EVENT)
        )
        return [(r[0], DeliveryStatus(r[1]), r[2]) for r in rows]


async def test_ten_events_in_a_day_are_three_notices_and_one_summary(sms, make_user):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    kari, phone = await _members(sms, make_user, ("torstrand",))
    day = sms.clock.now.astimezone(OSLO).date() - timedelta(days=1)
    titles = [f"Kafé nummer {n}" for n in range(1, 11)]
    before = len(kari.messages)
    await _publish(sms, torstrand, titles, _at(day, 9))
    await sms.deliver()
    notices = _texts(kari, before)
    assert len(notices) == 3
    assert all(title in text for title, text in zip(titles, notices, strict=False))
    assert await phone.receive() == []  # SMS members get the summary only

    job = SummaryJob(sms.app.sessionmaker, sms.app.catalogs)
    summarized = await job(_at(day, 17))
    assert summarized.sent == 2 and summarized.told == 7 + 10
    await sms.deliver()
    [summary] = _texts(kari, before + 3)
    assert "Torstrand" in summary and "7" in summary
    assert all(title in summary for title in titles[3:8])  # the first five of the rest
    assert "/events" in summary  # ...and 2 more
    assert not any(title in summary for title in titles[:3])  # they had their own notice
    [text] = await phone.receive()
    assert count(text).segments <= 2
    assert "10" in text and shown(Command.EVENTS, "nb") in text.splitlines()[-1]
    assert "Kafé nummer 1 " in text or "Kafé nummer 1;" in text

    # Nothing is lost: every new-event delivery went out on its own or in a summary.
    deliveries = await _event_deliveries(sms)
    assert len(deliveries) == 20
    assert all(status is DeliveryStatus.SENT for _, status, _ in deliveries)
    summarized_ids = {n for n, _, note in deliveries if note == f"summary:{day.isoformat()}"}
    assert len(summarized_ids) == 10  # the SMS member's ten, of which seven were Kari's too

    # Run again (a second process, a catch-up tick): nothing more is sent.
    again = await job(_at(day, 17, 5))
    assert (again.sent, again.told) == (0, 0)
    await sms.deliver()
    assert len(_texts(kari, before)) == 4 and await phone.receive() == []

    # The weekly digest does not tell the summarized notices again.
    now = _at(day, 18)
    await digest.Round(sms.app.sessionmaker, sms.app.catalogs, municipality="Larvik", now=now).run(
        digest.week_of(now, OSLO)
    )
    after = await _event_deliveries(sms)
    assert sorted(after) == sorted(deliveries)  # none re-marked by the digest


async def test_the_cap_is_per_network_and_per_local_day(sms, make_user):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    stavern = await _network(sms, "Stavern", "stavern")
    kari, _ = await _members(sms, make_user, ("torstrand", "stavern"))
    day = sms.clock.now.astimezone(OSLO).date() - timedelta(days=2)
    before = len(kari.messages)
    await _publish(sms, torstrand, ["T1", "T2", "T3", "T4"], _at(day, 9))
    await _publish(sms, stavern, ["S1", "S2", "S3"], _at(day, 10))
    # Late in the evening (after the summary) is still the same day in Oslo.
    await _publish(sms, stavern, ["S4"], _at(day, 23, 30))
    await sms.deliver()
    told = _texts(kari, before)
    names = ("T1", "T2", "T3", "T4", "S1", "S2", "S3", "S4")
    heard = [name for name in names if any(name in text for text in told)]
    assert heard == ["T1", "T2", "T3", "S1", "S2", "S3"]
    # The next local day (just after midnight in Oslo, still the day before in UTC) resets.
    await _publish(sms, torstrand, ["T5", "T6", "T7"], _at(day + timedelta(days=1), 0, 10))
    await sms.deliver()
    told = _texts(kari, before)
    assert sum(any(t in x for x in told) for t in ("T5", "T6", "T7")) == 3

    # One summary the next day tells both held events, from both networks.
    job = SummaryJob(sms.app.sessionmaker, sms.app.catalogs)
    assert (await job(_at(day + timedelta(days=1), 17))).sent == 2  # Kari and the SMS member
    await sms.deliver()
    summary = kari.messages[-1].text
    assert "T4" in summary and "S4" in summary and "Torstrand" in summary and "Stavern" in summary


async def test_none_a_day_means_the_summary_only(sms, make_user):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    kari, phone = await _members(sms, make_user, ("torstrand",))
    day = sms.clock.now.astimezone(OSLO).date() - timedelta(days=1)
    before = len(kari.messages)
    await _publish(sms, torstrand, ["Dugnad"], _at(day, 9), new_event_notices_per_day=0)
    await sms.deliver()
    assert _texts(kari, before) == [] and await phone.receive() == []
    await SummaryJob(sms.app.sessionmaker, sms.app.catalogs)(_at(day, 17))
    await sms.deliver()
    [summary] = _texts(kari, before)
    assert "Dugnad" in summary
    assert "Dugnad" in (await phone.receive())[0]


def test_the_sms_summary_fits_two_segments_in_every_language(sms):
    catalogs = sms.app.catalogs
    starts = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    titles = [
        "Språkkafé på biblioteket med kaffe og noe godt",
        "Мовне кафе: говоримо норвезькою",
        "Strikkekafé",
        "Dugnad i parken – ta med hansker",
        "مقهى اللغة",
    ] * 3
    items = [Item(title, starts + timedelta(days=n), "Torstrand") for n, title in enumerate(titles)]
    for locale in SHIPPED_LOCALES:
        t = catalogs.translator(locale)
        for listed in (items[:1], items):
            for network in ("Torstrand", "Stavern sentrum og omegn", None):
                text = summaries.sms(t, listed, network).text
                assert count(text).segments <= 2, (locale, text)
                assert shown(Command.EVENTS, locale) in text.splitlines()[-1], (locale, text)
