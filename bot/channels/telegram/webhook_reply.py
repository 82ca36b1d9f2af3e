"""Answering a webhook update in the webhook's own HTTP response.

Telegram lets a bot answer a webhook POST with one Bot API method in the response body
(`{"method": "answerCallbackQuery", "callback_query_id": ..., ...}` as application/json) and
executes it as if the bot had called it, but the bot never learns the result, nor an error.
That saves the bot an HTTP request and its form encoding: -11 % CPU per update in the updates
benchmark, where 4 of a resident's 6 updates are button presses (docs/performance.md). The
body is JSON, never aiogram's multipart writer, which costs about what the saved request would.

What goes there, and why that is safe:

- **The answer to the update's own button press** (`answerCallbackQuery`). Its result is always
  True and Telegram's flood limits do not count it, so nothing is lost when `WebhookReply` (a
  session middleware) puts the first such call into the update's `ResponseSlot` and hands True
  back to the handler at once. Only that query's answer is deferred; a second answer to it is
  refused at once with Telegram's error (the first is already on its way), anything else goes
  through the API as before.
- **A method the handler returns** (aiogram's convention for "put it in the webhook response"):
  by returning it the handler said it does not need the result (a message's id). A message
  counts against Telegram's flood limits, so it goes in the response only when `FloodControl`
  has the chat's and the global slot free right now (`take_now`, which reserves them);
  otherwise it is sent through the API, paced, as any reply.

Exactly once. A slot holds at most one method and is closed when the webhook writes its
response; closing takes what the slot holds in the same step (there is no `await` between the
check and the taking on either side), so a method offered before the close is in the response,
and one offered after it is refused and sent through the API by the caller. A response that
cannot be written (Telegram hung up, or the server stops) has its method sent through the API
instead (`WebhookHandler` in `bot.runners`). The update itself is handled once either way:
the slot only changes how its answer travels.

Only while a webhook request waits for its response is there a slot (`answering_in_response`
sets it for the update being handled); long polling, the outbox worker, the scheduler and a
test's `feed_raw_update` see none and call the API exactly as before.

The price: Telegram does not report an error in a response's method to anyone. The fake Bot API
executes response methods with the same validation and records their errors, so the tests
assert there are none.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.channels.telegram.flood import FloodControl, counted_chat

Method = TelegramMethod[Any]
# What Telegram says to a second answer to one button press.
SECOND_ANSWER = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ResponseSlot:
    """The one method a webhook response may carry, for one update.

    `ready` is set when there is no more reason to hold the response: a method is waiting in
    the slot (a button's spinner should stop now), or the update has been handled.
    """

    __slots__ = ("body", "closed", "method", "query_id", "ready")

    def __init__(self, query_id: str | None = None) -> None:
        self.query_id = query_id  # the update's button press, whose answer may be deferred
        self.method: Method | None = None
        self.body = b""  # `method` as the response body (`response_body`)
        self.closed = False
        self.ready = asyncio.Event()

    def offer(self, method: Method, body: bytes) -> bool:
        """Put `method` (encoded as `body`) in the response; False when the slot is taken or
        already closed (the caller then sends it through the API)."""
        if self.closed or self.method is not None:
            return False
        self.method, self.body = method, body
        self.ready.set()
        return True

    def free(self) -> bool:
        """Whether an offer would be taken now."""
        return not self.closed and self.method is None

    def finish(self) -> None:
        """The update has been handled (or failed): nothing more is coming."""
        self.ready.set()

    def close(self) -> Method | None:
        """The response is being written: what it carries; nothing is taken after this."""
        self.closed = True
        return self.method


_slot: ContextVar[ResponseSlot | None] = ContextVar("webhook_response_slot", default=None)


@contextlib.contextmanager
def answering_in_response(slot: ResponseSlot) -> Iterator[None]:
    """Bot API calls made inside (by the update's handling) may go into `slot`."""
    token = _slot.set(slot)
    try:
        yield
    finally:
        _slot.reset(token)


class WebhookReply(BaseRequestMiddleware):
    """Defers the answer to the update's own button press into the webhook response.

    Outermost in the session's chain: a deferred answer neither waits for anything (so the
    update's database connection need not be given back first) nor is paced (Telegram does
    not count it).
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        slot = _slot.get()
        if (
            slot is not None
            and isinstance(method, AnswerCallbackQuery)
            and method.callback_query_id == slot.query_id
        ):
            if isinstance(slot.method, AnswerCallbackQuery):
                # A second answer to the press: Telegram refuses it, as the first is on its
                # way in the response. Refused here and now, so that what the handlers do then
                # (the error handler says a refusal in the chat instead) is what it was, and
                # not a race between the response and a request.
                raise TelegramBadRequest(method=method, message=SECOND_ANSWER)
            if slot.free() and (body := response_body(bot, method)) is not None:
                slot.offer(method, body)
                # The session's chain passes the bare result along (aiogram's annotation
                # says Response); answerCallbackQuery's result is always True.
                return cast("Response[TelegramType]", True)
        return await make_request(bot, method)


def flood_control_of(bot: Bot) -> FloodControl | None:
    """The bot's `FloodControl`, when its session has one (FLOOD_CONTROL on)."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, FloodControl):
            return middleware
    return None


def offer_returned(
    slot: ResponseSlot, bot: Bot, method: Method, flood: FloodControl | None
) -> bool:
    """Put a method the handler returned into the response, if it may go there: the slot is
    free, it can be JSON (no file), and, for a message, flood control lets it through at once
    (its chat's and the global slot are taken for it). False: the caller sends it, paced."""
    if not slot.free():
        return False
    body = response_body(bot, method)
    if body is None:
        return False
    chat = counted_chat(method)
    if chat is not None and flood is not None and not flood.take_now(chat):
        return False
    return slot.offer(method, body)


def response_body(bot: Bot, method: Method) -> bytes | None:
    """`method` as a JSON webhook response body, as the session would send it (bot defaults
    such as parse_mode filled in); None when it uploads a file, which JSON cannot carry."""
    session = bot.session
    files: dict[str, InputFile] = {}
    payload: dict[str, Any] = {"method": method.__api_method__}
    for key, value in method.model_dump(warnings=False).items():
        prepared = session.prepare_value(value, bot=bot, files=files, _dumps_json=False)
        # Left out when empty, as the session leaves it out of its form.
        if prepared:
            payload[key] = prepared
    if files:
        return None
    body = session.json_dumps(payload)
    return body.encode() if isinstance(body, str) else body
