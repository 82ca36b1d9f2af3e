"""Hosts type an event's start the way people type it in Norway; what the parser reads, and what
it asks back instead of guessing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.event_dates import (
    GRACE,
    DateProblem,
    DateQuestion,
    ParsedTime,
    parse_time_of_day,
    parse_when,
)

OSLO = ZoneInfo("Europe/Oslo")
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)  # Wednesday 2 December 2026, 10:00
SPRING = datetime(2026, 3, 27, 12, 0, tzinfo=OSLO)  # Friday; clocks go forward Sunday 29 March
AUTUMN = datetime(2026, 10, 20, 12, 0, tzinfo=OSLO)  # Tuesday; clocks go back Sunday 25 October


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def moment(text: str, now: datetime = WEDNESDAY, **kwargs: int) -> datetime:
    result = parse_when(text, now, OSLO, **kwargs)
    assert isinstance(result, ParsedTime), f"{text!r} -> {result}"
    assert result.start.tzinfo is OSLO
    return result.start


def question(text: str, now: datetime = WEDNESDAY, **kwargs: int) -> DateQuestion:
    result = parse_when(text, now, OSLO, **kwargs)
    assert isinstance(result, DateQuestion), f"{text!r} -> {result}"
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Dates typed with digits
        ("3.12 18:00", at(12, 3, 18)),
        ("3.12. 18:00", at(12, 3, 18)),
        ("03.12.2026 18:00", at(12, 3, 18)),
        ("3.12.26 18:00", at(12, 3, 18)),
        ("3/12 18.00", at(12, 3, 18)),
        ("3.12 kl 18", at(12, 3, 18)),
        ("3.12 kl. 18.30", at(12, 3, 18, 30)),
        ("3.12 klokka 18", at(12, 3, 18)),
        ("2026-12-03 18:00", at(12, 3, 18)),
        ("2026-12-03T18:00", at(12, 3, 18)),
        ("18:00 3.12", at(12, 3, 18)),
        # Month names
        ("3. desember kl 18", at(12, 3, 18)),
        ("3.des 18:00", at(12, 3, 18)),
        ("4 januar 2027 kl 12", at(1, 4, 12, year=2027)),
        ("Dec 3rd at 6pm", at(12, 3, 18)),
        ("december 3, 18:00", at(12, 3, 18)),
        # Weekdays: bokmål, nynorsk, abbreviations, English
        ("torsdag 18", at(12, 3, 18)),
        ("Torsdag kl. 18.00!", at(12, 3, 18)),
        ("tors kl 18", at(12, 3, 18)),
        ("thursday 18", at(12, 3, 18)),
        ("on Thursday at 6 p.m.", at(12, 3, 18)),
        ("kl 18 på torsdag", at(12, 3, 18)),
        ("fre 20", at(12, 4, 20)),
        ("laurdag 12", at(12, 5, 12)),
        ("lør 12", at(12, 5, 12)),
        ("sundag 14", at(12, 6, 14)),
        ("søn. 14:00", at(12, 6, 14)),
        ("3. des. kl. 18", at(12, 3, 18)),
        ("måndag 18", at(12, 7, 18)),
        ("man 18", at(12, 7, 18)),
        ("tysdag 18", at(12, 8, 18)),
        ("tir 18.30", at(12, 8, 18, 30)),
        ("torsdag den 3.12 kl 18", at(12, 3, 18)),
        ("mon dec 7 9am", at(12, 7, 9)),
        # Relative days
        ("i dag 18", at(12, 2, 18)),
        ("idag 18", at(12, 2, 18)),
        ("today 18:00", at(12, 2, 18)),
        ("i morgen 19.30", at(12, 3, 19, 30)),
        ("imorgen 19.30", at(12, 3, 19, 30)),
        ("i morgon 19.30", at(12, 3, 19, 30)),
        ("tomorrow 19:30", at(12, 3, 19, 30)),
        ("klokka 18 i morgen", at(12, 3, 18)),
        ("i overmorgen 18", at(12, 4, 18)),
        ("overmorgen kl 18", at(12, 4, 18)),
        ("the day after tomorrow at 18", at(12, 4, 18)),
        # "i kveld" settles the hour
        ("i kveld 7", at(12, 2, 19)),
        ("tonight 7:30", at(12, 2, 19, 30)),
        # Times: 24-hour forms, am/pm, four digits only after kl
        ("torsdag 07:30", at(12, 3, 7, 30)),
        ("torsdag 07", at(12, 3, 7)),
        ("torsdag 0:30", at(12, 3, 0, 30)),
        ("torsdag kl 1830", at(12, 3, 18, 30)),
        ("torsdag at 0730", at(12, 3, 7, 30)),
        ("torsdag 7am", at(12, 3, 7)),
        ("torsdag 7 PM", at(12, 3, 19)),
        ("torsdag 12am", at(12, 3, 0)),
        ("torsdag 12pm", at(12, 3, 12)),
        ("torsdag 8", at(12, 3, 8)),
        # Tolerance for case, spacing and punctuation
        ("  I   MORGEN   kl.  19.30 . ", at(12, 3, 19, 30)),
        ("torsdag, 18:00.", at(12, 3, 18)),
    ],
)
def test_texts_with_one_reading_give_that_moment(text: str, expected: datetime):
    start = moment(text)
    assert start == expected
    assert start.replace(tzinfo=None) == expected.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        # Hours 1–7 without a leading zero or am/pm: morning or evening
        ("torsdag 7", [at(12, 3, 7), at(12, 3, 19)]),
        ("3.12 kl 5", [at(12, 3, 5), at(12, 3, 17)]),
        ("i morgen 7.30", [at(12, 3, 7, 30), at(12, 3, 19, 30)]),
        ("torsdag 1", [at(12, 3, 1), at(12, 3, 13)]),
        ("torsdag kl 730", [at(12, 3, 7, 30), at(12, 3, 19, 30)]),
        # Only the evening is still ahead; asked, not assumed
        ("i dag 7", [at(12, 2, 19)]),
        # A time without a date: today or tomorrow
        ("18:00", [at(12, 2, 18), at(12, 3, 18)]),
        ("19.30", [at(12, 2, 19, 30), at(12, 3, 19, 30)]),
        ("kl 9", [at(12, 3, 9)]),
        ("7pm", [at(12, 2, 19), at(12, 3, 19)]),
        # A weekday that contradicts its date (3 December is a Thursday)
        ("fredag 3.12 18:00", [at(12, 3, 18), at(12, 4, 18)]),
        # "neste" can mean the coming one or the one after
        ("neste torsdag 18", [at(12, 3, 18), at(12, 10, 18)]),
        ("next wednesday 18", [at(12, 9, 18), at(12, 16, 18)]),
    ],
)
def test_ambiguous_texts_offer_their_readings(text: str, candidates: list[datetime]):
    asked = question(text)
    assert asked.problem is DateProblem.AMBIGUOUS
    assert asked.candidates == tuple(candidates)
    assert all(c.tzinfo is OSLO for c in asked.candidates)


def test_a_weekday_matching_its_date_is_not_questioned():
    assert moment("torsdag 3.12 18:00") == at(12, 3, 18)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # Today's weekday with the time still ahead is today (Wednesday 10:00)
        ("onsdag 18", WEDNESDAY, at(12, 2, 18)),
        ("ons 12", WEDNESDAY, at(12, 2, 12)),
        ("wednesday 10:30", WEDNESDAY, at(12, 2, 10, 30)),
        # Within the grace of a few minutes: starting now
        ("onsdag 09:57", WEDNESDAY, at(12, 2, 9, 57)),
    ],
)
def test_todays_weekday_is_today_while_the_time_is_ahead(text, now, expected):
    assert moment(text, now) == expected


@pytest.mark.parametrize(
    ("text", "now", "candidates"),
    [
        # Passed today: next week is the only reading, and it is asked
        ("onsdag 9", WEDNESDAY, [at(12, 9, 9)]),
        ("wed 09:00", WEDNESDAY, [at(12, 9, 9)]),
        # 07:00 has passed, 19:00 not: still a question
        ("onsdag 7", WEDNESDAY, [at(12, 2, 19)]),
        # Both have passed: next week's two readings
        ("onsdag 7", WEDNESDAY.replace(hour=20), [at(12, 9, 7), at(12, 9, 19)]),
    ],
)
def test_todays_weekday_once_passed_is_asked_about(text, now, candidates):
    asked = question(text, now)
    assert asked.problem is DateProblem.AMBIGUOUS
    assert asked.candidates == tuple(candidates)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", DateProblem.EMPTY),
        ("   ", DateProblem.EMPTY),
        (" . ", DateProblem.EMPTY),
        ("snart", DateProblem.UNREADABLE),
        ("neste uke", DateProblem.UNREADABLE),
        ("i morgen tidlig", DateProblem.UNREADABLE),
        ("18", DateProblem.UNREADABLE),  # an hour or a day?
        ("torsdag 1830", DateProblem.UNREADABLE),  # four digits need "kl"
        ("3.12 18:00 og 19:00", DateProblem.UNREADABLE),
        ("på", DateProblem.UNREADABLE),
        ("3.12", DateProblem.NO_TIME),
        ("3.12.", DateProblem.NO_TIME),
        ("torsdag", DateProblem.NO_TIME),
        ("torsdag 3.12", DateProblem.NO_TIME),  # a date after the weekday, not 03:12
        ("i morgen", DateProblem.NO_TIME),
        ("tomorrow", DateProblem.NO_TIME),
        ("3. desember", DateProblem.NO_TIME),
        ("i kveld", DateProblem.NO_TIME),
        ("31.11 18:00", DateProblem.INVALID_DATE),
        ("31.11", DateProblem.INVALID_DATE),  # the date's problem comes before NO_TIME
        ("30.2 18:00", DateProblem.INVALID_DATE),
        ("29.2 18:00", DateProblem.INVALID_DATE),  # neither 2026 nor 2027 is a leap year
        ("2026-02-30 18:00", DateProblem.INVALID_DATE),
        ("0.12 18:00", DateProblem.INVALID_DATE),
        ("3.13 18:00", DateProblem.INVALID_DATE),
        ("3.12 25:00", DateProblem.INVALID_DATE),
        ("3.12 18:60", DateProblem.INVALID_DATE),
        ("torsdag 13pm", DateProblem.INVALID_DATE),
        ("i dag 9", DateProblem.PAST),
        ("i dag 09:50", DateProblem.PAST),  # beyond the grace
        ("2.12 09:00", DateProblem.PAST),
        ("1.12 18:00", DateProblem.PAST),  # yesterday: not next year
        ("25.11 18:00", DateProblem.PAST),  # seven days ago: still a slip
        ("1.12", DateProblem.PAST),
        ("01.12.2026 18:00", DateProblem.PAST),
        ("3.12.2025 18:00", DateProblem.PAST),
        ("3.12.2028 18:00", DateProblem.TOO_FAR),
        ("3.12.9999 18:00", DateProblem.TOO_FAR),
        ("3.12.2030", DateProblem.TOO_FAR),
    ],
)
def test_problems_are_named(text: str, problem: DateProblem):
    assert question(text) == DateQuestion(problem)


def test_a_day_and_month_more_than_a_week_ago_is_next_year():
    assert moment("24.11 18:00") == at(11, 24, 18, year=2027)
    assert moment("3.12 18:00", datetime(2027, 1, 10, 12, tzinfo=OSLO)) == at(12, 3, 18, year=2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30.12 18:00", DateProblem.PAST),  # four days ago, across New Year
        ("5.1 18:00", at(1, 5, 18, year=2027)),
        ("25.12 18:00", at(12, 25, 18, year=2027)),  # nine days ago: next Christmas
    ],
)
def test_the_recent_past_is_past_across_new_year(text, expected):
    now = datetime(2027, 1, 3, 12, tzinfo=OSLO)
    result = parse_when(text, now, OSLO)
    if isinstance(expected, DateProblem):
        assert result == DateQuestion(expected)
    else:
        assert result == ParsedTime(expected)


@pytest.mark.parametrize(
    ("text", "max_days_ahead", "expected"),
    [
        ("3.12.2027 18:00", 400, at(12, 3, 18, year=2027)),
        ("3.12.2027 18:00", 30, DateProblem.TOO_FAR),
        ("24.11 18:00", 300, DateProblem.TOO_FAR),
        ("i morgen 18", 2, at(12, 3, 18)),
        ("overmorgen 18", 2, DateProblem.TOO_FAR),  # 56 hours ahead
    ],
)
def test_max_days_ahead(text, max_days_ahead, expected):
    result = parse_when(text, WEDNESDAY, OSLO, max_days_ahead=max_days_ahead)
    if isinstance(expected, DateProblem):
        assert result == DateQuestion(expected)
    else:
        assert result == ParsedTime(expected)


def test_now_in_another_zone_is_read_in_the_events_zone():
    # 23:30 UTC on 2 December is already 3 December in Oslo
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert moment("i dag 18", late) == at(12, 3, 18)
    assert moment("3.12 18:00", WEDNESDAY.astimezone(UTC)) == at(12, 3, 18)
    assert moment("torsdag 18", WEDNESDAY.astimezone(ZoneInfo("America/New_York"))) == at(12, 3, 18)


@pytest.mark.parametrize(
    ("text", "offset_hours"),
    [
        ("28.3 02:30", 1),
        ("søndag 01:30", 1),
        ("29.3 03:30", 2),
        ("i overmorgen 12", 2),
    ],
)
def test_spring_forward_times_carry_the_right_offset(text: str, offset_hours: int):
    assert moment(text, SPRING).utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize("text", ["29.3 02:30", "søndag 02:30", "29.03.2026 kl 02.00"])
def test_a_time_skipped_by_spring_forward_is_invalid(text: str):
    assert question(text, SPRING) == DateQuestion(DateProblem.INVALID_DATE)


def test_a_skipped_morning_hour_leaves_the_evening_to_confirm():
    asked = question("29.3 kl 2", SPRING)
    assert asked == DateQuestion(DateProblem.AMBIGUOUS, (at(3, 29, 14),))


def test_the_repeated_autumn_hour_is_its_first_occurrence():
    start = moment("25.10 02:30", AUTUMN)
    assert (start.hour, start.minute, start.fold) == (2, 30, 0)
    assert start.utcoffset() == timedelta(hours=2)
    assert moment("25.10 03:30", AUTUMN).utcoffset() == timedelta(hours=1)


def test_a_day_across_the_switch_is_23_hours_long():
    saturday_noon = datetime(2026, 3, 28, 12, tzinfo=OSLO)
    sunday_noon = moment("i morgen 12", saturday_noon)
    assert sunday_noon.astimezone(UTC) - saturday_noon.astimezone(UTC) == timedelta(hours=23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18", (18, 0)),
        ("18:30", (18, 30)),
        ("18.30", (18, 30)),
        ("kl 18", (18, 0)),
        ("Kl. 18.30.", (18, 30)),
        ("klokka 7", (7, 0)),  # as written: this cannot ask back
        ("07:30", (7, 30)),
        ("7pm", (19, 0)),
        ("12am", (0, 0)),
        ("kl 1830", (18, 30)),
        ("0:00", (0, 0)),
        ("1830", None),
        ("25:00", None),
        ("18:60", None),
        ("", None),
        ("snart", None),
        ("3.12 18:00", None),
    ],
)
def test_parse_time_of_day(text: str, expected: tuple[int, int] | None):
    assert parse_time_of_day(text) == expected


NOWS = [
    WEDNESDAY,
    WEDNESDAY.replace(hour=23, minute=58),
    SPRING,
    datetime(2026, 3, 28, 23, 30, tzinfo=OSLO),
    AUTUMN,
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO),  # the second 02:30
    datetime(2026, 12, 31, 23, 50, tzinfo=UTC),
    datetime(2027, 1, 3, 12, tzinfo=ZoneInfo("America/Los_Angeles")),
]
TEXTS = [
    "3.12 18:00", "torsdag 7", "i dag 7", "onsdag 9", "søndag 02:30", "i morgen 2.30", "kl 7",
    "29.3 kl 2", "25.10 2:30", "neste søndag 18", "fredag 3.12 18", "1.1 00:00", "31.12 23:59",
    "tonight 11", "lørdag 12", "29.2 12", "19.30", "i overmorgen 7", "5.1 8", "30.12 18:00",
]  # fmt: skip


@pytest.mark.parametrize("now", NOWS, ids=lambda now: now.isoformat())
def test_every_reading_is_ahead_in_the_zone_and_exists(now: datetime):
    for text in TEXTS:
        result = parse_when(text, now, OSLO)
        if isinstance(result, ParsedTime):
            starts: tuple[datetime, ...] = (result.start,)
        else:
            assert bool(result.candidates) == (result.problem is DateProblem.AMBIGUOUS), text
            starts = result.candidates
        assert list(starts) == sorted(set(starts)), text
        for start in starts:
            assert start.tzinfo is OSLO, text
            # In UTC: datetimes sharing a tzinfo compare by wall clock.
            instant, typed_at = start.astimezone(UTC), now.astimezone(UTC)
            assert typed_at - GRACE <= instant <= typed_at + timedelta(days=400), text
            wall = instant.astimezone(OSLO).replace(tzinfo=None)
            assert wall == start.replace(tzinfo=None), f"{text}: {start} is not on the wall clock"
