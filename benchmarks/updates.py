"""End-to-end update handling: fake Bot API → webhook → bot → Bot API replies, for Naboskap
and for a bare aiogram echo bot, in the same run.

Run it from the project root:

    .venv/bin/python benchmarks/updates.py
    .venv/bin/python benchmarks/updates.py --residents 600 --concurrency 50
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/naboskap_bench \\
        .venv/bin/python benchmarks/updates.py --database postgresql

(Give PostgreSQL a database of its own, or one nobody is using at the time: see below.)

What happens: the script prepares a migrated database (a temporary SQLite file by default; with
`--database postgresql`, the database in TEST_DATABASE_URL, whose `public` schema is DROPPED and
recreated), then starts two child processes, one after the other, so that each has a peak
memory of its own:

- `naboskap`: the real app (`bot.app.build_app`) with the Larvik networks from
  examples/larvik.toml, serving its webhook on 127.0.0.1 with `background=False`, so the fake
  server's POST returns only once the update has been handled and every reply has been sent.
  Each simulated resident sends /start, picks their language, accepts the privacy notice, sends
  /networks, opens a network and joins it: 6 updates. At the end the script checks in the
  database that every resident joined, and fails if any Bot API call or update failed.
- `echo`: a bare aiogram Dispatcher that answers every message with its text, behind the same
  webhook machinery and the same fake server. Each resident sends 6 text messages.

Both run the same number of residents (`--residents`), at most `--concurrency` of them at
once, after an untimed warm-up of one resident per language. Each simulated resident waits for
one update to be handled before sending the next, as a person waits for the bot's answer. The
parent process migrates the database, so Alembic is not in the Naboskap child's memory.

The figures:

- updates/s: updates handled end to end per second of wall time (timed part only);
- API calls: Bot API requests the bot made in the timed part (Naboskap makes more than one per
  update: it answers button presses and sets each resident's command menu);
- peak RSS: the child's peak resident memory (getrusage ru_maxrss). It includes the fake Bot
  API server, the simulated users and their chat history, which run in the same process;
- ratio: Naboskap's updates/s over the echo bot's. The aim is 0.5 or better.

Everything listens on 127.0.0.1 only, and each child is killed if it runs for over 10 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.fake_bot_api import FakeBotAPI

# Project modules are imported inside the workers, never at the top: the echo worker must not
# load Naboskap, SQLAlchemy or Alembic, or its peak memory would not be an echo bot's.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UPDATES_PER_RESIDENT = 6
WARM_UP_IDS = 500_000
TIMED_IDS = 1_000_000
# Random per process; the fake server sends it back in X-Telegram-Bot-Api-Secret-Token.
SECRET = secrets.token_urlsafe(16)
WEBHOOK_PATH = "/webhook"
WORKER_TIMEOUT = 600.0  # the parent kills a child after this long
WORK_TIMEOUT = WORKER_TIMEOUT - 60  # the child gives up (with a traceback) a little earlier
LARVIK = ROOT / "examples" / "larvik.toml"

# (Telegram app language_code, the shipped locale the resident picks).
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("nb", "nb"),
    ("uk", "uk"),
    ("ar", "ar"),
    ("pl", "pl"),
    ("en", "en"),
    ("lt", "lt"),
    ("so", "so"),
    ("ti", "ti"),
    ("fa", "fa_AF"),
)
# One untimed resident per language first: Babel loads a locale's data when it is first used.
WARM_UP_RESIDENTS = len(LANGUAGES)
FIRST_NAMES = ("Kari", "Olena", "Ahmed", "Zofia", "Tom", "Rasa", "Hodan", "Senait", "Farid")
# Open networks on the first page of /networks (areas first, then by name, 8 to a page).
NETWORKS = ("Sentrum", "Stavern", "Nanset", "Kvelde", "Langestrand", "Hedrum")
ECHO_TEXTS = ("/start", "hello", "Norsk (bokmål)", "ok", "/networks", "Sentrum")


class BenchmarkFailed(Exception):
    """The traffic did not do what it should; the figures would be meaningless."""


class ErrorCounter(logging.Handler):
    """Counts ERROR records (aiogram and the bot's error handler log failed updates)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


# ---- shared by both workers ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serve(web_app: web.Application) -> AsyncIterator[str]:
    """Serve `web_app` on a free loopback port; yields the webhook URL."""
    from aiohttp import web

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    finally:
        await runner.cleanup()
        sock.close()


async def drive(
    count: int, concurrency: int, first_id: int, resident: Callable[[int, int], Awaitable[None]]
) -> float:
    """Run `count` residents (`resident(user_id, index)`), at most `concurrency` at once;
    returns the wall time in seconds. The first failure stops the run."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await resident(first_id + index, index)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(count):
            group.create_task(one(index))
    return time.perf_counter() - started


def check_clean(api: FakeBotAPI, errors: ErrorCounter) -> None:
    failed = [call for call in api.calls if not call.ok]
    if failed:
        sample = ", ".join(f"{c.method}: {c.error}" for c in failed[:3])
        raise BenchmarkFailed(f"{len(failed)} Bot API calls failed (e.g. {sample})")
    if api.webhook is None or api.webhook.get("last_status") != 200:
        raise BenchmarkFailed(f"the webhook did not answer 200: {api.webhook!r}")
    if errors.count:
        raise BenchmarkFailed(f"{errors.count} errors were logged while handling updates")


def figures(bot: str, residents: int, seconds: float, api_calls: int) -> dict[str, Any]:
    updates = residents * UPDATES_PER_RESIDENT
    return {
        "bot": bot,
        "residents": residents,
        "updates": updates,
        "seconds": seconds,
        "updates_per_second": updates / seconds,
        "api_calls": api_calls,
        # KiB on Linux.
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


# ---- the Naboskap worker ---------------------------------------------------------------------


async def import_larvik(app: App) -> int:
    from bot.services import networks
    from bot.services.actors import Actor
    from db.models import NetworkKind

    data = tomllib.loads(LARVIK.read_text(encoding="utf-8"))
    specs = [
        networks.NetworkSpec(
            slug=str(item["slug"]),
            name=str(item["name"]),
            kind=NetworkKind(item.get("kind", "area")),
            description=str(item.get("description", "")),
            invite_code=item.get("invite_code"),
        )
        for item in data.get("network", [])
    ]
    async with app.sessionmaker() as session:
        await networks.import_networks(session, Actor.operator(), specs)
    return len(specs)


async def count_memberships(app: App, first_id: int, count: int) -> int:
    from sqlalchemy import func, select

    from db.models import Membership, Resident

    async with app.sessionmaker() as session:
        joined = await session.scalar(
            select(func.count())
            .select_from(Membership)
            .join(Resident, Resident.id == Membership.resident_id)
            .where(Resident.telegram_id.between(first_id, first_id + count - 1))
        )
    return int(joined or 0)


async def naboskap_worker(database_url: str, residents: int, concurrency: int) -> dict[str, Any]:
    from bot.app import build_app
    from bot.config import Settings
    from bot.fake_bot_api import FakeBotAPI, FakeUser
    from bot.fake_bot_api.server import DEFAULT_TOKEN
    from bot.i18n import NATIVE_NAMES
    from bot.runners import webhook_application

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)

    async with FakeBotAPI() as api:
        settings = Settings(
            bot_token=DEFAULT_TOKEN,
            telegram_api_base=api.base_url,
            database_url=database_url,
            redis_url=None,
            coordinator_ids=frozenset(),
            _env_file=None,
        )
        app = build_app(settings)
        try:
            await app.check_schema()
            if await import_larvik(app) < len(NETWORKS):
                raise BenchmarkFailed(f"{LARVIK} has fewer networks than the benchmark uses")

            async def resident(user_id: int, index: int) -> None:
                language_code, locale = LANGUAGES[index % len(LANGUAGES)]
                first_name = FIRST_NAMES[index % len(FIRST_NAMES)]
                user = FakeUser(api, user_id, first_name, language_code)
                await user.send("/start")
                # Labelled "📱 <name>" when it is the phone's language; press matches substrings.
                await user.press(NATIVE_NAMES[locale])
                await user.press(user.last.buttons[0]["text"])  # accept the privacy notice
                await user.send("/networks")
                await user.press(NETWORKS[index % len(NETWORKS)])
                await user.press(user.last.buttons[0]["text"])  # join
                if not user.last_answer or not user.last_answer["text"]:
                    raise BenchmarkFailed(
                        f"resident {user_id} ({locale}) got no 'welcome' toast on joining; "
                        f"the chat shows {user.last.text!r}"
                    )

            web_app = webhook_application(app, SECRET, WEBHOOK_PATH, background=False)
            async with serve(web_app) as url:
                await app.bot.set_webhook(url, secret_token=SECRET)
                await drive(WARM_UP_RESIDENTS, WARM_UP_RESIDENTS, WARM_UP_IDS, resident)
                calls_before = len(api.calls)
                seconds = await drive(residents, concurrency, TIMED_IDS, resident)
                api_calls = len(api.calls) - calls_before

            check_clean(api, errors)
            joined = await count_memberships(app, TIMED_IDS, residents)
            if joined != residents:
                raise BenchmarkFailed(f"{joined} memberships in the database, expected {residents}")
        finally:
            await app.close()
    return figures("naboskap", residents, seconds, api_calls)


# ---- the echo worker -------------------------------------------------------------------------


async def echo_worker(residents: int, concurrency: int) -> dict[str, Any]:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    from bot.fake_bot_api import FakeBotAPI, FakeUser
    from bot.fake_bot_api.server import DEFAULT_TOKEN

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)

    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    dispatcher.callback_query.register(pressed)

    async with FakeBotAPI() as api:
        bot = Bot(
            DEFAULT_TOKEN,
            session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)),
        )
        try:

            async def resident(user_id: int, index: int) -> None:
                first_name = FIRST_NAMES[index % len(FIRST_NAMES)]
                user = FakeUser(api, user_id, first_name, LANGUAGES[index % len(LANGUAGES)][0])
                for text in ECHO_TEXTS:
                    replies = await user.send(text)
                    if not replies or replies[-1].text != text:
                        raise BenchmarkFailed(f"the echo bot did not echo {text!r} to {user_id}")

            web_app = web.Application()
            SimpleRequestHandler(
                dispatcher, bot, secret_token=SECRET, handle_in_background=False
            ).register(web_app, path=WEBHOOK_PATH)
            setup_application(web_app, dispatcher, bot=bot)
            async with serve(web_app) as url:
                await bot.set_webhook(url, secret_token=SECRET)
                await drive(WARM_UP_RESIDENTS, WARM_UP_RESIDENTS, WARM_UP_IDS, resident)
                calls_before = len(api.calls)
                seconds = await drive(residents, concurrency, TIMED_IDS, resident)
                api_calls = len(api.calls) - calls_before
            check_clean(api, errors)
        finally:
            await bot.session.close()
    return figures("echo", residents, seconds, api_calls)


# ---- the parent: database, children, table ---------------------------------------------------


def prepare_database(kind: str, directory: str) -> str:
    """A migrated, empty database for the Naboskap worker; returns its URL."""
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


def run_worker(worker: str, args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        worker,
        "--residents",
        str(args.residents),
        "--concurrency",
        str(args.concurrency),
        "--database-url",
        database_url,
    ]
    print(f"running {worker}...", file=sys.stderr, flush=True)
    try:
        # This script, with arguments it built itself.
        done = subprocess.run(  # noqa: S603
            command, stdout=subprocess.PIPE, text=True, timeout=WORKER_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        sys.exit(f"the {worker} worker ran for over {WORKER_TIMEOUT:.0f} s and was killed")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"the {worker} worker failed (exit status {done.returncode}); see above")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"{args.residents} residents x {UPDATES_PER_RESIDENT} updates, concurrency "
        f"{args.concurrency}, database {args.database}, Python {sys.version.split()[0]}"
    )
    print()
    header = f"{'bot':<10} {'updates':>8} {'seconds':>8} {'updates/s':>10} {'API calls':>10} "
    print(header + f"{'peak RSS MiB':>13}")
    for r in results:
        print(
            f"{r['bot']:<10} {r['updates']:>8} {r['seconds']:>8.2f} "
            f"{r['updates_per_second']:>10.1f} {r['api_calls']:>10} "
            f"{r['peak_rss_kib'] / 1024:>13.1f}"
        )
    by_bot = {r["bot"]: r for r in results}
    ratio = by_bot["naboskap"]["updates_per_second"] / by_bot["echo"]["updates_per_second"]
    verdict = "meets" if ratio >= 0.5 else "misses"
    print()
    print(f"naboskap/echo: {ratio:.2f} ({verdict} the aim of 0.50 or better)")
    print(
        "note: peak RSS is the whole child process, including the in-process fake Bot API "
        "server and the simulated users."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=300, help="residents (default 300)")
    parser.add_argument(
        "--concurrency", type=int, default=30, help="residents at once (default 30)"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--worker", choices=("naboskap", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.residents < 1 or args.concurrency < 1:
        parser.error("--residents and --concurrency must be at least 1")

    if args.worker:
        # aiogram logs every handled update at INFO; that would be timed too.
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        if args.worker == "naboskap":
            work = naboskap_worker(args.database_url, args.residents, args.concurrency)
        else:
            work = echo_worker(args.residents, args.concurrency)
        try:
            result = asyncio.run(asyncio.wait_for(work, WORK_TIMEOUT))
        except* BenchmarkFailed as failures:
            for failure in failures.exceptions:
                print(f"benchmark failed: {failure}", file=sys.stderr)
            sys.exit(1)
        print(json.dumps(result), flush=True)
        return

    with tempfile.TemporaryDirectory(prefix="naboskap-bench-") as directory:
        database_url = prepare_database(args.database, directory)
        results = [run_worker(w, args, database_url) for w in ("naboskap", "echo")]
    report(results, args)


if __name__ == "__main__":
    main()
