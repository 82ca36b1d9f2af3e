"""Event start times as hosts type them in Norway (`3.12 18:00`, `torsdag 18`, `i morgen 19.30`),
and in English (`tomorrow 7pm`, `thursday 18`), for hosts with an English interface.

It never guesses. A text with several sensible readings, or whose only sensible reading is not
what was literally typed, is a DateQuestion(AMBIGUOUS) with the readings to offer as buttons.
After NO_TIME the flow can append the answer to the original text and parse again, so every rule
applies to the combination. The rules (tests/events/test_event_dates.py pins each):

* Dates: `3.12`, `3.12.`, `03.12.2026`, `3.12.26`, `3/12`, `2026-12-03`, `3. desember`, `dec 3rd`;
  weekdays in bokmål, nynorsk and English, full or abbreviated, with or without a date; `i dag`,
  `i morgen`/`i morgon`, `(i) overmorgen`, `i kveld` (today; hours 1–11 are evening), `neste
  torsdag`, and English equivalents. Case, spacing, commas and trailing punctuation don't matter.
* Times: `18`, `18:00`, `18.00`, `7pm`, after an optional `kl`/`kl.`/`klokka`/`klokken`/`at`,
  before or after the date. `1830` only after such a word: bare, four digits look like a year.
  A time without a date (`kl 18`, `19.30`) is AMBIGUOUS between today and tomorrow; a bare `18` is
  UNREADABLE (an hour or a day?). A lone `3.12` is a date; a lone `19.30`, not being one, a time.
* Hours 1–7 without a leading zero, am/pm or `i kveld` are AMBIGUOUS (morning or evening: "kl 7"
  is as often 19:00). A leading zero marks 24-hour intent (`07`, `07:30`, `0730`); hours 0 and
  8–23 are taken as written.
* A weekday is the next such day; today's weekday is today while the time is ahead. Once it has
  passed, the one reading left (a week on) is asked, not taken: "onsdag 9" at 10:00 on a Wednesday
  is as likely a slip. `neste torsdag` offers the coming Thursday and the one after, as people mean
  either; a weekday contradicting its date (`fredag 3.12`, a Thursday) offers both days. After a
  bare weekday, a dotted pair that can be a date is one (`torsdag 3.12` is NO_TIME, not 03:12).
* A day and month without a year is the next occurrence from today on, but one within the last
  seven days is PAST: `1.12` typed on 2 December is a slip or a stale draft, not a plan for next
  year (also across New Year). More than five minutes ago is PAST (an event "starting now" is
  fine); beyond max_days_ahead days is TOO_FAR. Date problems come before NO_TIME.
* Daylight saving: a wall-clock time that does not exist (02:30 on the last Sunday of March) is
  INVALID_DATE, as moving it to 03:30 would be a guess; the repeated autumn hour is taken at its
  first occurrence (summer time, fold=0).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

GRACE = timedelta(minutes=5)
RECENT = timedelta(days=7)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_Hours = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ParsedTime:
    """A definite local moment: timezone-aware, in the zone asked for."""

    start: datetime


class DateProblem(Enum):
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    NO_TIME = "no_time"
    AMBIGUOUS = "ambiguous"
    PAST = "past"
    TOO_FAR = "too_far"
    INVALID_DATE = "invalid_date"


@dataclass(frozen=True)
class DateQuestion:
    """What to ask the host; for AMBIGUOUS, the readings to offer, earliest first."""

    problem: DateProblem
    candidates: tuple[datetime, ...] = ()


def _table(*rows: str, start: int = 0) -> dict[str, int]:
    return {word: i for i, row in enumerate(rows, start) for word in row.split()}


_WEEKDAYS = _table(
    "mandag måndag man mån monday mon", "tirsdag tysdag tir tirs tys tuesday tue tues",
    "onsdag ons wednesday wed", "torsdag tor tors thursday thu thur thurs", "fredag fre friday fri",
    "lørdag laurdag lør lau saturday sat", "søndag sundag søn sun sunday",
)  # fmt: skip
_MONTHS = _table(
    "januar jan january", "februar feb february", "mars mar march", "april apr",
    "mai may", "juni jun june", "juli jul july", "august aug", "september sep sept",
    "oktober okt october oct", "november nov", "desember des december dec",
    start=1,
)  # fmt: skip
_RELATIVE = _table("idag today ikveld tonight", "imorgen imorgon tomorrow")
_RELATIVE |= _table("iovermorgen overmorgen iovermorgon overmorgon", start=2)
_EVENING = frozenset({"ikveld", "tonight"})
_NEXT = frozenset({"neste", "next"})
_FILLERS = frozenset({"på", "on", "den", "the"})

_JOINED = re.compile(r"\bi (dag|morgen|morgon|overmorgen|overmorgon|kveld)\b")
_CLOCK = re.compile(
    r"(?:(?P<kl>kl|klokka|klokken|at)\s*)?"
    r"(?:(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?|(?P<hm>\d{3,4}))"
    r"(?:\s*(?P<ap>am|pm))?"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2})?)?")
_DAY_MONTH = re.compile(r"(\d{1,2})\.?\s+([^\d\s]+)(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"([^\d\s]+)\s+(\d{1,2})(?:\s+(\d{4}))?")


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    padded: bool  # "07": a leading zero marks 24-hour intent
    ap: str | None
    marked: bool  # kl/at, a separator or am/pm: enough to stand as a time without a date


@dataclass(frozen=True)
class _Day:
    """Exactly one of offset, weekday alone, or dmy (possibly with a weekday) is given."""

    offset: int | None = None
    weekday: int | None = None
    following: bool = False  # "neste torsdag"
    dmy: tuple[int, int, int | None] | None = None
    evening: bool = False


def _normalise(text: str) -> list[str]:
    s = unicodedata.normalize("NFKC", text).casefold()
    s = re.sub(r"(?<![a-z])([ap])\.\s?m\.?(?![a-z])", r"\1m", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", s)
    s = re.sub(r"(\d)t(\d)", r"\1 \2", s)  # ISO 8601's "T"
    s = re.sub(r"(\d)\s*([ap]m)\b", r"\1 \2", s)
    s = re.sub(r"([^\W\d_])\.", r"\1 ", s)  # abbreviations: "kl.", "søn.", "des."
    s = re.sub(r"(\d)\.(?=[^\W\d_])", r"\1. ", s)  # "3.des"
    s = s.replace(",", " ").strip(" \t\r\n.!?;:")
    s = _JOINED.sub(r"i\1", " ".join(s.split())).replace("day after tomorrow", "overmorgen")
    return [w for w in s.split() if w not in _FILLERS]


def _clock(text: str) -> _Clock | None:
    m = _CLOCK.fullmatch(text)
    if m is None or (m["hm"] and not m["kl"]):
        return None
    hour_text, minute = (m["hm"][:-2], int(m["hm"][-2:])) if m["hm"] else (m["h"], int(m["m"] or 0))
    marked = bool(m["kl"] or m["sep"] or m["ap"])
    return _Clock(int(hour_text), minute, hour_text.startswith("0"), m["ap"], marked)


def _hours(c: _Clock, evening: bool) -> _Hours:
    """The readings of a clock time; empty when it is out of range."""
    h, m = c.hour, c.minute
    if m > 59:
        return ()
    if c.ap:
        return (((h % 12) + (12 if c.ap == "pm" else 0), m),) if 1 <= h <= 12 else ()
    if h > 23:
        return ()
    if evening and 1 <= h <= 11:
        return ((h + 12, m),)
    if 1 <= h <= 7 and not c.padded:
        return ((h, m), (h + 12, m))
    return ((h, m),)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


def _explicit(text: str) -> tuple[int, int, int | None] | None:
    if m := _ISO.fullmatch(text):
        return int(m[3]), int(m[2]), int(m[1])
    if m := _NUMERIC.fullmatch(text):
        return int(m[1]), int(m[2]), _year(m[3])
    if (m := _DAY_MONTH.fullmatch(text)) and m[2] in _MONTHS:
        return int(m[1]), _MONTHS[m[2]], _year(m[3])
    if (m := _MONTH_DAY.fullmatch(text)) and m[1] in _MONTHS:
        return int(m[2]), _MONTHS[m[1]], _year(m[3])
    return None


def _day(words: list[str]) -> _Day | None:
    text = " ".join(words)
    if text in _RELATIVE:
        return _Day(offset=_RELATIVE[text], evening=text in _EVENING)
    if len(words) == 2 and words[0] in _NEXT and words[1] in _WEEKDAYS:
        return _Day(weekday=_WEEKDAYS[words[1]], following=True)
    weekday = _WEEKDAYS.get(words[0])
    if weekday is not None and len(words) == 1:
        return _Day(weekday=weekday)
    dmy = _explicit(" ".join(words[1:]) if weekday is not None else text)
    return _Day(weekday=weekday, dmy=dmy) if dmy else None


def _plausible(day: _Day | None, clock: _Clock | None) -> bool:
    if day and day.dmy:
        d, m, _ = day.dmy
        if not (1 <= m <= 12 and 1 <= d <= calendar.monthrange(2000, m)[1]):
            return False
    return clock is None or bool(_hours(clock, evening=False))


def _split(words: list[str]) -> tuple[_Day | None, _Clock | None] | None:
    """The first plausible reading as date and/or time; failing that, the first reading at all,
    so that `31.11 18:00` is reported as an impossible date rather than as unreadable."""
    if not words:
        return None
    readings: list[tuple[_Day | None, _Clock | None]] = []
    if day := _day(words):
        readings.append((day, None))
    if (clock := _clock(" ".join(words))) and clock.marked:
        readings.append((None, clock))
    cuts = range(1, len(words))
    for day_words, clock_words in [
        *((words[:i], words[i:]) for i in cuts),
        *((words[i:], words[:i]) for i in cuts),
    ]:
        if (day := _day(day_words)) and (clock := _clock(" ".join(clock_words))):
            readings.append((day, clock))
    return next((r for r in readings if _plausible(*r)), readings[0] if readings else None)


def _calendar_date(dmy: tuple[int, int, int | None], today: date) -> date | DateProblem:
    d, m, y = dmy
    if y is not None:
        try:
            found = date(y, m, d)
        except ValueError:
            return DateProblem.INVALID_DATE
        if found < today:
            return DateProblem.PAST
        # Far beyond any max_days_ahead; stopping here keeps datetime arithmetic off year 9999.
        return DateProblem.TOO_FAR if y > today.year + 100 else found
    options: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        with suppress(ValueError):
            options.append(date(year, m, d))
    if any(timedelta(0) < today - o <= RECENT for o in options):
        return DateProblem.PAST
    return next((o for o in options if o >= today), DateProblem.INVALID_DATE)


def _dates(day: _Day | None, today: date) -> tuple[list[date], bool, date | None] | DateProblem:
    """The days meant, whether that needs asking, and the day to offer if they have all passed."""
    if day is None:
        return [today, today + _DAY], True, None
    if day.offset is not None:
        return [today + day.offset * _DAY], False, None
    ahead = 0 if day.weekday is None else (day.weekday - today.weekday()) % 7
    if day.dmy is not None:
        found = _calendar_date(day.dmy, today)
        if isinstance(found, DateProblem):
            return found
        if day.weekday is None or found.weekday() == day.weekday:
            return [found], False, None
        return [found, today + ahead * _DAY], True, None
    if day.following:
        first = today + (ahead or 7) * _DAY
        return [first, first + _WEEK], True, None
    if ahead:
        return [today + ahead * _DAY], False, None
    return [today], False, today + _WEEK


def _pick(
    dates: list[date], hours: _Hours, now: datetime, zone: ZoneInfo, ahead: int, doubtful: bool
) -> ParsedTime | DateQuestion:
    found: set[datetime] = set()
    problems: set[DateProblem] = set()
    # In UTC: datetimes sharing a tzinfo compare and subtract by wall clock, off by an hour
    # across a daylight-saving switch.
    now = now.astimezone(UTC)
    for day in dates:
        for h, m in hours:
            wall = datetime.combine(day, time(h, m))
            moment = wall.replace(tzinfo=zone)  # fold=0: the first of a repeated autumn hour
            instant = moment.astimezone(UTC)
            if instant.astimezone(zone).replace(tzinfo=None) != wall:
                problems.add(DateProblem.INVALID_DATE)  # skipped by the spring-forward jump
            elif instant < now - GRACE:
                problems.add(DateProblem.PAST)
            elif instant - now > timedelta(days=ahead):
                problems.add(DateProblem.TOO_FAR)
            else:
                found.add(moment)
    if not found:
        order = (DateProblem.PAST, DateProblem.TOO_FAR, DateProblem.INVALID_DATE)
        return DateQuestion(next(p for p in order if p in problems))
    if doubtful or len(found) > 1:
        return DateQuestion(DateProblem.AMBIGUOUS, tuple(sorted(found)))
    return ParsedTime(found.pop())


def parse_when(
    text: str, now: datetime, zone: ZoneInfo, *, max_days_ahead: int = 400
) -> ParsedTime | DateQuestion:
    """Read an event's start from `text`, typed at `now` (aware, any zone), in `zone`."""
    if not re.sub(r"[\W_]+", "", text):
        return DateQuestion(DateProblem.EMPTY)
    reading = _split(_normalise(text))
    if reading is None:
        return DateQuestion(DateProblem.UNREADABLE)
    day, clock = reading
    today = now.astimezone(zone).date()
    dated = _dates(day, today)
    if isinstance(dated, DateProblem):
        return DateQuestion(dated)
    dates, doubtful, fallback = dated
    if clock is None:
        too_far = all((d - today).days > max_days_ahead for d in dates)
        return DateQuestion(DateProblem.TOO_FAR if too_far else DateProblem.NO_TIME)
    hours = _hours(clock, evening=day is not None and day.evening)
    if not hours:
        return DateQuestion(DateProblem.INVALID_DATE)
    doubtful = doubtful or len(hours) > 1
    result = _pick(dates, hours, now, zone, max_days_ahead, doubtful)
    if fallback and isinstance(result, DateQuestion) and result.problem is DateProblem.PAST:
        return _pick([fallback], hours, now, zone, max_days_ahead, doubtful=True)
    return result


def parse_time_of_day(text: str) -> tuple[int, int] | None:
    """(hour, minute) for a time asked for on its own: `18`, `18.30`, `kl 7`, `7pm`, `kl 1830`.

    This cannot ask back, so hours 1–7 come back as written (morning). To have "7" questioned,
    append the answer to the date text and call parse_when instead.
    """
    clock = _clock(" ".join(_normalise(text)))
    hours = _hours(clock, evening=False) if clock else ()
    return hours[0] if hours else None
