"""The fake Bot API server: an aiohttp application on loopback that routes each
`/bot<token>/<method>` request to the method of that name and answers the way Telegram answers.

The methods live with their concept (`messages`, `callbacks`, `commands`, `updates`); this
module decodes requests, applies flood control and the failures a test asked for, records every
call, and runs the server.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.fake_bot_api.callbacks import CallbackAnswers
from bot.fake_bot_api.commands import CommandMenu
from bot.fake_bot_api.errors import BotApiError, bad_request
from bot.fake_bot_api.limits import COUNTED_METHODS, FloodControl, RateLimit, RealTime, WarpTime
from bot.fake_bot_api.messages import MessageMethods
from bot.fake_bot_api.state import Call, Document
from bot.fake_bot_api.updates import UpdateDelivery

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-0123456789abc"
# Parameters that arrive as JSON text in a form or query string.
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "entities",
    "caption_entities",
    "link_preview_options",
    "allowed_updates",
    "reply_parameters",
}
# Methods after which what a user sees may have changed.
_CHANGING = COUNTED_METHODS | {
    "deletemessage",
    "answercallbackquery",
    "setmycommands",
    "deletemycommands",
}


class FakeBotAPI(MessageMethods, CallbackAnswers, CommandMenu, UpdateDelivery):
    """A loopback Bot API server for one bot token.

    Updates come from simulated users (see `FakeUser`) and reach the bot in one of three ways,
    as with Telegram: through `getUpdates`, by POST to a registered webhook, or, in tests that
    want to await the bot's handling, through `deliver` (e.g. a dispatcher's feed).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "naboskap_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        rate_limit: RateLimit | None = None,
        pace: RealTime | WarpTime | None = None,
    ) -> None:
        bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Naboskap",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        super().__init__(bot_user=bot_user, clock=clock)
        self.token = token
        self.host, self.port = host, port
        # Called with the method name as each request arrives (tests observe the bot with it).
        self.on_request: Callable[[str], None] | None = None
        # Called with each call once it is answered, refused ones too (a burst driver watches
        # thousands of chats with it, where waiting on `changed` would wake them all each time).
        self.on_call: Callable[[Call], None] | None = None
        self.calls: list[Call] = []
        self.errors: deque[tuple[str, BotApiError]] = deque()
        # Telegram's flood limits unless told otherwise, counted in `pace` (see `limits`).
        self.pace = pace or RealTime()
        self._flood = FloodControl(RateLimit() if rate_limit is None else rate_limit, self.pace)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        """The Bot API routes; a caller may add its own routes before `start` (the
        playground serves its page and API from the same application)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    async def start(self, app: web.Application | None = None) -> str:
        self._runner = web.AppRunner(app or self.app(), access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def stop(self) -> None:
        await self.close_updates()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def rate_limit(self) -> RateLimit:
        return self._flood.limit

    @rate_limit.setter
    def rate_limit(self, limit: RateLimit) -> None:
        """Other limits from now on (a test of something else at a speed Telegram would not
        take switches them off, and says why)."""
        self._flood.limit = limit

    @property
    def flood_refusals(self) -> int:
        """Sends refused with 429 because the bot went past a flood limit (not `fail_next`'s)."""
        return self._flood.refused

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of `method` fail as Telegram would (429, 403, 5xx...)."""
        self.errors.append((method, BotApiError(code, description, retry_after)))

    async def api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def api_logout(self, params: dict[str, Any]) -> bool:
        return True

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if self.on_request is not None:
            self.on_request(method)
        params = await self._params(request)
        handler = getattr(self, f"api_{method.lower()}", None)
        try:
            for index, (name, error) in enumerate(self.errors):
                if name.lower() == method.lower():
                    del self.errors[index]
                    raise error
            if handler is None:
                raise BotApiError(404, "Not Found")
            if method.lower() in COUNTED_METHODS:
                self._flood.check(params.get("chat_id"))
            result = await handler(params)
        except BotApiError as error:
            self._record(Call(method, params, ok=False, error=error.description))
            return web.json_response(error.as_response(), status=error.code)
        self._record(Call(method, params, ok=True))
        if method.lower() in _CHANGING:
            self.touch()
        async with self.changed:
            self.changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Document(
                        value.filename or "file", value.file.read(), value.content_type
                    )
                else:
                    params[key] = value
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return params
