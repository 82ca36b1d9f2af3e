"""The monthly insight report for a town with a year of history: 50 000 residents in 20
networks and 9 languages, a year of notices, help, events, polls and volunteer shifts.

Run it from the project root:

    .venv/bin/python benchmarks/insight.py
    .venv/bin/python benchmarks/insight.py --residents 10000
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/insight.py --database postgresql

The parent prepares a migrated database (`--database`, as every benchmark: benchmarks/
processes.py) and seeds it, untimed, with what a year in a town of `--residents` leaves
behind (retention keeps a year): every tenth resident SMS-only; each a member of one of 20
networks, every third of a second one, joined over the year, 5 % of them gone again; every
week a digest to 40 % of residents and a notice from each network to its members (about 90 %
delivered, 3 % failed); per network and week 3 help requests (most matched), 2 events with
RSVPs from a tenth of the members, a poll a month answered by a fifth of them, and a volunteer
call a month with two shifts. That is several million rows of deliveries.

Then a CHILD process runs what a coordinator runs, `naboskap report --month <last month>
--out report.html` (PDF aside: it is Chromium's time), and the parent reports:

- seconds: the child's wall time, start-up and imports included (aim: under 10 s);
- peak RSS: the child's peak resident memory (aim: under 300 MB);
- per chart: the time to draw each figure of the report (aim: under 1 s each), measured in
  the parent on the same figures.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import functools
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))  # processes.py

from processes import (  # noqa: E402 - after the path above
    BenchmarkFailed,
    add_database_argument,
    database_kind,
    prepare_database,
)

NETWORKS = 20
AIM_SECONDS = 10.0
AIM_MB = 300.0
AIM_CHART_SECONDS = 1.0
FIRST_ID = 3_000_000
BATCH = 20_000


@functools.lru_cache(maxsize=65_536)
def _time_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _stored(value: object) -> object:
    """A value as SQLite holds it for our column types."""
    kind = type(value)
    if kind is int or kind is str or value is None:
        return value
    if isinstance(value, datetime):
        return _time_text(value)  # many rows share a time: a notice's deliveries
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _month_before(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


async def seed(url: str, residents: int, now: datetime) -> dict[str, int]:
    """A year of history; returns how many rows of each kind."""
    from sqlalchemy import insert, select

    from bot.i18n import SHIPPED_LOCALES
    from db.models import (
        Answer,
        CallStatus,
        Channel,
        Delivery,
        DeliveryStatus,
        Event,
        EventStatus,
        HelpCategory,
        HelpRequest,
        JoinPolicy,
        MemberRole,
        Membership,
        MembershipDay,
        Network,
        NetworkKind,
        Notice,
        NoticeKind,
        Poll,
        PollBallot,
        PollStatus,
        RequestStatus,
        Resident,
        Rsvp,
        VolunteerCall,
        VolunteerShift,
        VolunteerSignup,
    )
    from db.session import DEFAULT_ZONE, create_engine, create_sessionmaker

    rng = random.Random(16)
    year_ago = now - timedelta(days=365)
    engine = create_engine(url)
    counts: dict[str, int] = {}

    def at(start: datetime, span: timedelta) -> datetime:
        return start + timedelta(seconds=rng.uniform(0, span.total_seconds()))

    async def put(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)
        if engine.dialect.name != "sqlite":
            for start in range(0, len(rows), BATCH):
                await session.execute(insert(model), rows[start : start + BATCH])
            return
        # SQLite: the driver's executemany with values as SQLite stores them (the ORM's
        # conversions per value would make seeding take minutes; it is not what is measured).
        columns = list(rows[0])
        statement = (
            f"INSERT INTO {model.__tablename__} ({', '.join(columns)}) "  # noqa: S608 - ours
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        connection = await session.connection()
        for start in range(0, len(rows), BATCH):
            values = [
                tuple(_stored(row[column]) for column in columns)
                for row in rows[start : start + BATCH]
            ]
            await connection.exec_driver_sql(statement, values)

    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session:
            await put(
                session,
                Network,
                [
                    {
                        "slug": f"net-{n}",
                        "name": f"Nabolag {n}",
                        "description": "",
                        "kind": NetworkKind.AREA,
                        "join_policy": JoinPolicy.OPEN,
                        "created_at": year_ago - timedelta(days=30),
                    }
                    for n in range(NETWORKS)
                ],
            )
            network_ids = list(await session.scalars(select(Network.id).order_by(Network.id)))
            people = []
            for n in range(residents):
                by_sms = n % 10 == 9
                people.append(
                    {
                        "telegram_id": None if by_sms else FIRST_ID + n,
                        "phone": f"+47{40000000 + n}" if by_sms else None,
                        "first_name": f"R{n}",
                        "locale": SHIPPED_LOCALES[n % len(SHIPPED_LOCALES)],
                        "is_coordinator": n == 0,
                        "privacy_accepted_at": year_ago,
                        "reachable": True,
                        "created_at": year_ago,
                        "sms_fallback": False,
                    }
                )
            await put(session, Resident, people)
            resident_ids = list(
                (await session.scalars(select(Resident.id).order_by(Resident.id))).all()
            )
            await session.commit()

            # Members, joined over the year (a third before it); 5 % left again.
            memberships: list[dict[str, Any]] = []
            days: dict[tuple[int, date], list[int]] = {}
            members_of: dict[int, list[int]] = {n: [] for n in network_ids}
            for i, resident_id in enumerate(resident_ids):
                mine = [network_ids[i % NETWORKS]]
                if i % 3 == 0:
                    mine.append(network_ids[(i * 7 + 3) % NETWORKS])
                for network_id in dict.fromkeys(mine):
                    joined = at(year_ago - timedelta(days=180), timedelta(days=545))
                    day = joined.astimezone(DEFAULT_ZONE).date()
                    days.setdefault((network_id, day), [0, 0])[0] += 1
                    if rng.random() < 0.05:
                        left = at(joined, max(now - joined, timedelta(seconds=1)))
                        left_day = left.astimezone(DEFAULT_ZONE).date()
                        days.setdefault((network_id, left_day), [0, 0])[1] += 1
                        continue
                    memberships.append(
                        {
                            "resident_id": resident_id,
                            "network_id": network_id,
                            "role": MemberRole.MEMBER,
                            "joined_at": joined,
                        }
                    )
                    members_of[network_id].append(resident_id)
            await put(session, Membership, memberships)
            await put(
                session,
                MembershipDay,
                [
                    {"network_id": n, "day": d, "joined": j, "left": lft}
                    for (n, d), (j, lft) in days.items()
                ],
            )
            await session.commit()

            # A year of weeks: digests, network notices, help, events; monthly polls and calls.
            locale_of = {
                rid: SHIPPED_LOCALES[i % len(SHIPPED_LOCALES)] for i, rid in enumerate(resident_ids)
            }
            sms_only = {rid for i, rid in enumerate(resident_ids) if i % 10 == 9}
            weeks = 52
            notice_id = 0
            for week in range(weeks):
                start = year_ago + timedelta(weeks=week)
                notices: list[dict[str, Any]] = []
                deliveries: list[dict[str, Any]] = []

                def deliver(
                    out: list[dict[str, Any]], notice: int, resident_id: int, when: datetime
                ) -> None:
                    roll = rng.random()
                    status = (
                        DeliveryStatus.SENT
                        if roll < 0.95
                        else DeliveryStatus.FAILED
                        if roll < 0.98
                        else DeliveryStatus.UNREACHABLE
                    )
                    sms = resident_id in sms_only
                    out.append(
                        {
                            "notice_id": notice,
                            "resident_id": resident_id,
                            "channel": Channel.SMS if sms else Channel.TELEGRAM,
                            "locale": locale_of[resident_id],
                            "status": status,
                            "attempts": 1,
                            "not_before": when,
                            "sent_at": when if status is DeliveryStatus.SENT else None,
                            "segments": 1 if sms else None,
                            "report": (
                                ("delivered" if rng.random() < 0.95 else "failed")
                                if sms and status is DeliveryStatus.SENT
                                else None
                            ),
                        }
                    )

                digest_at = start + timedelta(days=6, hours=17)
                for resident_id in resident_ids:
                    if rng.random() < 0.4:
                        notice_id += 1
                        notices.append(
                            {
                                "id": notice_id,
                                "kind": NoticeKind.DIGEST,
                                "network_id": None,
                                "body": "",
                                "created_at": digest_at,
                            }
                        )
                        deliver(deliveries, notice_id, resident_id, digest_at)
                for network_id in network_ids:
                    notice_id += 1
                    when = at(start, timedelta(days=7))
                    notices.append(
                        {
                            "id": notice_id,
                            "kind": NoticeKind.BROADCAST,
                            "network_id": network_id,
                            "body": "",
                            "created_at": when,
                        }
                    )
                    for resident_id in members_of[network_id]:
                        deliver(deliveries, notice_id, resident_id, when)
                await put(session, Notice, notices)
                await put(session, Delivery, deliveries)

                helps: list[dict[str, Any]] = []
                events: list[dict[str, Any]] = []
                for network_id in network_ids:
                    members = members_of[network_id]
                    for _ in range(3):
                        created = at(start, timedelta(days=7))
                        matched = rng.random() < 0.7
                        helps.append(
                            {
                                "requester_id": rng.choice(members),
                                "network_id": network_id,
                                "category": HelpCategory.ERRANDS,
                                "description": "",
                                "status": RequestStatus.DONE if matched else RequestStatus.EXPIRED,
                                "helper_id": rng.choice(members) if matched else None,
                                "created_at": created,
                                "expires_at": created + timedelta(days=14),
                                "matched_at": (
                                    created + timedelta(hours=rng.uniform(1, 72))
                                    if matched
                                    else None
                                ),
                                "closed_at": created + timedelta(days=5),
                            }
                        )
                    for k in range(2):
                        starts = at(start, timedelta(days=7))
                        events.append(
                            {
                                "network_id": network_id,
                                "uid": f"bench-{week}-{network_id}-{k}@naboskap",
                                "title": "Kaffe",
                                "description": "",
                                "place": "",
                                "locale": "nb",
                                "starts_at": starts,
                                "status": EventStatus.PUBLISHED,
                                "no_norwegian_needed": False,
                                "all_day": False,
                                "created_at": starts - timedelta(days=7),
                                "updated_at": starts - timedelta(days=7),
                            }
                        )
                await put(session, HelpRequest, helps)
                await put(session, Event, events)
                await session.commit()

            # RSVPs: a tenth of each network's members to each of its events.
            rsvps: list[dict[str, Any]] = []
            for event_id, network_id, starts in await session.execute(
                select(Event.id, Event.network_id, Event.starts_at)
            ):
                members = members_of[network_id]
                for resident_id in rng.sample(members, len(members) // 10):
                    rsvps.append(
                        {
                            "event_id": event_id,
                            "resident_id": resident_id,
                            "answer": Answer.YES,
                            "updated_at": starts - timedelta(days=2),
                        }
                    )
            await put(session, Rsvp, rsvps)
            await session.commit()

            # A poll and a volunteer call per network and month.
            for month in range(12):
                start = year_ago + timedelta(days=30 * month)
                ballots: list[dict[str, Any]] = []
                for network_id in network_ids:
                    poll = Poll(
                        network_id=network_id,
                        question="Benker?",
                        locale="nb",
                        status=PollStatus.CLOSED,
                        closes_at=start + timedelta(days=7),
                        closed_at=start + timedelta(days=7),
                        created_at=start,
                    )
                    call = VolunteerCall(
                        network_id=network_id,
                        title="Dugnad",
                        locale="nb",
                        status=CallStatus.OPEN,
                        created_at=start,
                    )
                    session.add_all([poll, call])
                    await session.flush()
                    members = members_of[network_id]
                    for resident_id in rng.sample(members, len(members) // 5):
                        ballots.append(
                            {
                                "poll_id": poll.id,
                                "resident_id": resident_id,
                                "channel": "sms" if resident_id in sms_only else "telegram",
                                "locale": locale_of[resident_id],
                                "answered_at": start + timedelta(hours=rng.uniform(1, 160)),
                            }
                        )
                    signups = []
                    for hour in (10, 14):
                        begins = start + timedelta(days=12, hours=hour)
                        shift = VolunteerShift(
                            call_id=call.id,
                            starts_at=begins,
                            ends_at=begins + timedelta(hours=3),
                            slots=15,
                            confirmed_at=begins + timedelta(hours=4),
                        )
                        session.add(shift)
                        await session.flush()
                        for resident_id in rng.sample(members, 12):
                            signups.append(
                                {
                                    "shift_id": shift.id,
                                    "resident_id": resident_id,
                                    "channel": "telegram",
                                    "show_name": False,
                                    "attended": rng.random() < 0.85,
                                    "created_at": start + timedelta(days=1),
                                }
                            )
                    await put(session, VolunteerSignup, signups)
                counts["polls"] = counts.get("polls", 0) + NETWORKS
                await put(session, PollBallot, ballots)
                await session.commit()
    finally:
        await engine.dispose()
    return counts


def run_report(url: str, month: date, out: Path) -> tuple[float, float]:
    """`naboskap report` in a child process: (wall seconds, peak RSS in MB). The child is this
    script again (`--report-child`), which runs the command's code as `python -m bot` would and
    then says its own peak memory (VmHWM): the parent's rusage of a child would count the
    pages it shared with this big parent before it started the command."""
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "DATABASE_URL": url,
    }
    command = [sys.executable, __file__, "--report-child", month.strftime("%Y-%m"), str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    peak = [line for line in done.stdout.splitlines() if line.startswith("PEAK_KIB ")]
    if done.returncode != 0 or not peak or not out.exists() or out.stat().st_size == 0:
        raise BenchmarkFailed(f"naboskap report failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return seconds, int(peak[0].split()[1]) / 1024


def report_child(month: str, out: str) -> None:
    """The child: `naboskap report --month MONTH --out OUT`, then its peak memory."""
    from bot.cli import main as naboskap

    try:
        naboskap(["report", "--month", month, "--out", out], standalone_mode=False)
    finally:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(f"PEAK_KIB {line.split()[1]}", flush=True)


async def chart_times(url: str, month: date) -> list[tuple[str, float]]:
    """Each figure of the month's report, drawn again here: (figure, seconds)."""
    from bot.config import PROJECT_ROOT
    from bot.i18n import Catalogs
    from bot.services.actors import Actor
    from bot.services.insight.building import build, month_period
    from bot.services.insight.charts import draw
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            t = Catalogs(PROJECT_ROOT / "locales").translator("nb")
            insight = await build(session, Actor.operator(), t, month_period(month))
    finally:
        await engine.dispose()
    draw(insight.figures[0])  # the first draws load matplotlib and its fonts: not a chart's time
    found = []
    for figure in insight.figures:
        started = time.perf_counter()
        draw(figure)
        found.append((figure.key.value, time.perf_counter() - started))
    return found


def main() -> None:
    if sys.argv[1:2] == ["--report-child"]:
        report_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50_000)
    add_database_argument(parser)
    args = parser.parse_args()
    now = datetime.now(UTC)
    month = _month_before(now.date())
    with tempfile.TemporaryDirectory(prefix="naboskap-insight-") as directory:
        url = prepare_database(args.database, directory)
        started = time.perf_counter()
        counts = asyncio.run(seed(url, args.residents, now))
        seeded = time.perf_counter() - started
        try:
            seconds, peak_mb = run_report(url, month, Path(directory) / "report.html")
            charts = asyncio.run(chart_times(url, month))
        except BenchmarkFailed as failure:
            sys.exit(f"benchmark failed: {failure}")
    rows = ", ".join(f"{n} {table}" for table, n in sorted(counts.items()))
    slowest = max((s for _, s in charts), default=0.0)
    print(
        f"naboskap insight report for {month:%Y-%m}, {args.residents} residents and a year of "
        f"history on {database_kind(args.database)}\n"
        f"  seeded          {seeded:.0f} s ({rows})\n"
        f"  report          {seconds:.2f} s (aim < {AIM_SECONDS:.0f} s), "
        f"peak RSS {peak_mb:.0f} MB (aim < {AIM_MB:.0f} MB)\n"
        f"  charts          slowest {slowest:.3f} s (aim < {AIM_CHART_SECONDS:.0f} s): "
        + ", ".join(f"{key} {s:.3f}" for key, s in charts)
    )


if __name__ == "__main__":
    main()
