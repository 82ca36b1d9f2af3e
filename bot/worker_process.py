"""`naboskap worker`: the outbox worker and the scheduler in a process of their own, without
aiogram.

The worker sends with `HttpTelegramSender` (plain HTTP and JSON) instead of an aiogram bot, so
this process never loads aiogram's type tree: benchmarks/memory.py measured about 205 MiB for
the worker built on `bot.app` and 77 MiB for the same parts without aiogram. Otherwise it does
what `bot.runners.run_worker` does for an app: the schema checked, the worker and the
scheduler started (`delivering`, which `naboskap run` uses too), `naboskap: ready` on
stderr, and on SIGINT/SIGTERM the same ordered stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import aiohttp

from bot.channels.sms.gateway import SmsGateway
from bot.channels.sms.registry import load_gateway
from bot.channels.sms.sender import SmsBudget, SmsSender
from bot.channels.telegram.http_sender import HttpTelegramSender
from bot.clock import Clock
from bot.config import Settings, parse_listen
from bot.core import Core, build_core
from bot.delivery.pacing import RateLimiter
from bot.delivery.worker import DeliveryWorker, Sender, WorkerSettings
from bot.scheduler import DigestSchedule, build_scheduler, stop_scheduler
from bot.services.attachments import AttachmentFiles
from bot.shutdown import Ready, announce_ready, settle, stop_on_signals
from db.models import Channel

log = logging.getLogger("naboskap")

# Generous bounds (for `run` too) that only matter when a step hangs.
JOBS_STOP = 20.0  # a scheduled round under way (a digest round may take a while)
WORKER_STOP = 15.0  # the outbox worker's round (it hands back what it has not begun)


def delivery_worker(core: Core, telegram: Sender, sms_gateway: SmsGateway | None) -> DeliveryWorker:
    """The outbox worker for this core's database, sending to Telegram with `telegram` (and
    by SMS when a gateway is configured): what `bot.app.build_worker` builds for an app."""
    settings = core.settings
    limiter = RateLimiter(core.sessionmaker, rate=settings.send_rate)
    worker_settings = WorkerSettings(lease=timedelta(seconds=settings.delivery_lease_seconds))
    senders: dict[Channel, Sender] = {Channel.TELEGRAM: telegram}
    limiters: dict[Channel, RateLimiter] = {}
    if sms_gateway is not None:
        budget = None
        if settings.sms_monthly_segments is not None:
            budget = SmsBudget(
                settings.sms_monthly_segments, settings.zone, frozenset(settings.coordinator_ids)
            )
        senders[Channel.SMS] = SmsSender(
            sms_gateway, core.catalogs, core.sessionmaker, budget=budget, clock=core.clock.now
        )
        limiters[Channel.SMS] = RateLimiter(
            core.sessionmaker, rate=settings.sms_send_rate, name="sms"
        )
    return DeliveryWorker(
        core.sessionmaker,
        senders,
        limiter,
        settings=worker_settings,
        limiters=limiters,
        clock=core.clock.now,
    )


@contextlib.asynccontextmanager
async def delivering(core: Core, worker: DeliveryWorker) -> AsyncIterator[None]:
    """The outbox worker and the scheduler. On the way out the scheduler lets its running jobs
    finish and hands its lease back, then the worker finishes its round."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="delivery-worker")
    settings = core.settings
    weekday, at = settings.digest_at
    scheduler, leadership = build_scheduler(
        core.sessionmaker,
        core.catalogs,
        reminder_hours=settings.reminder_hours,
        digest=DigestSchedule(weekday, at, settings.municipality),
        retention_days=settings.retention_days,
        translation_cache_days=settings.machine_translation_cache_days,
        machine=core.machine_translation,
        summary_at=settings.new_events_summary_at,
        min_group_size=settings.min_group_size,
        coordinator_ids=settings.coordinator_ids,
    )
    try:
        await leadership.renew()
        scheduler.start()
        yield
    finally:
        try:
            await stop_scheduler(scheduler, leadership, JOBS_STOP)
        finally:
            stop.set()
            await settle(task, WORKER_STOP, "the outbox worker")


@contextlib.asynccontextmanager
async def _health(
    settings: Settings, core: Core, telegram: HttpTelegramSender
) -> AsyncIterator[tuple[str, int] | None]:
    """/healthz and /readyz on WORKER_HEALTH_LISTEN, when set: the database, Redis when
    REDIS_URL is set, and the Bot API the worker sends through."""
    if settings.worker_health_listen is None:
        yield None
        return
    from bot.health import (
        BOT_API_KEPT,
        Probes,
        database_check,
        kept_for,
        redis_check,
        serving_health,
    )

    checks = {"database": database_check(core.engine)}
    redis = None
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        checks["redis"] = redis_check(redis)
    checks["bot_api"] = kept_for(BOT_API_KEPT, telegram.get_me)
    host, port = parse_listen(settings.worker_health_listen)
    try:
        async with serving_health(Probes(checks), host, port) as bound:
            yield bound
    finally:
        if redis is not None:
            await redis.aclose()


async def run_worker_process(
    settings: Settings,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[Ready], None] = announce_ready,
    clock: Clock | None = None,
) -> None:
    """Only the outbox worker (and the scheduler), until SIGINT/SIGTERM or `stop`."""
    core = build_core(settings, clock)
    gateway = load_gateway(settings) if settings.sms_gateway else None
    try:
        async with stop_on_signals(stop) as stopping:
            await core.check_schema()
            log.info("delivery worker started")
            async with aiohttp.ClientSession() as http:
                telegram = HttpTelegramSender(
                    http,
                    settings.require_token(),
                    settings.telegram_api_base,
                    attachments=AttachmentFiles(
                        core.sessionmaker,
                        core.catalogs,
                        core.machine_translation,
                        min_group=settings.min_group_size,
                        municipality=settings.municipality,
                    ),
                )
                async with (
                    delivering(core, delivery_worker(core, telegram, gateway)),
                    _health(settings, core, telegram) as health,
                ):
                    where = f"; health on {health[0]}:{health[1]}" if health else ""
                    on_ready(Ready(f"delivery worker{where}"))
                    await stopping.wait()
        log.info("delivery worker stopped")
    finally:
        if gateway is not None:
            await gateway.close()
        await core.close()
