"""The fake Bot API server: an aiohttp application on loopback that routes each
`/bot<token>/<method>` request to the method of that name and answers the way Telegram answers.

The methods live with their concept (`messages`, `callbacks`, `commands`, `updates`); this
module decodes requests, applies flood control and the failures a test asked for, records every
call, and runs the server.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp
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

    @property
    def response_errors(self) -> list[Call]:
        """Methods from webhook responses that failed: Telegram tells no one, tests should
        assert there are none."""
        return [call for call in self.calls if call.via == "response" and not call.ok]

    async def execute(self, method: str, params: dict[str, Any], via: str = "request") -> Any:
        """Run one Bot API method as Telegram does (the failures a test asked for, flood
        limits, validation) and record it in `calls`; returns its result or raises
        `BotApiError` (recorded too). `via` says how it came: an API request, or the body of
        a webhook response (`answer_from_webhook`)."""
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
            self._record(Call(method, params, ok=False, error=error.description, via=via))
            raise
        self._record(Call(method, params, ok=True, via=via))
        if method.lower() in _CHANGING:
            self.touch()
        async with self.changed:
            self.changed.notify_all()
        return result

    async def answer_from_webhook(self, reply: aiohttp.ClientResponse) -> None:
        """What Telegram does with the response to a webhook POST: a Bot API method in its body
        (JSON, or a multipart form as aiogram's own writer sends) is executed like a request,
        with the same validation and flood limits. Its errors go nowhere, as there is no one
        to tell, but are recorded (`response_errors`)."""
        if reply.status != 200:
            await reply.read()
            return
        params: dict[str, Any] = {}
        try:
            if reply.content_type.startswith("multipart/"):
                reader = aiohttp.MultipartReader.from_response(reply)
                while (part := await reader.next()) is not None:
                    if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                        continue
                    if part.filename:
                        content = bytes(await part.read())
                        mime = part.headers.get("Content-Type", "application/octet-stream")
                        params[part.name] = Document(part.filename, content, mime)
                    else:
                        params[part.name] = await part.text()
                _decode_json_fields(params)
            else:
                body = await reply.read()
                if not body.strip():
                    return
                decoded = json.loads(body)
                if not isinstance(decoded, dict):
                    return
                params = decoded
        except (ValueError, BotApiError, aiohttp.ClientPayloadError):
            # Telegram ignores a body it cannot read.
            self._record(
                Call("(webhook response)", {}, ok=False, error="unreadable", via="response")
            )
            return
        method = params.pop("method", None)
        if not isinstance(method, str) or not method:
            return
        with contextlib.suppress(BotApiError):
            await self.execute(method, params, via="response")

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if self.on_request is not None:
            self.on_request(method)
        params = await self._params(request)
        try:
            result = await self.execute(method, params)
        except BotApiError as error:
            return web.json_response(error.as_response(), status=error.code)
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
        _decode_json_fields(params)
        return params


def _decode_json_fields(params: dict[str, Any]) -> None:
    """Parameters that arrive as JSON text in a form or query string, decoded in place."""
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
