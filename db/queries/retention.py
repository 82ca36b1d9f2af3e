"""What storage limitation deletes: history older than the retention period, and short-lived
state that has run out. Each function deletes one kind and returns how many rows went; the
foreign keys' cascades take what hangs off a deleted row (deliveries and renderings of a notice,
answers and texts of an event, responses and reports of a help request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, exists, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Delivery,
    DeliveryStatus,
    Digest,
    Event,
    EventSeries,
    HelpRequest,
    Notice,
    PhoneCode,
    Report,
    RequestStatus,
    SeriesRsvp,
    SmsConversation,
    UpdateClaim,
)

# A help request in one of these is finished: nobody acts on it any more.
_FINISHED = (
    RequestStatus.DONE,
    RequestStatus.WITHDRAWN,
    RequestStatus.EXPIRED,
    RequestStatus.HIDDEN,
)


def _count(result: object) -> int:
    # A DELETE's result is a CursorResult; `execute` is typed as returning the general Result.
    return int(cast(CursorResult[Any], result).rowcount or 0)


async def old_notices(session: AsyncSession, before: datetime) -> int:
    """Notices created before `before` with nothing left to send (a held or pending delivery
    keeps its notice, however old)."""
    waiting = exists().where(
        Delivery.notice_id == Notice.id,
        Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.HELD)),
    )
    return _count(await session.execute(delete(Notice).where(Notice.created_at < before, ~waiting)))


async def old_events(session: AsyncSession, before: datetime) -> int:
    """Events that ended (or, without an end, started) before `before`, and drafts not touched
    since: with them go who answered what; and the series with no date left, with who said
    they would come to every date."""
    end = func.coalesce(Event.ends_at, Event.starts_at)
    events = _count(
        await session.execute(delete(Event).where(end < before, Event.updated_at < before))
    )
    emptied = select(EventSeries.id).where(
        ~exists().where(Event.series_id == EventSeries.id), EventSeries.updated_at < before
    )
    # Explicitly too, as `delete_resident` does: a SQLite connection may lack foreign keys.
    await session.execute(delete(SeriesRsvp).where(SeriesRsvp.series_id.in_(emptied)))
    series = _count(await session.execute(delete(EventSeries).where(EventSeries.id.in_(emptied))))
    return events + series


async def old_help_requests(session: AsyncSession, before: datetime) -> int:
    """Finished help requests closed (or, never closed, created) before `before`."""
    closed = func.coalesce(HelpRequest.closed_at, HelpRequest.created_at)
    return _count(
        await session.execute(
            delete(HelpRequest).where(HelpRequest.status.in_(_FINISHED), closed < before)
        )
    )


async def old_reports(session: AsyncSession, before: datetime) -> int:
    """Reports a host dealt with before `before`; open ones stay until someone does."""
    return _count(
        await session.execute(
            delete(Report).where(Report.handled_at.is_not(None), Report.handled_at < before)
        )
    )


async def old_digests(session: AsyncSession, before: datetime) -> int:
    """The once-a-week marks of digests made before `before`."""
    return _count(await session.execute(delete(Digest).where(Digest.created_at < before)))


async def idle_conversations(session: AsyncSession, before: datetime) -> int:
    """SMS conversations (a numbered menu waiting for an answer) idle since before `before`."""
    return _count(
        await session.execute(delete(SmsConversation).where(SmsConversation.updated_at < before))
    )


async def expired_phone_codes(session: AsyncSession, now: datetime) -> int:
    """Codes for linking a phone that can no longer be used."""
    return _count(await session.execute(delete(PhoneCode).where(PhoneCode.expires_at <= now)))


async def expired_update_claims(session: AsyncSession, now: datetime) -> int:
    """The ledger's handled updates past their day (bot.update_ledger)."""
    result = await session.execute(delete(UpdateClaim).where(UpdateClaim.expires_at < now))
    return _count(result)
