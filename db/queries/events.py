"""Events, their host-written translations and RSVPs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Answer, Event, EventStatus, EventText, Membership, Resident, Rsvp
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


async def counts(session: AsyncSession, event_ids: list[int]) -> dict[int, dict[Answer, int]]:
    found: dict[int, dict[Answer, int]] = {}
    if not event_ids:
        return found
    rows = await session.execute(
        select(Rsvp.event_id, Rsvp.answer, func.count())
        .where(Rsvp.event_id.in_(event_ids))
        .group_by(Rsvp.event_id, Rsvp.answer)
    )
    for event_id, answer, count in rows:
        found.setdefault(int(event_id), {})[Answer(answer)] = int(count)
    return found


async def answers_of(
    session: AsyncSession, resident_id: int, event_ids: list[int]
) -> dict[int, Answer]:
    if not event_ids:
        return {}
    rows = await session.execute(
        select(Rsvp.event_id, Rsvp.answer).where(
            Rsvp.resident_id == resident_id, Rsvp.event_id.in_(event_ids)
        )
    )
    return {int(e): Answer(a) for e, a in rows}


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
    )
    total = await session.scalar(select(func.count()).select_from(Event).where(*where))
    rows = await session.scalars(
        select(Event).where(*where).order_by(Event.starts_at, Event.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def attendees(session: AsyncSession, event_id: int) -> list[tuple[int, str, Answer]]:
    rows = await session.execute(
        select(Resident.id, Resident.first_name, Rsvp.answer)
        .join(Rsvp, Rsvp.resident_id == Resident.id)
        .where(Rsvp.event_id == event_id)
        .order_by(
            case((Rsvp.answer == Answer.YES, 0), (Rsvp.answer == Answer.MAYBE, 1), else_=2),
            Resident.first_name,
        )
    )
    return [(int(i), n or "", Answer(a)) for i, n, a in rows]


async def attendee_ids(
    session: AsyncSession, event_id: int, answers: tuple[Answer, ...]
) -> list[int]:
    rows = await session.scalars(
        select(Rsvp.resident_id).where(Rsvp.event_id == event_id, Rsvp.answer.in_(answers))
    )
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
