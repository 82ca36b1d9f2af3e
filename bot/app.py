"""The composition root for the Telegram side: the core (`bot.core`) plus a bot, a dispatcher,
the SMS gateway and the outbox worker.

`naboskap run`, `naboskap worker`, the playground and the end-to-end tests come here; commands
that never talk to Telegram build only the core.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.sms.gateway import SmsGateway
from bot.channels.sms.registry import load_gateway
from bot.channels.telegram import wire_json
from bot.channels.telegram.flood import FloodControl, Pace
from bot.channels.telegram.json_session import JsonBodySession
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.webhook_reply import WebhookReply
from bot.clock import Clock
from bot.config import TELEGRAM_API, Settings
from bot.core import Core, SchemaBehind, build_core
from bot.delivery.worker import DeliveryWorker
from bot.dependencies import is_unreachable, redis_down
from bot.dispatching import GetRawUpdates, NaboskapDispatcher, run_sync_callbacks_inline
from bot.health import BOT_API_KEPT, Probes, database_check, kept_for, redis_check
from bot.i18n import Catalogs
from bot.machine_translation import MachineTranslator
from bot.services.attachments import AttachmentFiles
from bot.update_ledger import DatabaseLedger, Ledger, MemoryLedger, RedisLedger
from bot.worker_process import delivery_worker
from handlers import build_router
from handlers.middlewares import ReleaseConnectionMiddleware, UpdateContextMiddleware

__all__ = ["App", "SchemaBehind", "build_app", "build_worker"]


def pin_response_types() -> list[type]:
    """Keep aiogram's Response[T] classes alive for the methods the bot calls.

    aiogram builds `Response[method.__returning__]` on every API reply; pydantic caches generic
    classes only weakly, so under garbage collection they are rebuilt again and again (about
    2 ms each, most of a reply's cost in our benchmark). Holding references makes it a lookup.
    """
    from aiogram import methods as api
    from aiogram.methods.base import Response

    used = (
        api.AnswerCallbackQuery,
        api.DeleteMyCommands,
        api.DeleteWebhook,
        api.EditMessageReplyMarkup,
        api.EditMessageText,
        api.GetMe,
        GetRawUpdates,
        api.SendDocument,
        api.SendMessage,
        api.SetMyCommands,
        api.SetWebhook,
    )
    return [Response[m.__returning__] for m in used]  # type: ignore[name-defined]


@dataclass
class App:
    core: Core
    bot: Bot
    dispatcher: Dispatcher
    sms_gateway: SmsGateway | None = None  # None: SMS_GATEWAY is not set, no SMS channel
    response_types: list[type] = field(default_factory=pin_response_types)

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def engine(self) -> AsyncEngine:
        return self.core.engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.core.sessionmaker

    @property
    def catalogs(self) -> Catalogs:
        return self.core.catalogs

    @property
    def clock(self) -> Clock:
        return self.core.clock

    async def check_schema(self) -> None:
        await self.core.check_schema()

    @functools.cached_property
    def probes(self) -> Probes:
        """What `/readyz` asks on this app's web servers (bot.health): the database, Redis
        when REDIS_URL is set, and the Bot API (its last answer kept a few seconds)."""
        checks = {"database": database_check(self.engine)}
        redis = getattr(self.dispatcher.storage, "redis", None)
        if redis is not None:
            checks["redis"] = redis_check(redis)
        checks["bot_api"] = kept_for(BOT_API_KEPT, self.bot.get_me)
        return Probes(checks)

    async def check_storage(self) -> None:
        """Reach Redis once at start-up when REDIS_URL is set: down, it would otherwise fail
        every update in turn. Out of reach: `DependencyDown`, one line naming REDIS_URL."""
        url = self.settings.redis_url
        redis = getattr(self.dispatcher.storage, "redis", None)
        if not url or redis is None:
            return
        try:
            await redis.ping()
        except Exception as error:
            if is_unreachable(error):
                raise redis_down(url, error) from None
            raise

    async def close(self) -> None:
        if self.sms_gateway is not None:
            await self.sms_gateway.close()
        await self.bot.session.close()
        await self.dispatcher.storage.close()
        await self.core.close()


def build_bot(settings: Settings, pace: Pace | None = None) -> Bot:
    """The aiogram bot; its flood control waits by `pace` (the real time unless a test gives
    the fake Bot API's own, which its limits are counted in)."""
    # Requests as JSON bodies (json_session), and orjson for every JSON the session reads and
    # writes, the webhook's too (wire_json).
    session = JsonBodySession(
        api=PRODUCTION
        if settings.telegram_api_base == TELEGRAM_API
        else TelegramAPIServer.from_base(settings.telegram_api_base),
        json_loads=wire_json.loads,
        json_dumps=wire_json.dumps,
    )
    # Outermost first: the update's database connection goes back to the pool before the
    # call waits for its turn under Telegram's flood limits.
    session.middleware(WebhookReply())  # a button's answer may ride in the webhook response
    session.middleware(ReleaseConnectionMiddleware())
    if settings.flood_control:
        flood = FloodControl(
            settings.reply_rate, chat_burst=settings.chat_burst, max_wait=settings.flood_wait_max
        )
        if pace is not None:
            flood.clock, flood.sleep = pace.monotonic, pace.sleep
        session.middleware(flood)
    return Bot(
        settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_storage(settings: Settings) -> BaseStorage:
    """FSM state in memory on one machine, in Redis when REDIS_URL says so."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_ledger(core: Core, storage: BaseStorage) -> Ledger:
    """Where this process records the updates it handles (bot.update_ledger): Redis, sharing
    the FSM storage's connections, when REDIS_URL is set; else the database on PostgreSQL;
    else (SQLite: one process) memory."""
    redis = getattr(storage, "redis", None)
    if redis is not None:
        return RedisLedger(redis)
    if core.engine.dialect.name == "postgresql":
        return DatabaseLedger(core.sessionmaker)
    return MemoryLedger()


def build_dispatcher(core: Core, storage: BaseStorage | None = None) -> Dispatcher:
    # Keyword arguments become workflow data: handlers ask for `settings`, `catalogs`,
    # `clock` and `machine` (the machine translation) by name.
    storage = storage or build_storage(core.settings)
    dispatcher = NaboskapDispatcher(
        storage=storage,
        settings=core.settings,
        catalogs=core.catalogs,
        clock=core.clock,
        machine=core.machine_translation,
    )
    dispatcher.update.outer_middleware(
        UpdateContextMiddleware(
            core.settings, core.catalogs, core.sessionmaker, build_ledger(core, dispatcher.storage)
        )
    )
    dispatcher.include_router(build_router())
    run_sync_callbacks_inline(dispatcher)
    return dispatcher


def build_worker(app: App) -> DeliveryWorker:
    """The outbox worker for this app's database and bot (and SMS gateway, if configured)."""
    files = AttachmentFiles(
        app.sessionmaker,
        app.catalogs,
        app.core.machine_translation,
        min_group=app.settings.min_group_size,
        municipality=app.settings.municipality,
    )
    return delivery_worker(app.core, TelegramSender(app.bot, files), app.sms_gateway)


def build_app(
    settings: Settings,
    clock: Clock | None = None,
    *,
    pace: Pace | None = None,
    translator: MachineTranslator | None = None,
) -> App:
    core = build_core(settings, clock, translator)
    return App(
        core=core,
        bot=build_bot(settings, pace),
        dispatcher=build_dispatcher(core),
        sms_gateway=load_gateway(settings) if settings.sms_gateway else None,
    )
