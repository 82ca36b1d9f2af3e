"""The operator's view of events: every network's events a page at a time, one event in full,
and how many a change or cancellation would tell. For coordinators (the command line's
operator is one); residents and hosts see events through `attending` and `hosting`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import NotFound
from db.models import Answer, EventStatus, Network
from db.queries import events as q
from db.queries import feeds as fq

PAGE = 1000  # events read at once: memory stays flat and a page's counts are one query


@dataclass(frozen=True)
class EventRow:
    """An event as a list shows it: its network by slug, its status, and how many are coming
    or maybe coming (those coming to every date of its series included)."""

    id: int
    network: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    place: str
    status: EventStatus
    series_id: int | None  # a date of a recurring series; None for a single event
    coming: int
    maybe: int


@dataclass(frozen=True)
class EventDetails(EventRow):
    """One event in full, for `naboskap event show`."""

    cant_come: int
    description: str
    locale: str  # the language the host wrote in
    languages: tuple[str, ...]  # those the host also wrote it in, sorted
    no_norwegian_needed: bool
    uid: str
    feed_id: int | None  # the calendar feed it came from, if any
    feed_url: str | None
    created_at: datetime
    updated_at: datetime


async def page(
    session: AsyncSession,
    actor: Actor,
    *,
    not_over_at: datetime,
    network_id: int | None = None,
    after: EventRow | None = None,
    limit: int = PAGE,
) -> list[EventRow]:
    """A page of events (published and cancelled) not over at `not_over_at`, soonest first;
    the next page starts `after` the last row of this one (an empty page is the end)."""
    actor.require_coordinator()
    rows = await q.listing_page(
        session,
        not_over_at=not_over_at,
        network_id=network_id,
        after=(after.starts_at, after.id) if after is not None else None,
        limit=limit,
    )
    counts = await q.counts(session, [row.id for row in rows])
    return [
        EventRow(
            *row,
            coming=counts.get(row.id, {}).get(Answer.YES, 0),
            maybe=counts.get(row.id, {}).get(Answer.MAYBE, 0),
        )
        for row in rows
    ]


async def details(session: AsyncSession, actor: Actor, event_id: int) -> EventDetails:
    actor.require_coordinator()
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    network = await session.get(Network, event.network_id)
    counts = (await q.counts(session, [event.id])).get(event.id, {})
    texts = (await q.texts(session, [event.id])).get(event.id, {})
    feed = await fq.get(session, event.feed_id) if event.feed_id is not None else None
    return EventDetails(
        id=event.id,
        network=network.slug if network is not None else "",
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=bool(event.all_day),
        place=event.place,
        status=EventStatus(event.status),
        series_id=event.series_id,
        coming=counts.get(Answer.YES, 0),
        maybe=counts.get(Answer.MAYBE, 0),
        cant_come=counts.get(Answer.NO, 0),
        description=event.description,
        locale=event.locale,
        languages=tuple(sorted(texts)),
        no_norwegian_needed=bool(event.no_norwegian_needed),
        uid=event.uid,
        feed_id=event.feed_id,
        feed_url=feed.url if feed is not None else None,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )
