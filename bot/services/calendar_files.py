"""iCalendar (.ics) files: a network's events read from a calendar, and one event written out.

`read_events` turns a calendar file (exported from Outlook, Google, a municipality's site...) into
plain `CalendarEvent`s for `naboskap event import FILE.ics --network SLUG`. The import keys on
`CalendarEvent.uid`, so a re-import updates events instead of duplicating them; the UIDs must
therefore be stable from one reading of the same file to the next:

- an event that does not recur keeps the file's UID as it is;
- a recurring event (RRULE or RDATE) becomes one `CalendarEvent` per occurrence between `now` and
  `now + horizon_days`, each with the UID ``f"{UID}/{original start in UTC}"``, the start written
  as ``YYYYMMDDTHHMMSSZ`` (for example ``strikkekafe@example/20270302T170000Z``). The original
  start is the occurrence's RECURRENCE-ID: an occurrence that a RECURRENCE-ID override moves to
  another day keeps its UID, so moving it updates the imported event. EXDATEs drop occurrences.
  An all-day occurrence starts at 00:00 in the reader's zone, so its UID ends in that instant.
- an override (RECURRENCE-ID) whose series is not in the file is read as that one occurrence,
  with the same kind of UID.

Times are kept as timezone-aware UTC. Floating times (no TZID, no Z) are in the zone the caller
gives; an all-day event (DATE values) runs from 00:00 local on its first day to 00:00 local after
its last. Events that ended before `now` are left out.

`event_file` writes one event as a calendar file that residents add to their own calendars.
It carries no alarm: the bot sends its own reminders.

Problems with a file raise `CalendarError`, a `ValueError` whose message tells an operator, in
English, what is wrong and in which event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from bot.edge_input import clean_text

PRODID = "-//Naboskap//Naboskap//NB"
OCCURRENCE_UID_FORMAT = "%Y%m%dT%H%M%SZ"
# ORGANIZER must be an address; .invalid is a reserved domain, so nothing is ever sent there.
ORGANIZER_ADDRESS = "mailto:noreply@naboskap.invalid"
# Properties whose parse errors make an event unusable; errors in any other are ignored.
_NEEDED = frozenset(
    {"UID", "SUMMARY", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)


@dataclass(frozen=True)
class CalendarEvent:
    """One event (or one occurrence of a recurring event), times in UTC."""

    uid: str
    title: str
    starts_at: datetime  # timezone-aware UTC
    ends_at: datetime | None  # timezone-aware UTC
    place: str = ""
    description: str = ""
    all_day: bool = False
    cancelled: bool = False  # STATUS:CANCELLED


class CalendarError(ValueError):
    """A calendar file that cannot be read; the message says what is wrong, for operators."""


def read_events(
    data: bytes, zone: ZoneInfo, *, now: datetime, horizon_days: int = 400
) -> list[CalendarEvent]:
    """The events in an iCalendar file that have not ended by `now`, sorted by start.

    Recurring events are expanded into occurrences up to `horizon_days` after `now` (see the
    module's docstring for their UIDs). Raises CalendarError for a file that is not a calendar,
    is broken, or has an event without UID, SUMMARY or DTSTART.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    calendar = _parse(data)
    masters: dict[str, icalendar.Event] = {}
    overrides: dict[str, list[icalendar.Event]] = {}
    for number, component in enumerate(_events_in(calendar), start=1):
        uid = _check(component, number)
        if "RECURRENCE-ID" in component:
            overrides.setdefault(uid, []).append(component)
        elif uid in masters:
            raise CalendarError(f"two events have the same UID {uid!r}; each needs its own")
        else:
            masters[uid] = component
    found: list[CalendarEvent] = []
    for uid in [*masters, *(uid for uid in overrides if uid not in masters)]:
        master = masters.get(uid)
        changed = overrides.get(uid, [])
        _check_distinct_overrides(uid, changed, zone)
        if master is not None and ("RRULE" in master or "RDATE" in master):
            found.extend(_occurrences(uid, [master, *changed], zone, now, horizon_days))
            continue
        if master is not None:
            replacement = [c for c in changed if _same_start(c, master, zone)]
            changed = [c for c in changed if c not in replacement]
            found.append(_to_event(replacement[0] if replacement else master, uid, zone))
        found.extend(_to_event(c, _occurrence_uid(uid, c, zone), zone) for c in changed)
    return sorted(
        (e for e in found if (e.ends_at or e.starts_at) >= now),
        key=lambda e: (e.starts_at, e.uid),
    )


def event_file(
    event: CalendarEvent,
    *,
    zone: ZoneInfo,
    stamped_at: datetime,
    organizer_name: str = "Naboskap",
    url: str | None = None,
) -> bytes:
    """One event as an iCalendar file (METHOD:PUBLISH), times in `zone` with its VTIMEZONE.

    All-day events are written with DATE values. A time that `zone` shows twice (the hour the
    clocks go back) is written in UTC, so it cannot be misread. No VALARM: the bot reminds.
    `stamped_at` (DTSTAMP) is when the file was made, by the app's clock.
    """
    if event.starts_at.tzinfo is None or (event.ends_at and event.ends_at.tzinfo is None):
        raise ValueError(f"event {event.uid!r} has times without a time zone")
    if not event.uid.strip() or not event.title.strip():
        raise ValueError("an event file needs a UID and a title")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    first = event.starts_at.astimezone(zone)
    last = event.ends_at.astimezone(zone) if event.ends_at else first
    if event.all_day:
        vevent.add("dtstart", first.date())
        if event.ends_at is not None:
            vevent.add("dtend", max(last.date(), first.date() + timedelta(days=1)))
    else:
        vevent.add("dtstart", _local(event.starts_at, zone))
        if event.ends_at is not None:
            vevent.add("dtend", _local(event.ends_at, zone))
    vevent.add("summary", event.title)
    if event.place:
        vevent.add("location", event.place)
    if event.description:
        vevent.add("description", event.description)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if organizer_name:
        organizer = icalendar.vCalAddress(ORGANIZER_ADDRESS)
        organizer.params["CN"] = organizer_name
        vevent.add("organizer", organizer)
    if url:
        vevent.add("url", url)
    calendar.add_component(vevent)
    calendar.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
    )
    # DTSTAMP goes in last: icalendar 7.0.0 adds a needless UTC VTIMEZONE for it.
    vevent.add("dtstamp", stamped_at.astimezone(UTC).replace(microsecond=0))
    result: bytes = calendar.to_ical()
    return result


# Reading


def _parse(data: bytes) -> icalendar.Calendar:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CalendarError(
            f"the calendar file is not UTF-8 text (byte {data[e.start]:#04x} at {e.start}); "
            "export it again as UTF-8"
        ) from None
    if not text.strip():
        raise CalendarError("the calendar file is empty")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        lines = {line.strip().upper() for line in text.splitlines()}
        if "BEGIN:VCALENDAR" in lines and "END:VCALENDAR" not in lines:
            raise CalendarError("the calendar file is cut short: it has no END:VCALENDAR") from None
        raise CalendarError(f"this is not a readable iCalendar file: {_short(str(e))}") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        name = getattr(calendar, "name", None) or "something else"
        raise CalendarError(f"this is not an iCalendar file: it holds a {name}, not a VCALENDAR")
    return calendar


def _events_in(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in calendar.subcomponents if isinstance(c, icalendar.Event)]


def _check(component: icalendar.Event, number: int) -> str:
    """The event's UID, once the properties that the import needs are known to be there."""
    uid = _text(component, "UID")
    if not uid:
        title = _text(component, "SUMMARY")
        named = f" ({title!r})" if title else ""
        raise CalendarError(
            f"event number {number}{named} has no UID; the import needs one to recognise "
            "the event when the file is imported again"
        )
    uid = " ".join(uid.split())
    broken = [(name, why) for name, why in component.errors if (name or "").upper() in _NEEDED]
    if broken:
        name, why = broken[0]
        raise CalendarError(f"event {uid!r} has a broken {name}: {_short(str(why))}")
    if not _text(component, "SUMMARY"):
        raise CalendarError(f"event {uid!r} has no SUMMARY (title)")
    if "DTSTART" not in component:
        raise CalendarError(f"event {uid!r} has no DTSTART (start)")
    return uid


def _check_distinct_overrides(uid: str, changed: list[icalendar.Event], zone: ZoneInfo) -> None:
    seen: set[datetime] = set()
    for component in changed:
        original = _instant(uid, component["RECURRENCE-ID"], zone, "RECURRENCE-ID")
        if original in seen:
            raise CalendarError(
                f"event {uid!r} changes the occurrence at {original:%Y-%m-%d %H:%M} UTC twice"
            )
        seen.add(original)


def _occurrences(
    uid: str, series: list[icalendar.Event], zone: ZoneInfo, now: datetime, horizon_days: int
) -> Iterable[CalendarEvent]:
    calendar = icalendar.Calendar()
    for component in series:
        calendar.add_component(component)
    # Floating times are in `zone`; the library reads them in the zone of the span it is given.
    start = now.astimezone(zone)
    try:
        found = recurring_ical_events.of(calendar).between(
            start, start + timedelta(days=horizon_days)
        )
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        raise CalendarError(f"event {uid!r} has a recurrence that cannot be read: {e}") from None
    # The library gives every occurrence a DTEND; one whose source has none has no end.
    sources = {_instant(uid, c["RECURRENCE-ID"], zone, "RECURRENCE-ID"): c for c in series[1:]}
    for component in found:
        event = _to_event(component, _occurrence_uid(uid, component, zone), zone)
        source = sources.get(_original_start(uid, component, zone), series[0])
        if not event.all_day and "DTEND" not in source and "DURATION" not in source:
            event = replace(event, ends_at=None)
        yield event


def _occurrence_uid(uid: str, component: icalendar.Event, zone: ZoneInfo) -> str:
    return f"{uid}/{_original_start(uid, component, zone):{OCCURRENCE_UID_FORMAT}}"


def _original_start(uid: str, component: icalendar.Event, zone: ZoneInfo) -> datetime:
    """When the series had the occurrence, before any override moved it."""
    name = "RECURRENCE-ID" if "RECURRENCE-ID" in component else "DTSTART"
    return _instant(uid, component[name], zone, name)


def _same_start(override: icalendar.Event, master: icalendar.Event, zone: ZoneInfo) -> bool:
    uid = _text(master, "UID")
    original = _instant(uid, override["RECURRENCE-ID"], zone, "RECURRENCE-ID")
    return original == _instant(uid, master["DTSTART"], zone, "DTSTART")


def _to_event(component: icalendar.Event, uid: str, zone: ZoneInfo) -> CalendarEvent:
    try:
        return _convert(component, uid, zone)
    except CalendarError:
        raise
    except (ValueError, TypeError, AttributeError, OverflowError) as e:
        raise CalendarError(f"event {uid!r} cannot be read: {_short(str(e))}") from None


def _convert(component: icalendar.Event, uid: str, zone: ZoneInfo) -> CalendarEvent:
    start = _value(uid, component["DTSTART"], "DTSTART")
    all_day = not isinstance(start, datetime)
    starts_at = _instant(uid, component["DTSTART"], zone, "DTSTART")
    ends_at: datetime | None
    if "DTEND" in component:
        end = _value(uid, component["DTEND"], "DTEND")
        if isinstance(end, datetime) == all_day:
            raise CalendarError(
                f"event {uid!r} mixes a date and a date with time in DTSTART and DTEND"
            )
        ends_at = _instant(uid, component["DTEND"], zone, "DTEND")
    elif "DURATION" in component:
        duration = getattr(component["DURATION"], "dt", None)
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise CalendarError(f"event {uid!r} has a DURATION that is not a positive length")
        if all_day:
            if duration % timedelta(days=1):
                raise CalendarError(f"event {uid!r} lasts all day but its DURATION is not in days")
            ends_at = _midnight(start + duration, zone)
        else:
            # Days are calendar days (23 or 25 hours when the clocks change); the rest is exact.
            local = starts_at.astimezone(_zone_of(start, zone))
            days = timedelta(days=duration.days)
            ends_at = (local + days).astimezone(UTC) + (duration - days)
    elif all_day:
        ends_at = _midnight(start + timedelta(days=1), zone)
    else:
        ends_at = None
    if ends_at is not None and ends_at < starts_at:
        raise CalendarError(f"event {uid!r} ends before it starts")
    return CalendarEvent(
        uid=uid,
        title=_one_line(_text(component, "SUMMARY")),
        starts_at=starts_at,
        ends_at=ends_at,
        place=_one_line(_text(component, "LOCATION")),
        description=_lines(_text(component, "DESCRIPTION")),
        all_day=all_day,
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
    )


def _value(uid: str, prop: object, name: str) -> date:
    value = getattr(prop, "dt", None)
    if not isinstance(value, date):
        raise CalendarError(f"event {uid!r} has a {name} that is not a date or a date with time")
    return value


def _instant(uid: str, prop: object, zone: ZoneInfo, name: str) -> datetime:
    """A DTSTART-like property as UTC: floating times and dates are read in `zone`."""
    value = _value(uid, prop, name)
    if not isinstance(value, datetime):
        return _midnight(value, zone)
    if value.tzinfo is None:
        params = getattr(prop, "params", {})
        if params.get("TZID"):
            raise CalendarError(
                f"event {uid!r} uses the unknown time zone {params['TZID']!r}; use a name such "
                "as Europe/Oslo, or include its VTIMEZONE"
            )
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _zone_of(value: date, zone: ZoneInfo) -> tzinfo:
    """The zone a date with time was written in (`zone` for floating times)."""
    found = value.tzinfo if isinstance(value, datetime) else None
    return found or zone


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _text(component: icalendar.Event, name: str) -> str:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    # Someone else's file: its text is cleaned like any text from outside (`bot.edge_input`).
    return "" if value is None else clean_text(str(value)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _lines(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Writing


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in `zone`, or in UTC when the local time would be ambiguous in the file."""
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local
