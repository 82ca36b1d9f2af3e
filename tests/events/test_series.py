"""A series is one event to residents (issue 14, point 1): a calendar's weekly event with an
excluded date and a moved one is stored as a series with its dates, announced once in words
("Every week on Wednesday at 19:00, from March 4") in every language, listed in /events and the
digest by its next date; residents answer one date or every date, reminders go per date to
those coming to it, and a moved or cancelled date is told only to those it concerns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.i18n import SHIPPED_LOCALES
from bot.services import actions, digest, events, residents, retention
from bot.services.calendar_entries import Repeat as ReadRepeat
from bot.services.calendar_files import read_calendar
from bot.services.events.series import SeriesView, repeat_text
from db.models import (
    Answer,
    Delivery,
    Event,
    EventSeries,
    Notice,
    NoticeKind,
    Repeat,
    Resident,
    SeriesRsvp,
)
from db.queries import digests as dq
from tests.support.events import actor_of

OSLO = ZoneInfo("Europe/Oslo")
# A month before the series: far ahead, so the bot's real clock never finds it past.
NOW = datetime(2099, 2, 1, 12, 0, tzinfo=UTC)
WEDNESDAYS = ["20990304", "20990311", "20990318", "20990325", "20990401", "20990408"]


def calendar(
    *,
    moved_to: str = "20990319T180000",
    cancelled: str = "",
    start_time: str = "190000",
    exdate: str = "20990401T190000",
) -> bytes:
    """A library's knitting café, Wednesdays 19–21 (six dates), as Google writes it: the
    fifth date excluded (EXDATE), the third moved to Thursday (RECURRENCE-ID), and optionally
    one date cancelled (STATUS:CANCELLED on its override)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "BEGIN:VEVENT",
        "UID:strikkekafe@bibliotek.example",
        f"DTSTART;TZID=Europe/Oslo:20990304T{start_time}",
        f"DTEND;TZID=Europe/Oslo:20990304T{int(start_time[:2]) + 2:02d}{start_time[2:]}",
        "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=6",
        *([f"EXDATE;TZID=Europe/Oslo:{exdate}"] if exdate else []),
        "SUMMARY:Strikkekafé",
        "LOCATION:Larvik bibliotek",
        "DTSTAMP:20990101T000000Z",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:strikkekafe@bibliotek.example",
        f"RECURRENCE-ID;TZID=Europe/Oslo:20990318T{start_time}",
        f"DTSTART;TZID=Europe/Oslo:{moved_to}",
        f"DTEND;TZID=Europe/Oslo:{moved_to[:9]}{int(moved_to[9:11]) + 2:02d}0000",
        "SUMMARY:Strikkekafé",
        "LOCATION:Larvik bibliotek",
        "DTSTAMP:20990101T000000Z",
        "END:VEVENT",
    ]
    if cancelled:
        lines += [
            "BEGIN:VEVENT",
            "UID:strikkekafe@bibliotek.example",
            f"RECURRENCE-ID;TZID=Europe/Oslo:{cancelled}T{start_time}",
            f"DTSTART;TZID=Europe/Oslo:{cancelled}T{start_time}",
            "SUMMARY:Strikkekafé",
            "STATUS:CANCELLED",
            "DTSTAMP:20990101T000000Z",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode() + b"\r\n"


async def _import(app, network, data: bytes, now: datetime = NOW):  # type: ignore[no-untyped-def]
    view, host, _olena, _amal = network
    report = read_calendar(data, OSLO, now=now)
    async with app.sessionmaker() as session:
        return await events.import_calendar(
            session, await actor_of(app, host), app.catalogs, view.id, report, now=now
        )


async def _dates(app) -> list[Event]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(Event).order_by(Event.starts_at)))


async def _told(app, kind: NoticeKind) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    """Who got a notice of `kind`, by event: first names, sorted."""
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Notice.event_id, Resident.first_name)
            .join(Delivery, Delivery.notice_id == Notice.id)
            .join(Resident, Resident.id == Delivery.resident_id)
            .where(Notice.kind == kind)
        )
    found: dict[int, list[str]] = {}
    for event_id, name in rows:
        found.setdefault(int(event_id), []).append(name)
    return {k: sorted(v) for k, v in found.items()}


# Reading


def test_a_series_is_read_with_how_it_repeats() -> None:
    report = read_calendar(calendar(), OSLO, now=NOW)
    assert report.skipped == []
    # Six Wednesdays, one excluded; the third moved to Thursday 18:00.
    starts = [e.starts_at.astimezone(OSLO).strftime("%a %d.%m %H:%M") for e in report.events]
    assert starts == [
        "Wed 04.03 19:00",
        "Wed 11.03 19:00",
        "Thu 19.03 18:00",
        "Wed 25.03 19:00",
        "Wed 08.04 19:00",
    ]
    [series] = {e.series for e in report.events}
    assert series is not None
    assert (series.uid, series.repeat, series.interval, series.weekdays) == (
        "strikkekafe@bibliotek.example",
        ReadRepeat.WEEKLY,
        1,
        (2,),
    )
    assert series.first_start == datetime(2099, 3, 4, 18, 0, tzinfo=UTC)
    # COUNT=6 ends within the span read: its last date is known.
    assert series.last_start == datetime(2099, 4, 8, 17, 0, tzinfo=UTC)


def test_a_rule_too_intricate_for_a_line_is_a_list_of_dates() -> None:
    data = calendar().replace(
        b"RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=6", b"RRULE:FREQ=MONTHLY;BYDAY=1WE"
    )
    report = read_calendar(data, OSLO, now=NOW)
    series = report.events[0].series
    assert series is not None and series.repeat is ReadRepeat.DATES
    assert series.last_start is None  # it goes on


# Told in words, in every language


def _series(**changes: object) -> SeriesView:
    values: dict[str, object] = {
        "id": 1,
        "repeat": Repeat.WEEKLY,
        "interval": 1,
        "weekdays": (2,),
        "first_start": datetime(2099, 3, 4, 18, 0, tzinfo=UTC),
        "last_start": None,
        "all_day": False,
    }
    values.update(changes)
    return SeriesView(**values)  # type: ignore[arg-type]


def test_how_a_series_repeats_reads_in_english_and_norwegian(app) -> None:
    en, nb = app.catalogs.translator("en"), app.catalogs.translator("nb")
    first = datetime(2099, 3, 4, 18, 0, tzinfo=UTC)
    assert repeat_text(en, _series(), first) == "Every week on Wednesday at 19:00, from March 4"
    assert "onsdag" in repeat_text(nb, _series(), first) and "19:00" in repeat_text(
        nb, _series(), first
    )
    later = first + timedelta(weeks=3)
    ends = _series(last_start=datetime(2099, 4, 8, 17, 0, tzinfo=UTC))
    assert repeat_text(en, ends, later) == "Every week on Wednesday at 19:00, until April 8"
    assert repeat_text(en, _series(), later) == "Every week on Wednesday at 19:00"
    two = _series(interval=2, weekdays=(1, 3))
    assert repeat_text(en, two, later) == "Every 2 weeks on Tuesday and Thursday at 19:00"
    assert repeat_text(en, _series(repeat=Repeat.DAILY, all_day=True), later) == "Every day"
    assert repeat_text(en, _series(repeat=Repeat.DATES), first) == (
        "On several dates, from March 4"
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_language_names_the_day_and_time_by_babel(app, locale: str) -> None:
    t = app.catalogs.translator(locale)
    first = datetime(2099, 3, 4, 18, 0, tzinfo=UTC)
    text = repeat_text(t, _series(), first)
    assert t.weekday_name(2) in text
    assert t.format_time(first) in text
    for n in (2, 5, 21):
        plural = repeat_text(t, _series(interval=n), first + timedelta(weeks=1))
        assert t.number(n) in plural and "{" not in plural


# Announced once


async def test_a_series_is_stored_once_and_announced_once(app, network):
    done = await _import(app, network, calendar())
    assert len(done.created) == 5 and done.new_series == ["strikkekafe@bibliotek.example"]
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(EventSeries)) == 1
        announced = list(
            await session.scalars(select(Notice).where(Notice.kind == NoticeKind.EVENT))
        )
    dates = await _dates(app)
    assert {d.series_id for d in dates} == {dates[0].series_id} != {None}
    # One notice for the series (on its first date), to each of the three members.
    assert [n.event_id for n in announced] == [dates[0].id]
    assert await _told(app, NoticeKind.EVENT) == {dates[0].id: ["Amal", "Hilde", "Olena"]}
    # Importing the same file again changes nothing and tells no one.
    again = await _import(app, network, calendar())
    assert (again.created, again.updated, again.cancelled, again.unchanged) == ([], [], [], 5)
    assert again.new_series == []
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Notice)) == 1


async def test_the_announcement_says_how_it_repeats_in_the_reader_language(app, network):
    _view, _host, olena, _amal = network
    await _import(app, network, calendar())
    from tests.support.outbox import Clock, outbox_worker

    await outbox_worker(app, Clock(NOW)).drain()
    uk = app.catalogs.translator("uk")
    notice = olena.messages[-1]
    assert uk.gettext("🗓 New event in {network}", network="Torstrand") in notice.text
    first = datetime(2099, 3, 4, 18, 0, tzinfo=UTC)
    assert "🔁 " + repeat_text(uk, _series(), first) in notice.text
    assert uk.weekday_name(2) in notice.text  # середа
    # Coming to every date, from the announcement.
    await olena.press(uk.gettext("🔁 Coming every time"))
    assert olena.last_answer["text"] == uk.gettext(
        "You're down for every date. Answer a single date to change just that one."
    )
    # /events lists the series once, by its next date; its card says so and offers the way back.
    replies = await olena.send("/events")
    assert replies[-1].text.count("Strikkekafé") == 1
    card = await olena.press("Strikkekafé")
    assert uk.gettext("🔁 You're coming every time.") in card[-1].text
    assert uk.gettext("🔁 Not every time after all") in card[-1].button_texts
    again = await olena.press(uk.gettext("🔁 Not every time after all"))
    assert uk.gettext("🔁 Coming every time") in again[-1].button_texts
    assert olena.last_answer["text"] == uk.gettext("You're no longer down for every date.")


async def test_a_forged_series_answer_is_refused_in_the_reader_language(app, network, resident):
    await _import(app, network, calendar())
    [series_id] = {d.series_id for d in await _dates(app)}
    assert series_id is not None
    stranger = await resident("Per")
    nb = app.catalogs.translator("nb")
    await stranger.press_data(actions.pack(actions.SeriesRsvp(series_id, Answer.YES)))
    assert stranger.last_answer["text"] == nb.gettext(
        "I couldn't find that. It may have been removed."
    )
    _view, _host, olena, _amal = network
    await olena.press_data(f"ev:series:{series_id}:always")
    assert olena.last_answer["text"] == app.catalogs.translator("uk").gettext(
        "This button no longer works. Send /start for a fresh menu."
    )


# Listed by its next date


async def test_events_and_the_digest_show_the_series_by_its_next_date(app, network):
    _view, _host, olena, _amal = network
    await _import(app, network, calendar())
    dates = await _dates(app)
    olena_actor = await actor_of(app, olena)
    async with app.sessionmaker() as session:
        shown, total = await events.upcoming(session, olena_actor, now=NOW)
        assert (total, [v.id for v in shown]) == (1, [dates[0].id])
        assert shown[0].series is not None and shown[0].series.repeat is Repeat.WEEKLY
        # Once the first date is over, the series is listed by the next (the moved Thursday
        # comes third).
        later = dates[1].starts_at + timedelta(hours=3)
        shown, total = await events.upcoming(session, olena_actor, now=later)
        assert (total, [v.id for v in shown]) == (1, [dates[2].id])
        between = await dq.events_between(session, NOW, datetime(2099, 4, 30, tzinfo=UTC))
        assert [e.id for e in between] == [dates[0].id]
        # The digest of the week of a later date lists the series once, saying how it repeats.
        week = await digest.read_week(session, "2099-W11", dates[1].starts_at, "Larvik")
    [item] = [item for items in week.events.values() for item in items]
    assert item.event.id == dates[1].id and item.series is not None
    t = app.catalogs.translator("pl")
    text = digest.Writer(app.catalogs).telegram(t, week, digest.Content(events=[item])).text
    assert text.count("Strikkekafé") == 1
    assert "🔁 " + repeat_text(t, item.series, item.event.starts_at) in text


# Answers, reminders, and who is told of a change


async def _answers(app, network, dates: list[Event]) -> None:  # type: ignore[no-untyped-def]
    """Olena comes every time; Amal only to the second date; Hilde every time but not the
    second."""
    _view, host, olena, amal = network
    async with app.sessionmaker() as session:
        series_id = dates[0].series_id
        assert series_id is not None
        await events.answer_series(session, await actor_of(app, olena), series_id, Answer.YES)
        await events.answer_series(session, await actor_of(app, host), series_id, Answer.YES)
        await events.answer(session, await actor_of(app, amal), dates[1].id, Answer.YES, now=NOW)
        await events.answer(session, await actor_of(app, host), dates[1].id, Answer.NO, now=NOW)


async def test_reminders_go_per_date_to_those_coming_to_it(app, network):
    await _import(app, network, calendar())
    dates = await _dates(app)
    await _answers(app, network, dates)
    async with app.sessionmaker() as session:
        counts = await events.get(session, await actor_of(app, network[2]), dates[1].id)
        assert counts.counts == {Answer.YES: 2, Answer.NO: 1}
        for date in dates[:2]:
            await events.send_due_reminders(
                session, app.catalogs, 24, now=date.starts_at - timedelta(hours=2)
            )
        host_list = await events.attendees(session, await actor_of(app, network[1]), dates[1].id)
    reminded = await _told(app, NoticeKind.REMINDER)
    assert reminded == {dates[0].id: ["Hilde", "Olena"], dates[1].id: ["Amal", "Olena"]}
    assert host_list == [("Amal", Answer.YES), ("Olena", Answer.YES), ("Hilde", Answer.NO)]


async def test_a_moved_or_cancelled_date_is_told_only_to_those_it_concerns(app, network):
    await _import(app, network, calendar())
    dates = await _dates(app)
    await _answers(app, network, dates)
    # The second date is cancelled; the third moves from Thursday to Friday.
    done = await _import(app, network, calendar(cancelled="20990311", moved_to="20990320T180000"))
    assert (len(done.cancelled), len(done.updated)) == (1, 1)
    # The cancelled second date: Olena (every time) and Amal (that date); not Hilde (not then).
    assert await _told(app, NoticeKind.EVENT_CANCELLED) == {dates[1].id: ["Amal", "Olena"]}
    # The moved third date: those coming every time; Amal answered only the second.
    assert await _told(app, NoticeKind.EVENT_CHANGED) == {dates[2].id: ["Hilde", "Olena"]}


async def test_a_whole_series_moved_tells_those_coming_every_time_once(app, network):
    await _import(app, network, calendar())
    dates = await _dates(app)
    await _answers(app, network, dates)
    # Every date moves from 19:00 to 18:00 (the moved Thursday keeps its own time).
    done = await _import(app, network, calendar(start_time="180000", exdate="20990401T180000"))
    assert len(done.updated) == 4
    changed = await _told(app, NoticeKind.EVENT_CHANGED)
    # Hilde and Olena once (with the first changed date); Amal of her own date.
    assert changed == {dates[0].id: ["Hilde", "Olena"], dates[1].id: ["Amal"]}


async def test_answers_to_every_date_are_in_mydata_and_go_with_the_series(app, network):
    await _import(app, network, calendar())
    dates = await _dates(app)
    await _answers(app, network, dates)
    olena = await actor_of(app, network[2])
    async with app.sessionmaker() as session:
        record = await residents.export(session, olena)
    assert record.event_answers == [
        {
            "event": "Strikkekafé",
            "starts_at": dates[0].starts_at.isoformat(),
            "every_date": True,
            "answer": "yes",
            "answered_at": record.event_answers[0]["answered_at"],
        }
    ]
    # A year after its last date, the series and the answers to it are gone.
    async with app.sessionmaker() as session:
        await retention.prune(session, timedelta(days=365), now=dates[-1].starts_at)
        assert await session.scalar(select(func.count()).select_from(EventSeries)) == 1
        await retention.prune(
            session, timedelta(days=365), now=dates[-1].starts_at + timedelta(days=400)
        )
        assert await session.scalar(select(func.count()).select_from(EventSeries)) == 0
        assert await session.scalar(select(func.count()).select_from(SeriesRsvp)) == 0
