"""The sample calendar Sentrum follows in the playground (issue 14): drawn from its anchor day
so that it never goes stale, served on the playground's own server, synced as a feed, and met
by the seeded neighbour as one announcement per series, a moved date, and the summary of the
new events the flood guard held back."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.i18n import Catalogs
from bot.playground import sample_calendar
from bot.playground.personas import NEIGHBOUR_ID
from bot.playground.server import Playground, PlaygroundOptions
from bot.services.calendar_files import OCCURRENCE_UID_FORMAT, read_calendar
from bot.services.events.flood import DEFAULT_PER_DAY
from db.models import CalendarFeed, Event, Network
from tests.support.playground import Client, with_text

ZONE = ZoneInfo("Europe/Oslo")
SINGLE_TITLES = {single.title for single in sample_calendar.SINGLES}


# ---- the calendar itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 12, 3, 20, 0, tzinfo=UTC),  # a Wednesday evening, after its 18:00
        datetime(2026, 6, 14, 21, 30, tzinfo=UTC),  # a Sunday in June, 23:30 in Oslo
        datetime(2026, 3, 28, 9, 0, tzinfo=UTC),  # the day before summer time
        datetime(2026, 10, 24, 12, 0, tzinfo=UTC),  # the day before winter time
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # already New Year's Day in Oslo
        datetime(2027, 2, 16, 5, 0, tzinfo=UTC),  # a Tuesday morning, before Leksehjelp
    ],
)
def test_the_sample_is_drawn_from_its_anchor_day(now: datetime):
    anchor = now.astimezone(ZONE).date()
    data = sample_calendar.render(anchor)
    report = read_calendar(data, ZONE, now=now)
    assert report.skipped == []
    assert all(event.starts_at > now for event in report.events)
    by_title: dict[str, list[Any]] = {}
    for event in report.events:
        by_title.setdefault(event.title, []).append(event)
    assert set(by_title) == SINGLE_TITLES | {sample_calendar.KNITTING, sample_calendar.HOMEWORK}
    # More single events than the flood guard lets through in a day, each after both series'
    # next dates: the series are what the cap lets through, the rest wait for the summary.
    assert len(SINGLE_TITLES) > DEFAULT_PER_DAY
    knitting, homework = by_title[sample_calendar.KNITTING], by_title[sample_calendar.HOMEWORK]
    first_single = min(e.starts_at for t in SINGLE_TITLES for e in by_title[t])
    assert knitting[0].starts_at < first_single and homework[0].starts_at < first_single
    # The next Strikkekafé is moved from Wednesday to Thursday, with a note; it keeps the UID
    # of the Wednesday it replaces. The one two weeks later is left out (EXDATE).
    wednesday = datetime.combine(sample_calendar.moved_wednesday(anchor), time(18), tzinfo=ZONE)
    moved = knitting[0]
    assert moved.starts_at == wednesday + timedelta(days=1)
    assert moved.starts_at.astimezone(ZONE).weekday() == 3
    assert moved.uid.endswith("/" + wednesday.astimezone(UTC).strftime(OCCURRENCE_UID_FORMAT))
    assert "torsdag" in moved.description
    later = [e.starts_at.astimezone(ZONE) for e in knitting[1:]]
    assert all(d.weekday() == 2 and d.time() == time(18) for d in later)
    assert wednesday + timedelta(weeks=2) not in later
    assert wednesday + timedelta(weeks=1) in later and wednesday + timedelta(weeks=3) in later
    # One all-day event, and the HTML description read as text with its link's words.
    assert [e.title for e in report.events if e.all_day] == ["Bokloppemarked"]
    author = by_title["Forfatterbesøk: krim fra Larvik"][0]
    assert "<" not in author.description and "meld deg på her" in author.description
    # What a library's export carries: its zone's VTIMEZONE, and a UID and DTSTAMP on each.
    text = data.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo" in text
    assert text.count("BEGIN:VEVENT") == text.count("DTSTAMP:") == len(SINGLE_TITLES) + 3
    assert text.count("UID:") == text.count("BEGIN:VEVENT")
    # The same anchor, the same bytes: a feed that did not change is synced as unchanged.
    assert sample_calendar.render(anchor) == data


def test_the_feed_url_carries_the_anchor():
    url = sample_calendar.feed_url("http://127.0.0.1:8765/", date(2026, 3, 4))
    assert url == "http://127.0.0.1:8765/playground/calendars/larvik-bibliotek.ics?from=2026-03-04"
    assert sample_calendar.anchor_of(url) == date(2026, 3, 4)
    for other in (
        "https://bibliotek.example/kalender.ics?from=2026-03-04",
        "http://127.0.0.1:8765/playground/calendars/larvik-bibliotek.ics",
        "http://127.0.0.1:8765/playground/calendars/larvik-bibliotek.ics?from=soon",
    ):
        assert sample_calendar.anchor_of(other) is None


# ---- in the playground ------------------------------------------------------------------------


def to_a_wednesday_morning(clock: Clock) -> None:
    """The next Wednesday at 10:00 in Oslo. Any other day the test could meet the start-up's
    catch-up of Sunday's digest round (it runs into Tuesday evening and tells what the flood
    guard held, in place of the summary), or a day when the summary's 17:00 comes after the
    next digest. Moved before the playground starts, so the seed's day is that Wednesday."""
    now = clock.now().astimezone(ZONE)
    ahead = (2 - now.weekday()) % 7 or 7
    target = datetime.combine(now.date() + timedelta(days=ahead), time(10), tzinfo=ZONE)
    clock.advance(target - now)


@pytest.fixture
async def playground(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Playground]:
    path = tmp_path / "playground.db"
    shutil.copy(sqlite_template, path)
    instance = Playground(PlaygroundOptions(db=path, port=0, handle_signals=False))
    to_a_wednesday_morning(instance.time)
    try:
        await instance.start()
        # The defaults the choice of a Wednesday rests on: the digest on Sundays at 18:00,
        # the summary at 17:00.
        schedule = instance.clock.schedule
        assert (schedule.weekday, schedule.at) == (6, time(18, 0))
        assert instance.bot_app.settings.new_events_summary_at == time(17, 0)
        yield instance
    finally:
        await instance.stop()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as http:
        yield Client(playground.url, http)


def mentions(chat: dict[str, Any], text: str) -> list[str]:
    return [m["text"] for m in chat["messages"] if m["from_bot"] and text in m["text"]]


async def sentrum_feed(playground: Playground) -> tuple[CalendarFeed, list[Event]]:
    async with playground.bot_app.sessionmaker() as session:
        sentrum = await session.scalar(select(Network).where(Network.slug == "sentrum"))
        assert sentrum is not None
        feed = await session.scalar(
            select(CalendarFeed).where(CalendarFeed.network_id == sentrum.id)
        )
        assert feed is not None
        found = await session.scalars(
            select(Event).where(Event.feed_id == feed.id).order_by(Event.starts_at)
        )
        return feed, list(found)


async def test_sentrum_follows_the_sample_feed_over_loopback(
    client: Client, playground: Playground, catalogs: Catalogs
):
    feed, imported = await sentrum_feed(playground)
    anchor = playground.time.now().astimezone(ZONE).date()
    assert feed.url == sample_calendar.feed_url(playground.base, anchor)
    # Synced by the seed through the feed's own path: fetched over HTTP, imported by UID.
    assert feed.last_status == "ok" and feed.last_synced_at is not None
    assert '"skipped": 0' in (feed.last_report or "") and feed.etag
    titles = {event.title for event in imported}
    assert titles == SINGLE_TITLES | {sample_calendar.KNITTING, sample_calendar.HOMEWORK}
    # The moved occurrence: Wednesday's, by its UID, on Thursday at 18:00, with the note.
    wednesday = datetime.combine(sample_calendar.moved_wednesday(anchor), time(18), tzinfo=ZONE)
    uid = f"strikkekafe@{sample_calendar.UID_DOMAIN}/" + wednesday.astimezone(UTC).strftime(
        OCCURRENCE_UID_FORMAT
    )
    moved = next(event for event in imported if event.uid == uid)
    assert moved.starts_at == wednesday + timedelta(days=1)
    assert moved.description == sample_calendar.MOVED_NOTE
    # The server answers as a library's would: the calendar, then 304 while it is unchanged.
    async with client.http.get(feed.url) as reply:
        assert reply.status == 200 and reply.content_type == "text/calendar"
        assert (await reply.read()) == sample_calendar.render(anchor)
    async with client.http.get(feed.url, headers={"If-None-Match": feed.etag}) as reply:
        assert reply.status == 304
    async with client.http.get(feed.url.replace(anchor.isoformat(), "0001-01-01")) as reply:
        assert reply.status == 400

    # Ingrid, the seeded neighbour, is a member: /events shows the Strikkekafé on Thursday.
    nb = catalogs.translator("nb")
    await client.until(NEIGHBOUR_ID, with_text(sample_calendar.KNITTING))
    await client.post(f"/api/personas/{NEIGHBOUR_ID}/messages", {"text": "/events"})
    listed = await client.until(NEIGHBOUR_ID, with_text(nb.gettext("Upcoming events")))
    assert sample_calendar.KNITTING in listed["text"]
    assert nb.format_day(moved.starts_at) in listed["text"]


@pytest.fixture
def catalogs(playground: Playground) -> Catalogs:
    return playground.bot_app.catalogs


async def test_each_series_is_announced_once_and_the_rest_wait_for_the_summary(
    client: Client, playground: Playground, catalogs: Catalogs
):
    nb = catalogs.translator("nb")
    # The two series are what the day's cap let through (with the host's walk in Sentrum).
    chat = await client.until(
        NEIGHBOUR_ID,
        lambda chat: (
            mentions(chat, sample_calendar.KNITTING)
            and mentions(chat, sample_calendar.HOMEWORK)
            and chat
        ),
    )
    state = await client.get("/api/state")
    assert state["deliveries"]["telegram"]["held"] > 0, "the flood guard held the rest"
    for title in SINGLE_TITLES:
        assert not mentions(chat, title), f"{title} was announced past the day's cap"
    # The announcement of the Strikkekafé shows its next date: the moved one, on Thursday.
    _, imported = await sentrum_feed(playground)
    knitting = [e for e in imported if e.title == sample_calendar.KNITTING]
    assert knitting[0].starts_at.astimezone(ZONE).weekday() == 3
    assert nb.format_day(knitting[0].starts_at) in mentions(chat, sample_calendar.KNITTING)[0]

    # "→ next summary" takes the clock past 17:00: one summary lists the held events.
    moved = await client.post("/api/clock", {"step": "summary"}, status=200)
    now = datetime.fromisoformat(moved["clock"]["now"]).astimezone(ZONE)
    assert now.weekday() == 2 and time(17, 0) <= now.time() < time(17, 5)
    headers = {
        nb.ngettext(
            "🗓 New in {network}: {n} event", "🗓 New in {network}: {n} events", n, network="Sentrum"
        )
        for n in range(1, 100)
    }

    def summary(chat: dict[str, Any]) -> Any:
        return next(
            (m for m in chat["messages"] if any(h in m["text"] for h in headers)),
            None,
        )

    found = await client.until(NEIGHBOUR_ID, summary)
    assert any(title in found["text"] for title in SINGLE_TITLES)
    # The series' other dates are not news: they are in no summary and no second notice.
    assert sample_calendar.KNITTING not in found["text"]
    assert sample_calendar.HOMEWORK not in found["text"]
    chat = await client.chat(NEIGHBOUR_ID)
    assert len(mentions(chat, sample_calendar.KNITTING)) == 1
    assert len(mentions(chat, sample_calendar.HOMEWORK)) == 1
    assert len([m for m in chat["messages"] if any(h in m["text"] for h in headers)]) == 1
    state = await client.get("/api/state")
    assert state["deliveries"]["telegram"]["held"] == 0, "the summary told what was held"
