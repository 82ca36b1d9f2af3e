"""Calendars residents take out of the bot: one event as a file, and subscribable feeds.

A file (`download`) is one event in the reader's language: the host's translation, else a
machine translation (asked for when a translator is configured), else the original. Its name
comes from the title, made safe for any file system (`file_name`).

A feed is a calendar a phone subscribes to by URL and reads again by itself. Its URL holds an
unguessable token (`secrets.token_urlsafe`, 256 bits), made when first asked for:

- a resident's token serves the events of every network they are in, in their language;
- a network's token serves that network's events in the municipality's default language, for
  hosts to share (on a notice board, a web page).

Anyone who has the URL can read the feed, so the token is a secret: it is never logged, a
new one (`renew_*`) revokes the old, and /forget deletes the resident's with the resident.
A feed serves the published and cancelled events (cancelled ones marked STATUS:CANCELLED, so
a subscribed calendar shows them cancelled instead of silently dropping them) that end at
most `PAST_DAYS` ago and start within `AHEAD_DAYS`, read `PAGE_SIZE` at a time. Machine
translations come from the cache only: a calendar app polling a feed must not cost a request
to the translator per event.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs
from bot.services import events
from bot.services.actors import Actor
from bot.services.events.hosting import require_host
from bot.services.networks.views import NetworkName, network_names
from db.models import Event, EventStatus
from db.queries import calendars as q
from db.queries import events as eq
from db.session import session_now

if TYPE_CHECKING:  # icalendar is imported only when a calendar is written (start-up time)
    from bot.machine_translation.service import MachineTranslation
    from bot.services.calendar_files import CalendarEvent

CONTENT_TYPE = "text/calendar; charset=utf-8"
PAST_DAYS = 30  # a feed keeps what happened lately: "when was that?" is a common question
AHEAD_DAYS = 400  # and what is planned within a year and a bit, like an import
PAGE_SIZE = 200  # events read, translated and written at a time
# How often a subscribed calendar should read the feed again (REFRESH-INTERVAL): our events
# change by the day, and each read costs a rendering.
REFRESH = timedelta(hours=1)
_TOKEN_BYTES = 32
# What `secrets.token_urlsafe(32)` makes (43 characters), with room: anything else is not a
# token of ours and is refused before any query.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_NAME_MAX = 40  # characters of the title in a file name
# Latin letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L"}
    | {"ß": "ss", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def feed_url(base_url: str, token: str) -> str:
    """Where a feed is read: `<base>/calendar/<token>.ics`."""
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


def file_name(title: str, day: date, event_id: int) -> str:
    """`sprakkafe-pa-biblioteket-2027-03-03.ics`: the title folded to ASCII letters and
    digits, and the day. A title with no Latin letters at all (Ukrainian, Arabic, Tigrinya...)
    gives `naboskap-event-<id>.ics`: dropping its letters would leave nothing to recognise."""
    folded = unicodedata.normalize("NFKD", title.translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:_NAME_MAX].strip("-")
    if not re.search(r"[a-z]", slug):
        return f"naboskap-event-{event_id}.ics"
    return f"{slug}-{day.isoformat()}.ics"


# ---- One event as a file


@dataclass(frozen=True)
class CalendarDownload:
    file_name: str
    data: bytes
    content_type: str = CONTENT_TYPE


async def download(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    catalogs: Catalogs,
    locale: str,
    machine: MachineTranslation | None = None,
) -> CalendarDownload:
    """The event as an .ics file for a member's own calendar, in `locale`."""
    from bot.services.calendar_files import event_file

    view = await events.translated(await events.get(session, actor, event_id), machine, (locale,))
    event = await eq.get(session, event_id)
    title, description, _ = view.text_for(locale)
    entry = _entry(
        view.id,
        title,
        description,
        view.place,
        view.starts_at,
        view.ends_at,
        all_day=bool(event is not None and event.all_day),
        cancelled=view.status is EventStatus.CANCELLED,
    )
    data = event_file(entry, zone=catalogs.zone, stamped_at=session_now(session))
    day = view.starts_at.astimezone(catalogs.zone).date()
    return CalendarDownload(file_name(title, day, view.id), data)


def _entry(
    event_id: int,
    title: str,
    description: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime | None,
    *,
    all_day: bool,
    cancelled: bool,
) -> CalendarEvent:
    from bot.services.calendar_files import CalendarEvent

    # The UID stays the same in every language and in the file and the feeds alike, so a
    # calendar that has the event from one of them updates it instead of adding a second.
    return CalendarEvent(
        uid=f"naboskap-event-{event_id}",
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        description=description,
        all_day=all_day,
        cancelled=cancelled,
    )


# ---- Tokens


@dataclass(frozen=True)
class NetworkFeed:
    network_id: int
    name: str  # in the reader's language
    token: str


async def resident_token(session: AsyncSession, actor: Actor, *, renew: bool = False) -> str:
    """The acting resident's feed token, made now if they had none; `renew` replaces it (the
    old URL stops working at once)."""
    resident_id = actor.require_resident()
    token = None if renew else await q.resident_token(session, resident_id)
    if token is None:
        token = new_token()
        await q.set_resident_token(session, resident_id, token)
        await session.commit()
    return token


async def network_feeds(session: AsyncSession, actor: Actor) -> list[NetworkFeed]:
    """The feeds of the live networks the actor hosts (a coordinator: of every live network
    they are in), tokens made where missing."""
    resident_id = actor.require_resident()
    found = await q.hosted_networks(session, resident_id, any_role=actor.is_coordinator)
    made = False
    tokens: dict[int, str] = {}
    for network_id, token in found:
        if token is None:
            token, made = new_token(), True
            await q.set_network_token(session, network_id, token)
        tokens[network_id] = token
    if made:
        await session.commit()
    names = await network_names(session, list(tokens))
    return [
        NetworkFeed(i, names.get(i, NetworkName("")).in_locale(actor.locale), token)
        for i, token in tokens.items()
    ]


async def renew_network_token(session: AsyncSession, actor: Actor, network_id: int) -> None:
    """A new feed token for a network its host or a coordinator manages; the old URL stops
    working at once."""
    await require_host(session, actor, network_id)
    await q.set_network_token(session, network_id, new_token())
    await session.commit()


# ---- Feeds


@dataclass(frozen=True)
class Feed:
    """What one token serves."""

    name: str  # the calendar's name in the reader's calendar app
    locale: str
    network_ids: tuple[int, ...]


async def find_feed(session: AsyncSession, token: str, catalogs: Catalogs) -> Feed | None:
    """The feed `token` opens, or None: no such token (or not even the shape of one)."""
    if not _TOKEN_SHAPE.match(token):
        return None
    resident = await q.resident_by_token(session, token)
    if resident is not None:
        locale = resident.locale or catalogs.default_locale
        ids = await q.member_network_ids(session, resident.id)
        return Feed("Naboskap", locale, tuple(ids))
    network = await q.network_by_token(session, token)
    if network is None:
        return None
    locale = catalogs.default_locale
    name = (await network_names(session, [network.id])).get(network.id, NetworkName(""))
    return Feed(f"Naboskap · {name.in_locale(locale)}", locale, (network.id,))


class FeedBody:
    """A feed's text, written a page of events at a time (`chunks`). `last_changed` is the
    latest change of an event written, once the chunks are all read."""

    def __init__(
        self,
        session: AsyncSession,
        feed: Feed,
        catalogs: Catalogs,
        machine: MachineTranslation | None = None,
    ) -> None:
        self._session = session
        self._feed = feed
        self._catalogs = catalogs
        self._machine = machine
        self.last_changed: datetime | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        from bot.services.calendar_files import event_component

        now = session_now(self._session)
        since, until = now - timedelta(days=PAST_DAYS), now + timedelta(days=AHEAD_DAYS)
        zone = self._catalogs.zone
        yield self._header(since, until)
        names = await network_names(self._session, self._feed.network_ids)
        after: tuple[datetime, int] | None = None
        while True:
            page = await q.feed_page(
                self._session, self._feed.network_ids, since, until, after, PAGE_SIZE
            )
            texts = await eq.texts(self._session, [e.id for e in page])
            for event in page:
                title, description = await self._texts(event, texts.get(event.id, {}))
                entry = _entry(
                    event.id,
                    title,
                    description,
                    event.place,
                    event.starts_at,
                    event.ends_at,
                    all_day=event.all_day,
                    cancelled=event.status is EventStatus.CANCELLED,
                )
                network = names.get(event.network_id, NetworkName(""))
                vevent = event_component(
                    entry, zone=zone, organizer_name=network.in_locale(self._feed.locale)
                )
                # Stamped with the event's last change, not the time of reading: the same
                # events make the same bytes, which is what the feed's ETag relies on.
                changed = event.updated_at.astimezone(UTC).replace(microsecond=0)
                vevent.add("dtstamp", changed)
                vevent.add("last-modified", changed)
                self.last_changed = max(self.last_changed or changed, changed)
                written: bytes = vevent.to_ical()
                yield written
            if len(page) < PAGE_SIZE:
                break
            after = (page[-1].starts_at, page[-1].id)
        yield b"END:VCALENDAR\r\n"

    def _header(self, since: datetime, until: datetime) -> bytes:
        import icalendar

        from bot.services.calendar_files import PRODID

        zone = self._catalogs.zone
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", self._feed.name)
        calendar.add("x-wr-timezone", zone.key)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                zone,
                first_date=date(since.year, 1, 1),
                last_date=date(until.year + 1, 1, 1),
            )
        )
        whole: bytes = calendar.to_ical()
        # The events follow one page at a time, then the END line (`chunks`).
        return whole.removesuffix(b"END:VCALENDAR\r\n")

    async def _texts(self, event: Event, human: dict[str, tuple[str, str]]) -> tuple[str, str]:
        locale = self._feed.locale
        if locale in human:
            return human[locale]
        if locale != event.locale and self._machine is not None:
            found = await self._machine.cached(
                [event.title, event.description], event.locale, locale
            )
            if found is not None:
                return found[0], found[1]
        return event.title, event.description
