"""A big calendar import: 5 000 events read, dry-run and imported into a network.

Run it from the project root:

    .venv/bin/python benchmarks/calendar_import.py
    .venv/bin/python benchmarks/calendar_import.py --events 20000
    .venv/bin/python benchmarks/calendar_import.py --file export.ics   # a real export instead

It generates an iCalendar file (unless `--file`): mostly timed events in Europe/Oslo with
HTML descriptions (Google's shape), every fifth an all-day event, every 50th a multi-day one, a
weekly series every 500th (each expanded to about 8 occurrences), and every 100th broken (no
title, no start or an unreadable repeat rule), some without UID, some in the past. Then:

- read: `read_calendar` on the file's bytes (aim: 5 000 events in under 5 s);
- dry run: `import_calendar(..., dry_run=True)` into an empty network (aim: under 2 s);
- import: the real import, every event published in its own transaction (aim: under 60 s);
- re-import: the same file again, everything unchanged (aim: under 5 s);

each as seconds and events per second, and the process's peak RSS (VmHWM) after the read and
at the end (aim: under 250 MB at 5 000; the end figure includes the database migrations, which
run in this process after the read). Run it with two sizes to see memory grow with the number
of events only as much as the events themselves take. The network has no members, so no
notice is rendered: this measures the import, not the outbox (benchmarks/broadcast.py does).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))  # processes.py

AIM_READ_SECONDS = 5.0
AIM_IMPORT_SECONDS = 60.0
AIM_MB = 250.0


def calendar(events: int, now: datetime) -> bytes:
    """A Google-shaped export with `events` VEVENTs (see the module's docstring for the mix)."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "X-WR-TIMEZONE:Europe/Oslo",
    ]
    first = (now + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    for i in range(events):
        # Spread over 300 days, inside the reader's 400-day horizon.
        start = first + timedelta(minutes=(i * 24 * 60 * 300) // max(events, 1))
        if i % 97 == 13:
            start = now - timedelta(days=30 + i % 40)  # in the past
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261120T101500Z"]
        if i % 43 != 7:  # some files have events without UID
            lines.append(f"UID:{i:06d}-{start:%Y%m%d}@google.com")
        broken = i % 100 == 99
        if not (broken and i % 300 == 99):
            lines.append(f"SUMMARY:Arrangement nr. {i} på Torget")
        if i % 5 == 0:
            days = 3 if i % 50 == 0 else 1
            day = start.date()
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}"]
            lines += [f"DTEND;VALUE=DATE:{day + timedelta(days=days):%Y%m%d}"]
        elif not (broken and i % 300 == 199):
            lines += [f"DTSTART;TZID=Europe/Oslo:{start:%Y%m%dT%H%M%S}"]
            lines += [f"DTEND;TZID=Europe/Oslo:{start + timedelta(hours=2):%Y%m%dT%H%M%S}"]
        if i % 500 == 1:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=8")
        if broken and i % 300 == 0:
            lines.append("RRULE:FREQ=SOMETIMES")
        lines += [
            "LOCATION:Torstrand bibliotek\\, Storgata 1\\, Larvik",
            "DESCRIPTION:<b>Velkommen</b> til arrangement nr. "
            f"{i}!<br>Vi har kaffe&nbsp;og vafler.<br>Påmelding: "
            '<a href="https://example.org/p">her</a>',
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


async def imports(url: str, report: object, now: datetime) -> dict[str, float]:
    from bot.config import PROJECT_ROOT
    from bot.i18n import Catalogs
    from bot.services import events, networks
    from bot.services.actors import Actor
    from bot.services.calendar_files import CalendarReport
    from db.session import create_engine, create_sessionmaker

    assert isinstance(report, CalendarReport)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    catalogs = Catalogs(PROJECT_ROOT / "locales")
    actor = Actor.operator()
    async with sessionmaker() as session:
        network = await networks.create_network(session, actor, name="Torstrand", slug="torstrand")
    figures: dict[str, float] = {}
    for name, dry_run in (("dry run", True), ("import", False), ("re-import", False)):
        async with sessionmaker() as session:
            started = time.perf_counter()
            done = await events.import_calendar(
                session, actor, catalogs, network.id, report, now=now, dry_run=dry_run
            )
            figures[name] = time.perf_counter() - started
        print(
            f"{name:>10}: {figures[name]:6.2f} s  "
            f"{len(report.events) / max(figures[name], 1e-9):8.0f} events/s  "
            f"(created {len(done.created)}, updated {len(done.updated)}, "
            f"unchanged {done.unchanged}, skipped {len(done.skipped)})"
        )
    await engine.dispose()
    return figures


def main() -> None:
    from processes import add_database_argument, peak_rss_kib, prepare_database

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="VEVENTs to generate")
    parser.add_argument("--file", type=Path, help="import this .ics file instead")
    add_database_argument(parser)
    args = parser.parse_args()

    from zoneinfo import ZoneInfo

    from bot.services.calendar_files import read_calendar

    now = datetime.now(UTC).replace(microsecond=0)
    data = args.file.read_bytes() if args.file else calendar(args.events, now)
    print(
        f"naboskap calendar import: {len(data) / 1e6:.1f} MB, {data.count(b'BEGIN:VEVENT')} VEVENTs"
    )
    started = time.perf_counter()
    report = read_calendar(data, ZoneInfo("Europe/Oslo"), now=now)
    read_seconds = time.perf_counter() - started
    read_peak = peak_rss_kib() / 1024
    print(
        f"      read: {read_seconds:6.2f} s  {len(report.events) / read_seconds:8.0f} events/s  "
        f"({len(report.events)} events, {len(report.skipped)} skipped; "
        f"aim: under {AIM_READ_SECONDS:.0f} s for 5 000)"
    )
    print(f"peak RSS after the read: {read_peak:.0f} MB")
    del data
    with tempfile.TemporaryDirectory(prefix="naboskap-bench-") as directory:
        url = prepare_database(args.database, directory)
        figures = asyncio.run(imports(url, report, now))
    print(
        f"import aim: under {AIM_IMPORT_SECONDS:.0f} s for 5 000 "
        f"({'met' if figures['import'] < AIM_IMPORT_SECONDS else 'MISSED'})"
    )
    peak = peak_rss_kib() / 1024
    print(f"peak RSS at the end: {peak:.0f} MB, migrations included (aim: under {AIM_MB:.0f} MB)")


if __name__ == "__main__":
    main()
