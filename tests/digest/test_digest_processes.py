"""Two real `naboskap worker` processes on the machine's PostgreSQL: only one runs the
scheduler, and the week's digest reaches every resident exactly once."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from bot.config import PROJECT_ROOT, WEEKDAYS
from bot.fake_bot_api import FakeBotAPI, RateLimit
from bot.fake_bot_api.server import DEFAULT_TOKEN
from bot.i18n import Catalogs
from bot.seeding import seed_members
from bot.services import events, networks
from bot.services.actors import Actor
from bot.services.events import EventDraft
from db.models import Digest, DigestRun, Preferences
from db.session import create_engine, create_sessionmaker
from tests.support.workers import start_worker, wait_for

pytestmark = pytest.mark.slow  # two real worker processes on PostgreSQL

RESIDENTS = 300
FIRST_ID = 8_000_000
OSLO = ZoneInfo("Europe/Oslo")


async def _seed(database_url: str, fake_api: FakeBotAPI) -> None:
    """Residents with no quiet hours (so digests go out whatever the hour) and an event in
    two days, so that no digest is empty."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with create_sessionmaker(engine)() as session:
            view = await networks.create_network(
                session, Actor.operator(), name="Torstrand", slug="torstrand"
            )
            await session.commit()
            ids = await seed_members(session, view.id, RESIDENTS, first_telegram_id=FIRST_ID)
            await session.execute(
                insert(Preferences),
                [
                    {
                        "resident_id": i,
                        "notify_mode": "instant",
                        "quiet_start": 0,
                        "quiet_end": 0,
                        "digest": True,
                    }
                    for i in ids
                ],
            )
            await session.commit()
            await events.publish(
                session,
                Actor.operator(),
                Catalogs(PROJECT_ROOT / "locales", "nb"),
                EventDraft(network_id=view.id, title="Språkkafé", starts_at=now + timedelta(2)),
                now=now,
            )
    finally:
        await engine.dispose()
    for telegram_id in range(FIRST_ID, FIRST_ID + RESIDENTS):
        fake_api.chats.setdefault(telegram_id, [])


async def _finished(database_url: str) -> tuple[bool, int]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            done = await session.scalar(
                select(func.count())
                .select_from(DigestRun)
                .where(DigestRun.finished_at.is_not(None))
            )
            rows = await session.scalar(select(func.count()).select_from(Digest))
            return bool(done), int(rows or 0)
    finally:
        await engine.dispose()


async def test_two_processes_send_the_weekly_digest_once(
    database_url: str, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes sharing one database is PostgreSQL's case")
    # Once only, not pacing (which has tests of its own): the workers send at SEND_RATE=400,
    # past what Telegram would take, so its limits are off here.
    fake_api.rate_limit = RateLimit.off()
    await _seed(database_url, fake_api)
    # The digest slot was two minutes ago, so the round is due the moment the workers start.
    slot = datetime.now(UTC).astimezone(OSLO) - timedelta(minutes=2)
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SEND_RATE": "400",
        "DIGEST_WEEKDAY": WEEKDAYS[slot.weekday()],
        "DIGEST_TIME": slot.strftime("%H:%M"),
    }
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers = [await start_worker(env, tmp_path, log) for log in logs]
    try:
        for _ in range(600):  # at most 60 s
            done, _rows = await _finished(database_url)
            received = sum(
                1 for t in range(FIRST_ID, FIRST_ID + RESIDENTS) for m in fake_api.chats[t]
            )
            if done and received >= 2 * RESIDENTS:  # the event notice and the digest
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a second sender, if there were one, would show by now
        for process, _ in workers:
            process.send_signal(signal.SIGTERM)
        codes = [await wait_for(process, 30) for process, _ in workers]
    finally:
        for process, handle in workers:
            if process.returncode is None:
                process.kill()
                await process.wait()
            handle.close()
    stderr = [log.read_text(errors="replace") for log in logs]
    assert codes == [0, 0], stderr
    assert not any("Traceback" in text for text in stderr), stderr
    leaders = [text for text in stderr if "scheduler started leading" in text]
    assert len(leaders) == 1, stderr
    assert sum(text.count("digest 20") for text in stderr) == 1, stderr

    assert (await _finished(database_url)) == (True, RESIDENTS)
    for telegram_id in range(FIRST_ID, FIRST_ID + RESIDENTS):
        texts = [m.text for m in fake_api.chats[telegram_id] if m.from_bot]
        # The event notice, then the digest (its title starts with 📰 in every language).
        assert len(texts) == 2, (telegram_id, texts)
        assert sum(1 for t in texts if t.startswith("📰")) == 1, texts
