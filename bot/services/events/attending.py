"""The member's side of events: one event of their networks, answering coming / maybe /
can't come, and the upcoming list with counts and their own answers. (An event as a file for
their own calendar is `bot.services.calendar_subscriptions.download`.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.events.views import (
    EventView,
    has_happened,
    load_view,
    make_view,
    many_series,
)
from bot.services.networks.views import NetworkName, network_names
from db.models import Answer, EventStatus
from db.queries import events as q
from db.queries import networks as nq
from db.session import session_now


async def get(session: AsyncSession, actor: Actor, event_id: int) -> EventView:
    """An event of one of the actor's networks (or any, for a coordinator)."""
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    if not actor.is_coordinator:
        resident_id = actor.require_resident()
        if await nq.membership(session, resident_id, event.network_id) is None:
            raise NotFound()
    return await load_view(session, event, actor.resident_id)


async def answer(
    session: AsyncSession, actor: Actor, event_id: int, reply: Answer, now: datetime | None = None
) -> EventView:
    """Record coming / maybe / can't come for a member of the event's network."""
    resident_id = actor.require_resident()
    event = await q.get(session, event_id)
    if event is None or await nq.membership(session, resident_id, event.network_id) is None:
        raise NotFound()
    if event.status is not EventStatus.PUBLISHED or has_happened(
        event, now or session_now(session)
    ):
        raise InvalidInput("event", "closed")
    await q.set_answer(session, event_id, resident_id, reply)
    await session.commit()
    return await load_view(session, event, resident_id)


async def upcoming(
    session: AsyncSession,
    actor: Actor,
    offset: int = 0,
    limit: int = 5,
    now: datetime | None = None,
) -> tuple[list[EventView], int]:
    """Upcoming events in my networks, soonest first, with RSVP counts and my answer; a
    series by its next date."""
    resident_id = actor.require_resident()
    found, total = await q.upcoming_for(
        session, resident_id, now or session_now(session), max(offset, 0), limit
    )
    ids = [e.id for e in found]
    texts, counts, mine = (
        await q.texts(session, ids),
        await q.counts(session, ids),
        await q.answers_of(session, resident_id, ids),
    )
    names = await network_names(session, {e.network_id for e in found})
    series = await many_series(session, found, resident_id)
    views = [
        make_view(
            e,
            names.get(e.network_id, NetworkName("")),
            texts.get(e.id, {}),
            counts.get(e.id, {}),
            mine.get(e.id),
            series.get(e.id),
        )
        for e in found
    ]
    return views, total


async def next_of_series(
    session: AsyncSession, actor: Actor, series_id: int, now: datetime | None = None
) -> EventView | None:
    """The next date of a series still to come, as the actor sees it (None: none is left)."""
    event = await q.next_in_series(session, series_id, now or session_now(session))
    if event is None:
        return None
    return await get(session, actor, event.id)
