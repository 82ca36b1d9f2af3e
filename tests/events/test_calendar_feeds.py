"""Calendar feeds against a real HTTP server on loopback that serves a changing calendar: the
first sync imports and announces, an unchanged feed costs a 304 and notifies no one, a moved
event tells those coming, an event gone from the feed is cancelled, and a failing or slow
server is tried again later and later."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.services import events, feeds, networks, residents
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from db.models import Answer, CalendarFeed, Event, EventStatus
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(*entries: tuple[str, str, datetime]) -> bytes:
    """A calendar as a club's site exports it: UID, SUMMARY, DTSTART/DTEND in UTC."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Larvik bibliotek//Arrangementer//NO"]
    for uid, title, start in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{_stamp(start - timedelta(days=30))}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + timedelta(hours=2))}",
            f"SUMMARY:{title}",
            "LOCATION:Larvik bibliotek",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass
class FeedServer:
    """Serves `body` at /events.ics with an ETag, answering 304 to a matching If-None-Match;
    `status` other than 200 is answered instead, `delay` seconds late."""

    port: int
    body: bytes = b""
    etag: str = '"v1"'
    status: int = 200
    delay: float = 0.0
    seen: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events.ics"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.Response(status=self.status, text="Internal Server Error")
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        return web.Response(
            body=self.body, content_type="text/calendar", headers={"ETag": self.etag}
        )


@pytest.fixture
async def server(reserved_port: int) -> AsyncIterator[FeedServer]:
    feed = FeedServer(reserved_port)
    app = web.Application()
    app.router.add_get("/events.ics", feed.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", reserved_port, reuse_address=True).start()
    yield feed
    await runner.cleanup()


async def _torstrand(app, resident):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    return view, kari


async def _sync(app, feed_id: int, force: bool = True) -> feeds.Synced:  # type: ignore[no-untyped-def]
    result = await feeds.sync_one(app.sessionmaker, app.catalogs, feed_id, force=force)
    assert result is not None
    return result


async def test_a_feed_is_imported_once_and_then_only_its_changes(app, resident, server):
    view, kari = await _torstrand(app, resident)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    server.body = calendar(
        ("quiz@bibliotek", "Quiz", soon), ("strikk@bibliotek", "Strikkekafé", soon)
    )
    async with app.sessionmaker() as session:
        added = await feeds.add_feed(
            session, Actor.operator(), view.id, server.url, timedelta(minutes=30)
        )
    [first] = await feeds.sync_due(app.sessionmaker, app.catalogs)
    assert (first.status, first.report["created"]) == ("ok", 2)
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    announced = [m.text for m in kari.messages if "Quiz" in m.text or "Strikkekafé" in m.text]
    assert len(announced) == 2
    # Not due again for 30 minutes: the scheduler's next minute does nothing.
    assert await feeds.sync_due(app.sessionmaker, app.catalogs) == []

    # Unchanged: a conditional request, a 304, no notice.
    before = len(kari.messages)
    again = await _sync(app, added.id)
    assert again.status == "unchanged"
    assert server.seen[-1].get("If-None-Match") == '"v1"'
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert len(kari.messages) == before

    # Kari is coming to the quiz; the library moves it and drops the knitting café.
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, kari.id, frozenset())
        quiz = await session.scalar(select(Event).where(Event.uid == "quiz@bibliotek"))
        assert quiz is not None
        await events.answer(session, actor, quiz.id, Answer.YES)
    server.body, server.etag = (
        calendar(("quiz@bibliotek", "Quiz", soon + timedelta(hours=1))),
        '"v2"',
    )
    changed = await _sync(app, added.id)
    assert changed.report == {
        "created": 0,
        "updated": 1,
        "cancelled": 1,
        "unchanged": 0,
        "skipped": 0,
    }
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    nb = app.catalogs.translator("nb")
    assert nb.gettext("✏️ An event you're going to has changed") in kari.last.text
    async with app.sessionmaker() as session:
        knitting = await session.scalar(select(Event).where(Event.uid == "strikk@bibliotek"))
        assert knitting is not None and knitting.status is EventStatus.CANCELLED
        stored = await session.get(CalendarFeed, added.id)
        assert stored is not None and stored.etag == '"v2"' and stored.failures == 0


async def test_a_failing_server_is_tried_later_and_later(app, resident, server):
    view, _ = await _torstrand(app, resident)
    server.status = 500
    async with app.sessionmaker() as session:
        added = await feeds.add_feed(session, Actor.operator(), view.id, server.url)
    waits = []
    for _ in range(3):
        result = await _sync(app, added.id)
        assert result.status == "error" and "HTTP 500" in (result.error or "")
        async with app.sessionmaker() as session:
            stored = await session.get(CalendarFeed, added.id)
            assert stored is not None and stored.last_checked_at is not None
            waits.append(stored.next_check_at - stored.last_checked_at)
    assert waits == [timedelta(hours=2), timedelta(hours=4), timedelta(hours=8)]
    # Back up: the failures are forgotten and the usual hour applies again.
    server.status = 200
    server.body = calendar(("quiz@bibliotek", "Quiz", datetime.now(UTC) + timedelta(days=2)))
    result = await _sync(app, added.id)
    assert result.status == "ok"
    async with app.sessionmaker() as session:
        stored = await session.get(CalendarFeed, added.id)
        assert stored is not None and stored.failures == 0
        assert stored.last_checked_at is not None
        assert stored.next_check_at - stored.last_checked_at == timedelta(hours=1)


async def test_a_slow_server_and_a_page_that_is_no_calendar_are_errors(
    app, resident, server, monkeypatch
):
    view, _ = await _torstrand(app, resident)
    async with app.sessionmaker() as session:
        added = await feeds.add_feed(session, Actor.operator(), view.id, server.url)
    monkeypatch.setattr(feeds, "TIMEOUT", 0.2)
    server.delay = 1.0
    slow = await _sync(app, added.id)
    assert slow.status == "error" and "did not answer" in (slow.error or "")
    server.delay, server.body = 0.0, b"<html><body>Not found</body></html>"
    wrong = await _sync(app, added.id)
    assert wrong.status == "error" and "not a calendar" in (wrong.error or "")


async def test_only_hosts_follow_feeds_and_urls_are_checked(app, resident, server):
    view, kari = await _torstrand(app, resident)
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, kari.id, frozenset())
        from bot.services.errors import PermissionDenied

        with pytest.raises(PermissionDenied):
            await feeds.add_feed(session, actor, view.id, server.url)
        for bad in ("ftp://example.org/x.ics", "https://user:secret@example.org/x.ics", "x"):
            with pytest.raises(InvalidInput):
                await feeds.add_feed(session, Actor.operator(), view.id, bad)
        with pytest.raises(InvalidInput):
            await feeds.add_feed(
                session, Actor.operator(), view.id, server.url, timedelta(minutes=1)
            )
        await feeds.add_feed(session, Actor.operator(), view.id, server.url)
        with pytest.raises(InvalidInput):
            await feeds.add_feed(session, Actor.operator(), view.id, server.url)


@pytest.fixture
def threaded_server(reserved_port: int) -> Iterator[str]:
    """The calendar served from a thread of its own: the command line runs its own event loop
    in the test's thread, so a server on the test's loop would never answer it."""
    body = calendar(("quiz@bibliotek", "Quiz", datetime.now(UTC) + timedelta(days=4)))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: a test's output is for its own failures."""

    ThreadingHTTPServer.allow_reuse_address = True
    httpd = ThreadingHTTPServer(("127.0.0.1", reserved_port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{reserved_port}/events.ics"
    httpd.shutdown()
    httpd.server_close()


def test_the_command_line_adds_lists_syncs_and_removes(cli, threaded_server):
    url = threaded_server
    made = cli("network", "add", "torstrand", "Torstrand")
    assert made.exit_code == 0, made.output
    added = cli("feed", "add", "--network", "torstrand", "--every", "30m", url)
    assert added.exit_code == 0, added.output
    synced = cli("feed", "sync", "1")
    assert synced.exit_code == 0 and "created 1" in synced.output
    listed = cli("feed", "list")
    assert "torstrand" in listed.output and "every 30 min" in listed.output
    assert "created 1" in listed.output
    bad = cli("feed", "add", "--network", "torstrand", "ftp://example.org/x.ics")
    assert bad.exit_code != 0
    assert bad.output.strip().splitlines()[-1].endswith("must be an http:// or https:// address")
    every = cli("feed", "add", "--network", "torstrand", "--every", "often", url)
    assert every.exit_code != 0 and "Traceback" not in every.output
    assert cli("feed", "remove", "1").exit_code == 0
    assert "no feeds yet" in cli("feed", "list").output
    gone = cli("feed", "sync", "1")
    assert gone.exit_code != 0 and "no feed 1" in gone.output


async def test_the_host_sees_the_last_sync_on_the_network_card(app, resident, server):
    view, kari = await _torstrand(app, resident)
    hilde = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
        added = await feeds.add_feed(session, Actor.operator(), view.id, server.url)
    server.body = calendar(("quiz@bibliotek", "Quiz", datetime.now(UTC) + timedelta(days=2)))
    await _sync(app, added.id)
    nb = app.catalogs.translator("nb")
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    card = hilde.last.text
    assert "📡 127.0.0.1: " in card
    assert (
        nb.gettext(
            "Last change: {created} new, {updated} changed, {cancelled} cancelled.",
            created="1",
            updated="0",
            cancelled="0",
        )
        in card
    )
    # A member sees the network, not its feeds.
    await kari.send("/networks")
    await kari.press("Torstrand")
    assert "📡" not in kari.last.text
    server.status = 503
    await _sync(app, added.id)
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    assert "📡 127.0.0.1: " in hilde.last.text and "Last change" not in hilde.last.text


async def test_a_series_gone_from_the_feed_is_told_once_to_those_coming_every_time(
    app, resident, server
):
    view, kari = await _torstrand(app, resident)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    weekly = calendar(("strikk@bibliotek", "Strikkekafé", soon)).replace(
        b"SUMMARY:Strikkekaf", b"RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Strikkekaf"
    )
    server.body = weekly + b""
    async with app.sessionmaker() as session:
        added = await feeds.add_feed(
            session, Actor.operator(), view.id, server.url, timedelta(minutes=30)
        )
    first = await _sync(app, added.id)
    assert first.report["created"] == 4
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    # Announced once, as a series.
    assert sum("Strikkekafé" in m.text for m in kari.messages) == 1
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, kari.id, frozenset())
        [series_id] = set(await session.scalars(select(Event.series_id)))
        assert series_id is not None
        await events.answer_series(session, actor, series_id, Answer.YES)
    # The library drops the series: its four dates are cancelled, Kari told once.
    server.body, server.etag = calendar(("quiz@bibliotek", "Quiz", soon)), '"v2"'
    gone = await _sync(app, added.id)
    assert gone.report["cancelled"] == 4
    before = len(kari.messages)
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    nb = app.catalogs.translator("nb")
    cancelled = [
        m.text
        for m in kari.messages[before:]
        if nb.gettext("❌ An event you were going to is cancelled") in m.text
    ]
    assert len(cancelled) == 1 and "Strikkekafé" in cancelled[0]
