"""Events by the local day they start (published ones: not drafts, not cancelled) and the
"yes" answers to them. A "yes" to a whole series counts for each of its dates the resident
did not answer otherwise."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Answer, Event, EventStatus, Rsvp, SeriesRsvp
from db.queries.insight.local_days import Window, as_date


async def event_days(
    session: AsyncSession, window: Window, network_id: int | None = None
) -> dict[date, tuple[int, int]]:
    """Day -> (events, "yes" answers). Answers are counted per event first (along the
    answers' primary key, event by event), then events by day: a year of answers is hundreds
    of thousands of rows, a year of events a few thousand."""
    events = select(Event.id).where(
        window.contains(Event.starts_at), Event.status == EventStatus.PUBLISHED
    )
    if network_id is not None:
        events = events.where(Event.network_id == network_id)
    own = (
        select(Rsvp.event_id.label("event_id"), func.count().label("n"))
        .where(Rsvp.event_id.in_(events.scalar_subquery()), Rsvp.answer == Answer.YES)
        .group_by(Rsvp.event_id)
        .subquery()
    )
    answered = (
        select(Rsvp.event_id)
        .where(Rsvp.event_id == Event.id, Rsvp.resident_id == SeriesRsvp.resident_id)
        .correlate(Event, SeriesRsvp)
    )
    whole_series = (
        select(Event.id.label("event_id"), func.count().label("n"))
        .join(
            SeriesRsvp,
            and_(SeriesRsvp.series_id == Event.series_id, SeriesRsvp.answer == Answer.YES),
        )
        .where(Event.id.in_(events.scalar_subquery()), ~answered.exists())
        .group_by(Event.id)
        .subquery()
    )
    day = window.day(Event.starts_at).label("day")
    query = (
        select(
            day,
            func.count(),
            func.coalesce(func.sum(own.c.n), 0) + func.coalesce(func.sum(whole_series.c.n), 0),
        )
        .outerjoin(own, own.c.event_id == Event.id)
        .outerjoin(whole_series, whole_series.c.event_id == Event.id)
        .where(Event.id.in_(events.scalar_subquery()))
        .group_by(day)
    )
    return {as_date(d): (int(n), int(yes)) for d, n, yes in await session.execute(query)}
