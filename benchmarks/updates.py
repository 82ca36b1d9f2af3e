"""End-to-end update handling: fake Bot API → webhook → bot → Bot API replies, for Naboskap
and for a bare aiogram echo bot, each bot in a process of its own.

Run it from the project root:

    .venv/bin/python benchmarks/updates.py
    .venv/bin/python benchmarks/updates.py --residents 600 --concurrency 50
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/naboskap_bench \\
        .venv/bin/python benchmarks/updates.py --database postgresql

(Give PostgreSQL a database of its own, or one nobody is using at the time: see below.)

What happens: the parent process prepares a migrated database (a temporary SQLite file by
default; with `--database postgresql`, the database in TEST_DATABASE_URL, whose `public` schema
is DROPPED and recreated) and imports the Larvik networks from examples/larvik.toml into it.
Then, for each bot in turn (Naboskap first, then echo), it runs two child processes:

- the DRIVER plays Telegram and the people: the fake Bot API server (`FakeBotAPI`) and the
  simulated residents (`FakeUser`). It prints its server's URL (and test token) and waits.
- the BOT process runs only the bot, talking to the driver's server as it would to Telegram
  (TELEGRAM_API_BASE). For `naboskap` that is the real app (`bot.app.build_app`) behind
  `bot.runners.webhook_application(..., background=False)`; for `echo`, a bare aiogram
  Dispatcher that answers every message with its text, behind the same aiogram webhook
  handler. It serves the webhook on a free 127.0.0.1 port, registers it with `setWebhook`
  (with a secret token) and prints READY.

The parent then says `go` to the driver, which runs an untimed warm-up (one resident per
language: Babel loads a locale's data when it is first used) and prints WARMED. The parent says
`mark` to the bot, which notes its CPU time and answers MARKED, and then `timed` to the driver,
which runs `--residents` residents, at most `--concurrency` at once, and prints its figures.
The parent says `stop` to the bot, which notes its CPU time again, shuts down and prints its
own figures, and finally `quit` to the driver. The driver POSTs each update to the URL and
with the secret the bot registered with `setWebhook`, as Telegram does (through the fake
server's `deliver` hook rather than its own webhook client, so that every response's status is
checked, not only the last one), and waits for the response; with
`background=False` it comes only once the update has been handled and every reply sent. Each
simulated resident waits for one update to be handled before sending the next, as a person
waits for the bot's answer.

Each Naboskap resident sends /start, picks their language, accepts the privacy notice, sends
/networks, opens a network on the first page and joins it: 6 updates. Each echo resident sends
6 text messages and checks each echo. The run fails (and prints no figures) if any update's
webhook response was not 200, any Bot API call failed, the bot logged an error, or, for
Naboskap, the database does not show every timed resident as a member (the parent counts).

The figures:

- updates/s: updates handled end to end per second of wall time in the timed part. The driver
  and the bot share the machine's cores, so this also depends on how fast the driver is;
- API calls/update: Bot API requests the bot made in the timed part, per update (Naboskap
  answers button presses and sets each resident's command menu, so it makes more than one);
- bot CPU ms/update: the bot process's user+sys CPU time (getrusage, all its threads, e.g.
  aiosqlite's) from `mark` to `stop`, per timed update. Between the two the bot does nothing
  but handle the timed updates (the driver is idle before `timed` and done before `stop`)
  plus reading the two control lines, so this is the bot's own cost, free of the driver's;
- bot peak RSS: the bot process's peak resident memory over its whole life (start-up, warm-up
  and the timed part), read from VmHWM in /proc/self/status. Not getrusage's ru_maxrss: on
  Linux that is carried over fork and exec, so every child would report at least the parent's
  peak (the parent has run the Alembic migrations). The fake server, the residents and their
  chat history live in the driver and are not counted;
- ratio: Naboskap's updates/s over the echo bot's. The aim is 0.5 or better. The CPU ratio is
  printed too: it does not depend on the driver.

Everything listens on 127.0.0.1 only. Every step has a timeout; on any failure the parent kills
both children, and a child whose parent goes away sees its stdin close and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processes import (
    BenchmarkFailed,
    Child,
    Control,
    ErrorCounter,
    add_arguments,
    cpu_seconds,
    naboskap_app,
    peak_rss_kib,
    run_child,
    run_parent,
    say,
)

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiohttp import web

    from bot.fake_bot_api import FakeBotAPI

# Project modules are imported inside the children, never at the top: the echo bot process
# must not load Naboskap, SQLAlchemy or Alembic, or its memory would not be an echo bot's.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UPDATES_PER_RESIDENT = 6
WARM_UP_IDS = 500_000
TIMED_IDS = 1_000_000
WEBHOOK_PATH = "/webhook"
LARVIK = ROOT / "examples" / "larvik.toml"
SCRIPT = str(Path(__file__).resolve())
AIM = 0.5

# Parent-side timeouts (seconds) for each step; a child gives up on its own after CHILD_TIMEOUT.
START_TIMEOUT = 60.0  # process start, imports, server up, webhook registered
RUN_TIMEOUT = 300.0  # warm-up, or the timed residents
STEP_TIMEOUT = 30.0  # a control word answered, a child's shutdown
CHILD_TIMEOUT = START_TIMEOUT + 2 * RUN_TIMEOUT + 4 * STEP_TIMEOUT

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
WARM_UP_RESIDENTS = len(LANGUAGES)
FIRST_NAMES = ("Kari", "Olena", "Ahmed", "Zofia", "Tom", "Rasa", "Hodan", "Senait", "Farid")
# Open networks on the first page of /networks (areas first, then by name, 8 to a page), with
# byte-order (SQLite) and linguistic (PostgreSQL) collation alike.
NETWORKS = ("Sentrum", "Stavern", "Nanset", "Kvelde", "Langestrand", "Hedrum")
ECHO_TEXTS = ("/start", "hello", "Norsk (bokmål)", "ok", "/networks", "Sentrum")


# ---- the driver: fake Telegram and the residents ------------------------------------------


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


def naboskap_resident(api: FakeBotAPI) -> Callable[[int, int], Awaitable[None]]:
    from bot.fake_bot_api import FakeUser
    from bot.i18n import NATIVE_NAMES

    async def resident(user_id: int, index: int) -> None:
        language_code, locale = LANGUAGES[index % len(LANGUAGES)]
        user = FakeUser(api, user_id, FIRST_NAMES[index % len(FIRST_NAMES)], language_code)
        await user.send("/start")
        # Labelled "📱 <name>" when it is the phone's language; press matches substrings.
        await user.press(NATIVE_NAMES[locale])
        await user.press(user.last.buttons[0]["text"])  # accept the privacy notice
        await user.send("/networks")
        network = NETWORKS[index % len(NETWORKS)]
        try:
            await user.press(network)
        except LookupError:
            labels = [b["text"] for b in user.last.buttons]
            raise BenchmarkFailed(f"no button {network!r} after /networks: {labels}") from None
        await user.press(user.last.buttons[0]["text"])  # join
        if not user.last_answer or not user.last_answer["text"]:
            raise BenchmarkFailed(
                f"resident {user_id} ({locale}) got no 'welcome' toast on joining; "
                f"the chat shows {user.last.text!r}"
            )

    return resident


def echo_resident(api: FakeBotAPI) -> Callable[[int, int], Awaitable[None]]:
    from bot.fake_bot_api import FakeUser

    async def resident(user_id: int, index: int) -> None:
        language_code = LANGUAGES[index % len(LANGUAGES)][0]
        user = FakeUser(api, user_id, FIRST_NAMES[index % len(FIRST_NAMES)], language_code)
        for text in ECHO_TEXTS:
            replies = await user.send(text)
            if not replies or replies[-1].text != text:
                raise BenchmarkFailed(f"the echo bot did not echo {text!r} to {user_id}")

    return resident


async def driver(bot: str, residents: int, concurrency: int) -> None:
    import aiohttp

    from bot.fake_bot_api import FakeBotAPI

    control = await Control().start()
    statuses: Counter[int] = Counter()
    async with FakeBotAPI() as api, aiohttp.ClientSession() as client:

        async def post_to_webhook(update: dict[str, Any]) -> None:
            """What Telegram does with a webhook: POST the update with the registered secret,
            and (with background=False) wait for the bot to have handled it."""
            hook = api.webhook
            if hook is None:
                raise BenchmarkFailed("the bot has not registered a webhook")
            headers = {}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
            async with client.post(str(hook["url"]), json=update, headers=headers) as reply:
                await reply.read()
                statuses[reply.status] += 1
                hook["last_status"] = reply.status
                if reply.status != 200:
                    raise BenchmarkFailed(f"the webhook answered {reply.status} to {update!r}")

        api.deliver = post_to_webhook
        resident = naboskap_resident(api) if bot == "naboskap" else echo_resident(api)
        say("API", {"base": api.base_url, "token": api.token})

        await control.expect("go")
        await drive(WARM_UP_RESIDENTS, WARM_UP_RESIDENTS, WARM_UP_IDS, resident)
        say("WARMED")

        await control.expect("timed")
        calls_before = len(api.calls)
        cpu_before = cpu_seconds()
        seconds = await drive(residents, concurrency, TIMED_IDS, resident)
        driver_cpu = cpu_seconds() - cpu_before
        api_calls = len(api.calls) - calls_before

        failed = [call for call in api.calls if not call.ok]
        if failed:
            sample = ", ".join(f"{c.method}: {c.error}" for c in failed[:3])
            raise BenchmarkFailed(f"{len(failed)} Bot API calls failed (e.g. {sample})")
        posts = (WARM_UP_RESIDENTS + residents) * UPDATES_PER_RESIDENT
        if set(statuses) != {200} or statuses[200] != posts:
            raise BenchmarkFailed(f"webhook statuses {dict(statuses)}, expected {posts} x 200")
        say(
            "RESULT",
            {
                "updates": residents * UPDATES_PER_RESIDENT,
                "seconds": seconds,
                "api_calls": api_calls,
                "failed_api_calls": len(failed),
                "webhook_posts": sum(statuses.values()),
                "driver_cpu_seconds": driver_cpu,
            },
        )
        await control.expect("quit", last=True)


# ---- the bot process -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def naboskap_bot(
    api_base: str, token: str, database_url: str, secret: str
) -> AsyncIterator[tuple[web.Application, Bot, Dispatcher]]:
    from bot.runners import webhook_application

    async with naboskap_app(api_base, token, database_url) as app:
        web_app = webhook_application(app, secret, WEBHOOK_PATH, background=False)
        yield web_app, app.bot, app.dispatcher


@contextlib.asynccontextmanager
async def echo_bot(
    api_base: str, token: str, secret: str
) -> AsyncIterator[tuple[web.Application, Bot, Dispatcher]]:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    dispatcher.callback_query.register(pressed)
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    try:
        web_app = web.Application()
        SimpleRequestHandler(
            dispatcher, bot, secret_token=secret, handle_in_background=False
        ).register(web_app, path=WEBHOOK_PATH)
        setup_application(web_app, dispatcher, bot=bot)
        yield web_app, bot, dispatcher
    finally:
        await bot.session.close()


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


async def bot_process(bot: str, api_base: str, token: str, database_url: str | None) -> None:
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    control = await Control().start()
    # Random per run; the fake server sends it back in X-Telegram-Bot-Api-Secret-Token.
    secret = secrets.token_urlsafe(16)
    if bot == "naboskap":
        if not database_url:
            raise BenchmarkFailed("the naboskap bot needs --database-url")
        the_bot = naboskap_bot(api_base, token, database_url, secret)
    else:
        the_bot = echo_bot(api_base, token, secret)
    async with the_bot as (web_app, telegram_bot, dispatcher), serve(web_app) as url:
        await telegram_bot.set_webhook(
            url, secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
        )
        say("READY")
        await control.expect("mark")
        cpu_before = cpu_seconds()
        say("MARKED")
        await control.expect("stop", last=True)
        cpu = cpu_seconds() - cpu_before
    say(
        "RESULT",
        {
            "cpu_seconds": cpu,
            "peak_rss_kib": peak_rss_kib(),
            "errors": errors.count,
        },
    )


# ---- the parent: database, children, table ---------------------------------------------------


async def import_larvik(database_url: str) -> None:
    from bot.services import networks
    from bot.services.actors import Actor
    from db.session import create_engine, create_sessionmaker

    specs = networks.parse_network_file(LARVIK.read_text(encoding="utf-8"))
    missing = set(NETWORKS) - {spec.name for spec in specs}
    if missing:
        raise BenchmarkFailed(f"{LARVIK} lacks networks the benchmark uses: {sorted(missing)}")
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await networks.import_networks(session, Actor.operator(), specs)
    finally:
        await engine.dispose()


async def count_memberships(database_url: str, first_id: int, count: int) -> int:
    from sqlalchemy import func, select

    from db.models import Membership, Resident
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            joined = await session.scalar(
                select(func.count())
                .select_from(Membership)
                .join(Resident, Resident.id == Membership.resident_id)
                .where(Resident.telegram_id.between(first_id, first_id + count - 1))
            )
    finally:
        await engine.dispose()
    return int(joined or 0)


async def run_pair(bot: str, args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    """One bot under load: its driver and its bot process; returns their figures, merged."""
    print(f"running {bot}...", file=sys.stderr, flush=True)
    children: list[Child] = []
    try:
        driver = await Child.start(
            f"{bot} driver",
            SCRIPT,
            "--role=driver",
            f"--bot={bot}",
            f"--residents={args.residents}",
            f"--concurrency={args.concurrency}",
            step_timeout=STEP_TIMEOUT,
        )
        children.append(driver)
        api: dict[str, str] = json.loads(await driver.expect("API", START_TIMEOUT))
        bot_process = await Child.start(
            f"{bot} bot",
            SCRIPT,
            "--role=bot",
            f"--bot={bot}",
            f"--api-base={api['base']}",
            # The fake server's test token: on the command line only because it is no secret.
            f"--token={api['token']}",
            *([f"--database-url={database_url}"] if bot == "naboskap" else []),
            step_timeout=STEP_TIMEOUT,
        )
        children.append(bot_process)
        await bot_process.expect("READY", START_TIMEOUT)
        await driver.tell("go")
        await driver.expect("WARMED", RUN_TIMEOUT)
        await bot_process.tell("mark")
        await bot_process.expect("MARKED", STEP_TIMEOUT)
        await driver.tell("timed")
        driven: dict[str, Any] = json.loads(await driver.expect("RESULT", RUN_TIMEOUT))
        await bot_process.tell("stop")
        served: dict[str, Any] = json.loads(await bot_process.expect("RESULT", STEP_TIMEOUT))
        await bot_process.finish()
        await driver.tell("quit")
        await driver.finish()
    finally:
        for child in reversed(children):
            await child.kill()
    if served["errors"]:
        raise BenchmarkFailed(f"the {bot} bot logged {served['errors']} errors")
    return {"bot": bot, **driven, **served}


async def parent(args: argparse.Namespace, database_url: str) -> list[dict[str, Any]]:
    await import_larvik(database_url)
    results = []
    for bot in ("naboskap", "echo"):
        result = await run_pair(bot, args, database_url)
        if bot == "naboskap":
            joined = await count_memberships(database_url, TIMED_IDS, args.residents)
            if joined != args.residents:
                raise BenchmarkFailed(
                    f"{joined} memberships in the database, expected {args.residents}"
                )
        results.append(result)
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"{args.residents} residents x {UPDATES_PER_RESIDENT} updates, concurrency "
        f"{args.concurrency}, database {args.database}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print(
        f"{'bot':<10} {'updates':>8} {'seconds':>8} {'updates/s':>10} {'API calls/upd':>14} "
        f"{'bot CPU ms/upd':>15} {'bot peak RSS MiB':>17}"
    )
    for r in results:
        print(
            f"{r['bot']:<10} {r['updates']:>8} {r['seconds']:>8.2f} "
            f"{r['updates'] / r['seconds']:>10.1f} {r['api_calls'] / r['updates']:>14.2f} "
            f"{r['cpu_seconds'] * 1000 / r['updates']:>15.3f} "
            f"{r['peak_rss_kib'] / 1024:>17.1f}"
        )
    by_bot = {r["bot"]: r for r in results}
    naboskap, echo = by_bot["naboskap"], by_bot["echo"]
    ratio = (naboskap["updates"] / naboskap["seconds"]) / (echo["updates"] / echo["seconds"])
    cpu_ratio = (echo["cpu_seconds"] / echo["updates"]) / (
        naboskap["cpu_seconds"] / naboskap["updates"]
    )
    verdict = "meets" if ratio >= AIM else "misses"
    print()
    print(f"naboskap/echo updates/s: {ratio:.2f} ({verdict} the aim of {AIM:.2f} or better)")
    print(f"naboskap/echo by bot CPU per update (echo ms / naboskap ms): {cpu_ratio:.2f}")
    print(
        "driver (fake Telegram + residents, not counted above) CPU ms/update: "
        + ", ".join(
            f"{r['bot']} {r['driver_cpu_seconds'] * 1000 / r['updates']:.3f}" for r in results
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=300, help="residents (default 300)")
    parser.add_argument(
        "--concurrency", type=int, default=30, help="residents at once (default 30)"
    )
    add_arguments(parser, roles=("driver", "bot"))
    parser.add_argument("--bot", choices=("naboskap", "echo"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.residents < 1 or args.concurrency < 1:
        parser.error("--residents and --concurrency must be at least 1")

    if args.role == "driver":
        run_child(driver(args.bot, args.residents, args.concurrency), CHILD_TIMEOUT)
        return
    if args.role == "bot":
        run_child(
            bot_process(args.bot, args.api_base, args.token, args.database_url), CHILD_TIMEOUT
        )
        return

    results = run_parent(args.database, lambda database_url: parent(args, database_url))
    report(results, args)


if __name__ == "__main__":
    main()
