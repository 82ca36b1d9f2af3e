"""Calendar feeds: a network follows the iCalendar URLs that libraries, clubs and the
municipality already publish, so hosts need not type those events again (issue 14).

The scheduler syncs each feed when it is due (`sync_due`): a conditional request (ETag /
If-Modified-Since), so an unchanged feed costs a 304 and no parsing; a changed one is imported
as a file is (`events.import_calendar`: by UID, so nothing is announced twice), and an event
the feed no longer lists is cancelled, those coming told. A feed that fails is tried again
later and later (doubling, at most a day), and its host sees the last sync and what it did.

A feed's URL is the operator's or host's input: only http and https, no credentials kept in
what is shown or logged (a `user:password@` part is refused), bodies bounded in size."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.events.hosting import cancel, require_host
from db.models import CalendarFeed
from db.queries import feeds as q
from db.session import clock_of, session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

log = logging.getLogger("naboskap.feeds")

MIN_EVERY = timedelta(minutes=15)
MAX_EVERY = timedelta(days=7)
DEFAULT_EVERY = timedelta(hours=1)
MAX_BACKOFF = timedelta(days=1)
MAX_BYTES = 10 * 1024 * 1024  # a year of a busy library's events is a few hundred kB
TIMEOUT = 30.0
PER_ROUND = 20  # feeds synced per scheduler run; the rest wait for the next minute


@dataclass(frozen=True)
class FeedView:
    id: int
    network_id: int
    url: str
    every: timedelta
    last_checked_at: datetime | None
    last_synced_at: datetime | None
    status: str | None  # "ok", "unchanged", "error"
    error: str | None
    report: dict[str, int]
    next_check_at: datetime


def view_of(feed: CalendarFeed) -> FeedView:
    return FeedView(
        id=feed.id,
        network_id=feed.network_id,
        url=feed.url,
        every=timedelta(seconds=feed.every_seconds),
        last_checked_at=feed.last_checked_at,
        last_synced_at=feed.last_synced_at,
        status=feed.last_status,
        error=feed.last_error,
        report=json.loads(feed.last_report) if feed.last_report else {},
        next_check_at=feed.next_check_at,
    )


def clean_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", "not_http")
    if parts.username or parts.password:
        raise InvalidInput("url", "credentials")
    if len(url) > 2000:
        raise InvalidInput("url", "too_long", 2000)
    return url


async def add_feed(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    url: str,
    every: timedelta = DEFAULT_EVERY,
) -> FeedView:
    """Follow `url` in the network (its hosts or a coordinator); the first sync is due now."""
    await require_host(session, actor, network_id)
    url = clean_url(url)
    if not MIN_EVERY <= every <= MAX_EVERY:
        raise InvalidInput("every", "out_of_range")
    if await q.by_url(session, network_id, url) is not None:
        raise InvalidInput("url", "already_followed")
    feed = CalendarFeed(
        network_id=network_id,
        url=url,
        every_seconds=int(every.total_seconds()),
        next_check_at=session_now(session),
        failures=0,
    )
    session.add(feed)
    await session.commit()
    return view_of(feed)


async def list_feeds(
    session: AsyncSession, actor: Actor, network_id: int | None = None
) -> list[FeedView]:
    """The feeds of a network (its hosts, a coordinator) or of every network (a coordinator)."""
    if network_id is None:
        actor.require_coordinator()
    else:
        await require_host(session, actor, network_id)
    return [view_of(feed) for feed in await q.listed(session, network_id)]


async def remove_feed(session: AsyncSession, actor: Actor, feed_id: int) -> FeedView:
    """Stop following a feed. Its events stay (they were announced); they are no longer
    updated or cancelled by it."""
    feed = await q.get(session, feed_id)
    if feed is None:
        raise NotFound()
    await require_host(session, actor, feed.network_id)
    view = view_of(feed)
    await session.delete(feed)
    await session.commit()
    return view


# ---- fetching --------------------------------------------------------------------------------


class FeedUnavailable(Exception):
    """The feed could not be read; the message says why in one line (never the URL's query,
    which may hold a private calendar's key)."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the last sync
    etag: str | None
    last_modified: str | None


Fetch = Callable[[str, str | None, str | None], Awaitable[Fetched]]


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"


async def fetch(url: str, etag: str | None, last_modified: str | None) -> Fetched:
    """GET the feed, conditionally; at most MAX_BYTES, within TIMEOUT."""
    headers = {"User-Agent": "Naboskap calendar feed (+https://naboskap.invalid)"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.get(url, headers=headers, allow_redirects=True, max_redirects=5) as response,
        ):
            if response.status == 304:
                return Fetched(None, etag, last_modified)
            if response.status != 200:
                raise FeedUnavailable(f"{_where(url)} answered HTTP {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FeedUnavailable(f"{_where(url)} sent more than {MAX_BYTES // 2**20} MB")
            return Fetched(
                bytes(body), response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
    except TimeoutError:
        raise FeedUnavailable(f"{_where(url)} did not answer within {TIMEOUT:.0f} s") from None
    except aiohttp.ClientError as error:
        raise FeedUnavailable(
            f"{_where(url)} could not be reached ({type(error).__name__})"
        ) from None


# ---- syncing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synced:
    feed_id: int
    status: str
    report: dict[str, int]
    error: str | None = None


def backoff(every: timedelta, failures: int) -> timedelta:
    """How long after a failure to try again: the feed's interval, doubled for each failure
    in a row, at most a day (a server that is down for a weekend is not asked every hour)."""
    longest = max(MAX_BACKOFF, every)
    later: timedelta = every * (2 ** min(failures, 16))
    return min(later, longest)


async def sync_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    *,
    machine: MachineTranslation | None = None,
    fetcher: Fetch = fetch,
    limit: int = PER_ROUND,
) -> list[Synced]:
    """Sync the feeds that are due (at most `limit`); two processes never sync one twice."""
    now = clock_of(sessionmaker)()
    async with sessionmaker() as session:
        due = await q.due(session, now, limit)
    results = []
    for feed_id in due:
        result = await sync_one(sessionmaker, catalogs, feed_id, machine=machine, fetcher=fetcher)
        if result is not None:
            results.append(result)
    return results


async def sync_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    feed_id: int,
    *,
    machine: MachineTranslation | None = None,
    fetcher: Fetch = fetch,
    force: bool = False,
) -> Synced | None:
    """Fetch and import one feed now. None when another process has just claimed it."""
    now = clock_of(sessionmaker)()
    async with sessionmaker() as session:
        feed = await q.get(session, feed_id)
        if feed is None:
            return None
        if not force and feed.next_check_at > now:
            return None  # not due (another process synced it a moment ago)
        # Claimed until its next regular check: of two processes one syncs it, and a crash
        # mid-sync leaves it to be tried again then.
        every = timedelta(seconds=feed.every_seconds)
        claimed = await q.claim(session, feed.id, feed.next_check_at, now + every)
        await session.commit()
        if not claimed:
            return None
        url, etag, modified = feed.url, feed.etag, feed.last_modified
    try:
        fetched = await fetcher(url, etag, modified)
    except FeedUnavailable as error:
        return await _failed(sessionmaker, feed_id, str(error), now)
    if fetched.body is None:
        return await _record(sessionmaker, feed_id, now, "unchanged", None, fetched)
    try:
        report = await _import(sessionmaker, catalogs, feed_id, fetched.body, now, machine)
    except ValueError as error:  # CalendarError: not a calendar at all
        return await _failed(sessionmaker, feed_id, f"not a calendar: {error}"[:250], now)
    return await _record(sessionmaker, feed_id, now, "ok", report, fetched)


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    feed_id: int,
    body: bytes,
    now: datetime,
    machine: MachineTranslation | None,
) -> dict[str, int]:
    # icalendar is imported only when a feed is read (start-up stays light: issue 12).
    from bot.services.calendar_files import read_calendar
    from bot.services.events.imports import import_calendar

    read = await asyncio.to_thread(read_calendar, body, catalogs.zone, now=now)
    operator = Actor.operator()
    async with sessionmaker() as session:
        feed = await q.get(session, feed_id)
        if feed is None:
            return {}
        network_id = feed.network_id
        result = await import_calendar(session, operator, catalogs, network_id, read, now=now)
        # Still in the feed: what was imported, and what was skipped this time (an event the
        # feed lists but that does not read now is not cancelled for it).
        present = {entry.uid for entry in read.events} | {s.where for s in read.skipped}
        await q.mark_events(session, network_id, feed_id, {e.uid for e in read.events})
        await session.commit()
        gone = await q.gone_from_feed(session, feed_id, present, now)
        # A series gone from the feed: those coming to every date are told once.
        told: set[int] = set()
        for event in sorted(gone, key=lambda e: (e.starts_at, e.id)):
            first = event.series_id is None or event.series_id not in told
            if event.series_id is not None:
                told.add(event.series_id)
            await cancel(
                session, operator, catalogs, event.id, now=now, machine=machine, tell_series=first
            )
    return {
        "created": len(result.created),
        "updated": len(result.updated),
        "cancelled": len(result.cancelled) + len(gone),
        "unchanged": result.unchanged,
        "skipped": len(result.skipped),
    }


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_id: int,
    now: datetime,
    status: str,
    report: dict[str, int] | None,
    fetched: Fetched,
) -> Synced:
    async with sessionmaker() as session:
        feed = await q.get(session, feed_id)
        if feed is None:
            return Synced(feed_id, status, report or {})
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        feed.last_checked_at = feed.last_synced_at = now
        feed.last_status, feed.last_error, feed.failures = status, None, 0
        if report is not None:
            feed.last_report = json.dumps(report)
        feed.next_check_at = now + timedelta(seconds=feed.every_seconds)
        await session.commit()
        return Synced(feed_id, status, report or view_of(feed).report)


async def _failed(
    sessionmaker: async_sessionmaker[AsyncSession], feed_id: int, why: str, now: datetime
) -> Synced:
    log.warning("calendar feed %d: %s", feed_id, why)
    async with sessionmaker() as session:
        feed = await q.get(session, feed_id)
        if feed is None:
            return Synced(feed_id, "error", {}, why)
        feed.failures += 1
        feed.last_checked_at, feed.last_status, feed.last_error = now, "error", why[:255]
        feed.next_check_at = now + backoff(timedelta(seconds=feed.every_seconds), feed.failures)
        await session.commit()
        return Synced(feed_id, "error", {}, why)
