"""Importing a network's events from a calendar file: matched by the calendar's UID, so new
entries are published, changed ones updated (attendees told), cancelled ones cancelled, and
importing the same file twice changes nothing.

The result is a report, not all-or-nothing: what was created, updated, cancelled and left as
it was, and every event that was not imported with its reason (those the file reader left out
and those the import itself cannot take, such as one that has already started). A dry run
makes the same report and writes nothing: no event, no notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.calendar_entries import CalendarEvent, CalendarReport, Skipped, SkipReason
from bot.services.errors import InvalidInput
from bot.services.events.drafts import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventDraft,
    clean_draft,
)
from bot.services.events.hosting import cancel, publish, publishing, update
from bot.services.events.views import has_happened
from db.models import Event, EventStatus
from db.queries import events as q
from db.session import session_now

# New events are committed in chunks: one commit per event was most of a 5 000-event import's
# time, and one for all of them would hold SQLite's write lock for the whole import.
COMMIT_EVERY = 200


@dataclass(frozen=True)
class CalendarImport:
    """What an import did (or, in a dry run, would do), by UID; `skipped` in the file's order,
    the reader's first."""

    created: list[str]
    updated: list[str]
    cancelled: list[str]
    unchanged: int
    skipped: list[Skipped] = field(default_factory=list)
    dry_run: bool = False


async def import_calendar(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    network_id: int,
    entries: Sequence[CalendarEvent] | CalendarReport,
    *,
    locale: str = "nb",
    now: datetime | None = None,
    dry_run: bool = False,
) -> CalendarImport:
    """Create or update the network's events by calendar UID: new ones are announced, changed
    ones told to attendees, cancelled ones cancelled. Importing the same file twice changes
    nothing. Given a `CalendarReport`, its skipped events lead the report's. With `dry_run`
    nothing is written and nobody is told; the report is the one a real import would give."""
    now = now or session_now(session)
    # Checks the actor hosts the network, and reads once what every publish needs.
    batch = await publishing(session, actor, network_id, now, catalogs.zone)
    if isinstance(entries, CalendarReport):
        skipped, entries = list(entries.skipped), entries.events
    else:
        skipped = []
    created: list[str] = []
    updated: list[str] = []
    cancelled: list[str] = []
    unchanged = 0
    # One query for all of them: thousands of events would otherwise be thousands of SELECTs.
    existing = await q.by_uids(session, network_id, [e.uid for e in entries])
    corrected = False
    published = 0
    for entry in entries:
        found = existing.get(entry.uid)
        draft = _draft(entry, network_id, locale)
        if found is None:
            if entry.cancelled:
                skipped.append(Skipped(entry.uid, entry.title, SkipReason.CANCELLED))
            elif (problem := _problem(entry, draft, now)) is not None:
                skipped.append(problem)
            else:
                if not dry_run:
                    await publish(
                        session, actor, catalogs, draft, uid=entry.uid, now=now, batch=batch
                    )
                    published += 1
                    if published % COMMIT_EVERY == 0:
                        await session.commit()
                created.append(entry.uid)
        elif entry.cancelled:
            # An event that has happened stays as it was: there is no one left to tell.
            if found.status is not EventStatus.CANCELLED and not has_happened(found, now):
                if not dry_run:
                    await cancel(session, actor, catalogs, found.id, now=now)
                cancelled.append(entry.uid)
            else:
                unchanged += 1
        elif found.status is EventStatus.CANCELLED or not _differs(found, draft):
            # A file that still lists an event cancelled in the bot does not bring it back.
            unchanged += 1
            if found.all_day != draft.all_day and not dry_run:
                # Only how it is shown changes (events imported before `all_day` was read):
                # corrected without telling attendees that their event "has changed".
                found.all_day, corrected = draft.all_day, True
        elif (problem := _problem(entry, draft, now)) is not None:
            skipped.append(problem)
        else:
            if not dry_run:
                await update(session, actor, catalogs, found.id, draft, now=now)
            updated.append(entry.uid)
    if corrected or published:
        await session.commit()
    return CalendarImport(created, updated, cancelled, unchanged, skipped, dry_run)


def _draft(entry: CalendarEvent, network_id: int, locale: str) -> EventDraft:
    return EventDraft(
        network_id=network_id,
        title=entry.title[:TITLE_MAX],
        starts_at=entry.starts_at,
        # A calendar may end an event at its start (a moment, not a span); ours has no end.
        ends_at=entry.ends_at if entry.ends_at != entry.starts_at else None,
        place=entry.place[:PLACE_MAX],
        description=entry.description[:DESCRIPTION_MAX],
        all_day=entry.all_day,
        locale=locale,
    )


def _differs(event: Event, draft: EventDraft) -> bool:
    return (event.title, event.starts_at, event.ends_at, event.place, event.description) != (
        draft.title,
        draft.starts_at,
        draft.ends_at,
        draft.place,
        draft.description.strip(),
    )


def _problem(entry: CalendarEvent, draft: EventDraft, now: datetime) -> Skipped | None:
    """Why publishing or updating to `draft` would be refused, checked before anything is
    written so that a dry run reports the same: mostly an event that has already started."""
    if entry.starts_at < now:
        return Skipped(entry.uid, entry.title, SkipReason.STARTED)
    try:
        clean_draft(draft, now)
    except InvalidInput as e:
        if e.field == "starts_at":
            return Skipped(entry.uid, entry.title, SkipReason.STARTED)
        detail = f"the bot does not accept its {e.field.replace('_', ' ')} ({e.reason})"
        return Skipped(entry.uid, entry.title, SkipReason.UNPARSEABLE, detail)
    return None
