"""The flood guard: however events arrive (the bot, the CLI, a calendar import), a network's
members are told of at most a few new events one by one per local day; the rest wait for the
summary of new events (bot.services.events.summary). One weekly series imported from a calendar
is dozens of events, and each used to be a notice (and an SMS) of its own.

SMS members get the summary only: an SMS costs money and a phone has no chat to scroll, so one
text that lists the day's new events is worth more than several that each name one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, NoticeKind
from db.queries import new_events as q

DEFAULT_PER_DAY = 3


@dataclass(frozen=True)
class Holding:
    """Which of a new event's deliveries wait for the summary."""

    everyone: bool  # the day's notices are used up: nobody is told now
    channels: frozenset[Channel]  # else these channels wait (SMS always does)


def notices_per_day(session: AsyncSession) -> int:
    """The configured cap (NEW_EVENT_NOTICES_PER_DAY), which the core's sessions carry."""
    found = session.info.get("new_event_notices_per_day", DEFAULT_PER_DAY)
    return int(found) if isinstance(found, int) else DEFAULT_PER_DAY


def local_midnight(now: datetime, zone: ZoneInfo) -> datetime:
    """The start of `now`'s day in the configured zone: the cap counts local days, so it
    starts again at midnight in Norway, not at midnight UTC."""
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


async def told_today(
    session: AsyncSession,
    network_id: int,
    now: datetime,
    zone: ZoneInfo,
    kind: NoticeKind = NoticeKind.EVENT,
) -> int:
    """The network's notices of `kind` (new events by default; volunteer calls and polls are
    capped on their own) written since local midnight, announced or held."""
    return await q.event_notices_since(session, network_id, local_midnight(now, zone), kind)


def holding_after(session: AsyncSession, told: int) -> Holding:
    """What waits for the summary of a new event when `told` notices went before it today.
    Counted before the event's own notice is written; two events published at the same
    moment in two processes may both see room for one (the cap is a courtesy, not a
    guarantee worth a lock on the network)."""
    return Holding(everyone=told >= notices_per_day(session), channels=frozenset({Channel.SMS}))


async def holding(session: AsyncSession, network_id: int, now: datetime, zone: ZoneInfo) -> Holding:
    """What waits for the summary of a new event published in the network `now`."""
    return holding_after(session, await told_today(session, network_id, now, zone))
