"""Draining the outbox in a test: a clock the test moves, a delivery worker on that clock with
the app's senders, and the status each resident's delivery ended in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channels.sms.sender import SmsSender
from bot.channels.telegram.sender import TelegramSender
from bot.delivery.pacing import ChatSpacing, RateLimiter
from bot.delivery.worker import DeliveryWorker, WorkerSettings
from bot.services.attachments import AttachmentFiles
from db.models import Channel, Delivery, DeliveryStatus, Resident

# Wednesday 2 December 2026, 12:00 in Oslo: outside everyone's default quiet hours.
NOON = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


def after_quiet_hours() -> datetime:
    """Tomorrow at noon in Oslo, by the real clock: a worker at this time sends whatever was
    queued (by a handler, with the real time) during any quiet hours before it."""
    from datetime import time
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    tomorrow = datetime.now(UTC).astimezone(oslo).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(12), tzinfo=oslo)


class Clock:
    """Time that only moves when the test (or a sleep) moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def utc(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.now.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def outbox_worker(app, clock: Clock, **settings) -> DeliveryWorker:  # type: ignore[no-untyped-def]
    """The app's delivery worker (Telegram, and SMS when the app has a gateway) on `clock`."""
    limiter = RateLimiter(app.sessionmaker, rate=25, clock=clock.monotonic, sleep=clock.sleep)
    files = AttachmentFiles(
        app.sessionmaker,
        app.catalogs,
        app.core.machine_translation,
        min_group=app.settings.min_group_size,
    )
    senders = {Channel.TELEGRAM: TelegramSender(app.bot, files)}
    limiters = {}
    if app.sms_gateway is not None:
        senders[Channel.SMS] = SmsSender(app.sms_gateway, app.catalogs, app.sessionmaker)
        limiters[Channel.SMS] = RateLimiter(
            app.sessionmaker, rate=5, name="sms", clock=clock.monotonic, sleep=clock.sleep
        )
    return DeliveryWorker(
        app.sessionmaker,
        senders,
        limiter,
        settings=WorkerSettings(**settings),
        spacing=ChatSpacing(clock=clock.monotonic, sleep=clock.sleep),
        clock=clock.utc,
        limiters=limiters,
    )


async def delivery_statuses(app) -> dict[int, DeliveryStatus]:  # type: ignore[no-untyped-def]
    """Each delivery's status, by the resident's Telegram id."""
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Resident.telegram_id, Delivery.status).join(
                Resident, Resident.id == Delivery.resident_id
            )
        )
        return {r[0]: DeliveryStatus(r[1]) for r in rows}
