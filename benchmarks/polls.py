"""A poll to a whole town: 50 000 residents in 9 languages — publishing it, residents answering
it through the dispatcher at the same moment, and its results.

Run it from the project root:

    .venv/bin/python benchmarks/polls.py                       # 50 000 residents, 2 000 voters
    .venv/bin/python benchmarks/polls.py --residents 10000 --voters 500
    .venv/bin/python benchmarks/polls.py --database postgresql  # TEST_DATABASE_URL

`--database` is the option every benchmark shares (benchmarks/processes.py): `sqlite` (a
temporary file), `postgresql` (TEST_DATABASE_URL, whose `public` schema is DROPPED and
recreated) or a URL, by default TEST_DATABASE_URL when it is PostgreSQL.

What happens, and the figures it prints:

1. **Publishing** (in this process): `--residents` onboarded members of Torstrand, their
   languages cycling through the nine shipped ones, one of them its host. The host publishes
   a poll with four options, written in Norwegian with an English and a Ukrainian
   translation: `polls.publish` stores it and enqueues the notice — one rendering per
   language, one delivery per member — in one transaction. Printed: seconds and deliveries.
   The deliveries are then marked sent (untimed), as if the outbox worker had sent them.
2. **Answering** through the real bot: `python -m bot run` (long polling, the outbox worker
   beside it) against a fake Bot API that enforces Telegram's limits. `--voters` members each
   have the poll's notice in their chat and all press an option at the same moment; the bot
   answers each press with a toast naming the choice (a notice is not edited: edits count
   against Telegram's 30 messages a second, toasts do not). Printed:
   answers per second of wall time, and p50/p95/p99 from a press to its first answer. Every
   ballot must be in the database.
3. **Results**: every other member's ballot is written straight to the database (untimed),
   so the poll has `--residents - 1` answers. Printed: the seconds to compute the results
   with the split by language and channel that the host sees (aim: under a second), and to
   close the poll — the results enqueued to everyone who answered, in their languages.

The run fails (exit status 1) if a voter was left unanswered or shown an error, or a count is
off. Figures are printed, never asserted: see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from processes import BenchmarkFailed, add_database_argument, database_kind, prepare_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIRST_ID = 1_000_000
READY_TIMEOUT = 120.0
SORRY = "Sorry, something went wrong on our side. Please try again in a moment."
OPTIONS = ("Benker langs stien", "Flere søppelkasser", "Lys i parken", "Lekeplass for de minste")
CHUNK = 2000


@dataclass
class Published:
    poll_id: int
    option_ids: list[int]
    resident_ids: list[int]
    seconds: float
    deliveries: int
    languages: int


async def publish(url: str, residents: int) -> Published:
    from sqlalchemy import func, select, update

    from bot.i18n import Catalogs
    from bot.seeding import seed_members
    from bot.services import networks, polls
    from bot.services.actors import Actor
    from bot.services.residents import identify
    from db.models import Delivery, DeliveryStatus, PollOption, Rendering
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    catalogs = Catalogs(ROOT / "locales")
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session:
            view = await networks.create_network(
                session, Actor.operator(), name="Torstrand", slug="torstrand"
            )
            ids = await seed_members(session, view.id, residents, first_telegram_id=FIRST_ID)
            await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", FIRST_ID)
            host = await identify(session, FIRST_ID, ())
        draft = polls.PollDraft(
            network_id=view.id,
            question="Hva ønsker du deg mest i Torstrandparken?",
            options=OPTIONS,
            closes_at=datetime.now(UTC) + timedelta(days=7),
            locale="nb",
            translations={
                "en": (
                    "What would you like most in Torstrand park?",
                    ("Benches along the path", "More bins", "Lights", "A playground"),
                ),
                "uk": (
                    "Чого вам найбільше хочеться в парку Торстранд?",
                    ("Лавки вздовж стежки", "Більше смітників", "Освітлення", "Майданчик"),
                ),
            },
        )
        async with sessions() as session:
            started = time.perf_counter()
            poll, _ = await polls.publish(session, host, catalogs, draft)
            seconds = time.perf_counter() - started
        async with sessions() as session:
            deliveries = int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)
            languages = int(await session.scalar(select(func.count()).select_from(Rendering)) or 0)
            option_ids = list(
                (
                    await session.scalars(
                        select(PollOption.id)
                        .where(PollOption.poll_id == poll.id)
                        .order_by(PollOption.position)
                    )
                ).all()
            )
            # As if the worker had sent them: the bot under test answers presses, it does not
            # spend half an hour sending 50 000 notices at Telegram's 30 a second.
            await session.execute(
                update(Delivery).values(status=DeliveryStatus.SENT, sent_at=datetime.now(UTC))
            )
            await session.commit()
    finally:
        await engine.dispose()
    return Published(poll.id, option_ids, ids, seconds, deliveries, languages)


def read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


async def answer(
    url: str, published: Published, voters: int, log_path: Path, timeout: float
) -> dict[str, object]:
    from bot.fake_bot_api import FakeBotAPI, FakeUser, RateLimit
    from bot.fake_bot_api.crowd import Crowd
    from bot.i18n import SHIPPED_LOCALES, Catalogs
    from bot.services.actions import PollVote, pack

    sorry = {
        Catalogs(ROOT / "locales").translator(locale).gettext(SORRY) for locale in SHIPPED_LOCALES
    }
    async with FakeBotAPI(rate_limit=RateLimit()) as api:
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
            "BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE": api.base_url,
            "DATABASE_URL": url,
        }
        with log_path.open("w") as log:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=log, stderr=log
            )
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while "naboskap: ready" not in read(log_path):
                if bot.returncode is not None or time.monotonic() > deadline:
                    raise BenchmarkFailed(f"the bot did not start:\n{read(log_path)}")
                await asyncio.sleep(0.2)
            crowd = Crowd(api, timeout=timeout)
            # Resident 0 is the host; the voters are the members after them.
            users = [FakeUser(api, FIRST_ID + 1 + i, "R", "nb") for i in range(voters)]
            choices = [
                pack(PollVote(published.poll_id, published.option_ids[i % len(OPTIONS)]))
                for i in range(voters)
            ]
            keyboard = [
                [{"text": text, "callback_data": pack(PollVote(published.poll_id, option_id))}]
                for text, option_id in zip(OPTIONS, published.option_ids, strict=True)
            ]
            for user in users:
                # The poll's notice, as the outbox worker sent it.
                api.open_chat(user.id)
                await api.api_sendmessage(
                    {
                        "chat_id": user.id,
                        "text": "📊 Hva ønsker du deg mest i Torstrandparken?",
                        "reply_markup": {"inline_keyboard": keyboard},
                    }
                )
            data = {user.id: choices[i] for i, user in enumerate(users)}

            async def press(crowd: Crowd, user: FakeUser) -> float:
                message = user.last
                return await crowd.act(
                    user, lambda: user.press_data(data[user.id], message), replies=0, answers=1
                )

            before = len(api.calls)
            started = time.perf_counter()
            result = await crowd.run(users, press)
            seconds = time.perf_counter() - started
            edits = sum(1 for c in api.calls[before:] if c.method == "editMessageText")
        finally:
            if bot.returncode is None:
                bot.terminate()
            await asyncio.wait_for(bot.wait(), 60)
        errors = sum(1 for u in users for m in u.messages if m.text in sorry)
        errors += sum(1 for u in users for a in api.toasts.get(u.id, []) if a["show_alert"])
    return {
        "seconds": seconds,
        "p50": result.percentile(0.50),
        "p95": result.percentile(0.95),
        "p99": result.percentile(0.99),
        "unanswered": len(result.unanswered),
        "failures": result.failures[:3],
        "errors": errors,
        "too_many": crowd.refused[429],
        "edits": edits,
        "failed_lines": sum(
            1 for line in read(log_path).splitlines() if " failed" in line or "Traceback" in line
        ),
    }


async def results(url: str, published: Published, voters: int) -> dict[str, object]:
    from sqlalchemy import func, insert, select

    from bot.i18n import SHIPPED_LOCALES, Catalogs
    from bot.services import polls
    from bot.services.polls.results import compute
    from bot.services.polls.views import load_views
    from db.models import Delivery, Poll, PollBallot, PollChoice
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    catalogs = Catalogs(ROOT / "locales")
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session:
            voted = int(
                await session.scalar(
                    select(func.count())
                    .select_from(PollBallot)
                    .where(PollBallot.poll_id == published.poll_id)
                )
                or 0
            )
            now = datetime.now(UTC)
            # Everyone else answers too, straight into the database.
            rest = published.resident_ids[1 + voters :]
            for start in range(0, len(rest), CHUNK):
                chunk = list(enumerate(rest[start : start + CHUNK], start + 1 + voters))
                await session.execute(
                    insert(PollBallot),
                    [
                        {
                            "poll_id": published.poll_id,
                            "resident_id": resident_id,
                            "channel": "telegram",
                            "locale": SHIPPED_LOCALES[n % len(SHIPPED_LOCALES)],
                            "other_text": None,
                            "answered_at": now,
                        }
                        for n, resident_id in chunk
                    ],
                )
                await session.execute(
                    insert(PollChoice),
                    [
                        {
                            "poll_id": published.poll_id,
                            "resident_id": resident_id,
                            "option_id": published.option_ids[(n * 7) % len(OPTIONS)],
                        }
                        for n, resident_id in chunk
                    ],
                )
            await session.commit()
        async with sessions() as session:
            poll = await session.get(Poll, published.poll_id)
            assert poll is not None
            [view] = await load_views(session, [poll])
            started = time.perf_counter()
            computed = await compute(session, view, detailed=True, creator=True)
            compute_seconds = time.perf_counter() - started
        async with sessions() as session:
            before = int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)
            started = time.perf_counter()
            closed = await polls.close(session, catalogs, published.poll_id)
            close_seconds = time.perf_counter() - started
            told = int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)
    finally:
        await engine.dispose()
    return {
        "voted": voted,
        "ballots": computed.ballots,
        "counted": sum(computed.counts),
        "languages": len(computed.by_locale),
        "compute_seconds": compute_seconds,
        "closed": closed,
        "close_seconds": close_seconds,
        "told": told - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument(
        "--voters", type=int, default=2000, help="members who press an option at once"
    )
    add_database_argument(parser)
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="how long a voter waits for an answer"
    )
    args = parser.parse_args()
    voters = min(args.voters, args.residents - 1)
    with tempfile.TemporaryDirectory(prefix="naboskap-polls-") as directory:
        url = prepare_database(args.database, directory)
        published = asyncio.run(publish(url, args.residents))
        try:
            answered = asyncio.run(
                answer(url, published, voters, Path(directory) / "bot.log", args.timeout)
            )
        except BenchmarkFailed as failure:
            sys.exit(f"benchmark failed: {failure}")
        figures = asyncio.run(results(url, published, voters))
    answers_per_second = voters / answered["seconds"] if answered["seconds"] else float("nan")
    print(
        f"naboskap poll to {args.residents} residents in 9 languages "
        f"on {database_kind(args.database)}\n"
        f"  publish         {published.seconds:.2f} s  ({published.deliveries} deliveries, "
        f"{published.languages} renderings)\n"
        f"  answers         {voters} presses at once: {answers_per_second:.0f} answers/s "
        f"({answered['seconds']:.1f} s)\n"
        f"  press → answer  p50 {answered['p50']:.2f} s  p95 {answered['p95']:.2f} s  "
        f"p99 {answered['p99']:.2f} s  (429s {answered['too_many']}, "
        f"edits {answered['edits']})\n"
        f"  results         {figures['compute_seconds']:.3f} s for {figures['ballots']} ballots "
        f"in {figures['languages']} languages (aim: under 1 s)\n"
        f"  close           {figures['close_seconds']:.2f} s  ({figures['told']} told the results)"
    )
    failures = answered["failures"]
    if isinstance(failures, list) and failures:
        print("  e.g.", *failures, sep="\n    ")
    ok = (
        answered["unanswered"] == 0
        and answered["errors"] == 0
        and not failures
        and answered["failed_lines"] == 0
        and figures["voted"] == voters
        and figures["ballots"] == args.residents - 1
        and figures["counted"] == args.residents - 1
        and figures["closed"]
        and figures["told"] >= args.residents - 1
    )
    if not ok:
        sys.exit(f"benchmark failed: {answered} {figures}")


if __name__ == "__main__":
    main()
