"""Importing a network's events from a calendar file: matched by the calendar's UID, so new
entries are published, changed ones updated (attendees told), cancelled ones cancelled, and
importing the same file twice changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.events.drafts import DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX, EventDraft
from bot.services.events.hosting import cancel, publish, require_host, update
from bot.services.events.views import has_happened
from db.models import EventStatus
from db.queries import events as q
from db.session import session_now

if TYPE_CHECKING:
    from bot.services.calendar_files import CalendarEvent


@dataclass(frozen=True)
class CalendarImport:
    created: list[str]
    updated: list[str]
    cancelled: list[str]
    unchanged: int


async def import_calendar(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    network_id: int,
    entries: Sequence[CalendarEvent],
    *,
    locale: str = "nb",
    now: datetime | None = None,
) -> CalendarImport:
    """Create or update the network's events by calendar UID: new ones are announced, changed
    ones told to attendees, cancelled ones cancelled. Importing the same file twice changes
    nothing."""
    now = now or session_now(session)
    await require_host(session, actor, network_id)
    created: list[str] = []
    updated: list[str] = []
    cancelled: list[str] = []
    unchanged = 0
    for entry in entries:
        existing = await q.by_uid(session, network_id, entry.uid)
        draft = EventDraft(
            network_id=network_id,
            title=entry.title[:TITLE_MAX],
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            place=entry.place[:PLACE_MAX],
            description=entry.description[:DESCRIPTION_MAX],
            locale=locale,
        )
        if existing is None:
            if entry.cancelled or entry.starts_at < now:
                continue
            await publish(session, actor, catalogs, draft, uid=entry.uid, now=now)
            created.append(entry.uid)
        elif entry.cancelled:
            # An event that has happened stays as it was: there is no one left to tell.
            if existing.status is not EventStatus.CANCELLED and not has_happened(existing, now):
                await cancel(session, actor, catalogs, existing.id, now=now)
                cancelled.append(entry.uid)
            else:
                unchanged += 1
        elif (
            existing.title,
            existing.starts_at,
            existing.ends_at,
            existing.place,
            existing.description,
        ) != (draft.title, draft.starts_at, draft.ends_at, draft.place, draft.description):
            await update(session, actor, catalogs, existing.id, draft, now=now)
            updated.append(entry.uid)
        else:
            unchanged += 1
    return CalendarImport(created, updated, cancelled, unchanged)
