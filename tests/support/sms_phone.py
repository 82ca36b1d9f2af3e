"""A resident's phone for SMS tests: texts go to the bot's real inbound route over HTTP (with
the shared secret, as a gateway sends them), and what the outbox worker sent through the
in-memory gateway comes back as the phone's inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp.test_utils import TestServer

from bot.app import App, build_app
from bot.channels.sms.conversation import Context
from bot.channels.sms.gateways.memory import MemoryGateway
from bot.channels.sms.routes import sms_application
from bot.dispatching import parse_update
from bot.server_log import server_options
from tests.support.log_guard import personal, personal_phone
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import make_settings

SECRET = "sms-test-secret"


@dataclass
class SmsNetwork:
    """The bot's SMS side: its inbound route on loopback and the gateway's outbox."""

    app: App
    server: TestServer
    http: aiohttp.ClientSession
    clock: Clock = field(default_factory=lambda: Clock(after_quiet_hours()))

    @property
    def gateway(self) -> MemoryGateway:
        assert isinstance(self.app.sms_gateway, MemoryGateway)
        return self.app.sms_gateway

    async def post(self, path: str, **params: str) -> int:
        async with self.http.get(self.server.make_url(path), params=params) as response:
            return response.status

    async def deliver(self) -> None:
        await outbox_worker(self.app, self.clock).drain()

    def phone(self, number: str) -> Phone:
        return Phone(self, number)


@dataclass
class Phone:
    network: SmsNetwork
    number: str
    seen: int = 0

    def __post_init__(self) -> None:
        personal_phone(self.number)

    @property
    def inbox(self) -> list[str]:
        return [m.text for m in self.network.gateway.sent if m.to == self.number]

    async def send(self, text: str) -> list[str]:
        """Text the bot and return the new SMS it sends back (after the worker's round)."""
        personal(text)
        status = await self.network.post(
            "/sms/memory/inbound", secret=SECRET, to="2000", text=text, **{"from": self.number}
        )
        assert status == 200, status
        return await self.receive()

    async def receive(self) -> list[str]:
        await self.network.deliver()
        new = self.inbox[self.seen :]
        self.seen = len(self.inbox)
        return new

    @property
    def last(self) -> str:
        return self.inbox[-1]


async def sms_network(
    database_url: str,
    fake_api,  # type: ignore[no-untyped-def]
    kind: type[SmsNetwork] = SmsNetwork,
    **overrides: object,
) -> AsyncIterator[SmsNetwork]:
    """The app with the in-memory gateway (and any other settings), its inbound route served
    on loopback; `kind` lets a test module drive delivery its own way."""
    settings = make_settings(
        database_url,
        fake_api.base_url,
        sms_gateway="memory",
        sms_inbound_secret=SECRET,
        **overrides,
    )
    app = build_app(settings, pace=fake_api.pace)

    async def deliver(update: dict[str, object]) -> object:
        # Read as `naboskap run` reads it (polling and webhook alike): the pressed message's
        # keyboard is left out, so no handler can come to rely on it.
        return await app.dispatcher.feed_update(app.bot, parse_update(update, app.bot))

    fake_api.deliver = deliver
    web_app = sms_application(
        app.sessionmaker,
        app.sms_gateway,  # type: ignore[arg-type]
        Context(
            app.catalogs, settings.municipality, settings.rate_limits, app.core.machine_translation
        ),
        secret=SECRET,
        region="NO",
    )
    # As the bot serves them: no access log (a gateway's query holds the number and the
    # text), aiohttp's own log without the request.
    # (TestServer takes them in `start_server`: given to its constructor they are ignored.)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server(**server_options("naboskap.sms.http"))
    async with aiohttp.ClientSession() as http:
        yield kind(app, server, http)
    await server.close()
    await app.close()


PhoneFactory = Callable[[str], Phone]
