"""This week's digest for a whole town: 50 000 residents in 20 networks and 9 languages.

Run it from the project root:

    .venv/bin/python benchmarks/digest.py
    .venv/bin/python benchmarks/digest.py --residents 10000
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/digest.py --database postgresql
    .venv/bin/python benchmarks/digest.py --baseline ../other-checkout

`--database` is the option every benchmark shares (benchmarks/processes.py): `sqlite` (a
temporary file), `postgresql` (TEST_DATABASE_URL) or a URL, by default TEST_DATABASE_URL when it
is PostgreSQL. (PostgreSQL needs a database of its own: its `public` schema is DROPPED and
recreated.)

The parent prepares a migrated database and seeds it, untimed: `--residents` onboarded
residents, their languages cycling through the shipped locales, each a member of one of 20
networks and every third also of a second one; per network 6 events in the coming week with
RSVPs and 2 later ones, 5 open help requests and one completed, 10% of residents offering
help, 10% taking the digest only with a host's message held for them.

A CHILD process then does what the scheduled job does: `digest.Round(...).run(week)`, which
reads residents a page at a time, makes each digest and writes its notice, rendering, delivery
and once-only row. It reports:

- seconds: wall time of the whole round, commits included (aim: under 10 s for 50 000);
- peak RSS: the child's VmHWM, its peak resident memory (aim: under 200 MB); and the same
  before the round (after imports and connecting), so the round's own share shows;
- sent / empty / by language, checked against the database: one digest per resident.

With `--baseline PATH` the round is also made by another checkout's code (its child runs with
PATH first on sys.path), in the same run and on the same seed: the digests of the first round
are deleted (untimed) before the second. The two alternate (this checkout, the baseline, ...)
for `--rounds` rounds each (default 1).

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
# The code measured: this checkout's, or a baseline's (`--baseline`, given to the child).
CODE = Path(os.environ.get("BENCH_CODE", ROOT))
sys.path.insert(0, str(CODE))
sys.path.insert(1, str(Path(__file__).resolve().parent))  # processes.py, whichever code

NETWORKS = 20
AIM_SECONDS = 10.0
AIM_MB = 200.0
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


def run_round(url: str, now: datetime, page: int, code: Path) -> dict[str, Any]:
    """One round in a child running `code`'s digest (this checkout's or a baseline's)."""
    out = subprocess.run(  # noqa: S603 - this very script, as a child
        [sys.executable, __file__, "--child", url, now.isoformat(), "--page", str(page)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
        env={**os.environ, "BENCH_CODE": str(code)},
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


async def forget_round(url: str) -> None:
    """Undo what a round wrote (untimed), so that the next round makes every digest again from
    the same state: its digests and run, its notices, and the held deliveries it told."""
    from sqlalchemy import delete, select, update

    from db.models import (
        Delivery,
        DeliveryStatus,
        Digest,
        DigestRun,
        Notice,
        NoticeKind,
        Rendering,
    )
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            notices = select(Notice.id).where(Notice.kind == NoticeKind.DIGEST)
            await session.execute(delete(Digest))
            await session.execute(delete(DigestRun))
            await session.execute(delete(Delivery).where(Delivery.notice_id.in_(notices)))
            await session.execute(delete(Rendering).where(Rendering.notice_id.in_(notices)))
            await session.execute(delete(Notice).where(Notice.kind == NoticeKind.DIGEST))
            await session.execute(
                update(Delivery)
                .where(Delivery.external_id.like("digest:%"))
                .values(status=DeliveryStatus.HELD, sent_at=None, external_id=None)
            )
            await session.commit()
    finally:
        await engine.dispose()


def check(result: dict[str, Any], residents: int, label: str) -> None:
    if result["rows"] != result["sent"] or result["deliveries"] != result["sent"]:
        sys.exit(f"FAILED ({label}): digests and deliveries do not match: {result}")
    if result["sent"] + result["empty"] != residents:
        sys.exit(f"FAILED ({label}): not every resident was handled: {result}")


def main() -> None:
    from processes import add_database_argument, database_kind, prepare_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50_000)
    add_database_argument(parser)
    parser.add_argument("--page", type=int, default=500, help="residents per transaction")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose round is measured the same way"
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds per checkout")
    parser.add_argument("--child", nargs=2, metavar=("URL", "NOW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, now_iso = args.child
        if sort := os.environ.get("BENCH_PROFILE"):  # where the time goes, on stderr
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                asyncio.run(child(url, now_iso, args.page))
            order = sort if sort in ("tottime", "cumulative") else "cumulative"
            pstats.Stats(profile, stream=sys.stderr).sort_stats(order).print_stats(40)
            return
        asyncio.run(child(url, now_iso, args.page))
        return
    if args.baseline is not None and not (args.baseline / "bot" / "services" / "digest").exists():
        parser.error(f"{args.baseline} is not a Naboskap checkout with the weekly digest")

    kind = database_kind(args.database)
    codes = [("this checkout", ROOT)]
    if args.baseline is not None:
        codes.append((f"baseline {args.baseline}", args.baseline.resolve()))
    now = datetime.now(UTC)
    results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in codes}
    with tempfile.TemporaryDirectory() as tmp:
        url = prepare_database(args.database, tmp)
        print(f"seeding {args.residents} residents in {NETWORKS} networks ({kind}) ...")
        started = time.perf_counter()
        asyncio.run(seed(url, args.residents, now))
        print(f"seeded in {time.perf_counter() - started:.1f} s; building this week's digests")
        first = True
        for _ in range(max(1, args.rounds)):
            for label, code in codes:
                if not first:
                    asyncio.run(forget_round(url))
                first = False
                result = run_round(url, now, args.page, code)
                check(result, args.residents, label)
                results[label].append(result)
    aim = AIM_SECONDS * args.residents / 50_000
    for label, rounds in results.items():
        result = min(rounds, key=lambda r: r["seconds"])
        peak_mb = max(r["peak_kib"] for r in rounds) / 1024
        print()
        print(f"{label}{f' (best of {len(rounds)})' if len(rounds) > 1 else ''}:")
        print(
            f"digests: {result['sent']} made, {result['empty']} empty, {result['notices']} notices"
        )
        print(
            "by language: " + ", ".join(f"{k} {v}" for k, v in sorted(result["by_locale"].items()))
        )
        print(
            f"time: {result['seconds']:.2f} s ({result['sent'] / result['seconds']:.0f} "
            f"digests/s; aim < {aim:.1f} s) {'met' if result['seconds'] < aim else 'MISSED'}"
        )
        print(
            f"peak RSS: {peak_mb:.0f} MB (before the round {result['before_kib'] / 1024:.0f} MB;"
            f" aim < {AIM_MB:.0f} MB) {'met' if peak_mb < AIM_MB else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
