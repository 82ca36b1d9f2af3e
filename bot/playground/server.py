"""The playground process: the embedded Bot API server, the real bot, and the page's API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import App, build_app
from bot.channels.sms.gateways.memory import MemoryGateway
from bot.clock import Clock
from bot.config import load_settings
from bot.fake_bot_api import FakeBotAPI, FakeUser, RateLimit
from bot.fake_bot_api.server import DEFAULT_TOKEN
from bot.logs import failure
from bot.playground import api
from bot.playground.clock import ClockControl
from bot.playground.personas import (
    COORDINATOR_ID,
    HOST_ID,
    NEIGHBOUR_ID,
    Persona,
    PersonaBook,
)
from bot.playground.phones import Phones
from bot.playground.pretend_translator import PretendTranslator
from bot.playground.seed import drop_quiet_hours, drop_sms_quiet_hours, read_networks, seed
from bot.runners import run_polling
from bot.services import residents
from bot.shutdown import Ready, announce_ready, settle, stop_on_signals
from db import migrate

log = logging.getLogger("naboskap.playground")


@dataclass(frozen=True)
class PlaygroundOptions:
    db: Path | None = None  # None: a fresh database in a temporary directory
    host: str = "127.0.0.1"
    port: int = 8765
    rate_limit: RateLimit = field(default_factory=RateLimit)
    # False: personas get no quiet hours, so notices show at any time of day (see README).
    quiet_hours: bool = False
    # True: SIGINT/SIGTERM stop it (handlers installed first thing in `start`); False: `stop`.
    handle_signals: bool = True


# Bounds for the steps of `stop`, in seconds (the bot's own steps are bounded in bot.runners).
BOT_STOP = 90.0
STEP_STOP = 15.0


class Playground:
    """One process: `start` it, open `url`, `wait` for Ctrl-C, `stop` it.

    Telegram personas talk to the bot through the embedded Bot API server. SMS personas talk
    to it through the SMS channel `naboskap run` serves: the bot runs with the memory gateway,
    its inbound route listens on a loopback port of its own with a random secret, and
    `phones` posts their texts there and reads what the outbox worker sent back. The `clock`
    control moves this playground's own `Clock` (`time`) forward and runs the scheduler's due
    jobs at once; the next playground starts at the real time.

    `start` returns once the bot polls (it says `naboskap: ready (...)` on stderr then); `stop`
    takes the parts down in the reverse order, each within a fixed time, and may be called
    more than once.
    """

    def __init__(self, options: PlaygroundOptions) -> None:
        self.options = options
        # This playground's time: the core runs on it, and the clock control moves it.
        self.time = Clock()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.server = FakeBotAPI(
            host=options.host,
            port=options.port,
            rate_limit=options.rate_limit,
            # Messages are dated by the playground's clock, which the clock control moves.
            clock=lambda: self.time.now().timestamp(),
        )
        self.users: dict[int, FakeUser] = {}
        self.personas = PersonaBook()
        self.app: App | None = None
        self._polling: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._signals = contextlib.AsyncExitStack()
        self._stopped = False
        self._watcher: asyncio.Task[None] | None = None
        self._phones: Phones | None = None
        self._clock: ClockControl | None = None
        # Personas who have not finished onboarding: they get no quiet hours once they have.
        self._onboarding: set[int] = set()
        # Set once the bot and the personas are ready; the API waits for it.
        self.ready = asyncio.Event()

    @property
    def base(self) -> str:
        """This server's address as a client on this machine reaches it."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(  # noqa: S104
            self.options.host, self.options.host
        )
        if ":" in host:
            host = f"[{host}]"  # an IPv6 address
        return f"http://{host}:{self.server.port}"

    @property
    def url(self) -> str:
        return self.base + "/"

    @property
    def bot_app(self) -> App:
        if self.app is None:
            raise RuntimeError("the playground has not started")
        return self.app

    @property
    def phones(self) -> Phones:
        if self._phones is None:
            raise RuntimeError("the playground has not started")
        return self._phones

    @property
    def clock(self) -> ClockControl:
        if self._clock is None:
            raise RuntimeError("the playground has not started")
        return self._clock

    async def start(self) -> str:
        if self.options.handle_signals:
            # First, so that Ctrl-C at any moment from here on is a clean stop.
            self._stop = await self._signals.enter_async_context(stop_on_signals())
        if self.options.db is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="naboskap-playground-")
            db_path = Path(self._tmp.name) / "naboskap.db"
            self.personas = PersonaBook()
        else:
            db_path = self.options.db.resolve()
            db_path.parent.mkdir(parents=True, exist_ok=True)
            self.personas = PersonaBook(db_path.with_name(db_path.name + ".personas.json"))
        url = f"sqlite+aiosqlite:///{db_path}"
        # Alembic runs its own event loop, so it runs in a thread.
        await asyncio.to_thread(migrate.upgrade, url)

        web_app = self.server.app()
        api.add_routes(web_app, self)
        await self.server.start(web_app)
        secret = secrets.token_urlsafe(24)
        settings = load_settings(
            bot_token=DEFAULT_TOKEN,
            telegram_api_base=self.base,
            database_url=url,
            coordinator_ids=frozenset({COORDINATOR_ID}),
            redis_url=None,
            webhook_url=None,
            # The SMS channel with the in-memory gateway; its routes on a free loopback port.
            sms_gateway="memory",
            sms_inbound_secret=secret,
            sms_listen="127.0.0.1:0",
            sms_public_url=None,
        )
        # Machine translation with the pretend translator: the playground shows what a newcomer
        # gets without calling a translation service (bot/playground/pretend_translator.py).
        self.app = build_app(settings, clock=self.time, translator=PretendTranslator())
        gateway = self.app.sms_gateway
        if not isinstance(gateway, MemoryGateway):  # pragma: no cover - set just above
            raise RuntimeError("the playground needs the memory SMS gateway")
        self._phones = Phones(gateway, secret, self.server.announce, self.time)
        self._phones.start()
        self._clock = ClockControl(self.app)
        await seed(
            self.app,
            host=self._persona(HOST_ID),
            coordinator=self._persona(COORDINATOR_ID),
            neighbour=self._persona(NEIGHBOUR_ID),
            specs=await asyncio.to_thread(read_networks),
            quiet_hours=self.options.quiet_hours,
            # The sample calendar feed, served by this server (bot/playground/api/calendar.py).
            calendar_base=self.base,
        )
        for persona in self.personas:
            await self._register(persona)
        self.ready.set()
        # The bot exactly as `naboskap run` runs it: polling, outbox worker, scheduler.
        polling_ready = asyncio.Event()

        def on_ready(ready: Ready) -> None:
            if ready.sms is not None:
                host, port = ready.sms
                self.phones.route_opened(f"http://{host}:{port}/sms/{gateway.name}/inbound")
            announce_ready(ready)
            polling_ready.set()

        self._polling = asyncio.create_task(
            run_polling(self.app, stop=self._stop, on_ready=on_ready), name="playground-bot"
        )
        self._watcher = asyncio.create_task(self._watch_onboarding(), name="playground-quiet")
        polled = asyncio.create_task(polling_ready.wait())
        try:
            await asyncio.wait({self._polling, polled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            polled.cancel()
        if self._polling.done():
            self._polling.result()  # its error, if it failed on the way up
        return self.url

    async def wait(self) -> None:
        """Until the bot stops (Ctrl-C, or `stop`)."""
        if self._polling is not None:
            # Not cancelled with the caller: `stop` takes the bot down in order.
            await asyncio.wait({self._polling})

    async def stop(self) -> None:
        """Stop the bot (polling, SMS routes, scheduler, worker: see bot.runners), then the
        page's helpers, the embedded Bot API server and the database, each within a bound."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        if self._polling is not None:
            await settle(self._polling, BOT_STOP, "the playground's bot")
        if self._watcher is not None:
            self._watcher.cancel()
            await settle(self._watcher, STEP_STOP, "the quiet-hours watcher")
        if self._phones is not None:
            await settle(self._phones.stop(), STEP_STOP, "the SMS phones")
        await settle(self.server.stop(), STEP_STOP, "the embedded Bot API server")
        if self.app is not None:
            await settle(self.app.close(), STEP_STOP, "the bot's connections")
        await self._signals.aclose()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # ---- personas ------------------------------------------------------------------------

    def _persona(self, persona_id: int) -> Persona:
        persona = self.personas.get(persona_id)
        if persona is None:  # pragma: no cover - the defaults are always there
            raise LookupError(persona_id)
        return persona

    async def add_persona(self, name: str, language_code: str, phone: str | None = None) -> Persona:
        persona = self.personas.add(name, language_code, phone)
        await self._register(persona)
        return persona

    async def _register(self, persona: Persona) -> None:
        if persona.phone is not None:
            # An SMS persona: no Telegram account. No quiet hours once onboarded, likewise.
            if not self.options.quiet_hours and not await drop_sms_quiet_hours(
                self.bot_app, persona.phone
            ):
                self._onboarding.add(persona.id)
            return
        self.users[persona.id] = FakeUser(
            self.server, persona.id, persona.name, persona.language_code or None
        )
        if persona.seeded:
            self.server.open_chat(persona.id)  # they started the bot before
        elif not self.options.quiet_hours and not await self._onboarded(persona.id):
            self._onboarding.add(persona.id)

    async def _onboarded(self, persona_id: int) -> bool:
        async with self.bot_app.sessionmaker() as session:
            actor = await residents.identify(
                session, persona_id, self.bot_app.settings.coordinator_ids
            )
        if actor.resident_id is not None:
            self.server.open_chat(persona_id)  # a kept database: they started the bot before
        return actor.onboarded

    async def _watch_onboarding(self) -> None:
        revision = 0
        while True:
            revision = await self.server.wait_for_change(revision, 30.0)
            for persona_id in sorted(self._onboarding):
                persona = self.personas.get(persona_id)
                try:
                    if persona is not None and persona.phone is not None:
                        done = await drop_sms_quiet_hours(self.bot_app, persona.phone)
                    else:
                        done = await drop_quiet_hours(self.bot_app, persona_id)
                except Exception as error:  # the page must keep working whatever happens here
                    log.error("could not set a persona's quiet hours: %s", failure(error))
                    done = False
                if done:
                    self._onboarding.discard(persona_id)


@contextlib.asynccontextmanager
async def running(options: PlaygroundOptions) -> AsyncIterator[Playground]:
    playground = Playground(options)
    try:
        await playground.start()
        yield playground
    finally:
        await playground.stop()
