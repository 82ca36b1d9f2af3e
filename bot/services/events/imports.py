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
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.calendar_entries import (
    CalendarEvent,
    CalendarReport,
    SeriesInfo,
    Skipped,
    SkipReason,
    occurrence_day,
)
from bot.services.errors import InvalidInput
from bot.services.events.drafts import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventDraft,
    clean_draft,
)
from bot.services.events.hosting import cancel, publish, publishing, update
from bot.services.events.series import SeriesView, keep_series, series_view
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
    # Recurring events new to the network (each announced once, with its first new date).
    new_series: list[str] = field(default_factory=list)


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
    # A series is announced once, with the first of its dates this import publishes; it is
    # new only if none of its dates was imported before (they were then announced one by one).
    known = {e.series.uid for e in entries if e.series is not None and e.uid in existing}
    # A series whose time changed has new UIDs for the same dates (theirs hold the original
    # start): its stored dates are found by their day instead, and take the new UIDs.
    by_day = await _dates_by_day(session, network_id, entries, existing, catalogs.zone)
    known |= {series_uid for series_uid, _ in by_day}
    kept: dict[str, SeriesView | None] = {}
    new_series: list[str] = []
    # Of a series whose dates change (or go) together, those coming to every date are told
    # once, with its first changed date; those who answered a date itself, of each. A date
    # the calendar changed on its own (`own_change`) is told to everyone coming to it.
    told_changed: set[int] = set()
    told_cancelled: set[int] = set()
    for entry in entries:
        found = existing.get(entry.uid)
        draft = _draft(entry, network_id, locale)
        series = None
        if found is None and entry.series is not None:
            day = occurrence_day(entry.uid, catalogs.zone)
            found = by_day.pop((entry.series.uid, day), None) if day else None
            if found is not None and not dry_run:
                found.uid = entry.uid
        if entry.series is not None:
            uid = entry.series.uid
            if uid not in kept:
                kept[uid], is_new = await _keep(session, network_id, entry.series, now, dry_run)
                if is_new and uid not in known:
                    new_series.append(uid)
            series = kept[uid]
        if found is None:
            if entry.cancelled:
                skipped.append(Skipped(entry.uid, entry.title, SkipReason.CANCELLED))
            elif (problem := _problem(entry, draft, now)) is not None:
                skipped.append(problem)
            else:
                # A new series' first date carries its announcement; the rest come quietly.
                announce = entry.series is None or (
                    entry.series.uid in new_series and entry.series.uid not in known
                )
                if not dry_run:
                    await publish(
                        session,
                        actor,
                        catalogs,
                        draft,
                        uid=entry.uid,
                        now=now,
                        batch=batch,
                        series=series,
                        announce=announce,
                    )
                    published += 1
                    if published % COMMIT_EVERY == 0:
                        await session.commit()
                if entry.series is not None:
                    known.add(entry.series.uid)
                created.append(entry.uid)
        elif entry.cancelled:
            # An event that has happened stays as it was: there is no one left to tell.
            if found.status is not EventStatus.CANCELLED and not has_happened(found, now):
                if not dry_run:
                    await cancel(
                        session,
                        actor,
                        catalogs,
                        found.id,
                        now=now,
                        tell_series=entry.own_change or _first_of(found, told_cancelled),
                    )
                cancelled.append(entry.uid)
            else:
                unchanged += 1
        elif found.status is EventStatus.CANCELLED or not _differs(found, draft):
            # A file that still lists an event cancelled in the bot does not bring it back.
            unchanged += 1
            if not dry_run and found.all_day != draft.all_day:
                # Only how it is shown changes (events imported before `all_day` was read):
                # corrected without telling attendees that their event "has changed".
                found.all_day, corrected = draft.all_day, True
            if not dry_run and series is not None and found.series_id != series.id:
                # A date imported before series were kept joins its series, quietly.
                found.series_id, corrected = series.id, True
        elif (problem := _problem(entry, draft, now)) is not None:
            skipped.append(problem)
        else:
            if not dry_run:
                if series is not None and found.series_id != series.id:
                    found.series_id = series.id
                await update(
                    session,
                    actor,
                    catalogs,
                    found.id,
                    draft,
                    now=now,
                    tell_series=entry.own_change or _first_of(found, told_changed),
                )
            updated.append(entry.uid)
    if corrected or published:
        await session.commit()
    return CalendarImport(created, updated, cancelled, unchanged, skipped, dry_run, new_series)


async def _dates_by_day(
    session: AsyncSession,
    network_id: int,
    entries: Sequence[CalendarEvent],
    existing: dict[str, Event],
    zone: ZoneInfo,
) -> dict[tuple[str, date], Event]:
    """(series UID, original day) -> a stored date of that series the file no longer lists
    by its UID; days with more than one such date (a series several times a day) are left out:
    they cannot be told apart."""
    uids = {e.uid for e in entries}
    found: dict[tuple[str, date], list[Event]] = {}
    for series_uid in sorted({e.series.uid for e in entries if e.series is not None}):
        for event in await q.dates_of_series_uid(session, network_id, series_uid):
            day = occurrence_day(event.uid, zone)
            if event.uid not in uids and event.uid not in existing and day is not None:
                found.setdefault((series_uid, day), []).append(event)
    return {key: dates[0] for key, dates in found.items() if len(dates) == 1}


async def _keep(
    session: AsyncSession, network_id: int, info: SeriesInfo, now: datetime, dry_run: bool
) -> tuple[SeriesView | None, bool]:
    """The series as stored (in a dry run, None when it would be new), and whether it is new
    to the network."""
    if dry_run:
        row = await q.series_by_uid(session, network_id, info.uid)
        return (series_view(row), False) if row is not None else (None, True)
    row, is_new = await keep_series(session, network_id, info, now)
    return series_view(row), is_new


def _first_of(event: Event, told: set[int]) -> bool:
    """Whether those coming to every date of `event`'s series are still to be told of this
    import's changes to it (True for an event of no series: its attendees are all told)."""
    if event.series_id is None:
        return True
    if event.series_id in told:
        return False
    told.add(event.series_id)
    return True


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
