"""iCalendar files: reading a network's events (for `naboskap event import`) and writing one."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.services.calendar_files import (
    CalendarError,
    CalendarEvent,
    Skipped,
    SkipReason,
    derived_uid,
    event_file,
    read_calendar,
    read_events,
)

OSLO = ZoneInfo("Europe/Oslo")
SAMPLE = (Path(__file__).parents[1] / "data" / "larvik-events.ics").read_bytes()
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
KAFE = "strikkekafe-2027@arrangement.larvik.example"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ics(*lines: str) -> bytes:
    """A VCALENDAR around the given content lines, with CRLF line ends."""
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//NB", *lines, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode()


def vevent(*lines: str) -> list[str]:
    return ["BEGIN:VEVENT", "DTSTAMP:20261120T120000Z", *lines, "END:VEVENT"]


def sample(now: datetime = NOW) -> dict[str, CalendarEvent]:
    return {e.uid: e for e in read_events(SAMPLE, OSLO, now=now)}


# The sample file


def test_sample_yields_every_event_and_occurrence_in_order() -> None:
    assert [e.uid for e in read_events(SAMPLE, OSLO, now=NOW)] == [
        "julegran-2026@arrangement.larvik.example",
        "fjernvarme-info@arrangement.larvik.example",
        f"{KAFE}/20270302T170000Z",
        f"{KAFE}/20270309T170000Z",
        f"{KAFE}/20270316T170000Z",
        f"{KAFE}/20270330T160000Z",
        f"{KAFE}/20270406T160000Z",
        "vaardugnad-bokeskogen-2027@arrangement.larvik.example",
        "hagedager-hovland-2027@arrangement.larvik.example",
    ]


def test_winter_event_in_oslo_is_one_hour_ahead_of_utc() -> None:
    event = sample()["julegran-2026@arrangement.larvik.example"]
    assert event.title == "Julegrantenning på Torget"
    assert event.starts_at == utc(2026, 12, 5, 15, 0)  # 16:00 CET
    assert event.ends_at == utc(2026, 12, 5, 16, 30)
    assert event.starts_at.tzinfo is UTC
    assert event.place == "Torget, Larvik sentrum"
    assert not event.all_day
    assert not event.cancelled


def test_summer_event_after_the_clocks_change_is_two_hours_ahead() -> None:
    event = sample()["vaardugnad-bokeskogen-2027@arrangement.larvik.example"]
    assert event.title == "Vårdugnad i Bøkeskogen"  # the file pads it with spaces
    assert event.starts_at == utc(2027, 4, 10, 8, 0)  # 10:00 CEST
    assert event.ends_at == utc(2027, 4, 10, 12, 0)
    assert event.place == "Bøkeskogen, hovedinngangen ved Kirkestredet"


def test_long_description_is_unfolded_and_unescaped_with_its_newlines() -> None:
    event = sample()["julegran-2026@arrangement.larvik.example"]
    assert event.description == (
        "Velkommen til julegrantenning på Torget!\n"
        "Larvik Musikkorps spiller, og barnekoret fra Frøy skole synger julesanger. "
        "Nissen kommer kl. 17.00 med godteposer til barna.\n"
        "\n"
        "Ta med: varme klær; refleks; gjerne en termos med kakao.\n"
        "Arrangør: Sentrum velforening, i samarbeid med Larvik kommune."
    )


def test_utc_event_with_a_duration_and_cancelled() -> None:
    event = sample()["fjernvarme-info@arrangement.larvik.example"]
    assert event.starts_at == utc(2027, 1, 13, 17, 0)
    assert event.ends_at == utc(2027, 1, 13, 18, 30)
    assert event.cancelled
    assert event.title == "Digitalt informasjonsmøte om fjernvarme"
    assert event.place == "Teams (lenke sendes ut på e-post)"


def test_all_day_event_runs_from_local_midnight_to_midnight_after_its_last_day() -> None:
    event = sample()["hagedager-hovland-2027@arrangement.larvik.example"]
    assert event.all_day
    assert event.title == "Åpne hagedager på Hovland"
    assert event.starts_at == utc(2027, 5, 7, 22, 0)  # 8 May 00:00 CEST
    assert event.ends_at == utc(2027, 5, 9, 22, 0)  # DTEND 10 May is exclusive


def test_reading_the_same_file_twice_gives_the_same_uids_and_events() -> None:
    first = read_events(SAMPLE, OSLO, now=NOW)
    second = read_events(SAMPLE, OSLO, now=NOW + timedelta(minutes=5))
    assert [e.uid for e in first] == [e.uid for e in second]
    assert first == second
    assert len({e.uid for e in first}) == len(first)
    # LF instead of CRLF (a file saved by an editor) changes nothing.
    assert read_events(SAMPLE.replace(b"\r\n", b"\n"), OSLO, now=NOW) == first


# Recurring events


def test_weekly_series_honours_exdate_and_the_override_across_the_clock_change() -> None:
    occurrences = [e for e in read_events(SAMPLE, OSLO, now=NOW) if e.uid.startswith(KAFE)]
    assert [(e.starts_at, e.ends_at) for e in occurrences] == [
        (utc(2027, 3, 2, 17), utc(2027, 3, 2, 19)),
        (utc(2027, 3, 10, 16), utc(2027, 3, 10, 18)),  # moved to Wednesday 17:00
        (utc(2027, 3, 16, 17), utc(2027, 3, 16, 19)),
        # 23 March is an EXDATE; summer time from 28 March: still 18:00 in Larvik.
        (utc(2027, 3, 30, 16), utc(2027, 3, 30, 18)),
        (utc(2027, 4, 6, 16), utc(2027, 4, 6, 18)),
    ]
    assert {e.title for e in occurrences} == {
        "Strikkekafé på biblioteket",
        "Strikkekafé – flyttet til onsdag",
    }


def test_the_override_replaces_its_occurrence_and_keeps_the_original_uid() -> None:
    moved = sample()[f"{KAFE}/20270309T170000Z"]
    assert moved.title == "Strikkekafé – flyttet til onsdag"
    assert moved.place == "Larvik bibliotek, møterom 2"
    assert moved.description == "Denne uka er vi på onsdag, fordi salen er opptatt tirsdag."
    assert moved.starts_at == utc(2027, 3, 10, 16, 0)
    regular = sample()[f"{KAFE}/20270302T170000Z"]
    assert regular.description == (
        "Ta med strikketøyet ditt – nybegynnere er hjertelig velkomne.\nKaffe og vafler: 20 kr."
    )


def test_events_that_have_ended_are_skipped_but_running_ones_are_kept() -> None:
    during_dugnad = utc(2027, 4, 10, 9, 0)
    assert list(sample(during_dugnad)) == [
        "vaardugnad-bokeskogen-2027@arrangement.larvik.example",
        "hagedager-hovland-2027@arrangement.larvik.example",
    ]
    after_two_meetings = utc(2027, 3, 12)
    assert [uid for uid in sample(after_two_meetings) if uid.startswith(KAFE)] == [
        f"{KAFE}/20270316T170000Z",
        f"{KAFE}/20270330T160000Z",
        f"{KAFE}/20270406T160000Z",
    ]
    assert sample(utc(2027, 6, 1)) == {}


def test_an_endless_series_is_expanded_up_to_the_horizon_only() -> None:
    data = ics(
        *vevent(
            "UID:quiz@example",
            "SUMMARY:Quiz på puben",
            "DTSTART;TZID=Europe/Oslo:20261203T190000",
            "DTEND;TZID=Europe/Oslo:20261203T210000",
            "RRULE:FREQ=WEEKLY",
        ),
        *vevent("UID:far@example", "SUMMARY:Langt fram", "DTSTART;VALUE=DATE:20300101"),
    )
    report = read_calendar(data, OSLO, now=NOW, horizon_days=30)
    assert [e.uid for e in report.events] == [
        "quiz@example/20261203T180000Z",
        "quiz@example/20261210T180000Z",
        "quiz@example/20261217T180000Z",
        "quiz@example/20261224T180000Z",
    ]
    assert report.skipped == [Skipped("far@example", "Langt fram", SkipReason.BEYOND_HORIZON)]


def test_floating_daily_series_with_until_is_read_in_the_given_zone() -> None:
    data = ics(
        *vevent(
            "UID:ski@example",
            "SUMMARY:Skikurs for barn",
            "DTSTART:20270215T100000",
            "DURATION:PT2H",
            "RRULE:FREQ=DAILY;UNTIL=20270217T235959",
        )
    )
    events = read_events(data, OSLO, now=NOW)
    assert [(e.uid, e.starts_at, e.ends_at) for e in events] == [
        ("ski@example/20270215T090000Z", utc(2027, 2, 15, 9), utc(2027, 2, 15, 11)),
        ("ski@example/20270216T090000Z", utc(2027, 2, 16, 9), utc(2027, 2, 16, 11)),
        ("ski@example/20270217T090000Z", utc(2027, 2, 17, 9), utc(2027, 2, 17, 11)),
    ]
    in_utc = read_events(data, ZoneInfo("UTC"), now=NOW)
    assert in_utc[0].starts_at == utc(2027, 2, 15, 10)


def test_monthly_all_day_series_with_count_and_exdate() -> None:
    data = ics(
        *vevent(
            "UID:papir@example",
            "SUMMARY:Papirinnsamling",
            "DTSTART;VALUE=DATE:20270305",
            "RRULE:FREQ=MONTHLY;COUNT=3",
            "EXDATE;VALUE=DATE:20270405",
        )
    )
    events = read_events(data, OSLO, now=NOW)
    assert [(e.uid, e.starts_at, e.ends_at, e.all_day) for e in events] == [
        ("papir@example/20270304T230000Z", utc(2027, 3, 4, 23), utc(2027, 3, 5, 23), True),
        ("papir@example/20270504T220000Z", utc(2027, 5, 4, 22), utc(2027, 5, 5, 22), True),
    ]


def test_a_series_without_an_end_gives_occurrences_without_one() -> None:
    data = ics(
        *vevent(
            "UID:bading@example",
            "SUMMARY:Morgenbad på Kjerringvik",
            "DTSTART;TZID=Europe/Oslo:20270601T070000",
            "RRULE:FREQ=DAILY;COUNT=2",
        )
    )
    events = read_events(data, OSLO, now=NOW)
    assert [(e.starts_at, e.ends_at) for e in events] == [
        (utc(2027, 6, 1, 5), None),
        (utc(2027, 6, 2, 5), None),
    ]


def test_an_override_without_its_series_is_read_as_that_occurrence() -> None:
    data = ics(
        *vevent(
            "UID:kor@example",
            "RECURRENCE-ID;TZID=Europe/Oslo:20270112T190000",
            "DTSTART;TZID=Europe/Oslo:20270113T190000",
            "DTEND;TZID=Europe/Oslo:20270113T203000",
            "SUMMARY:Korøvelse (flyttet)",
        )
    )
    [event] = read_events(data, OSLO, now=NOW)
    assert event.uid == "kor@example/20270112T180000Z"
    assert event.starts_at == utc(2027, 1, 13, 18)


# Single events from inline files


def test_all_day_event_without_dtend_lasts_one_local_day_even_when_the_clocks_change() -> None:
    data = ics(*vevent("UID:dag@example", "SUMMARY:Ryddedag", "DTSTART;VALUE=DATE:20270328"))
    [event] = read_events(data, OSLO, now=NOW)
    assert event.all_day
    assert event.starts_at == utc(2027, 3, 27, 23)
    assert event.ends_at == utc(2027, 3, 28, 22)  # a 23-hour day


def test_duration_in_days_keeps_the_local_time_across_the_clock_change() -> None:
    data = ics(
        *vevent(
            "UID:tur@example",
            "SUMMARY:Overnattingstur til Malmøya",
            "DTSTART;TZID=Europe/Oslo:20270327T120000",
            "DURATION:P1DT1H",
        )
    )
    [event] = read_events(data, OSLO, now=NOW)
    assert event.starts_at == utc(2027, 3, 27, 11)
    assert event.ends_at == utc(2027, 3, 28, 11)  # 13:00 CEST the next day


def test_timed_event_without_end_has_none_and_a_custom_vtimezone_is_used() -> None:
    data = ics(
        "BEGIN:VTIMEZONE",
        "TZID:Kontorets sone",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0300",
        "TZOFFSETTO:+0300",
        "END:STANDARD",
        "END:VTIMEZONE",
        *vevent(
            "UID:frokost@example",
            "SUMMARY:Frokostmøte",
            "DTSTART;TZID=Kontorets sone:20270110T090000",
        ),
    )
    [event] = read_events(data, OSLO, now=NOW)
    assert event.starts_at == utc(2027, 1, 10, 6)
    assert event.ends_at is None


# Events that cannot be imported are skipped, each with its reason


def test_an_event_without_uid_gets_one_from_its_start_and_title() -> None:
    data = ics(*vevent("SUMMARY:Uten id", "DTSTART:20270110T090000Z"))
    [event] = read_events(data, OSLO, now=NOW)
    assert event.uid == derived_uid(":20270110T090000Z", "Uten id")
    assert event.uid.endswith("@derived.naboskap.invalid")
    # Stable from one reading to the next; another start or title is another event.
    assert read_events(data, OSLO, now=NOW + timedelta(hours=1))[0].uid == event.uid
    moved = ics(*vevent("SUMMARY:Uten id", "DTSTART:20270111T090000Z"))
    assert read_events(moved, OSLO, now=NOW)[0].uid != event.uid


def test_two_events_without_uid_with_the_same_start_and_title_are_one() -> None:
    event = ["SUMMARY:Uten id", "DTSTART;TZID=Europe/Oslo:20270110T090000"]
    report = read_calendar(ics(*vevent(*event), *vevent(*event)), OSLO, now=NOW)
    assert len(report.events) == 1
    assert [s.reason for s in report.skipped] == [SkipReason.DUPLICATE]


@pytest.mark.parametrize("summary", [None, "SUMMARY:   "])
def test_missing_summary_is_skipped_naming_the_uid(summary: str | None) -> None:
    lines = ["UID:tittellos@example", "DTSTART:20270110T090000Z"]
    data = ics(*vevent(*lines, *([summary] if summary else [])))
    report = read_calendar(data, OSLO, now=NOW)
    assert report.events == []
    assert report.skipped == [Skipped("tittellos@example", "", SkipReason.NO_TITLE)]


def test_missing_dtstart_is_skipped_with_its_title() -> None:
    data = ics(*vevent("UID:nar@example", "SUMMARY:Når da?"))
    report = read_calendar(data, OSLO, now=NOW)
    assert report.skipped == [Skipped("nar@example", "Når da?", SkipReason.NO_START)]


def test_an_event_without_uid_or_title_is_named_by_its_place_in_the_file() -> None:
    data = ics(
        *vevent("UID:ok@example", "SUMMARY:Grei", "DTSTART:20270110T090000Z"),
        *vevent("DTSTART:20270111T090000Z"),
    )
    report = read_calendar(data, OSLO, now=NOW)
    assert report.skipped == [Skipped("event 2", "", SkipReason.NO_TITLE)]


@pytest.mark.parametrize(
    ("lines", "detail"),
    [
        (["DTSTART:2027banana"], r"its start cannot be read"),
        (["DTSTART;TZID=Mars/Olympus:20270110T090000"], r"unknown time zone 'Mars/Olympus'"),
        (["DTSTART:20270110T090000Z", "DTEND:20270110T080000Z"], r"ends before it starts"),
        (["DTSTART:20270110T090000Z", "RRULE:FREQ=SOMETIMES"], r"its repeat rule cannot be read"),
        (["DTSTART;VALUE=DATE:20270110", "DTEND:20270111T090000Z"], r"mix a date"),
        (["DTSTART:20270110T090000Z", "DURATION:-PT1H"], r"not a positive duration"),
    ],
    ids=["bad-date", "unknown-zone", "end-before-start", "bad-rrule", "date-and-time", "duration"],
)
def test_broken_event_is_skipped_and_the_others_are_read(lines: list[str], detail: str) -> None:
    data = ics(
        *vevent("UID:for@example", "SUMMARY:Før", "DTSTART:20270109T090000Z"),
        *vevent("UID:feil@example", "SUMMARY:Feil", *lines),
        *vevent("UID:etter@example", "SUMMARY:Etter", "DTSTART:20270111T090000Z"),
    )
    report = read_calendar(data, OSLO, now=NOW)
    assert [e.uid for e in report.events] == ["for@example", "etter@example"]
    [skipped] = report.skipped
    assert (skipped.where, skipped.title, skipped.reason) == (
        "feil@example",
        "Feil",
        SkipReason.UNPARSEABLE,
    )
    assert re.search(detail, skipped.detail), skipped.detail
    assert "Traceback" not in skipped.detail


def test_a_second_event_with_the_same_uid_is_skipped() -> None:
    event = ["UID:dobbel@example", "SUMMARY:To ganger", "DTSTART:20270110T090000Z"]
    report = read_calendar(ics(*vevent(*event), *vevent(*event)), OSLO, now=NOW)
    assert [e.uid for e in report.events] == ["dobbel@example"]
    assert report.skipped == [Skipped("dobbel@example", "To ganger", SkipReason.DUPLICATE)]


def test_past_events_and_a_past_series_are_skipped_as_past() -> None:
    data = ics(
        *vevent("UID:gammel@example", "SUMMARY:I fjor", "DTSTART:20251110T090000Z"),
        *vevent(
            "UID:serie@example",
            "SUMMARY:Gammel serie",
            "DTSTART:20250110T090000Z",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        ),
        *vevent(
            "UID:arlig@example",
            "SUMMARY:Årlig, neste gang langt fram",
            "DTSTART;VALUE=DATE:20250301",
            "RRULE:FREQ=YEARLY",
        ),
    )
    report = read_calendar(data, OSLO, now=NOW, horizon_days=30)
    assert report.events == []
    assert [(s.where, s.reason) for s in report.skipped] == [
        ("gammel@example", SkipReason.PAST),
        ("serie@example", SkipReason.PAST),
        ("arlig@example", SkipReason.BEYOND_HORIZON),
    ]


def test_garbage_in_a_property_the_import_does_not_use_is_ignored() -> None:
    data = ics(
        *vevent(
            "UID:ok@example",
            "SUMMARY:Grei",
            "DTSTART:20270110T090000Z",
            "LAST-MODIFIED:igår",
            "GEO:her;der",
        )
    )
    report = read_calendar(data, OSLO, now=NOW)
    assert [e.uid for e in report.events] == ["ok@example"]
    assert report.skipped == []


# Files that are not calendars at all


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n",
        b"Dette er ikke en kalender.\nBare tekst.",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        bytes(range(256)),
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kari Nordmann\r\nEND:VCARD\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n",
        SAMPLE[: len(SAMPLE) // 2],
    ],
    ids=["empty", "blank", "text", "pdf", "binary", "vcard", "unclosed", "truncated"],
)
def test_a_file_that_is_not_a_calendar_is_a_calendar_error(data: bytes) -> None:
    with pytest.raises(CalendarError) as caught:
        read_calendar(data, OSLO, now=NOW)
    assert isinstance(caught.value, ValueError)


def test_a_calendar_without_events_gives_none() -> None:
    assert read_events(ics(), OSLO, now=NOW) == []


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read_events(SAMPLE, OSLO, now=datetime(2026, 11, 27, 12))


# Writing an event file


@pytest.mark.parametrize("uid", list(sample()))
def test_every_sample_event_survives_the_round_trip(uid: str) -> None:
    # One date of a series is written as a single event: it comes back without its series.
    event = replace(sample()[uid], series=None, own_change=False)
    assert read_events(event_file(event, zone=OSLO, stamped_at=NOW), OSLO, now=NOW) == [event]


def test_round_trip_of_a_cancelled_event_with_a_url_and_awkward_text() -> None:
    event = CalendarEvent(
        uid="42@naboskap",
        title="Sankthansbål; på Tollerodden, ved sjøen",
        starts_at=utc(2027, 6, 23, 18, 30),
        ends_at=utc(2027, 6, 23, 21, 0),
        place="Tollerodden, Larvik",
        description="Linje én, med komma; og semikolon.\n\nLinje tre\\med skråstrek. " * 5,
        cancelled=True,
    )
    data = event_file(event, zone=OSLO, stamped_at=NOW, url="https://example.org/events/42")
    assert read_events(data, OSLO, now=NOW) == [
        replace(event, description=event.description.strip())
    ]


def test_event_file_is_a_valid_publish_calendar_with_a_vtimezone_and_no_alarm() -> None:
    event = sample()["julegran-2026@arrangement.larvik.example"]
    data = event_file(
        event,
        zone=OSLO,
        stamped_at=NOW,
        organizer_name="Sentrum velforening",
        url="https://ex.org/1",
    )
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["PRODID"] == "-//Naboskap//Naboskap//NB"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    [timezone] = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    assert timezone["TZID"] == "Europe/Oslo"
    [vevent] = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    assert not vevent.errors
    assert vevent.subcomponents == []  # no VALARM: the bot sends its own reminders
    assert vevent["UID"] == event.uid
    assert vevent.decoded("DTSTAMP") == NOW  # when the file was made, by the caller's clock
    assert vevent["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert vevent.decoded("DTSTART") == datetime(2026, 12, 5, 16, 0, tzinfo=OSLO)
    assert vevent.decoded("DTEND") == datetime(2026, 12, 5, 17, 30, tzinfo=OSLO)
    assert vevent["SUMMARY"] == "Julegrantenning på Torget"
    assert vevent["LOCATION"] == "Torget, Larvik sentrum"
    assert vevent["DESCRIPTION"] == event.description
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["URL"] == "https://ex.org/1"
    assert vevent["ORGANIZER"].params["CN"] == "Sentrum velforening"
    assert b"VALARM" not in data
    assert b"BEGIN:VTIMEZONE" in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded


def test_all_day_event_file_uses_dates_and_cancelled_status() -> None:
    event = replace(sample()["hagedager-hovland-2027@arrangement.larvik.example"], cancelled=True)
    vevent = icalendar.Calendar.from_ical(event_file(event, zone=OSLO, stamped_at=NOW)).events[0]
    assert vevent.decoded("DTSTART") == date(2027, 5, 8)
    assert vevent.decoded("DTEND") == date(2027, 5, 10)
    assert vevent["STATUS"] == "CANCELLED"


def test_a_time_the_clocks_show_twice_is_written_in_utc_and_survives() -> None:
    # 25 October 2026: 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC.
    event = CalendarEvent(
        uid="natt@example",
        title="Nattevandring",
        starts_at=utc(2026, 10, 25, 1, 30),
        ends_at=utc(2026, 10, 25, 3, 0),
    )
    data = event_file(event, zone=OSLO, stamped_at=NOW)
    assert b"DTSTART:20261025T013000Z" in data
    assert b"DTEND;TZID=Europe/Oslo:20261025T040000" in data
    assert read_events(data, OSLO, now=utc(2026, 10, 1)) == [event]


def test_event_file_refuses_times_without_a_zone() -> None:
    event = CalendarEvent(uid="x", title="Naiv", starts_at=datetime(2027, 1, 1, 12), ends_at=None)
    with pytest.raises(ValueError, match="without a time zone"):
        event_file(event, zone=OSLO, stamped_at=NOW)


def test_control_characters_in_a_file_are_dropped() -> None:
    data = ics(
        *vevent(
            "UID:nul@example",
            "DTSTART:20270105T170000Z",
            "SUMMARY:Strikke\x00kafé\x1b",
            "LOCATION:Bibliotek\x07et",
        )
    )
    [event] = read_events(data, OSLO, now=NOW)
    assert (event.title, event.place) == ("Strikkekafé", "Biblioteket")
