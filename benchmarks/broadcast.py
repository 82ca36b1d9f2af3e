"""A broadcast to a whole town: enqueue one notice to 50 000 residents in 9 languages, then
drain it with one delivery worker against the fake Bot API with the rate limit out of the way.

Run it from the project root:

    .venv/bin/python benchmarks/broadcast.py
    .venv/bin/python benchmarks/broadcast.py --residents 5000
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/broadcast.py --database postgresql

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
  50 000 in under 3 s (for another `--residents` the aim is scaled in proportion);
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
import asyncio
import contextlib
import json
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRIPT = str(Path(__file__).resolve())

FIRST_ID = 1_000_000  # residents' Telegram ids: FIRST_ID, FIRST_ID + 1, ...
UNLIMITED = 100_000.0  # sends/s: far above what one worker can do, so the limiter never waits
TELEGRAM_RATE = 30.0
DRAIN_AIM = 10 * TELEGRAM_RATE
ENQUEUE_AIM = 3.0  # seconds for AIM_RESIDENTS
AIM_RESIDENTS = 50_000
TEXT = "Dugnad lørdag kl. 11: vi rydder lekeplassen og griller etterpå. Ta med hansker!"
# A Wednesday, 12:00 in Oslo, in the past: outside quiet hours, and every delivery is due now.
NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)

START_TIMEOUT = 60.0  # a child started, imported, connected
STEP_TIMEOUT = 60.0  # a control word answered, a child's shutdown
MIN_DRAIN_TIMEOUT = 120.0  # the drain may take this long, or 1/50 s per resident if longer


class BenchmarkFailed(Exception):
    """Something did not do what it should; the figures would be meaningless."""


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


# ---- shared by the children ------------------------------------------------------------------


def say(tag: str, payload: dict[str, Any] | None = None) -> None:
    """One line to the parent on stdout (logging goes to stderr)."""
    print(tag if payload is None else f"{tag} {json.dumps(payload)}", flush=True)


class Control:
    """The parent's control words, one a line on stdin. Read all the time, so that a child
    whose parent has gone away (stdin closed) exits at once, whatever it is doing."""

    def __init__(self) -> None:
        self.words: asyncio.Queue[str] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Control:
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        self._reader = asyncio.create_task(self._read(reader))
        return self

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            self.words.put_nowait(line.decode().strip())
        print("the parent has gone away; exiting", file=sys.stderr, flush=True)
        os._exit(2)

    async def expect(self, word: str, last: bool = False) -> None:
        got = await self.words.get()
        if got != word:
            raise BenchmarkFailed(f"expected {word!r} from the parent, got {got!r}")
        if last and self._reader is not None:
            self._reader.cancel()  # from now on a closed stdin is no news


def peak_rss_kib() -> int:
    """This process's own peak resident memory in KiB (VmHWM); see the module docstring."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # inherited; all there is
    return peak // 1024 if sys.platform == "darwin" else peak


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_child(work: Any, timeout: float) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    async def bounded() -> None:
        await asyncio.wait_for(work, timeout)

    try:
        asyncio.run(bounded())
    except BenchmarkFailed as failure:
        print(f"benchmark failed: {failure}", file=sys.stderr)
        sys.exit(1)


def drain_timeout(residents: int) -> float:
    return max(MIN_DRAIN_TIMEOUT, residents / 50)


# ---- the fake Telegram -------------------------------------------------------------------------


async def fake_telegram(residents: int) -> None:
    from bot.fake_bot_api import FakeBotAPI

    control = await Control().start()
    async with FakeBotAPI() as api:
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
    from bot.app import build_app
    from bot.config import Settings
    from bot.delivery.pacing import RateLimiter
    from bot.delivery.telegram import TelegramSender
    from bot.delivery.worker import DeliveryWorker
    from db.models import Channel

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    control = await Control().start()
    settings = Settings(
        bot_token=token,
        telegram_api_base=api_base,
        database_url=database_url,
        redis_url=None,
        coordinator_ids=frozenset(),
        _env_file=None,
    )
    app = build_app(settings)
    try:
        await app.check_schema()
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
    finally:
        await app.close()
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


def prepare_database(kind: str, directory: str) -> str:
    """A migrated, empty database; returns its URL."""
    from db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{Path(directory) / 'naboskap.db'}"
    else:
        pg_url = os.environ.get("TEST_DATABASE_URL")
        if not pg_url or not pg_url.startswith("postgresql+asyncpg://"):
            sys.exit(
                "--database postgresql needs TEST_DATABASE_URL=postgresql+asyncpg://USER@HOST/DB "
                "(its public schema is dropped and recreated)"
            )
        url = pg_url
        asyncio.run(reset_postgres(url))
    upgrade(url)
    return url


async def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from db.session import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def seed(database_url: str, residents: int) -> int:
    """One network with `residents` onboarded members in 9 languages; returns its id."""
    from sqlalchemy import insert, select

    from bot.i18n import SHIPPED_LOCALES
    from bot.services import networks
    from bot.services.actors import Actor
    from db.models import MemberRole, Membership, Resident
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            view = await networks.create_network(
                session, Actor.operator(), name="Larvik sentrum", slug="sentrum"
            )
            await session.commit()
            chunk = 10_000
            for start in range(0, residents, chunk):
                await session.execute(
                    insert(Resident),
                    [
                        {
                            "telegram_id": FIRST_ID + n,
                            "first_name": f"R{n}",
                            "locale": SHIPPED_LOCALES[n % len(SHIPPED_LOCALES)],
                            "is_coordinator": False,
                            "privacy_accepted_at": NOON,
                            "reachable": True,
                            "created_at": NOON,
                        }
                        for n in range(start, min(start + chunk, residents))
                    ],
                )
            ids = list((await session.scalars(select(Resident.id))).all())
            for start in range(0, len(ids), chunk):
                await session.execute(
                    insert(Membership),
                    [
                        {
                            "resident_id": resident_id,
                            "network_id": view.id,
                            "role": MemberRole.MEMBER,
                            "joined_at": NOON,
                        }
                        for resident_id in ids[start : start + chunk]
                    ],
                )
            await session.commit()
    finally:
        await engine.dispose()
    if len(ids) != residents:
        raise BenchmarkFailed(f"seeded {len(ids)} residents, expected {residents}")
    return view.id


async def enqueue(database_url: str, network_id: int) -> tuple[float, dict[str, int]]:
    """The timed part: the broadcast written to the outbox and committed. Returns the wall
    seconds and the recipients by language."""
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
            started = time.perf_counter()
            result = await broadcasts.broadcast(
                session, Actor.operator(), catalogs, text=TEXT, network_id=network_id, now=NOON
            )
            seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return seconds, result.by_locale


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


class Child:
    """A child process of this script, spoken to by lines on stdin and stdout."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process

    @classmethod
    async def start(cls, name: str, *arguments: str) -> Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            SCRIPT,
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # stderr is the parent's: tracebacks and warnings show up as they happen.
        )
        return cls(name, process)

    async def expect(self, tag: str, timeout: float) -> str:
        """Wait for the line `TAG [payload]`; returns the payload."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                raw = await asyncio.wait_for(
                    self.process.stdout.readline(), max(0.0, deadline - time.monotonic())
                )
            except TimeoutError:
                raise BenchmarkFailed(
                    f"the {self.name} did not say {tag} in {timeout:.0f} s"
                ) from None
            if not raw:
                status = await self.exit_status(STEP_TIMEOUT)
                raise BenchmarkFailed(
                    f"the {self.name} exited (status {status}) before saying {tag}; see above"
                )
            line = raw.decode().rstrip("\n")
            if line == tag or line.startswith(f"{tag} "):
                return line[len(tag) :].strip()
            print(f"[{self.name}] {line}", file=sys.stderr)

    async def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(f"{word}\n".encode())
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise BenchmarkFailed(f"the {self.name} is gone; could not tell it {word!r}") from None

    async def exit_status(self, timeout: float) -> int | None:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.process.wait(), timeout)
        return None

    async def finish(self) -> None:
        status = await self.exit_status(STEP_TIMEOUT)
        if status != 0:
            raise BenchmarkFailed(f"the {self.name} ended with status {status}")

    async def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


async def parent(residents: int, database_url: str) -> dict[str, Any]:
    print(f"seeding {residents} residents...", file=sys.stderr, flush=True)
    network_id = await seed(database_url, residents)
    print("enqueueing...", file=sys.stderr, flush=True)
    enqueue_seconds, by_locale = await enqueue(database_url, network_id)
    if sum(by_locale.values()) != residents:
        raise BenchmarkFailed(f"enqueued {sum(by_locale.values())}, expected {residents}")
    children: list[Child] = []
    try:
        api = await Child.start("fake Telegram", "--role=api", f"--residents={residents}")
        children.append(api)
        info: dict[str, str] = json.loads(await api.expect("API", START_TIMEOUT))
        work = await Child.start(
            "worker",
            "--role=worker",
            f"--api-base={info['base']}",
            # The fake server's test token: on the command line only because it is no secret.
            f"--token={info['token']}",
            f"--database-url={database_url}",
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
        "enqueue_seconds": enqueue_seconds,
        "languages": len(by_locale),
        "drain_seconds": drained["seconds"],
        "worker_cpu_seconds": drained["cpu_seconds"],
        "worker_peak_rss_kib": drained["peak_rss_kib"],
        "server_cpu_seconds": served["cpu_seconds"],
    }


def report(figures: dict[str, Any], residents: int, database: str) -> None:
    enqueue_aim = ENQUEUE_AIM * residents / AIM_RESIDENTS
    rate = residents / figures["drain_seconds"]
    per_thousand = 1000 / residents
    print(
        f"{residents} residents in {figures['languages']} languages, database {database}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print()
    print(
        f"enqueue:            {figures['enqueue_seconds']:8.2f} s "
        f"({residents / figures['enqueue_seconds']:,.0f} deliveries/s)"
    )
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
    enqueue_met = figures["enqueue_seconds"] < enqueue_aim
    print(
        f"aim: enqueue {residents} in under {enqueue_aim:.2f} s "
        f"(3 s per 50 000): {'met' if enqueue_met else 'MISSED'}"
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
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--role", choices=("api", "worker"), help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.residents < 1:
        parser.error("--residents must be at least 1")
    child_timeout = START_TIMEOUT + drain_timeout(args.residents) + 4 * STEP_TIMEOUT + 600

    if args.role == "api":
        run_child(fake_telegram(args.residents), child_timeout)
        return
    if args.role == "worker":
        run_child(worker(args.api_base, args.token, args.database_url), child_timeout)
        return

    with tempfile.TemporaryDirectory(prefix="naboskap-bench-") as directory:
        database_url = prepare_database(args.database, directory)
        try:
            figures = asyncio.run(parent(args.residents, database_url))
        except BenchmarkFailed as failure:
            sys.exit(f"benchmark failed: {failure}")
    report(figures, args.residents, args.database)


if __name__ == "__main__":
    main()
