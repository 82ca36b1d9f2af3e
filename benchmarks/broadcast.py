"""A broadcast to a whole town: enqueue one notice to 50 000 residents in 9 languages, then
drain it with one delivery worker against the fake Bot API with the rate limit out of the way.

Run it from the project root:

    .venv/bin/python benchmarks/broadcast.py
    .venv/bin/python benchmarks/broadcast.py --residents 5000
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/broadcast.py --database postgresql
    .venv/bin/python benchmarks/broadcast.py --enqueue-only --baseline ../other --rounds 2

(Give PostgreSQL a database of its own: the `public` schema of the database in
TEST_DATABASE_URL is DROPPED and recreated.)

What happens, in three processes:

- the PARENT prepares a migrated database (a temporary SQLite file, or the PostgreSQL database
  above), creates one network and bulk-inserts `--residents` onboarded residents into it, their
  languages cycling through the 9 shipped locales (not timed). Then it enqueues one broadcast
  to the network with `bot.services.broadcasts.broadcast` as the operator: the recipients'
  query, one rendering per language, one delivery row per resident, and the commit. That call is
  the ENQUEUE figure. Its `now` is a past weekday noon, so quiet hours hold nothing back
  whatever the hour the benchmark runs at and every delivery is due at once.
- the FAKE TELEGRAM child runs `FakeBotAPI` on 127.0.0.1 and knows every resident's chat. It
  only answers and counts; its CPU is its own and is not in the worker's figures.
- the WORKER child is what `naboskap worker` runs: the real app (`bot.app.build_app`) and a
  `DeliveryWorker` with `TelegramSender`, the default `WorkerSettings` and a `RateLimiter`
  shared through the database as in production, but with a rate of 100 000/s so that
  Telegram's 30/s is not what is measured. It drains the outbox (`DeliveryWorker.drain`) and
  reports. Each resident gets one message, so the per-chat spacing never waits.

The figures:

- enqueue: wall seconds for `broadcasts.broadcast(...)` including its commit. The aim is
  50 000 in under 2 s (for another `--residents` the aim is scaled in proportion). It runs
  in a child process of its own; with `--baseline PATH` another checkout's enqueue is timed
  in the same run on the same residents, alternating `--rounds` times (best of each);
- drain: wall seconds from the worker's first claim to an empty outbox, and sends/s. The
  aim is 10 x Telegram's 30/s, i.e. at least 300 sends/s from a single worker;
- worker CPU ms per 1 000 sends: the worker process's user+sys CPU time (getrusage, all its
  threads, e.g. aiosqlite's) during the drain, per 1 000 messages. The database server's CPU
  (PostgreSQL) and the fake server's are not in it; the latter is printed apart for scale;
- worker peak RSS: the worker process's peak resident memory over its life, from VmHWM in
  /proc/self/status (not ru_maxrss, which a child inherits from its parent on Linux).

The run fails loudly, with no verdicts, if any delivery is not SENT at the end, if the fake
server did not see exactly one message per resident, if any Bot API call failed, or if the
worker logged an error. Everything listens on 127.0.0.1 only; every step has a timeout, on
failure the parent kills its children, and a child whose parent goes away exits.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from processes import (
    BenchmarkFailed,
    Child,
    Control,
    ErrorCounter,
    add_arguments,
    cpu_seconds,
    database_kind,
    naboskap_app,
    peak_rss_kib,
    run_child,
    run_parent,
    say,
)

ROOT = Path(__file__).resolve().parent.parent
# The code measured: this checkout's, or (in the enqueue child) a `--baseline` checkout's.
sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
SCRIPT = str(Path(__file__).resolve())

FIRST_ID = 1_000_000  # residents' Telegram ids: FIRST_ID, FIRST_ID + 1, ...
UNLIMITED = 100_000.0  # sends/s: far above what one worker can do, so the limiter never waits
TELEGRAM_RATE = 30.0
DRAIN_AIM = 10 * TELEGRAM_RATE
ENQUEUE_AIM = 2.0  # seconds for AIM_RESIDENTS (issue 12)
AIM_RESIDENTS = 50_000
TEXT = "Dugnad lørdag kl. 11: vi rydder lekeplassen og griller etterpå. Ta med hansker!"
# A Wednesday, 12:00 in Oslo, in the past: outside quiet hours, and every delivery is due now.
NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)

START_TIMEOUT = 60.0  # a child started, imported, connected
STEP_TIMEOUT = 60.0  # a control word answered, a child's shutdown
MIN_DRAIN_TIMEOUT = 120.0  # the drain may take this long, or 1/50 s per resident if longer


def drain_timeout(residents: int) -> float:
    return max(MIN_DRAIN_TIMEOUT, residents / 50)


# ---- the fake Telegram -------------------------------------------------------------------------


async def fake_telegram(residents: int) -> None:
    from bot.fake_bot_api import FakeBotAPI, RateLimit

    control = await Control().start()
    # How fast one worker could send, past Telegram's limits: the fake enforces none here, and
    # the worker's bot does not pace (`flood_control=False`). Pacing is `burst.py`'s subject.
    async with FakeBotAPI(rate_limit=RateLimit.off()) as api:
        for telegram_id in range(FIRST_ID, FIRST_ID + residents):
            api.chats[telegram_id] = []
        say("API", {"base": api.base_url, "token": api.token})
        cpu_before = cpu_seconds()
        await control.expect("quit", last=True)
        cpu = cpu_seconds() - cpu_before
        sends = [c for c in api.calls if c.method == "sendMessage"]
        failed = [c for c in api.calls if not c.ok]
        received = [sum(1 for m in chat if m.from_bot) for chat in api.chats.values()]
        say(
            "RESULT",
            {
                "send_calls": len(sends),
                "failed_calls": len(failed),
                "failures": [f"{c.method}: {c.error}" for c in failed[:3]],
                "chats_missed": sum(1 for n in received if n == 0),
                "chats_repeated": sum(1 for n in received if n > 1),
                "cpu_seconds": cpu,
            },
        )


# ---- the worker --------------------------------------------------------------------------------


async def worker(api_base: str, token: str, database_url: str) -> None:
    from bot.channels.telegram.sender import TelegramSender
    from bot.delivery.pacing import RateLimiter
    from bot.delivery.worker import DeliveryWorker
    from db.models import Channel

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    control = await Control().start()
    async with naboskap_app(api_base, token, database_url, flood_control=False) as app:
        delivery = DeliveryWorker(
            app.sessionmaker,
            {Channel.TELEGRAM: TelegramSender(app.bot)},
            RateLimiter(app.sessionmaker, rate=UNLIMITED),
        )
        say("READY")
        await control.expect("go", last=True)
        cpu_before, started = cpu_seconds(), time.perf_counter()
        handled = await delivery.drain()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
    say(
        "RESULT",
        {
            "handled": handled,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "peak_rss_kib": peak_rss_kib(),
            "errors": errors.count,
        },
    )


# ---- the parent: database, enqueue, children, report ---------------------------------------


async def seed(database_url: str, residents: int, first_id: int = FIRST_ID) -> int:
    """One network with `residents` onboarded members in 9 languages, their Telegram ids from
    `first_id` on; returns its id."""
    from bot.seeding import seed_members
    from bot.services import networks
    from bot.services.actors import Actor
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            view = await networks.create_network(
                session, Actor.operator(), name="Larvik sentrum", slug="sentrum"
            )
            await session.commit()
            ids = await seed_members(
                session, view.id, residents, first_telegram_id=first_id, now=NOON
            )
    finally:
        await engine.dispose()
    if len(ids) != residents:
        raise BenchmarkFailed(f"seeded {len(ids)} residents, expected {residents}")
    return view.id


async def enqueue(
    database_url: str, network_id: int, now: datetime = NOON
) -> tuple[float, dict[str, int], float]:
    """The timed part: the broadcast written to the outbox and committed. Returns the wall
    seconds, the recipients by language and this process's CPU seconds (its threads too:
    aiosqlite's) for it."""
    from sqlalchemy import text

    from bot.config import PROJECT_ROOT
    from bot.i18n import Catalogs
    from bot.services import broadcasts
    from bot.services.actors import Actor
    from db.session import create_engine, create_sessionmaker

    catalogs = Catalogs(PROJECT_ROOT / "locales", "nb")  # compiled once at start-up in the bot
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.execute(text("SELECT 1"))  # connected before the clock starts
            await session.commit()
            cpu_before, started = cpu_seconds(), time.perf_counter()
            result = await broadcasts.broadcast(
                session, Actor.operator(), catalogs, text=TEXT, network_id=network_id, now=now
            )
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    finally:
        await engine.dispose()
    return seconds, result.by_locale, cpu


async def enqueuer(database_url: str, network_id: int) -> None:
    """The enqueue child: this code's (BENCH_CODE's) broadcast, timed; says RESULT with the
    wall seconds and this process's CPU seconds (its threads too: aiosqlite's) for it."""
    seconds, by_locale, cpu = await enqueue(database_url, network_id)
    say("RESULT", {"seconds": seconds, "cpu": cpu, "recipients": sum(by_locale.values())})


async def statuses(database_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from db.models import Delivery
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            )
            return {str(r[0]): int(r[1]) for r in rows}
    finally:
        await engine.dispose()


async def enqueue_child(database_url: str, network_id: int, code: Path) -> tuple[float, float, int]:
    """The enqueue, in a child running `code` (this checkout's or a baseline's)."""
    child = await Child.start(
        "enqueuer",
        SCRIPT,
        "--role=enqueue",
        f"--network-id={network_id}",
        f"--database-url={database_url}",
        step_timeout=STEP_TIMEOUT,
        env={**os.environ, "BENCH_CODE": str(code)},
    )
    try:
        done: dict[str, Any] = json.loads(await child.expect("RESULT", 600))
        await child.finish()
    finally:
        await child.kill()
    return done["seconds"], done["cpu"], done["recipients"]


async def forget_broadcasts(database_url: str) -> None:
    """Delete every broadcast and its deliveries (untimed), so the next enqueue starts alike."""
    from sqlalchemy import delete, select

    from db.models import Delivery, Notice, NoticeKind, Rendering
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            notices = select(Notice.id).where(Notice.kind == NoticeKind.BROADCAST)
            await session.execute(delete(Delivery).where(Delivery.notice_id.in_(notices)))
            await session.execute(delete(Rendering).where(Rendering.notice_id.in_(notices)))
            await session.execute(delete(Notice).where(Notice.kind == NoticeKind.BROADCAST))
            await session.commit()
    finally:
        await engine.dispose()


async def parent(
    residents: int, database_url: str, baseline: Path | None, drain: bool, rounds: int = 1
) -> dict[str, Any]:
    print(f"seeding {residents} residents...", file=sys.stderr, flush=True)
    network_id = await seed(database_url, residents)
    figures: dict[str, Any] = {}
    # With a baseline the two alternate, `rounds` times each, the order swapped every round
    # (the second enqueue of a pair follows a large delete); each figure is the best of its
    # rounds. The last enqueue is always this checkout's: it is what the worker drains.
    codes = [ROOT] if baseline is None else [baseline, ROOT]
    walls: dict[Path, list[float]] = {code: [] for code in codes}
    cpus: dict[Path, list[float]] = {code: [] for code in codes}
    order: list[Path] = []
    for round_ in range(rounds if baseline is not None else 1):
        order += codes if round_ % 2 == 0 else codes[::-1]
    if order[-1] != ROOT:
        order.append(ROOT)  # timed too: one more figure for this checkout
    for index, code in enumerate(order):
        if index:
            await forget_broadcasts(database_url)
        label = "this checkout" if code == ROOT else f"the baseline {code}"
        print(f"enqueueing with {label}...", file=sys.stderr, flush=True)
        seconds, cpu, recipients = await enqueue_child(database_url, network_id, code)
        if recipients != residents:
            raise BenchmarkFailed(f"{label} enqueued {recipients}, expected {residents}")
        walls[code].append(seconds)
        cpus[code].append(cpu)
    figures["enqueue_seconds"] = min(walls[ROOT])
    figures["enqueue_cpu_seconds"] = min(cpus[ROOT])
    figures["enqueue_runs"] = len(walls[ROOT])
    if baseline is not None:
        figures["baseline_enqueue_seconds"] = min(walls[baseline])
        figures["baseline_enqueue_cpu_seconds"] = min(cpus[baseline])
    if not drain:
        return figures
    children: list[Child] = []
    try:
        api = await Child.start(
            "fake Telegram",
            SCRIPT,
            "--role=api",
            f"--residents={residents}",
            step_timeout=STEP_TIMEOUT,
        )
        children.append(api)
        info: dict[str, str] = json.loads(await api.expect("API", START_TIMEOUT))
        work = await Child.start(
            "worker",
            SCRIPT,
            "--role=worker",
            f"--api-base={info['base']}",
            # The fake server's test token: on the command line only because it is no secret.
            f"--token={info['token']}",
            f"--database-url={database_url}",
            step_timeout=STEP_TIMEOUT,
        )
        children.append(work)
        await work.expect("READY", START_TIMEOUT)
        print("draining...", file=sys.stderr, flush=True)
        await work.tell("go")
        drained: dict[str, Any] = json.loads(await work.expect("RESULT", drain_timeout(residents)))
        await work.finish()
        await api.tell("quit")
        served: dict[str, Any] = json.loads(await api.expect("RESULT", STEP_TIMEOUT))
        await api.finish()
    finally:
        for child in reversed(children):
            await child.kill()

    final = await statuses(database_url)
    if final != {"sent": residents}:
        raise BenchmarkFailed(f"deliveries by status {final}, expected {residents} sent")
    if drained["errors"]:
        raise BenchmarkFailed(f"the worker logged {drained['errors']} errors; see above")
    if drained["handled"] != residents:
        raise BenchmarkFailed(f"the worker handled {drained['handled']}, expected {residents}")
    if served["failed_calls"]:
        raise BenchmarkFailed(
            f"{served['failed_calls']} Bot API calls failed, e.g. {served['failures']}"
        )
    if served["send_calls"] != residents or served["chats_missed"] or served["chats_repeated"]:
        raise BenchmarkFailed(
            f"Telegram saw {served['send_calls']} sends, {served['chats_missed']} chats got "
            f"nothing, {served['chats_repeated']} more than one; expected one each"
        )
    return {
        **figures,
        "drain_seconds": drained["seconds"],
        "worker_cpu_seconds": drained["cpu_seconds"],
        "worker_peak_rss_kib": drained["peak_rss_kib"],
        "server_cpu_seconds": served["cpu_seconds"],
    }


def report(figures: dict[str, Any], residents: int, database: str, baseline: Path | None) -> None:
    enqueue_aim = ENQUEUE_AIM * residents / AIM_RESIDENTS
    print(
        f"{residents} residents in 9 languages, database {database}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print()
    best = f"best of {figures['enqueue_runs']}, " if figures["enqueue_runs"] > 1 else ""
    print(
        f"enqueue:            {figures['enqueue_seconds']:8.2f} s "
        f"({best}{residents / figures['enqueue_seconds']:,.0f} deliveries/s; "
        f"CPU {figures['enqueue_cpu_seconds']:.2f} s)"
    )
    if "baseline_enqueue_seconds" in figures:
        print(
            f"enqueue (baseline): {figures['baseline_enqueue_seconds']:8.2f} s "
            f"(CPU {figures['baseline_enqueue_cpu_seconds']:.2f} s; {baseline}, in the same "
            "run, on the same residents)"
        )
    enqueue_met = figures["enqueue_seconds"] < enqueue_aim
    if "drain_seconds" not in figures:
        print()
        print(
            f"aim: enqueue {residents} in under {enqueue_aim:.2f} s "
            f"(2 s per 50 000): {'met' if enqueue_met else 'MISSED'}"
        )
        return
    rate = residents / figures["drain_seconds"]
    per_thousand = 1000 / residents
    print(f"drain:              {figures['drain_seconds']:8.2f} s ({rate:,.1f} sends/s)")
    print(
        f"worker CPU:         {figures['worker_cpu_seconds'] * 1000 * per_thousand:8.1f} ms "
        "per 1 000 sends"
    )
    print(f"worker peak RSS:    {figures['worker_peak_rss_kib'] / 1024:8.1f} MiB")
    print(
        f"fake Telegram CPU:  {figures['server_cpu_seconds'] * 1000 * per_thousand:8.1f} ms "
        "per 1 000 sends (not counted above)"
    )
    print()
    print(
        f"aim: enqueue {residents} in under {enqueue_aim:.2f} s "
        f"(2 s per 50 000): {'met' if enqueue_met else 'MISSED'}"
    )
    drain_met = rate >= DRAIN_AIM
    print(
        f"aim: one worker at least {DRAIN_AIM:.0f} sends/s (10 x Telegram's "
        f"{TELEGRAM_RATE:.0f}/s): {'met' if drain_met else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--residents", type=int, default=AIM_RESIDENTS, help=f"default {AIM_RESIDENTS}"
    )
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose enqueue is timed in the same run"
    )
    parser.add_argument(
        "--enqueue-only", action="store_true", help="time the enqueue; no worker, no drain"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="with --baseline: enqueues of each, alternating"
    )
    parser.add_argument("--network-id", type=int, help=argparse.SUPPRESS)
    add_arguments(parser, roles=("api", "worker", "enqueue"))
    args = parser.parse_args()
    if args.residents < 1:
        parser.error("--residents must be at least 1")
    if args.baseline is not None and not (args.baseline / "bot" / "__main__.py").exists():
        parser.error(f"{args.baseline} is not a Naboskap checkout")
    child_timeout = START_TIMEOUT + drain_timeout(args.residents) + 4 * STEP_TIMEOUT + 600

    if args.role == "api":
        run_child(fake_telegram(args.residents), child_timeout)
        return
    if args.role == "worker":
        run_child(worker(args.api_base, args.token, args.database_url), child_timeout)
        return
    if args.role == "enqueue":
        run_child(enqueuer(args.database_url, args.network_id), child_timeout)
        return

    baseline = args.baseline.resolve() if args.baseline is not None else None
    figures = run_parent(
        args.database,
        lambda database_url: parent(
            args.residents,
            database_url,
            baseline,
            drain=not args.enqueue_only,
            rounds=max(1, args.rounds),
        ),
    )
    report(figures, args.residents, database_kind(args.database), baseline)


if __name__ == "__main__":
    main()
