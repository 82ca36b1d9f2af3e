"""The sample calendar the playground's Sentrum network follows: Larvik library's programme, as
a library's calendar (Google's, Outlook's) would publish it.

Written for Naboskap and under its licence (MIT), like the rest of the project: the events,
texts and addresses are made up (links go to the reserved `.example` domain), nothing is copied
from a real library's calendar.

A fixed file would go stale, so the calendar is drawn relative to an anchor day: the day the
playground first followed it, which the feed's URL carries (`?from=YYYY-MM-DD`). The same
anchor always gives the same bytes, so a kept database (`--db`) syncs it as unchanged (a 304)
instead of moving every event each day; a new playground gets a new anchor, and events in its
coming weeks. Counted from the anchor, it shows what a real feed brings:

- a weekly series, "Strikkekafé" on Wednesdays (COUNT=12, begun two weeks earlier), whose
  next occurrence a RECURRENCE-ID override moves to the Thursday with a note, and whose
  occurrence a fortnight later an EXDATE drops;
- a second series, "Leksehjelp" on Tuesdays, which ends (UNTIL);
- single events from the eighth day on, one of them all day and one with an HTML
  description and a link, as Google exports them. There are more of them than the daily cap
  of new-event notices (NEW_EVENT_NOTICES_PER_DAY, 3), so the flood guard holds some for the
  summary of new events. They come after each series' next occurrence, so the series are
  what the cap lets through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar

PATH = "/playground/calendars/larvik-bibliotek.ics"
NETWORK = "sentrum"  # Larvik library is in the town centre
PRODID = "-//Naboskap playground//Larvik bibliotek (sample)//NB"
UID_DOMAIN = "larvik-bibliotek.example"
LIBRARY = "Larvik bibliotek"
# The first single event is this many days after the anchor, after each series' next date.
SINGLES_FROM = 8
WEDNESDAY, TUESDAY = 2, 1
ZONE = ZoneInfo("Europe/Oslo")  # the library's; the bot reads its TZID whatever TIMEZONE is

KNITTING = "Strikkekafé på biblioteket"
HOMEWORK = "Leksehjelp for 5.–10. trinn"
MOVED_NOTE = (
    "NB: Denne uka er strikkekaféen på torsdag, fordi salen er opptatt onsdag kveld. "
    "Vanlig tid igjen uka etter."
)


@dataclass(frozen=True)
class Single:
    title: str
    weekday: int  # Monday = 0: the first such day from SINGLES_FROM days after the anchor
    starts: time | None  # None: all day
    hours: float
    place: str
    description: str


SINGLES = (
    Single(
        "Babysang på biblioteket",
        0,
        time(11, 0),
        1,
        f"{LIBRARY}, barneavdelingen",
        "Sanger, regler og rim for de minste (0–1 år) og de voksne som følger dem. Gratis.",
    ),
    Single(
        "Digital hjelp: BankID, Vipps og Helsenorge",
        1,
        time(12, 0),
        2,
        f"{LIBRARY}, 1. etasje",
        "Frivillige hjelper deg med mobilen, nettbrettet eller PC-en. Ta med det du trenger "
        "hjelp med, og gjerne passord og kodebrikke.",
    ),
    Single(
        "Forfatterbesøk: krim fra Larvik",
        3,
        time(19, 0),
        1.5,
        f"{LIBRARY}, salen",
        # HTML, as Google Calendar exports a description written in its editor.
        "<p>Tre lokale krimforfattere leser og forteller om å skrive.</p><p>Gratis, men "
        'begrenset plass: <a href="https://larvik-bibliotek.example/arrangementer">meld deg '
        "på her</a>.</p><p><b>Kaffe</b> fra kl. 18.30.</p>",
    ),
    Single(
        "Quiz på biblioteket",
        4,
        time(19, 0),
        2,
        f"{LIBRARY}, kafeen",
        "Lag på inntil fire. Premie til vinnerlaget, og alle får være med.",
    ),
    Single(
        "Bokloppemarked",
        5,
        None,
        0,
        LIBRARY,
        "Brukte bøker, tegneserier og lydbøker for en tier. Inntektene går til nye barnebøker.",
    ),
    Single(
        "Lego-verksted for barn",
        5,
        time(12, 0),
        2,
        f"{LIBRARY}, barneavdelingen",
        "Bygg sammen med andre barn (6–12 år). Vi har klossene.",
    ),
)


def on_or_after(day: date, weekday: int) -> date:
    """The first `weekday` (Monday = 0) on or after `day`."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def moved_wednesday(anchor: date) -> date:
    """The Strikkekafé that the calendar moves to the next day: its first on or after the
    anchor, so the moved one (a day later, at 18:00) is always still to come on the anchor."""
    return on_or_after(anchor, WEDNESDAY)


def feed_url(base: str, anchor: date) -> str:
    """Where the playground serves the sample drawn from `anchor` (`base`: http://host:port)."""
    return f"{base.rstrip('/')}{PATH}?from={anchor.isoformat()}"


def anchor_of(url: str) -> date | None:
    """The anchor day a feed URL of the sample carries; None when it is not the sample's."""
    parts = urlsplit(url)
    if parts.path != PATH:
        return None
    found = parse_qs(parts.query).get("from", [])
    try:
        return date.fromisoformat(found[0]) if len(found) == 1 else None
    except ValueError:
        return None


def oslo_timezone() -> icalendar.Timezone:
    """Europe/Oslo as Google and Outlook write it: the EU's rules since 1996 (last Sunday of
    March and of October), which hold for every year rather than a span of them."""
    zone = icalendar.Timezone()
    zone.add("tzid", ZONE.key)
    zone.add("x-lic-location", ZONE.key)
    for part, name, before, after, month, starts in (
        (icalendar.TimezoneDaylight(), "CEST", 1, 2, 3, datetime(1970, 3, 29, 2, 0)),
        (icalendar.TimezoneStandard(), "CET", 2, 1, 10, datetime(1970, 10, 25, 3, 0)),
    ):
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("tzname", name)
        part.add("dtstart", starts)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        zone.add_component(part)
    return zone


def render(anchor: date) -> bytes:
    """The sample calendar drawn from `anchor`, its times in Europe/Oslo (with its VTIMEZONE)."""
    zone = ZONE
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", LIBRARY)
    calendar.add("x-wr-timezone", zone.key)
    calendar.add_component(oslo_timezone())
    # Stamped at the anchor, not when it is served: the same anchor gives the same bytes.
    stamp = datetime.combine(anchor, time(0), tzinfo=zone).astimezone(UTC)

    def at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=zone)

    def event(uid: str, title: str, place: str, description: str) -> icalendar.Event:
        component = icalendar.Event()
        component.add("uid", f"{uid}@{UID_DOMAIN}")
        component.add("dtstamp", stamp)
        component.add("summary", title)
        component.add("location", place)
        component.add("description", description)
        component.add("status", "CONFIRMED")
        return component

    moved = moved_wednesday(anchor)
    knitting = event(
        "strikkekafe",
        KNITTING,
        f"{LIBRARY}, kafeen",
        "Ta med strikketøyet, eller lær å strikke av oss som kan. Garn og pinner til låns. "
        "Alle er velkomne, uansett nivå.",
    )
    first = at(moved - timedelta(weeks=2), time(18, 0))
    knitting.add("dtstart", first)
    knitting.add("dtend", first + timedelta(hours=2))
    knitting.add("rrule", {"freq": "weekly", "byday": "WE", "count": 12})
    # A Wednesday the library is closed: that occurrence is not in the feed at all.
    knitting.add("exdate", at(moved + timedelta(weeks=2), time(18, 0)))
    calendar.add_component(knitting)

    change = event("strikkekafe", KNITTING, f"{LIBRARY}, kafeen", MOVED_NOTE)
    change.add("recurrence-id", at(moved, time(18, 0)))
    thursday = at(moved + timedelta(days=1), time(18, 0))
    change.add("dtstart", thursday)
    change.add("dtend", thursday + timedelta(hours=2))
    change.add("sequence", 1)
    calendar.add_component(change)

    homework = event(
        "leksehjelp",
        HOMEWORK,
        f"{LIBRARY}, 2. etasje",
        "Frivillige lærere og studenter hjelper med lekser i alle fag. Ingen påmelding; "
        "kom når du vil.",
    )
    tuesday = at(on_or_after(anchor - timedelta(weeks=1), TUESDAY), time(16, 0))
    homework.add("dtstart", tuesday)
    homework.add("dtend", tuesday + timedelta(hours=2))
    # UNTIL in UTC, as RFC 5545 asks when DTSTART has a TZID.
    until = (tuesday + timedelta(weeks=9)).astimezone(UTC)
    homework.add("rrule", {"freq": "weekly", "byday": "TU", "until": until})
    calendar.add_component(homework)

    start_of_singles = anchor + timedelta(days=SINGLES_FROM)
    for number, single in enumerate(SINGLES, start=1):
        day = on_or_after(start_of_singles, single.weekday)
        component = event(f"arrangement-{number}", single.title, single.place, single.description)
        if single.starts is None:
            component.add("dtstart", day)
            component.add("dtend", day + timedelta(days=1))
        else:
            starts = at(day, single.starts)
            component.add("dtstart", starts)
            component.add("dtend", starts + timedelta(hours=single.hours))
        calendar.add_component(component)

    data: bytes = calendar.to_ical()
    return data
