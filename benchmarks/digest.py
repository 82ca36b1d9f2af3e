"""This week's digest for a whole town: 50 000 residents in 20 networks and 9 languages.

Run it from the project root:

    .venv/bin/python benchmarks/digest.py
    .venv/bin/python benchmarks/digest.py --residents 10000
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/digest.py --database postgresql

(PostgreSQL needs a database of its own: its `public` schema is DROPPED and recreated.)

The parent prepares a migrated database and seeds it, untimed: `--residents` onboarded
residents, their languages cycling through the shipped locales, each a member of one of 20
networks and every third also of a second one; per network 6 events in the coming week with
RSVPs and 2 later ones, 5 open help requests and one completed, 10% of residents offering
help, 10% taking the digest only with a host's message held for them.

A CHILD process then does what the scheduled job does: `digest.Round(...).run(week)`, which
reads residents a page at a time, makes each digest and writes its notice, rendering, delivery
and once-only row. It reports:

- seconds: wall time of the whole round, commits included (aim: under 15 s for 50 000);
- peak RSS: the child's VmHWM, its peak resident memory (aim: under 300 MB); and the same
  before the round (after imports and connecting), so the round's own share shows;
- sent / empty / by language, checked against the database: one digest per resident.

Run it with two sizes to see that memory does not grow with the number of residents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NETWORKS = 20
AIM_SECONDS = 15.0
AIM_MB = 300.0
FIRST_ID = 2_000_000


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def seed(url: str, residents: int, now: datetime) -> None:
    from sqlalchemy import insert, select, update

    from bot.config import PROJECT_ROOT
    from bot.i18n import Catalogs
    from bot.seeding import seed_members
    from bot.services import broadcasts, networks
    from bot.services.actors import Actor
    from db.models import (
        Answer,
        Event,
        EventStatus,
        HelpCategory,
        HelpOffer,
        HelpRequest,
        MemberRole,
        Membership,
        NotifyMode,
        Preferences,
        RequestStatus,
        Resident,
        Rsvp,
    )
    from db.session import create_engine, create_sessionmaker

    rng = random.Random(7)
    engine = create_engine(url)
    catalogs = Catalogs(PROJECT_ROOT / "locales", "nb")
    categories = list(HelpCategory)
    try:
        async with create_sessionmaker(engine)() as session:
            ids: list[int] = []
            network_ids = []
            per = residents // NETWORKS
            for n in range(NETWORKS):
                view = await networks.create_network(
                    session, Actor.operator(), name=f"Nabolag {n + 1}", slug=f"nabolag-{n + 1}"
                )
                network_ids.append(view.id)
                count = per if n < NETWORKS - 1 else residents - per * (NETWORKS - 1)
                ids += await seed_members(
                    session,
                    view.id,
                    count,
                    first_telegram_id=FIRST_ID + per * n,
                    now=now - timedelta(days=rng.choice([2, 20])),
                )
            home = {
                rid: nid
                for rid, nid in await session.execute(
                    select(Membership.resident_id, Membership.network_id)
                )
            }
            second = [
                {
                    "resident_id": rid,
                    "network_id": network_ids[(network_ids.index(home[rid]) + 7) % NETWORKS],
                    "role": MemberRole.MEMBER,
                    "joined_at": now - timedelta(days=3),
                }
                for rid in ids[::3]
            ]
            for start in range(0, len(second), 500):
                await session.execute(insert(Membership), second[start : start + 500])
            events: list[dict[str, Any]] = []
            for nid in network_ids:
                for k in range(8):
                    days = 1 + k if k < 6 else 14 + k
                    events.append(
                        {
                            "network_id": nid,
                            "uid": f"bench-{nid}-{k}",
                            "title": rng.choice(
                                ["Språkkafé", "Gåtur langs stranda", "Strikkekafé", "Dugnad"]
                            ),
                            "description": "",
                            "place": "Biblioteket",
                            "locale": "nb",
                            "starts_at": now + timedelta(days=days, hours=k),
                            "no_norwegian_needed": k % 2 == 0,
                            "status": EventStatus.PUBLISHED,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            await session.execute(insert(Event), events)
            event_ids = list(await session.scalars(select(Event.id)))
            rsvps = [
                {"event_id": eid, "resident_id": rid, "answer": rng.choice(list(Answer))}
                for eid in event_ids
                for rid in rng.sample(ids, 15)
            ]
            await session.execute(insert(Rsvp), rsvps)
            requests = [
                {
                    "requester_id": rng.choice(ids),
                    "network_id": nid,
                    "category": categories[(nid + k) % len(categories)],
                    "description": "Trenger hjelp med å bære ved inn i kjelleren, tar 20 min",
                    "status": RequestStatus.OPEN if k < 5 else RequestStatus.DONE,
                    "created_at": now - timedelta(days=1),
                    "expires_at": now + timedelta(days=13),
                    "closed_at": None if k < 5 else now - timedelta(days=1),
                }
                for nid in network_ids
                for k in range(6)
            ]
            await session.execute(insert(HelpRequest), requests)
            offers = [
                {"resident_id": rid, "network_id": home[rid], "category": c}
                for rid in ids[::10]
                for c in rng.sample(categories, 2)
            ]
            for start in range(0, len(offers), 500):
                await session.execute(insert(HelpOffer), offers[start : start + 500])
            digest_only = [
                {
                    "resident_id": rid,
                    "notify_mode": NotifyMode.DIGEST,
                    "quiet_start": 22 * 60,
                    "quiet_end": 8 * 60,
                    "digest": True,
                }
                for rid in ids[5::10]
            ]
            for start in range(0, len(digest_only), 500):
                await session.execute(insert(Preferences), digest_only[start : start + 500])
            await session.commit()
            for nid in network_ids:
                await broadcasts.broadcast(
                    session,
                    Actor.operator(),
                    catalogs,
                    text="Dugnad lørdag kl. 11: vi rydder lekeplassen og griller etterpå.",
                    network_id=nid,
                    now=now - timedelta(days=1),
                )
            # The broadcasts' instant deliveries are not what is measured: mark them sent.
            from db.models import Delivery, DeliveryStatus

            await session.execute(
                update(Delivery)
                .where(Delivery.status == DeliveryStatus.PENDING)
                .values(status=DeliveryStatus.SENT)
            )
            await session.commit()
            total = len(list(await session.scalars(select(Resident.id))))
            assert total == residents
    finally:
        await engine.dispose()


async def child(url: str, now_iso: str, page: int) -> None:
    from sqlalchemy import func, select

    from bot.config import PROJECT_ROOT
    from bot.i18n import Catalogs
    from bot.services import digest
    from db.models import Delivery, Digest, Notice, NoticeKind
    from db.session import create_engine, create_sessionmaker

    now = datetime.fromisoformat(now_iso)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    catalogs = Catalogs(PROJECT_ROOT / "locales", "nb")
    async with sessionmaker() as session:  # connect before the clock starts
        await session.scalar(select(func.count()).select_from(Digest))
    before = _peak_kib()
    week = digest.week_of(now, catalogs.zone)
    started = time.perf_counter()
    round_ = digest.Round(sessionmaker, catalogs, municipality="Larvik", now=now, page=page)
    summary = await round_.run(week)
    seconds = time.perf_counter() - started
    peak = _peak_kib()
    async with sessionmaker() as session:
        rows = await session.scalar(
            select(func.count()).select_from(Digest).where(Digest.week == week)
        )
        deliveries = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.DIGEST)
        )
        notices = await session.scalar(
            select(func.count()).select_from(Notice).where(Notice.kind == NoticeKind.DIGEST)
        )
    await engine.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_kib": peak,
                "before_kib": before,
                "sent": summary.sent,
                "empty": summary.empty,
                "by_locale": dict(summary.by_locale),
                "rows": rows,
                "deliveries": deliveries,
                "notices": notices,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--page", type=int, default=500, help="residents per transaction")
    parser.add_argument("--child", nargs=2, metavar=("URL", "NOW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, now_iso = args.child
        if os.environ.get("BENCH_PROFILE"):  # where the time goes, on stderr
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                asyncio.run(child(url, now_iso, args.page))
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            return
        asyncio.run(child(url, now_iso, args.page))
        return

    from db import migrate

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp}/digest.db"
        else:
            url = os.environ.get("BENCH_DATABASE_URL", "")
            if not url.startswith("postgresql"):
                sys.exit("set BENCH_DATABASE_URL to a PostgreSQL database of its own")
            asyncio.run(_reset(url))
        migrate.upgrade(url)
        print(f"seeding {args.residents} residents in {NETWORKS} networks ({args.database}) ...")
        started = time.perf_counter()
        asyncio.run(seed(url, args.residents, now))
        print(f"seeded in {time.perf_counter() - started:.1f} s; building this week's digests")
        out = subprocess.run(  # noqa: S603 - this very script, as a child
            [sys.executable, __file__, "--child", url, now.isoformat(), "--page", str(args.page)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            timeout=600,
        ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result["rows"] != result["sent"] or result["deliveries"] != result["sent"]:
        sys.exit(f"FAILED: digests and deliveries do not match: {result}")
    if result["sent"] + result["empty"] != args.residents:
        sys.exit(f"FAILED: not every resident was handled: {result}")
    aim = AIM_SECONDS * args.residents / 50_000
    peak_mb = result["peak_kib"] / 1024
    print(f"digests: {result['sent']} made, {result['empty']} empty, {result['notices']} notices")
    print("by language: " + ", ".join(f"{k} {v}" for k, v in sorted(result["by_locale"].items())))
    print(
        f"time: {result['seconds']:.2f} s ({result['sent'] / result['seconds']:.0f} digests/s; "
        f"aim < {aim:.1f} s) {'met' if result['seconds'] < aim else 'MISSED'}"
    )
    print(
        f"peak RSS: {peak_mb:.0f} MB (before the round {result['before_kib'] / 1024:.0f} MB; "
        f"aim < {AIM_MB:.0f} MB) {'met' if peak_mb < AIM_MB else 'MISSED'}"
    )


async def _reset(url: str) -> None:
    from sqlalchemy import text

    from db.session import create_engine

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


if __name__ == "__main__":
    main()
