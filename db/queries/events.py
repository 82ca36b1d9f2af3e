"""Events, their host-written translations and RSVPs."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import (
    Answer,
    Event,
    EventSeries,
    EventStatus,
    EventText,
    Membership,
    Network,
    Resident,
    Rsvp,
    SeriesRsvp,
)
from db.session import session_now


async def get(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


async def by_uid(session: AsyncSession, network_id: int, uid: str) -> Event | None:
    return await session.scalar(
        select(Event).where(Event.network_id == network_id, Event.uid == uid)
    )


async def texts(
    session: AsyncSession, event_ids: list[int]
) -> dict[int, dict[str, tuple[str, str]]]:
    found: dict[int, dict[str, tuple[str, str]]] = {}
    if not event_ids:
        return found
    rows = await session.scalars(select(EventText).where(EventText.event_id.in_(event_ids)))
    for row in rows:
        found.setdefault(row.event_id, {})[row.locale] = (row.title, row.description)
    return found


async def replace_texts(
    session: AsyncSession, event_id: int, versions: dict[str, tuple[str, str]]
) -> None:
    await session.execute(delete(EventText).where(EventText.event_id == event_id))
    for locale, (title, description) in versions.items():
        session.add(
            EventText(event_id=event_id, locale=locale, title=title, description=description)
        )


def _answers(event_ids: list[int]) -> Subquery:
    """(event_id, resident_id, answer) for these events: each date's own answers, and the
    answers to every date of its series where the resident did not answer the date (the
    date's own answer wins)."""
    own = select(Rsvp.event_id, Rsvp.resident_id, Rsvp.answer).where(Rsvp.event_id.in_(event_ids))
    answered_the_date = exists().where(
        Rsvp.event_id == Event.id, Rsvp.resident_id == SeriesRsvp.resident_id
    )
    by_series = (
        select(Event.id, SeriesRsvp.resident_id, SeriesRsvp.answer)
        .join(SeriesRsvp, SeriesRsvp.series_id == Event.series_id)
        .where(Event.id.in_(event_ids), ~answered_the_date)
    )
    return union_all(own, by_series).subquery()


async def counts(session: AsyncSession, event_ids: list[int]) -> dict[int, dict[Answer, int]]:
    """Answers per event, counting those who are coming to every date of its series."""
    found: dict[int, dict[Answer, int]] = {}
    if not event_ids:
        return found
    answers = _answers(event_ids)
    rows = await session.execute(
        select(answers.c.event_id, answers.c.answer, func.count()).group_by(
            answers.c.event_id, answers.c.answer
        )
    )
    for event_id, answer, count in rows:
        found.setdefault(int(event_id), {})[Answer(answer)] = int(count)
    return found


async def answers_of(
    session: AsyncSession, resident_id: int, event_ids: list[int]
) -> dict[int, Answer]:
    """The resident's answer to each event: their own for the date, else the one they gave
    to every date of its series."""
    if not event_ids:
        return {}
    answers = _answers(event_ids)
    rows = await session.execute(
        select(answers.c.event_id, answers.c.answer).where(answers.c.resident_id == resident_id)
    )
    return {int(e): Answer(a) for e, a in rows}


async def series_answers_of(
    session: AsyncSession, resident_id: int, series_ids: list[int]
) -> dict[int, Answer]:
    """The resident's answers to every date of these series."""
    if not series_ids:
        return {}
    rows = await session.execute(
        select(SeriesRsvp.series_id, SeriesRsvp.answer).where(
            SeriesRsvp.resident_id == resident_id, SeriesRsvp.series_id.in_(series_ids)
        )
    )
    return {int(s): Answer(a) for s, a in rows}


async def set_series_answer(
    session: AsyncSession, series_id: int, resident_id: int, answer: Answer | None
) -> None:
    """Answer every date of a series (None: take that answer back)."""
    row = await session.get(SeriesRsvp, (series_id, resident_id))
    if answer is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(
            SeriesRsvp(
                series_id=series_id,
                resident_id=resident_id,
                answer=answer,
                updated_at=session_now(session),
            )
        )
    else:
        row.answer, row.updated_at = answer, session_now(session)


async def series(session: AsyncSession, series_ids: list[int]) -> dict[int, EventSeries]:
    if not series_ids:
        return {}
    rows = await session.scalars(select(EventSeries).where(EventSeries.id.in_(series_ids)))
    return {row.id: row for row in rows}


async def next_in_series(session: AsyncSession, series_id: int, now: datetime) -> Event | None:
    """The series' published date that has not ended, soonest first."""
    return await session.scalar(
        select(Event)
        .where(
            Event.series_id == series_id,
            Event.status == EventStatus.PUBLISHED,
            func.coalesce(Event.ends_at, Event.starts_at) >= now,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(1)
    )


async def dates_of_series_uid(
    session: AsyncSession, network_id: int, series_uid: str
) -> list[Event]:
    """The network's imported dates of the calendar series `series_uid` (their UIDs are the
    series' UID, "/" and the date's original start)."""
    rows = await session.scalars(
        select(Event).where(
            Event.network_id == network_id, Event.uid.startswith(series_uid + "/", autoescape=True)
        )
    )
    return list(rows)


async def series_by_uid(session: AsyncSession, network_id: int, uid: str) -> EventSeries | None:
    return await session.scalar(
        select(EventSeries).where(EventSeries.network_id == network_id, EventSeries.uid == uid)
    )


async def set_answer(
    session: AsyncSession, event_id: int, resident_id: int, answer: Answer
) -> None:
    row = await session.get(Rsvp, (event_id, resident_id))
    if row is None:
        session.add(
            Rsvp(
                event_id=event_id,
                resident_id=resident_id,
                answer=answer,
                updated_at=session_now(session),
            )
        )
    else:
        row.answer, row.updated_at = answer, session_now(session)


async def upcoming_for(
    session: AsyncSession, resident_id: int, now: datetime, offset: int, limit: int
) -> tuple[list[Event], int]:
    """Published events in the resident's networks that have not ended, soonest first."""
    mine = select(Membership.network_id).where(Membership.resident_id == resident_id)
    where = (
        Event.network_id.in_(mine),
        Event.status == EventStatus.PUBLISHED,
        func.coalesce(Event.ends_at, Event.starts_at) >= now,
        next_of_series(now),
    )
    total = await session.scalar(select(func.count()).select_from(Event).where(*where))
    rows = await session.scalars(
        select(Event).where(*where).order_by(Event.starts_at, Event.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


def next_of_series(now: datetime) -> ColumnElement[bool]:
    """An event that is no occurrence, or its series' next one still to come (the soonest
    that has not ended): residents meet a series as one event, by its next date."""
    sooner = aliased(Event)
    return or_(
        Event.series_id.is_(None),
        ~exists().where(
            sooner.series_id == Event.series_id,
            sooner.status == EventStatus.PUBLISHED,
            func.coalesce(sooner.ends_at, sooner.starts_at) >= now,
            or_(
                sooner.starts_at < Event.starts_at,
                and_(sooner.starts_at == Event.starts_at, sooner.id < Event.id),
            ),
        ),
    )


async def attendees(session: AsyncSession, event_id: int) -> list[tuple[int, str, Answer]]:
    """Who answered the event (those who answered every date of its series included)."""
    answers = _answers([event_id])
    rows = await session.execute(
        select(Resident.id, Resident.first_name, answers.c.answer)
        .join(answers, answers.c.resident_id == Resident.id)
        .order_by(
            case(
                (answers.c.answer == Answer.YES, 0), (answers.c.answer == Answer.MAYBE, 1), else_=2
            ),
            Resident.first_name,
        )
    )
    return [(int(i), n or "", Answer(a)) for i, n, a in rows]


async def attendee_ids(
    session: AsyncSession, event_id: int, answers: tuple[Answer, ...], *, series: bool = True
) -> list[int]:
    """Residents whose answer to the event is one of `answers`: their own for the date or,
    with `series`, the one they gave to every date of its series."""
    if not series:
        rows = await session.scalars(
            select(Rsvp.resident_id).where(Rsvp.event_id == event_id, Rsvp.answer.in_(answers))
        )
        return list(rows)
    found = _answers([event_id])
    rows = await session.scalars(select(found.c.resident_id).where(found.c.answer.in_(answers)))
    return list(rows)


async def starting_between(session: AsyncSession, start: datetime, end: datetime) -> list[Event]:
    rows = await session.scalars(
        select(Event).where(
            Event.status == EventStatus.PUBLISHED, Event.starts_at > start, Event.starts_at <= end
        )
    )
    return list(rows)


async def by_uids(session: AsyncSession, network_id: int, uids: list[str]) -> dict[str, Event]:
    """The network's events with these UIDs, by UID: one query per 500 instead of one each
    (a calendar import of thousands of events)."""
    found: dict[str, Event] = {}
    unique = sorted(set(uids))
    for start in range(0, len(unique), 500):
        rows = await session.scalars(
            select(Event).where(
                Event.network_id == network_id, Event.uid.in_(unique[start : start + 500])
            )
        )
        found.update((row.uid, row) for row in rows)
    return found


class ListedEvent(NamedTuple):
    """An event as the operator's list shows it (counts come from `counts`)."""

    id: int
    network: str  # the network's slug
    title: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    place: str
    status: EventStatus
    series_id: int | None


async def listing_page(
    session: AsyncSession,
    *,
    not_over_at: datetime,
    network_id: int | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 1000,
) -> list[ListedEvent]:
    """Up to `limit` events (published and cancelled) that are not over at `not_over_at`,
    soonest first, after the `(starts_at, id)` of the last one of the page before.

    Keyset rather than OFFSET: each page costs the same however deep into 50 000 events it
    is, and plain rows rather than ORM objects keep the session's identity map empty."""
    query = (
        select(
            Event.id,
            Network.slug,
            Event.title,
            Event.starts_at,
            Event.ends_at,
            Event.all_day,
            Event.place,
            Event.status,
            Event.series_id,
        )
        .join(Network, Network.id == Event.network_id)
        .where(
            func.coalesce(Event.ends_at, Event.starts_at) >= not_over_at,
            # A draft lives in the host's conversation until published: not an event yet.
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    if network_id is not None:
        query = query.where(Event.network_id == network_id)
    if after is not None:
        starts_at, event_id = after
        query = query.where(
            or_(
                Event.starts_at > starts_at,
                and_(Event.starts_at == starts_at, Event.id > event_id),
            )
        )
    rows = await session.execute(query)
    return [
        ListedEvent(
            int(r[0]), r[1], r[2], r[3], r[4], bool(r[5]), r[6] or "", EventStatus(r[7]), r[8]
        )
        for r in rows
    ]
