"""iCalendar (.ics) files: a network's events read from a calendar, and one event written out.

`read_calendar` turns a calendar file (exported from Outlook, Google, Thunderbird, a
municipality's site...) into plain `CalendarEvent`s for `naboskap event import FILE.ics
--network SLUG`, and a list of the events it left out and why (`Skipped`): one bad event never
costs the rest of the file. Only a file that is not a calendar at all raises `CalendarError`.

The import keys on `CalendarEvent.uid`, so a re-import updates events instead of duplicating
them; the UIDs must therefore be stable from one reading of the same file to the next:

- an event that does not recur keeps the file's UID as it is;
- an event without a UID gets one made from its start and title (`derived_uid`), so that
  importing the same file again finds it;
- a recurring event (RRULE or RDATE) becomes one `CalendarEvent` per occurrence between `now` and
  `now + horizon_days`, each with the UID ``f"{UID}/{original start in UTC}"``, the start written
  as ``YYYYMMDDTHHMMSSZ`` (for example ``strikkekafe@example/20270302T170000Z``). The original
  start is the occurrence's RECURRENCE-ID: an occurrence that a RECURRENCE-ID override moves to
  another day keeps its UID, so moving it updates the imported event. EXDATEs drop occurrences.
  An all-day occurrence starts at 00:00 in the reader's zone, so its UID ends in that instant.
  Each occurrence carries its series (`SeriesInfo`: the series' UID and how it repeats), so the
  import stores one series that residents are told of once.
- an override (RECURRENCE-ID) whose series is not in the file is read as that one occurrence,
  with the same kind of UID.

Times are kept as timezone-aware UTC. Floating times (no TZID, no Z) are in the zone the caller
gives; an all-day event (DATE values) runs from 00:00 local on its first day to 00:00 local after
its last. Events that ended before `now`, and single events that start after the horizon, are
skipped (a series whose occurrences all fall outside the span is skipped once, as a whole).

Text is read as UTF-8 (RFC 5545's only encoding); a file that is not valid UTF-8 is read as
Windows-1252, which older Outlook and many Windows tools write (see `_decode`). Descriptions
in HTML (Google's DESCRIPTION, Outlook's X-ALT-DESC) become plain text (`calendar_html`).

`event_file` writes one event as a calendar file that residents add to their own calendars.
It carries no alarm: the bot sends its own reminders.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from bot.edge_input import clean_text
from bot.services.calendar_entries import (
    OCCURRENCE_UID_FORMAT,
    CalendarEvent,
    CalendarReport,
    Repeat,
    SeriesInfo,
    Skipped,
    SkipReason,
)
from bot.services.calendar_html import plain_text

PRODID = "-//Naboskap//Naboskap//NB"
# ORGANIZER must be an address; .invalid is a reserved domain, so nothing is ever sent there.
ORGANIZER_ADDRESS = "mailto:noreply@naboskap.invalid"
DERIVED_UID_DOMAIN = "derived.naboskap.invalid"
# Properties whose parse errors make an event unusable (named as an operator reads them);
# errors in any other are ignored.
_NEEDED: Mapping[str, str] = MappingProxyType(
    {
        "UID": "id",
        "SUMMARY": "title",
        "DTSTART": "start",
        "DTEND": "end",
        "DURATION": "length",
        "RRULE": "repeat rule",
        "RDATE": "extra dates",
        "EXDATE": "left-out dates",
        "RECURRENCE-ID": "date of the occurrence it changes",
    }
)
__all__ = [
    "CalendarError",
    "CalendarEvent",
    "CalendarReport",
    "SkipReason",
    "Skipped",
    "derived_uid",
    "event_file",
    "read_calendar",
    "read_events",
]


class CalendarError(ValueError):
    """A file that is not a calendar at all; the message says what it is, for operators."""


class _Unusable(Exception):
    """One event cannot be read; `str(e)` says why, in operator English (skipped, not raised)."""


def read_calendar(
    data: bytes, zone: ZoneInfo, *, now: datetime, horizon_days: int = 400
) -> CalendarReport:
    """The events in an iCalendar file that have not ended by `now`, sorted by start, and the
    ones left out with their reasons.

    Recurring events are expanded into occurrences up to `horizon_days` after `now` (see the
    module's docstring for their UIDs). Raises CalendarError only for a file that is not a
    calendar (not iCalendar text, no VCALENDAR, cut short).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    text, encoding = _decode(data)
    calendar = _parse(text)
    horizon = now + timedelta(days=horizon_days)
    skipped: list[Skipped] = []
    masters: dict[str, icalendar.Event] = {}
    overrides: dict[str, dict[datetime, icalendar.Event]] = {}
    for number, component in enumerate(_events_in(calendar), start=1):
        found = _identify(component, number, zone)
        if isinstance(found, Skipped):
            skipped.append(found)
            continue
        uid = found
        if "RECURRENCE-ID" in component:
            try:
                original = _instant(component["RECURRENCE-ID"], zone, "RECURRENCE-ID")
            except _Unusable as e:
                skipped.append(_skip(component, uid, SkipReason.UNPARSEABLE, str(e)))
                continue
            # The same occurrence changed twice: the first change counts.
            if original in overrides.setdefault(uid, {}):
                skipped.append(_skip(component, uid, SkipReason.DUPLICATE))
            else:
                overrides[uid][original] = component
        elif uid in masters:
            skipped.append(_skip(component, uid, SkipReason.DUPLICATE))
        else:
            masters[uid] = component
    events: list[CalendarEvent] = []
    for uid in [*masters, *(uid for uid in overrides if uid not in masters)]:
        master = masters.get(uid)
        changed = overrides.get(uid, {})
        try:
            if master is not None and ("RRULE" in master or "RDATE" in master):
                series = list(_occurrences(uid, master, changed, zone, now, horizon_days))
                if series:
                    ends = not _any_after(master, changed, horizon)
                    last = max(series, key=lambda e: e.starts_at) if ends else None
                    info = _series_info(uid, master, zone, last)
                    events.extend(replace(event, series=info) for event in series)
                else:
                    later = _any_after(master, changed, horizon)
                    reason = SkipReason.BEYOND_HORIZON if later else SkipReason.PAST
                    skipped.append(_skip(master, uid, reason))
                continue
        except _Unusable as e:
            skipped.append(_skip(master, uid, SkipReason.UNPARSEABLE, str(e)))
            continue
        singles: list[tuple[icalendar.Event, str]] = []
        if master is not None:
            start = _start_of(master, zone)
            replacement = changed.pop(start, None) if start is not None else None
            singles.append((replacement or master, uid))
        singles += [
            (c, f"{uid}/{original:{OCCURRENCE_UID_FORMAT}}") for original, c in changed.items()
        ]
        for component, event_uid in singles:
            try:
                event = _convert(component, event_uid, zone)
            except _Unusable as e:
                skipped.append(_skip(component, event_uid, SkipReason.UNPARSEABLE, str(e)))
                continue
            if (event.ends_at or event.starts_at) < now:
                skipped.append(_skip(component, event_uid, SkipReason.PAST))
            elif event.starts_at > horizon:
                skipped.append(_skip(component, event_uid, SkipReason.BEYOND_HORIZON))
            else:
                events.append(event)
    events.sort(key=lambda e: (e.starts_at, e.uid))
    return CalendarReport(events, skipped, encoding, horizon_days)


def read_events(
    data: bytes, zone: ZoneInfo, *, now: datetime, horizon_days: int = 400
) -> list[CalendarEvent]:
    """The events `read_calendar` finds to import, without the report of those left out."""
    return read_calendar(data, zone, now=now, horizon_days=horizon_days).events


def derived_uid(start: str, title: str) -> str:
    """A UID for an event that has none, from its start (as the file writes it) and title.

    Skipping such events would lose them, and a random UID would duplicate them at every
    re-import; their start and title are what identify them to people too. Changing either
    in the file makes it a new event (the old one stays until cancelled in the bot)."""
    digest = hashlib.sha256(f"{start}\n{title}".encode()).hexdigest()[:24]
    return f"{digest}@{DERIVED_UID_DOMAIN}"


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
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = event_component(event, zone=zone, organizer_name=organizer_name, url=url)
    calendar.add_component(vevent)
    first = event.starts_at.astimezone(zone)
    last = event.ends_at.astimezone(zone) if event.ends_at else first
    calendar.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
    )
    # DTSTAMP goes in last: icalendar 7.0.0 adds a needless UTC VTIMEZONE for it.
    vevent.add("dtstamp", stamped_at.astimezone(UTC).replace(microsecond=0))
    result: bytes = calendar.to_ical()
    return result


def event_component(
    event: CalendarEvent,
    *,
    zone: ZoneInfo,
    organizer_name: str = "Naboskap",
    url: str | None = None,
) -> icalendar.Event:
    """The VEVENT of `event_file`, without DTSTAMP (the caller adds it: a file stamps when it
    was made, a feed when the event last changed); `bot.services.calendar_subscriptions` writes many
    of these into one feed."""
    if event.starts_at.tzinfo is None or (event.ends_at and event.ends_at.tzinfo is None):
        raise ValueError(f"event {event.uid!r} has times without a time zone")
    if not event.uid.strip() or not event.title.strip():
        raise ValueError("an event file needs a UID and a title")
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
    return vevent


# Reading


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of the encoding it was read in.

    UTF-8 first: it is what RFC 5545 asks for, and it validates itself, so a file in another
    encoding fails it at its first æ, ø or å instead of being misread. What fails is read as
    Windows-1252, which older Outlook versions and many Windows tools write; it is Latin-1
    plus “quotes”, – dashes and € where Latin-1 has unused control codes, so it reads Latin-1
    files correctly too. A statistical detector (charset-normalizer) would only add guesses
    between single-byte encodings that a Norwegian municipality's calendars do not use.
    Outlook's "Unicode" export is UTF-16, with a byte order mark.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise CalendarError("the calendar file is not readable UTF-16 text") from None
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # five byte values have no character in Windows-1252
        return data.decode("latin-1"), "Latin-1"


def _parse(text: str) -> icalendar.Calendar:
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


def _identify(component: icalendar.Event, number: int, zone: ZoneInfo) -> str | Skipped:
    """The event's UID (made from its start and title when it has none), once the properties
    the import needs are there and readable; else why it is skipped."""
    uid = " ".join(_text(component, "UID").split())
    title = _title(component)
    where = uid or f"event {number}"
    broken = [(name, why) for n, why in component.errors if (name := (n or "").upper()) in _NEEDED]
    if broken:
        name, why = broken[0]
        detail = f"its {_NEEDED[name]} cannot be read ({_short(str(why), 80)})"
        return Skipped(where, title, SkipReason.UNPARSEABLE, detail)
    if not title:
        return Skipped(where, title, SkipReason.NO_TITLE)
    if "DTSTART" not in component:
        return Skipped(where, title, SkipReason.NO_START)
    if uid:
        return uid
    start = component["DTSTART"]
    written = start.to_ical()
    tzid = start.params.get("TZID", "")
    return derived_uid(
        f"{tzid}:{written.decode() if isinstance(written, bytes) else written}", title
    )


def _skip(
    component: icalendar.Event | None, uid: str, reason: SkipReason, detail: str = ""
) -> Skipped:
    return Skipped(uid, _title(component) if component else "", reason, detail)


def _occurrences(
    uid: str,
    master: icalendar.Event,
    changed: dict[datetime, icalendar.Event],
    zone: ZoneInfo,
    now: datetime,
    horizon_days: int,
) -> Iterable[CalendarEvent]:
    # Floating times are in `zone`; the library reads them in the zone of the span it is given.
    start = now.astimezone(zone)
    try:
        found = _series(master, changed).between(start, start + timedelta(days=horizon_days))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        raise _Unusable(f"its repeat rule cannot be worked out ({_short(str(e), 80)})") from None
    for component in found:
        original = _original_start(component, zone)
        event = _convert(component, f"{uid}/{original:{OCCURRENCE_UID_FORMAT}}", zone)
        # The library gives every occurrence a DTEND; one whose source has none has no end.
        source = changed.get(original, master)
        if not event.all_day and "DTEND" not in source and "DURATION" not in source:
            event = replace(event, ends_at=None)
        yield replace(event, own_change=original in changed)


# The parts of a rule that "every week on Wednesday" still says truly; any other (BYSETPOS,
# BYHOUR, "the first Wednesday" ...) makes the series a list of dates to residents.
_PLAIN_RULE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "DAILY": frozenset({"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST"}),
        "WEEKLY": frozenset({"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST", "BYDAY"}),
        "MONTHLY": frozenset({"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST"}),
        "YEARLY": frozenset({"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST"}),
    }
)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _series_info(
    uid: str, master: icalendar.Event, zone: ZoneInfo, last: CalendarEvent | None
) -> SeriesInfo:
    """How residents are told the series repeats, from its rule: `last` is its last
    occurrence when the series ends within the span read (None: it goes on)."""
    first_start = _instant(master["DTSTART"], zone, "DTSTART")
    all_day = not isinstance(_value(master["DTSTART"], "DTSTART"), datetime)
    last_start = last.starts_at if last is not None else None
    rule = master.get("RRULE")
    if isinstance(rule, list):  # several RRULEs (deprecated, but written): a list of dates
        rule = None
    parts = {key.upper(): value for key, value in dict(rule or {}).items()}
    frequency = str((parts.get("FREQ") or [""])[0]).upper()
    if "RDATE" in master or frequency not in _PLAIN_RULE or set(parts) - _PLAIN_RULE[frequency]:
        return SeriesInfo(uid, Repeat.DATES, 1, (), first_start, last_start, all_day)
    interval = parts.get("INTERVAL") or [1]
    weekdays: tuple[int, ...] = ()
    if frequency == "WEEKLY":
        days = [str(day).upper() for day in parts.get("BYDAY") or []]
        if any(day not in _WEEKDAYS for day in days):  # "1WE" in a weekly rule: not plain
            return SeriesInfo(uid, Repeat.DATES, 1, (), first_start, last_start, all_day)
        weekdays = tuple(sorted({_WEEKDAYS.index(day) for day in days})) or (
            first_start.astimezone(zone).weekday(),
        )
    return SeriesInfo(
        uid,
        Repeat(frequency.lower()),
        max(int(interval[0]), 1),
        weekdays,
        first_start,
        last_start,
        all_day,
    )


def _series(master: icalendar.Event, changed: dict[datetime, icalendar.Event]) -> Any:
    calendar = icalendar.Calendar()
    for component in [master, *changed.values()]:
        calendar.add_component(component)
    return recurring_ical_events.of(calendar)


def _any_after(
    master: icalendar.Event, changed: dict[datetime, icalendar.Event], moment: datetime
) -> bool:
    """Whether a series with nothing in the span has an occurrence after it (so it is beyond
    the horizon, not in the past)."""
    try:
        return next(iter(_series(master, changed).after(moment)), None) is not None
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return False


def _original_start(component: icalendar.Event, zone: ZoneInfo) -> datetime:
    """When the series had the occurrence, before any override moved it."""
    name = "RECURRENCE-ID" if "RECURRENCE-ID" in component else "DTSTART"
    return _instant(component[name], zone, name)


def _start_of(component: icalendar.Event, zone: ZoneInfo) -> datetime | None:
    try:
        return _instant(component["DTSTART"], zone, "DTSTART")
    except _Unusable:
        return None  # the event itself is skipped as unreadable when it is converted


def _convert(component: icalendar.Event, uid: str, zone: ZoneInfo) -> CalendarEvent:
    try:
        return _read(component, uid, zone)
    except _Unusable:
        raise
    except (ValueError, TypeError, AttributeError, OverflowError) as e:
        raise _Unusable(_short(str(e), 80)) from None


def _read(component: icalendar.Event, uid: str, zone: ZoneInfo) -> CalendarEvent:
    start = _value(component["DTSTART"], "DTSTART")
    all_day = not isinstance(start, datetime)
    starts_at = _instant(component["DTSTART"], zone, "DTSTART")
    ends_at: datetime | None
    if "DTEND" in component:
        end = _value(component["DTEND"], "DTEND")
        if isinstance(end, datetime) == all_day:
            raise _Unusable("its start and end mix a date with a date and time")
        ends_at = _instant(component["DTEND"], zone, "DTEND")
    elif "DURATION" in component:
        duration = getattr(component["DURATION"], "dt", None)
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise _Unusable("its length is not a positive duration")
        if all_day:
            if duration % timedelta(days=1):
                raise _Unusable("it lasts all day, but its length is not in whole days")
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
        raise _Unusable("it ends before it starts")
    return CalendarEvent(
        uid=uid,
        title=_title(component),
        starts_at=starts_at,
        ends_at=ends_at,
        place=_one_line(plain_text(_text(component, "LOCATION"))),
        description=_description(component),
        all_day=all_day,
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
    )


def _title(component: icalendar.Event) -> str:
    return _one_line(clean_text(plain_text(_text(component, "SUMMARY"))))


def _description(component: icalendar.Event) -> str:
    """DESCRIPTION as plain text; Outlook's HTML version (X-ALT-DESC) when that is empty."""
    text = _text(component, "DESCRIPTION")
    if not text:
        alternative = component.get("X-ALT-DESC")
        params = getattr(alternative, "params", {})
        if alternative is not None and "html" in str(params.get("FMTTYPE", "")).lower():
            # icalendar does not know X-ALT-DESC, so it leaves the text's escapes (\n, \,) in.
            text = clean_text(_ESCAPED.sub(_unescape, str(alternative)))
    # Entities decode to any character, control characters too: cleaned again after.
    return _lines(clean_text(plain_text(text)))


_ESCAPED = re.compile(r"\\([\\;,nN])")


def _unescape(found: re.Match[str]) -> str:
    return "\n" if found.group(1) in "nN" else found.group(1)


def _value(prop: object, name: str) -> date:
    value = getattr(prop, "dt", None)
    if not isinstance(value, date):
        raise _Unusable(f"its {_NEEDED[name]} is not a date or a date with time")
    return value


def _instant(prop: object, zone: ZoneInfo, name: str) -> datetime:
    """A DTSTART-like property as UTC: floating times and dates are read in `zone`."""
    value = _value(prop, name)
    if not isinstance(value, datetime):
        return _midnight(value, zone)
    if value.tzinfo is None:
        params = getattr(prop, "params", {})
        if params.get("TZID"):
            raise _Unusable(
                f"its {_NEEDED[name]} is in the unknown time zone {params['TZID']!r} (use a "
                "name such as Europe/Oslo, or include its VTIMEZONE)"
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
