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
  (with a secret token) and prints READY. Naboskap runs on the event loop `naboskap run`
  would use (uvloop where installed; `EVENT_LOOP=asyncio` measures without it), the echo
  bot always on asyncio's default loop, so that the yardstick does not move.

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
- API calls/update: Bot API requests the bot made in the timed part, per update, not counting
  the methods carried in webhook responses, which are printed below the table (Naboskap
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
  printed too: it does not depend on the driver, but it does depend on how fast updates come.
  Naboskap paces its replies below Telegram's limits (about 25 a second), so its residents,
  who wait for each answer, send about 25 updates a second; the echo bot's send hundreds. A
  process spends more CPU per update when its updates come further apart (its caches go cold
  in between; the echo bot's CPU per update doubles at 24 a second), so by default the CPU
  ratio also compares the two rates. `--rate 24` has the residents send at most 24 updates a
  second to either bot, which compares the code alone; `FLOOD_CONTROL=false` runs Naboskap
  unpaced, at full speed like the echo bot.

The three roles live in three files: this one is the parent (the command line, the database,
the children, the table), `updates_driver.py` the driver and `updates_bot.py` the bot process;
the children are this script run again with `--role=driver` or `--role=bot`, which imports only
its role's module.

Everything listens on 127.0.0.1 only. Every step has a timeout; on any failure the parent kills
both children, and a child whose parent goes away sees its stdin close and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from processes import (
    BenchmarkFailed,
    Child,
    add_arguments,
    database_kind,
    run_child,
    run_parent,
)
from updates_driver import NETWORKS, TIMED_IDS, UPDATES_PER_RESIDENT

# Project modules are imported inside the functions and the children, never at the top: the
# echo bot process must not load Naboskap, SQLAlchemy or Alembic, or its memory would not be
# an echo bot's.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LARVIK = ROOT / "examples" / "larvik.toml"
SCRIPT = str(Path(__file__).resolve())
AIM = 0.5
# Telegram ids per round (`--rounds`): each round's residents are new to the bot.
ROUND_IDS = 100_000

# Parent-side timeouts (seconds) for each step; a child gives up on its own after CHILD_TIMEOUT.
START_TIMEOUT = 60.0  # process start, imports, server up, webhook registered
RUN_TIMEOUT = 300.0  # warm-up, or the timed residents
STEP_TIMEOUT = 30.0  # a control word answered, a child's shutdown
CHILD_TIMEOUT = START_TIMEOUT + 2 * RUN_TIMEOUT + 4 * STEP_TIMEOUT


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


def first_id(round_: int) -> int:
    """The first timed resident's Telegram id in a round: every round has new residents."""
    return TIMED_IDS + round_ * ROUND_IDS


async def run_pair(
    bot: str, args: argparse.Namespace, database_url: str, round_: int = 0
) -> dict[str, Any]:
    """One bot under load: its driver and its bot process; returns their figures, merged."""
    print(f"running {bot} (round {round_ + 1})...", file=sys.stderr, flush=True)
    children: list[Child] = []
    try:
        driver = await Child.start(
            f"{bot} driver",
            SCRIPT,
            "--role=driver",
            f"--bot={bot}",
            f"--residents={args.residents}",
            f"--concurrency={args.concurrency}",
            f"--first-id={first_id(round_)}",
            f"--rate={args.rate}",
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
    rounds: dict[str, list[dict[str, Any]]] = {"naboskap": [], "echo": []}
    for round_ in range(args.rounds):
        for bot in ("naboskap", "echo"):
            result = await run_pair(bot, args, database_url, round_)
            if bot == "naboskap":
                joined = await count_memberships(database_url, first_id(round_), args.residents)
                if joined != args.residents:
                    raise BenchmarkFailed(
                        f"{joined} memberships in the database, expected {args.residents}"
                    )
            rounds[bot].append(result)
    if args.rounds > 1:
        for bot, results in rounds.items():
            print(
                f"{bot} bot CPU ms/update by round: "
                + ", ".join(f"{cpu_ms(r):.3f}" for r in results),
                file=sys.stderr,
            )
    return [median_round(results) for results in rounds.values()]


def cpu_ms(result: dict[str, Any]) -> float:
    return float(result["cpu_seconds"]) * 1000 / int(result["updates"])


def median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median CPU per update (of an even number, the lower middle one)."""
    ordered = sorted(results, key=cpu_ms)
    return ordered[(len(ordered) - 1) // 2]


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"{args.residents} residents x {UPDATES_PER_RESIDENT} updates, concurrency "
        f"{args.concurrency}, "
        + (f"at most {args.rate:g} updates/s, " if args.rate > 0 else "")
        + (f"median of {args.rounds} alternating rounds, " if args.rounds > 1 else "")
        + f"database {database_kind(args.database)}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
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
    rates = sorted(r["updates"] / r["seconds"] for r in results)
    if args.rate <= 0 and rates[1] > 2 * rates[0]:
        # A process's CPU per update rises when its updates come further apart (its caches
        # go cold in between): the echo bot's doubles at 24 a second.
        print(
            "  (the bots ran at different rates, so this ratio also compares those rates;"
            " --rate 24 gives both Naboskap's pace)"
        )
    print(
        "methods carried in webhook responses (not API calls), per update: "
        + ", ".join(f"{r['bot']} {r['response_methods'] / r['updates']:.2f}" for r in results)
    )
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
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the two bots alternately this many times and report each one's median round"
        " by CPU per update (default 1)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="updates a second the residents send at most, to both bots alike (default: as"
        " fast as each bot answers). Naboskap paces its replies below Telegram's limits (about"
        " 25 a second) and the echo bot does not, so by default the echo bot's updates come"
        " 12 times closer together; --rate 24 gives both the same arrival rate",
    )
    add_arguments(parser, roles=("driver", "bot"))
    parser.add_argument("--bot", choices=("naboskap", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--first-id", type=int, default=TIMED_IDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.residents < 1 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--residents, --concurrency and --rounds must be at least 1")
    if args.rate < 0:
        parser.error("--rate must be 0 (no limit) or more")
    if args.residents > ROUND_IDS:
        parser.error(f"--residents must be at most {ROUND_IDS}")

    if args.role == "driver":
        from updates_driver import driver

        run_child(
            driver(args.bot, args.residents, args.concurrency, args.first_id, args.rate),
            CHILD_TIMEOUT,
        )
        return
    if args.role == "bot":
        from updates_bot import bot_process, event_loop

        run_child(
            bot_process(args.bot, args.api_base, args.token, args.database_url),
            CHILD_TIMEOUT,
            event_loop(args.bot),
        )
        return

    results = run_parent(args.database, lambda database_url: parent(args, database_url))
    report(results, args)


if __name__ == "__main__":
    main()
