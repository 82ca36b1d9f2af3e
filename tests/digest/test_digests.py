"""The weekly digest: what it holds, in whose language, once per resident and week, the
settings that turn it off, held notices, the schedule across DST, and the CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from bot.i18n import SHIPPED_LOCALES
from bot.scheduler import DigestJob, DigestSchedule
from bot.services import broadcasts, digest, events, networks, preferences, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.services.events import EventDraft
from bot.sms_segments import count
from db.models import (
    Answer,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestRun,
    HelpCategory,
    HelpFrequency,
    MemberRole,
    Membership,
    Notice,
    NoticeKind,
    NotifyMode,
    Resident,
)
from db.queries import digests as dq
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker

OSLO = ZoneInfo("Europe/Oslo")


async def _actor(app, user) -> Actor:
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


def _round(app, now, **kwargs) -> digest.Round:
    return digest.Round(app.sessionmaker, app.catalogs, municipality="Larvik", now=now, **kwargs)


async def _digest_deliveries(app) -> dict[int, int]:
    """Digest deliveries per resident id."""
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Delivery.resident_id, func.count())
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.DIGEST)
            .group_by(Delivery.resident_id)
        )
        return {r: int(n) for r, n in rows}


async def _resident_id(app, user) -> int:
    return (await _actor(app, user)).require_resident()


@pytest.fixture
async def week(app, resident):
    """Torstrand with a host, a Ukrainian member who is coming to a language café in two days,
    a Norwegian who helps with errands, and a café in ten days (beyond the week)."""
    now = datetime.now(UTC)
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    olena = await resident("Olena", "Українська", "uk")
    kari = await resident("Kari")
    for user in (host, olena, kari):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    host_actor = await _actor(app, host)
    async with app.sessionmaker() as session:
        cafe, _ = await events.publish(
            session,
            host_actor,
            app.catalogs,
            EventDraft(
                network_id=view.id,
                title="Språkkafé",
                starts_at=now + timedelta(days=2),
                place="Biblioteket",
                no_norwegian_needed=True,
            ),
            now=now,
        )
        later, _ = await events.publish(
            session,
            host_actor,
            app.catalogs,
            EventDraft(network_id=view.id, title="Julemarked", starts_at=now + timedelta(days=10)),
            now=now,
        )
        await events.answer(session, await _actor(app, olena), cafe.id, Answer.YES)
        await helping.set_offer(
            session,
            await _actor(app, kari),
            view.id,
            {HelpCategory.ERRANDS},
            frequency=HelpFrequency.WEEKLY,
        )
        await helping.ask(
            session,
            await _actor(app, olena),
            app.catalogs,
            network_id=view.id,
            category=HelpCategory.ERRANDS,
            description="Handle til helgen, jeg har brukket armen",
            needed_on=None,
            now=now,
        )
    return view, host, olena, kari, cafe, later


async def test_each_resident_gets_one_digest_in_their_own_language(app, fake_api, week):
    _view, host, olena, kari, _cafe, _later = week
    now = datetime.now(UTC)
    key = digest.week_of(now, OSLO)
    summary = await _round(app, now).run(key)
    assert summary.sent == 3
    assert summary.by_locale == {"nb": 2, "uk": 1}
    await outbox_worker(app, Clock(after_quiet_hours())).drain()

    letter = olena.last.text
    assert "Språkkafé" in letter
    assert "Biblioteket" not in letter  # a digest is short: title, time, network
    # The date in Ukrainian, RSVP counts and the mark for newcomers.
    assert app.catalogs.translator("uk").format_day(now + timedelta(days=2)) in letter
    assert "✅ 1 · 🤔 0" in letter
    assert "🌍" in letter
    # Olena asked for help herself: her own request is not offered back to her.
    assert "brukket armen" not in letter
    # Kari helps with errands: the open request is in her digest, with the network's news.
    assert "brukket armen" in kari.last.text
    assert "Torstrand" in kari.last.text
    assert [b["text"] for b in kari.last.buttons] == ["🗓 Arrangementer", "⚙️ Innstillinger"]
    assert host.last.text != letter


async def test_running_the_round_again_or_twice_at_once_sends_each_digest_once(app, week):
    now = datetime.now(UTC)
    key = digest.week_of(now, OSLO)
    first, second = await asyncio.gather(_round(app, now).run(key), _round(app, now).run(key))
    assert first.sent + second.sent == 3
    again = await _round(app, now).run(key)
    assert (again.sent, again.already) == (0, 3)
    assert sorted((await _digest_deliveries(app)).values()) == [1, 1, 1]
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Digest)) == 3


async def test_a_round_cut_short_is_finished_by_the_next_without_repeats(app, week, resident):
    for n in range(4):
        user = await resident(f"Nabo{n}")
        await user.send("/start join-torstrand")
    now = datetime.now(UTC)
    key = digest.week_of(now, OSLO)
    pages = []

    def crash_after_first_page(n: int) -> None:
        pages.append(n)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        await _round(app, now, page=2).run(key, progress=crash_after_first_page)
    assert sum((await _digest_deliveries(app)).values()) == 2
    async with app.sessionmaker() as session:
        assert (await session.get(DigestRun, key)).finished_at is None
    summary = await _round(app, now, page=2).run(key)
    assert (summary.sent, summary.already) == (5, 2)
    assert sorted(set((await _digest_deliveries(app)).values())) == [1]
    async with app.sessionmaker() as session:
        assert (await session.get(DigestRun, key)).finished_at is not None


async def test_empty_digests_are_not_sent(app, resident):
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Stille", slug="stille")
    quiet = await resident("Per")
    await quiet.send("/start join-stille")
    # A month on: the network is old news, nothing is planned and no one asks for help.
    later = datetime.now(UTC) + timedelta(days=30)
    summary = await _round(app, later).run(digest.week_of(later, OSLO))
    assert (summary.sent, summary.empty) == (0, 1)
    assert await _digest_deliveries(app) == {}


async def test_residents_can_turn_the_digest_off_and_on_in_settings(app, fake_api, resident, week):
    view, host, _olena, _kari, _cafe, _later = week
    emma = await resident("Emma", "English", "en")
    await emma.send("/start join-torstrand")
    await emma.send("/settings")
    assert "📰 Weekly digest: Sunday at 18:00." in emma.last.text
    await emma.press("✓ Digest on")  # already on: nothing changes
    await emma.press("Weekly digest only")
    assert "✓ Weekly digest only" in [b["text"] for b in emma.last.buttons]
    # A host writes while Emma takes the digest only: the notice waits for it.
    async with app.sessionmaker() as session:
        await broadcasts.broadcast(
            session, await _actor(app, host), app.catalogs, text="Dugnad!", network_id=view.id
        )
    await emma.press("Digest off")
    assert "📰 The weekly digest is off." in emma.last.text
    labels = [b["text"] for b in emma.last.buttons]
    assert "✓ Notices as they come" in labels  # no digest means notices come as they come
    # Nothing held is lost: the notice comes now instead.
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "Dugnad!" in emma.last.text

    now = datetime.now(UTC)
    summary = await _round(app, now).run(digest.week_of(now, OSLO))
    assert summary.sent == 3  # Hilde, Olena and Kari; not Emma
    assert await _resident_id(app, emma) not in await _digest_deliveries(app)


async def test_digest_only_residents_get_what_was_held_in_the_digest(app, resident, week):
    view, host, olena, _kari, _cafe, _later = week
    async with app.sessionmaker() as session:
        await preferences.update(session, await _actor(app, olena), notify_mode=NotifyMode.DIGEST)
        await broadcasts.broadcast(
            session,
            await _actor(app, host),
            app.catalogs,
            text="Dugnad på lekeplassen lørdag kl. 11",
            network_id=view.id,
        )
        await events.publish(
            session,
            await _actor(app, host),
            app.catalogs,
            EventDraft(
                network_id=view.id,
                title="Vinterbading",
                starts_at=datetime.now(UTC) + timedelta(days=20),
            ),
        )
    olena_id = await _resident_id(app, olena)
    async with app.sessionmaker() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.resident_id == olena_id, Delivery.status == DeliveryStatus.HELD)
        )
    assert held == 2
    now = datetime.now(UTC)
    await _round(app, now).run(digest.week_of(now, OSLO))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    letter = olena.last.text
    assert "Dugnad på lekeplassen" in letter and "Torstrand" in letter
    assert "Vinterbading" in letter  # announced for later, beyond the coming week
    async with app.sessionmaker() as session:
        statuses = list(
            await session.execute(
                select(Delivery.status, Delivery.external_id).where(
                    Delivery.resident_id == olena_id, Delivery.status != DeliveryStatus.PENDING
                )
            )
        )
    told = [status for status, external in statuses if (external or "").startswith("digest:")]
    assert told == [DeliveryStatus.SENT, DeliveryStatus.SENT]


async def test_helpers_do_not_see_requests_from_people_they_blocked(app, week):
    _view, _host, _olena, kari, _cafe, _later = week
    async with app.sessionmaker() as session:
        await helping.set_paused(session, await _actor(app, kari), True)
    now = datetime.now(UTC)
    round_ = _round(app, now)
    async with app.sessionmaker() as session:
        resident = await dq.resident_for_preview(session, telegram_id=kari.id)
    paused = await round_.preview(resident)
    assert paused.rendered is not None
    assert "brukket armen" not in paused.rendered.text
    async with app.sessionmaker() as session:
        await helping.set_paused(session, await _actor(app, kari), False)
    assert "brukket armen" in (await round_.preview(resident)).rendered.text


def test_the_digest_slot_stays_at_local_time_across_dst():
    # Both DST changes in Europe fall on a Sunday, the default digest day.
    for day, offset in ((datetime(2026, 3, 29), 2), (datetime(2026, 10, 25), 1)):
        after = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        slot = digest.latest_slot(after, OSLO, 6, time(18, 0))
        assert slot.astimezone(OSLO).time() == time(18, 0)
        assert slot.hour == 18 - offset
        trigger = CronTrigger(day_of_week="sun", hour=18, minute=0, timezone=OSLO)
        fire = trigger.get_next_fire_time(
            None, datetime(day.year, day.month, day.day - 1, tzinfo=OSLO)
        )
        assert fire.astimezone(UTC) == slot


def test_a_missed_round_is_due_for_a_while_and_keeps_its_week():
    sunday = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # 18:00 in Oslo, ISO week 48
    assert digest.due_week(sunday - timedelta(minutes=1), OSLO, 6, time(18)) is None
    assert digest.due_week(sunday, OSLO, 6, time(18)) == "2026-W48"
    # Back on Monday morning after downtime: still week 48's round, not week 49's.
    assert digest.due_week(sunday + timedelta(hours=15), OSLO, 6, time(18)) == "2026-W48"
    assert digest.due_week(sunday + timedelta(days=3), OSLO, 6, time(18)) is None


async def test_the_scheduled_job_runs_a_due_round_once(app, week):
    now = datetime.now(UTC)
    local = now.astimezone(OSLO)
    schedule = DigestSchedule(local.weekday(), (local - timedelta(minutes=5)).time(), "Larvik")
    if (local - timedelta(minutes=5)).date() != local.date():  # just after midnight
        schedule = DigestSchedule(local.weekday(), time(0, 0), "Larvik")
    job = DigestJob(app.sessionmaker, app.catalogs, schedule)
    first = await job(now)
    assert first is not None and first.sent == 3
    assert await job(now + timedelta(minutes=15)) is None  # finished: the catch-up does nothing
    assert sum((await _digest_deliveries(app)).values()) == 3


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_sms_digest_fits_two_segments(app, locale):
    from types import SimpleNamespace

    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    items = [
        digest.WeekEvent(
            SimpleNamespace(  # type: ignore[arg-type]
                id=n,
                title=f"Språkkafé og strikking nummer {n}",
                starts_at=now + timedelta(days=n),
                network_id=1,
                no_norwegian_needed=True,
            ),
            {},
            3,
            1,
        )
        for n in range(1, 6)
    ]
    week = digest.Week("2026-W49", now, {1: "Torstrand"}, {}, {}, {}, "Larvik")
    content = digest.Content(events=items, more_events=4, more_requests=2)
    text = digest.Writer(app.catalogs).sms(app.catalogs.translator(locale), week, content).text
    size = count(text)
    assert size.segments <= 2, (locale, text)
    if size.encoding == "gsm7":
        assert len(text) > 160  # it uses the room it has
    # One line of the week, then the instruction on its own line.
    assert text.count("\n") == 1 and "<" not in text


def _sms_content(now: datetime) -> digest.Content:
    from types import SimpleNamespace

    def event(n: int, title: str) -> digest.WeekEvent:
        return digest.WeekEvent(
            SimpleNamespace(  # type: ignore[arg-type]
                id=n,
                title=title,
                starts_at=now + timedelta(days=n, hours=1),
                network_id=1,
                no_norwegian_needed=False,
            ),
            {},
            0,
            0,
        )

    return digest.Content(
        events=[event(1, "Språkkafé på biblioteket"), event(2, "Strikkekafé")],
        requests=[
            SimpleNamespace(id=1, category="errands", network_id=1, description="Handling")  # type: ignore[list-item]
        ],
        news=[("Torstrand", 2, 0)],
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_sms_digest_carries_events_help_and_news_and_ends_with_what_to_send(app, locale):
    from bot.sms_keywords import Command, shown
    from bot.sms_segments import GSM7_BASIC, is_gsm7

    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    week = digest.Week("2026-W49", now, {1: "Torstrand"}, {}, {}, {}, "Larvik")
    t = app.catalogs.translator(locale)
    text = digest.Writer(app.catalogs).sms(t, week, _sms_content(now)).text
    assert count(text).segments <= 2, text
    week_line, instruction = text.split("\n")
    # The instruction whole, with the resident's own keyword for events.
    assert shown(Command.EVENTS, locale) in instruction
    assert week_line.startswith("Naboskap")
    assert "Språkkafé på biblioteket" in week_line  # the first event, by its title
    assert "Torstrand" in week_line or "Strikkekafé" in week_line
    letters = [c for c in text if c.isalpha()]
    if all(c in GSM7_BASIC for c in letters):
        assert is_gsm7(text), text


@pytest.mark.parametrize("locale", ["nb", "uk"])
def test_an_sms_digest_with_only_network_news_says_it(app, locale):
    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    week = digest.Week("2026-W49", now, {1: "Torstrand"}, {}, {}, {}, "Larvik")
    t = app.catalogs.translator(locale)
    content = digest.Content(news=[("Torstrand", 2, 1)])
    text = digest.Writer(app.catalogs).sms(t, week, content).text
    assert "Torstrand: " + t.ngettext("{n} new member", "{n} new members", 2) in text
    assert t.ngettext("{n} neighbour got help", "{n} neighbours got help", 1) in text


async def test_cli_previews_and_sends_this_weeks_digest(app, cli, week):
    _view, _host, _olena, kari, _cafe, _later = week
    result = await asyncio.to_thread(cli, "digest", "preview", "--telegram-id", str(kari.id))
    assert result.exit_code == 0, result.output
    assert "· nb · telegram" in result.output
    assert "Språkkafé" in result.output and "brukket armen" in result.output
    assert "<b>" not in result.output
    assert "[ 🗓 Arrangementer ]" in result.output

    missing = await asyncio.to_thread(cli, "digest", "preview", "--telegram-id", "424242")
    assert missing.exit_code != 0

    dry = await asyncio.to_thread(cli, "digest", "send", "--dry-run")
    assert "3 would be sent" in dry.output
    assert "nb 2, uk 1" in dry.output
    assert await _digest_deliveries(app) == {}

    sent = await asyncio.to_thread(cli, "digest", "send")
    assert "3 sent, 0 skipped (nothing to tell), 0 sent before" in sent.output
    again = await asyncio.to_thread(cli, "digest", "send")
    assert "0 sent, 0 skipped (nothing to tell), 3 sent before" in again.output
    assert sorted((await _digest_deliveries(app)).values()) == [1, 1, 1]


async def test_sms_residents_get_the_compact_digest(app, cli, week):
    view, *_ = week
    async with app.sessionmaker() as session:
        person = Resident(
            phone="+4791234567",
            locale="nb",
            privacy_accepted_at=datetime.now(UTC),
            phone_verified_at=datetime.now(UTC),
            reachable=True,
        )
        session.add(person)
        await session.flush()
        session.add(Membership(resident_id=person.id, network_id=view.id, role=MemberRole.MEMBER))
        await session.commit()
    result = await asyncio.to_thread(cli, "digest", "preview", "--phone", "912 34 567")
    assert result.exit_code == 0, result.output
    assert "· nb · sms" in result.output
    assert "Språkkafé" in result.output
    now = datetime.now(UTC)
    await _round(app, now).run(digest.week_of(now, OSLO))
    async with app.sessionmaker() as session:
        channel = await session.scalar(
            select(Delivery.channel)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Delivery.resident_id == person.id, Notice.kind == NoticeKind.DIGEST)
        )
    assert channel == Channel.SMS
