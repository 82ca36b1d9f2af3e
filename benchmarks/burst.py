"""A burst: N new residents scan a network's QR code at the same moment and go through /start,
the language, the privacy notice and joining, against a fake Bot API that enforces Telegram's
flood limits (1 message a second to a chat, 30 a second in all, 429 with retry_after beyond).

Run it from the project root:

    .venv/bin/python benchmarks/burst.py                      # 5 000 residents, temp SQLite
    .venv/bin/python benchmarks/burst.py --residents 1000
    .venv/bin/python benchmarks/burst.py --database postgresql+asyncpg://postgres@127.0.0.1/bench
    .venv/bin/python benchmarks/burst.py --bot-checkout ../main   # the bot of another checkout
    .venv/bin/python benchmarks/burst.py --rsvp   # 5 000 members press "coming" on one notice

The parent process migrates the database (`--database sqlite|postgresql|URL`, as in every
benchmark: by default TEST_DATABASE_URL when it is PostgreSQL, else a temporary SQLite file; a
PostgreSQL database's `public` schema is DROPPED and recreated),
creates the network, runs the fake Bot API with its limits on and starts the bot as a child
(`python -m bot run`: long polling, the outbox worker beside it, as in production). Once the
bot says it is ready, every resident sends `/start join-torstrand` at once and then, as a
person does, answers each question when it arrives. It prints the bot's peak RSS, the
p50/p95/p99 time from an update to the first reply in its chat, and the 429s the fake server
answered; it fails (exit status 1) if any resident was left without an answer, was shown an
error, or is not onboarded and a member at the end.

With `--rsvp`, N onboarded members of the network (seeded) each have the notice of one event
with its "coming" button in their chat, and all press it at once; the bot answers each press
with a toast, and every RSVP must be in the database.

`--bot-checkout PATH` runs the bot from another checkout (its own .venv), for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from processes import BenchmarkFailed, add_database_argument, database_kind, prepare_database

ROOT = Path(__file__).resolve().parent.parent
NETWORK = "Torstrand"
LINK = "join-torstrand"
FIRST_ID = 1_000_000
READY_TIMEOUT = 120.0
SORRY = "Sorry, something went wrong on our side. Please try again in a moment."


def read(path: Path) -> str:
    return path.read_text()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def prepare(url: str, rsvp_residents: int) -> int | None:
    """The network; for `--rsvp`, also its members and an upcoming event (returns its id)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from bot.seeding import seed_members
    from bot.services import networks
    from bot.services.actors import Actor
    from db.models import Event, EventStatus
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            view = await networks.create_network(
                session, Actor.operator(), name=NETWORK, slug="torstrand"
            )
            if not rsvp_residents:
                return None
            await seed_members(
                session, view.id, rsvp_residents, first_telegram_id=FIRST_ID, locales=("nb",)
            )
            now = datetime.now(UTC)
            await session.execute(
                insert(Event),
                [
                    {
                        "network_id": view.id,
                        "uid": "burst-rsvp",
                        "title": "Dugnad",
                        "description": "",
                        "place": "Torstrand skole",
                        "locale": "nb",
                        "starts_at": now + timedelta(days=3),
                        "no_norwegian_needed": True,
                        "status": EventStatus.PUBLISHED,
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            event_id = await session.scalar(select(Event.id).where(Event.uid == "burst-rsvp"))
            await session.commit()
            return event_id
    finally:
        await engine.dispose()


async def count(url: str) -> tuple[int, int, int]:
    """Residents onboarded, memberships, and RSVPs of "coming"."""
    from sqlalchemy import func, select

    from db.models import Answer, Resident, Rsvp
    from db.models.networks import Membership
    from db.session import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            onboarded = await connection.scalar(
                select(func.count())
                .select_from(Resident)
                .where(Resident.privacy_accepted_at.is_not(None))
            )
            members = await connection.scalar(select(func.count()).select_from(Membership))
            coming = await connection.scalar(
                select(func.count()).select_from(Rsvp).where(Rsvp.answer == Answer.YES)
            )
    finally:
        await engine.dispose()
    return int(onboarded or 0), int(members or 0), int(coming or 0)


async def run(args: argparse.Namespace, url: str, log_path: Path) -> dict[str, object]:
    from bot.fake_bot_api import FakeBotAPI, FakeUser, RateLimit
    from bot.fake_bot_api.crowd import Crowd, onboard_by_link, rsvp
    from bot.i18n import Catalogs
    from bot.services.actions import Rsvp, pack
    from db.models import Answer

    checkout = args.checkout
    sorry = Catalogs(ROOT / "locales").translator("nb").gettext(SORRY)
    # Telegram's limits: the fake's defaults, named here because they are this benchmark's point.
    async with FakeBotAPI(rate_limit=RateLimit()) as api:
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
            "BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE": api.base_url,
            "DATABASE_URL": url,
        }
        with log_path.open("w") as log:
            bot = await asyncio.create_subprocess_exec(
                str(checkout / ".venv" / "bin" / "python"),
                "-m",
                "bot",
                "run",
                cwd=checkout,
                env=env,
                stdout=log,
                stderr=log,
            )
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while "naboskap: ready" not in read(log_path):
                if bot.returncode is not None or time.monotonic() > deadline:
                    raise BenchmarkFailed(f"the bot did not start:\n{read(log_path)}")
                await asyncio.sleep(0.2)
            crowd = Crowd(api, timeout=args.timeout)
            users = [FakeUser(api, FIRST_ID + i, "Kari", "nb") for i in range(args.residents)]
            if args.event_id is not None:
                data = pack(Rsvp(args.event_id, Answer.YES))
                for user in users:
                    # The event's notice, as the outbox worker would have sent it earlier.
                    api.open_chat(user.id)
                    await api.api_sendmessage(
                        {
                            "chat_id": user.id,
                            "text": "Dugnad på Torstrand skole",
                            "reply_markup": {
                                "inline_keyboard": [[{"text": "Kommer", "callback_data": data}]]
                            },
                        }
                    )

            async def script(crowd: Crowd, user: FakeUser) -> list[float]:
                if args.event_id is not None:
                    return await rsvp(crowd, user, data)
                return await onboard_by_link(crowd, user, "Norsk (bokmål)", LINK)

            started = time.perf_counter()
            result = await crowd.run(users, script)
            seconds = time.perf_counter() - started
            rss = peak_rss_mib(bot.pid)
        finally:
            if bot.returncode is None:
                bot.terminate()
            await asyncio.wait_for(bot.wait(), 60)
        errors = sum(1 for u in users for m in u.messages if sorry in m.text)
        errors += sum(1 for u in users for a in api.toasts.get(u.id, []) if a["show_alert"])
    bot_log = read(log_path).splitlines()
    onboarded, members, coming = await count(url)
    return {
        "residents": args.residents,
        "coming": coming,
        "seconds": seconds,
        "p50": result.percentile(0.50),
        "p95": result.percentile(0.95),
        "p99": result.percentile(0.99),
        "unanswered": len(result.unanswered),
        "failures": result.failures[:3],
        "error_replies": errors,
        "too_many": crowd.refused[429],
        "other_refusals": crowd.refused[0],
        "rss": rss,
        "onboarded": onboarded,
        "members": members,
        "failed_lines": sum(1 for line in bot_log if " failed" in line or "Traceback" in line),
        "dropped_lines": sum(1 for line in bot_log if " dropped" in line),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5000)
    add_database_argument(parser)
    parser.add_argument(
        "--rsvp",
        action="store_true",
        help="instead: N members press 'coming' on one event's notice at once",
    )
    parser.add_argument("--bot-checkout", help="run the bot from this checkout (a before/after)")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="how long a resident waits for an answer"
    )
    args = parser.parse_args()
    args.checkout = Path(args.bot_checkout).resolve() if args.bot_checkout else ROOT
    with tempfile.TemporaryDirectory(prefix="naboskap-burst-") as directory:
        url = prepare_database(args.database, directory)
        args.event_id = asyncio.run(prepare(url, args.residents if args.rsvp else 0))
        try:
            figures = asyncio.run(run(args, url, Path(directory) / "bot.log"))
        except BenchmarkFailed as failure:
            sys.exit(f"benchmark failed: {failure}")
    kind = database_kind(args.database)
    what = "RSVP presses" if args.rsvp else "new residents"
    print(
        f"burst of {figures['residents']} {what} on {kind}"
        f"{' (bot from ' + args.bot_checkout + ')' if args.bot_checkout else ''}: "
        f"{figures['seconds']:.0f} s\n"
        f"  update → reply  p50 {figures['p50']:.2f} s  p95 {figures['p95']:.2f} s  "
        f"p99 {figures['p99']:.2f} s\n"
        f"  bot peak RSS    {figures['rss']:.0f} MiB\n"
        f"  429s            {figures['too_many']} (other refusals {figures['other_refusals']})\n"
        f"  unanswered      {figures['unanswered']}   error replies {figures['error_replies']}\n"
        f"  onboarded       {figures['onboarded']}   members {figures['members']}"
        f"   coming {figures['coming']}\n"
        f"  bot log         {figures['failed_lines']} failure lines, "
        f"{figures['dropped_lines']} dropped replies"
    )
    failures = figures["failures"]
    if isinstance(failures, list) and failures:
        print("  e.g.", *failures, sep="\n    ")
    n = figures["residents"]
    ok = (
        figures["unanswered"] == 0
        and figures["error_replies"] == 0
        and figures["onboarded"] == n
        and figures["members"] == n
        and (not args.rsvp or figures["coming"] == n)
        and not figures["failures"]
    )
    if not ok:
        sys.exit("benchmark failed: a resident was left unanswered, shown an error or not recorded")


if __name__ == "__main__":
    main()
