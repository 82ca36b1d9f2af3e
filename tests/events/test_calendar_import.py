"""An import is a report, not all-or-nothing (issue 14): real-world-shaped files from Google,
Outlook (Windows-1252) and Thunderbird; bad events skipped with their reasons and the rest
imported; HTML descriptions as plain text; all-day and multi-day events shown as such; a dry
run that writes nothing; and what `naboskap event import` prints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_interval
from sqlalchemy import func, select

from bot.cli.event import import_summary
from bot.i18n import native_digits
from bot.services import events
from bot.services.calendar_files import CalendarReport, SkipReason, read_calendar
from bot.services.calendar_html import plain_text
from db.models import Event, EventStatus, Notice
from tests.support.events import actor_of

OSLO = ZoneInfo("Europe/Oslo")
CALENDARS = Path(__file__).parents[1] / "data" / "calendars"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def google() -> CalendarReport:
    return read_calendar((CALENDARS / "google-mixed.ics").read_bytes(), OSLO, now=NOW)


# Reading


def test_one_bad_event_does_not_cost_the_others_and_each_skip_has_its_reason() -> None:
    report = google()
    assert [e.title for e in report.events] == [
        "Språkkafé",
        "Vinterferie-aktiviteter for barn",
        "Strandrydding",
        "Hyttetur til Malmøya",
        "Nabomøte uten UID",
    ]
    assert [(s.where, s.title, s.reason) for s in report.skipped] == [
        ("0a1b2c3d4e5f6a7b8c9d0e1f2a@google.com", "", SkipReason.NO_TITLE),
        ("5e6f7a8b9c0d1e2f3a4b5c6d7e@google.com", "Dugnad (dato kommer)", SkipReason.NO_START),
        ("3c4d5e6f7a8b9c0d1e2f3a4b5c@google.com", "Korøvelse", SkipReason.UNPARSEABLE),
        ("8f9a0b1c2d3e4f5a6b7c8d9e0f@google.com", "Høstdugnad", SkipReason.PAST),
    ]
    assert "repeat rule" in report.skipped[2].detail
    assert report.encoding == "UTF-8"


def test_html_descriptions_become_plain_text_with_their_links() -> None:
    kafe = google().events[0]
    assert kafe.description == (
        "Språkkafé for alle som vil øve på norsk.\n"
        "Vi har kaffe og vafler.\n"
        "\n"
        "Påmelding: larvik.kommune.no/sprakkafe (https://www.larvik.kommune.no/sprakkafe)\n"
        "Mer info: https://example.org/kafe\n"
        "\n"
        "• Ta med venner\n"
        "• Gratis"
    )
    rydding = google().events[2]
    assert rydding.description == "Vi rydder strandsonen.\n\nHansker & sekker deles ut."


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Linje 1<br>Linje 2<br/>Linje 3", "Linje 1\nLinje 2\nLinje 3"),
        ("<p>Én</p>\n<p>To</p>", "Én\n\nTo"),
        ("A&nbsp;B &amp; C &lt;3", "A B & C <3"),
        ('Se <a href="https://a.no/x">https://a.no/x</a>', "Se https://a.no/x"),
        ('<a href="mailto:post@lag.no">post@lag.no</a>', "post@lag.no"),
        ('<a href="javascript:alert(1)">klikk</a>', "klikk"),
        ("<style>p { color: red }</style><b>Fet</b>", "Fet"),
        ("Linje 1\nSe <b>her</b>\nLinje 3", "Linje 1\nSe her\nLinje 3"),
        ("Barn < 12 år gratis", "Barn < 12 år gratis"),
    ],
)
def test_plain_text(html: str, text: str) -> None:
    assert plain_text(html) == text


def test_an_event_without_uid_is_imported_with_a_stable_one() -> None:
    first = google().events[-1]
    again = read_calendar((CALENDARS / "google-mixed.ics").read_bytes(), OSLO, now=NOW).events
    assert first.uid.endswith("@derived.naboskap.invalid")
    assert again[-1].uid == first.uid


def test_all_day_and_multi_day_events_are_read_as_such() -> None:
    by_title = {e.title: e for e in google().events}
    assert by_title["Strandrydding"].all_day
    holiday = by_title["Vinterferie-aktiviteter for barn"]
    assert holiday.all_day
    assert (holiday.starts_at, holiday.ends_at) == (
        datetime(2027, 3, 5, 23, tzinfo=UTC),
        datetime(2027, 3, 8, 23, tzinfo=UTC),
    )
    assert not by_title["Hyttetur til Malmøya"].all_day


def test_an_outlook_file_in_windows_1252_is_read_with_its_html_version() -> None:
    data = (CALENDARS / "outlook-cp1252.ics").read_bytes()
    assert b"Kaf\xe9 p\xe5 Torget \x96" in data  # really Windows-1252, with an en dash
    report = read_calendar(data, OSLO, now=NOW)
    assert report.encoding == "Windows-1252"
    kafe, hage = report.events
    assert kafe.title == "Kafé på Torget – åpent for alle"
    # DESCRIPTION is empty: the text comes from X-ALT-DESC (HTML), as plain text.
    assert kafe.description == (
        "Velkommen til kafé – ta med naboen!\n\nLes mer på nettsiden (https://larvik.example/kafe)."
    )
    assert kafe.starts_at == datetime(2027, 1, 15, 17, tzinfo=UTC)
    assert hage.all_day
    assert hage.description == "Innsamling av hageavfall – containere ved Bøkeskogen."


def test_windows_1252_and_latin_1_bytes_inline() -> None:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Test//Test//NB",
        "BEGIN:VEVENT",
        "UID:kafe@example",
        "DTSTAMP:20261120T120000Z",
        "DTSTART:20270110T170000Z",
        "SUMMARY:Kafé på Torget – «velkommen»",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    text = "\r\n".join(lines) + "\r\n"
    [event] = read_calendar(text.encode("cp1252"), OSLO, now=NOW).events
    assert event.title == "Kafé på Torget – «velkommen»"
    latin1 = text.replace("–", "-").encode("latin-1")
    report = read_calendar(latin1, OSLO, now=NOW)
    assert report.events[0].title == "Kafé på Torget - «velkommen»"
    # UTF-8 stays UTF-8, with or without a byte order mark.
    assert read_calendar(b"\xef\xbb\xbf" + text.encode(), OSLO, now=NOW).encoding == "UTF-8"
    assert read_calendar(text.encode("utf-16"), OSLO, now=NOW).events[0].title == event.title


def test_a_thunderbird_file_keeps_a_less_than_sign_in_plain_text() -> None:
    report = read_calendar((CALENDARS / "thunderbird.ics").read_bytes(), OSLO, now=NOW)
    pizza, pynting = report.events
    assert pizza.description == "Barn < 12 år gratis. Voksne 50 kr."
    assert pynting.all_day and pynting.title == "17. mai-komiteen: pynting av Torget"


# How all-day and multi-day events read


def _view(**changes: object) -> events.EventView:
    view = events.EventView(
        id=1,
        network_id=1,
        network_name="Torstrand",
        title="Strandrydding",
        description="",
        place="",
        starts_at=datetime(2027, 3, 5, 23, tzinfo=UTC),  # Saturday 6 March, 00:00 in Oslo
        ends_at=datetime(2027, 3, 6, 23, tzinfo=UTC),
        no_norwegian_needed=False,
        locale="nb",
        status=EventStatus.PUBLISHED,
        translations={},
        counts={},
        all_day=True,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["nb", "uk", "ar"])
def test_all_day_one_day_reads_as_its_day(app, locale: str) -> None:
    t = app.catalogs.translator(locale)
    text = events.when_text(t, _view())
    assert text == t.gettext(
        "{day}, all day", day=t.format_day(datetime(2027, 3, 6, 12, tzinfo=UTC))
    )
    assert t.format_time(datetime(2027, 3, 5, 23, tzinfo=UTC)) not in text  # no 00:00


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nb", "6.–8. mars"), ("uk", "6–8 березня"), ("ar", None), ("fa_AF", None)],
)
def test_all_day_over_several_days_reads_as_a_range(app, locale: str, expected: str | None):
    t = app.catalogs.translator(locale)
    view = _view(ends_at=datetime(2027, 3, 8, 23, tzinfo=UTC))  # DTEND 9 March, exclusive
    text = events.when_text(t, view)
    interval = format_interval(date(2027, 3, 6), date(2027, 3, 8), "MMMMd", locale=locale)
    babel = native_digits(interval, locale)
    assert text == (expected or babel)
    if locale == "ar":
        assert "مارس" in text


@pytest.mark.parametrize("locale", ["nb", "uk", "ar"])
def test_timed_event_over_several_days_names_both_days(app, locale: str) -> None:
    t = app.catalogs.translator(locale)
    start = datetime(2027, 3, 12, 17, tzinfo=UTC)  # Friday 18:00
    end = datetime(2027, 3, 14, 13, tzinfo=UTC)  # Sunday 14:00
    text = events.when_text(t, _view(starts_at=start, ends_at=end, all_day=False))
    assert t.format_day(start) in text and t.format_day(end) in text
    assert t.format_time(start) in text and t.format_time(end) in text
    # One evening to midnight stays one day.
    evening = _view(starts_at=start, ends_at=datetime(2027, 3, 12, 23, tzinfo=UTC), all_day=False)
    assert t.format_day(end) not in events.when_text(t, evening)


# Importing


async def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_reports_every_skip_and_re_import_changes_nothing(app, network):
    view, host, _olena, _amal = network
    hilde = await actor_of(app, host)
    report = google()
    async with app.sessionmaker() as session:
        first = await events.import_calendar(session, hilde, app.catalogs, view.id, report, now=NOW)
        again = await events.import_calendar(session, hilde, app.catalogs, view.id, report, now=NOW)
    assert len(first.created) == 5
    assert [s.reason for s in first.skipped] == [
        SkipReason.NO_TITLE,
        SkipReason.NO_START,
        SkipReason.UNPARSEABLE,
        SkipReason.PAST,
    ]
    assert (again.created, again.updated, again.unchanged) == ([], [], 5)
    async with app.sessionmaker() as session:
        stored = {e.title: e for e in await session.scalars(select(Event))}
    assert stored["Strandrydding"].all_day and not stored["Språkkafé"].all_day


async def test_html_never_reaches_the_event_card(app, network):
    view, host, _olena, _amal = network
    async with app.sessionmaker() as session:
        done = await events.import_calendar(
            session, await actor_of(app, host), app.catalogs, view.id, google(), now=NOW
        )
        event = await session.scalar(select(Event).where(Event.uid == done.created[0]))
        assert event is not None
        card_view = await events.get(session, await actor_of(app, host), event.id)
    card = events.event_card(app.catalogs.translator("nb"), card_view)
    body = card.split("\n", 2)[2]  # after the bold title and the time
    assert "&nbsp;" not in card and "<br" not in card and "<a " not in card
    assert "<" not in body.replace("&lt;", "")
    assert "https://www.larvik.kommune.no/sprakkafe" in card


async def test_a_dry_run_reports_the_same_and_writes_nothing(app, network):
    view, host, _olena, _amal = network
    hilde = await actor_of(app, host)
    notices_before = await _count(app, Notice)
    async with app.sessionmaker() as session:
        dry = await events.import_calendar(
            session, hilde, app.catalogs, view.id, google(), now=NOW, dry_run=True
        )
    assert dry.dry_run and len(dry.created) == 5 and len(dry.skipped) == 4
    assert await _count(app, Event) == 0
    assert await _count(app, Notice) == notices_before
    async with app.sessionmaker() as session:
        real = await events.import_calendar(
            session, hilde, app.catalogs, view.id, google(), now=NOW
        )
    assert (real.created, real.skipped) == (dry.created, dry.skipped)


async def test_an_event_that_has_started_is_skipped_not_refused(app, network):
    view, host, _olena, _amal = network
    report = google()
    during_the_trip = datetime(2027, 3, 13, 12, tzinfo=UTC)
    later = read_calendar((CALENDARS / "google-mixed.ics").read_bytes(), OSLO, now=during_the_trip)
    assert "Hyttetur til Malmøya" in [e.title for e in later.events]
    async with app.sessionmaker() as session:
        done = await events.import_calendar(
            session, await actor_of(app, host), app.catalogs, view.id, later, now=during_the_trip
        )
    started = [s for s in done.skipped if s.reason is SkipReason.STARTED]
    assert [s.title for s in started] == ["Hyttetur til Malmøya"]
    assert len(done.created) == len(report.events) - 4  # only "Nabomøte uten UID" is left


# What the command prints


def test_the_summary_lists_each_skipped_event_in_plain_english() -> None:
    report = events.CalendarImport(
        created=["a", "b"],
        updated=[],
        cancelled=[],
        unchanged=3,
        skipped=google().skipped,
    )
    assert import_summary(report, encoding="Windows-1252", horizon=400) == [
        "created 2, updated 0, cancelled 0, unchanged 3, skipped 4 "
        "(the file was read as Windows-1252)",
        "  skipped 0a1b2c3d4e5f6a7b8c9d0e1f2a@google.com: it has no title",
        '  skipped "Dugnad (dato kommer)" (5e6f7a8b9c0d1e2f3a4b5c6d7e@google.com): it has no start',
        '  skipped "Korøvelse" (3c4d5e6f7a8b9c0d1e2f3a4b5c@google.com): its repeat rule '
        "cannot be read (Expected weekday abbreviation, got: XX)",
        '  skipped "Høstdugnad" (8f9a0b1c2d3e4f5a6b7c8d9e0f@google.com): it is in the past',
    ]


def _calendar(tmp_path: Path, *events_: tuple[str, str, datetime | None]) -> Path:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//NB"]
    for uid, title, start in events_:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261120T120000Z"]
        lines += [f"SUMMARY:{title}"] if title else []
        lines += [f"DTSTART:{start:%Y%m%dT%H%M%SZ}"] if start else []
        lines.append("END:VEVENT")
    path = tmp_path / "kalender.ics"
    path.write_bytes(("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode())
    return path


def test_the_command_imports_the_good_events_and_lists_the_bad(cli, tmp_path: Path):
    cli("network", "add", "torstrand", "Torstrand")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    path = _calendar(
        tmp_path,
        ("ok@example", "Dugnad", soon),
        ("uten-start@example", "Når?", None),
        ("uten-tittel@example", "", soon),
        ("gammel@example", "I fjor", soon - timedelta(days=400)),
    )
    dry = cli("event", "import", str(path), "--network", "torstrand", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        "dry run, nothing changed: would create 1, would update 0, would cancel 0, "
        "unchanged 0, skipped 3",
        '  skipped "Når?" (uten-start@example): it has no start',
        "  skipped uten-tittel@example: it has no title",
        '  skipped "I fjor" (gammel@example): it is in the past',
    ]
    real = cli("event", "import", str(path), "--network", "torstrand")
    assert real.output.splitlines()[0] == (
        "created 1, updated 0, cancelled 0, unchanged 0, skipped 3"
    )
    assert "Traceback" not in real.output


def test_the_command_says_when_every_event_is_past(cli, tmp_path: Path):
    cli("network", "add", "torstrand", "Torstrand")
    long_ago = datetime(2020, 5, 1, 10, tzinfo=UTC)
    path = _calendar(
        tmp_path, *((f"e{i}@example", f"Møte {i}", long_ago + timedelta(days=i)) for i in range(12))
    )
    result = cli("event", "import", str(path), "--network", "torstrand")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["all 12 events are in the past; nothing to import"]
