"""The dispatcher, made safe for updates it cannot read or does not know.

Long polling survives an update it cannot read.

aiogram's polling asks `getUpdates` for a list of `Update` objects and validates the whole
batch at once: one update whose fields do not fit fails the batch, the offset is not moved, and
the same batch is asked for again forever (each time logging the validation error, which quotes
the message text and the sender's name). Here the batch is fetched as raw JSON and each update
is read on its own: one that cannot be read is logged by its id and the number of fields that
do not fit, and skipped; the others are handled; the offset always moves past both.

An update that fails while being handled is logged by its type and place, never its message
(`bot.logs.failure`), as the webhook does (`bot.runners.WebhookHandler`). An update of a kind
aiogram does not know (Telegram adds kinds; a broken client sends none) is skipped with a log
line: aiogram would warn with the whole update in the warning, text and names included.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.backoff import Backoff, BackoffConfig
from pydantic import ValidationError

from bot.logs import failure

log = logging.getLogger("naboskap.updates")


class GetRawUpdates(TelegramMethod[list[Any]]):
    """`getUpdates`, its updates left as JSON so that each can be read on its own."""

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def update_id_of(raw: Any) -> int | None:
    """The id of an update as Telegram sent it, if it has a usable one."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("update_id")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def parse_update(raw: Any, bot: Bot) -> Update:
    """`Update.model_validate`, leaving out the keyboard of the message a button was pressed on.

    Telegram sends that message whole with every button press, its inline keyboard included:
    the keyboard we sent, which no handler reads back (they answer from the button's callback
    data and the resident's state). Building it into aiogram objects, and cleaning every label
    and callback data in it (`handlers.middlewares`), cost more than the rest of the update:
    for the nine-language keyboard about three quarters of the validation's 170 microseconds.
    Raises pydantic's `ValidationError` as `model_validate` does.
    """
    query = raw.get("callback_query") if isinstance(raw, dict) else None
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and "reply_markup" in message:
            raw = {**raw, "callback_query": {**query, "message": _without_markup(message)}}
    return Update.model_validate(raw, context={"bot": bot})


def _without_markup(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "reply_markup"}


def read_update(raw: Any, bot: Bot) -> Update | None:
    """The update, or None (logged without its content) when it cannot be read."""
    try:
        return parse_update(raw, bot)
    except ValidationError as error:
        # `error` quotes the input (the text, the sender's name): count its complaints only.
        log.warning(
            "polled update %s not readable: %d fields do not fit; skipped",
            update_id_of(raw),
            error.error_count(),
        )
        return None


def _fetch_failure(error: Exception) -> str:
    if isinstance(error, TelegramAPIError):
        # Telegram's own description names no person.
        return f"{type(error).__name__}: {error.message}"
    return failure(error)


def _callables(router: Router) -> Iterator[CallableObject]:
    """Every handler and filter in `router`'s tree, the routers' own filters included."""
    for each in router.chain_tail:
        for observer in each.observers.values():
            for handler in [observer._handler, *observer.handlers]:
                yield handler
                yield from handler.filters or ()


def _inline(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return inline


def run_sync_callbacks_inline(router: Router) -> int:
    """Make aiogram call `router`'s synchronous filters and handlers on the event loop; returns
    how many there were.

    aiogram runs every synchronous callback with `asyncio.to_thread`, in case it blocks. Ours
    never do: they are magic filters (`F.chat.type == ChatType.PRIVATE` on the root router,
    so one for every update) and small checks. Each hop to a worker thread and back costs about
    70 microseconds of CPU on uvloop (the submit, two thread wake-ups, the GIL changing hands),
    where the filter itself takes well under one. Which arguments a callback is given is
    unchanged: aiogram read them from the original's signature when it was registered.
    """
    count = 0
    for callable_object in _callables(router):
        if not callable_object.awaitable:
            callable_object.callback = _inline(callable_object.callback)
            callable_object.awaitable = True
            count += 1
    return count


class NaboskapDispatcher(Dispatcher):
    """aiogram's dispatcher: its long polling reads each update on its own, and nothing of an
    update reaches the log."""

    async def _listen_update(self, update: Update, **kwargs: Any) -> Any:
        try:
            update.event_type  # noqa: B018 - raises for an update of no kind aiogram knows
        except UpdateTypeLookupError:
            log.info("update %s of a kind we do not know skipped", update.update_id)
            return UNHANDLED
        return await super()._listen_update(update, **kwargs)

    @classmethod
    async def _listen_updates(
        cls,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        backoff = Backoff(config=backoff_config)
        request = GetRawUpdates(timeout=polling_timeout, allowed_updates=allowed_updates)
        kwargs: dict[str, Any] = {}
        if bot.session.timeout:
            # The request must outlive the long poll, or every quiet poll would time out.
            kwargs["request_timeout"] = int(bot.session.timeout + polling_timeout)
        failed = False
        while True:
            try:
                batch = await bot(request, **kwargs)
            except Exception as error:
                failed = True
                log.warning(
                    "getUpdates failed (%s); trying again in %.1f s",
                    _fetch_failure(error),
                    backoff.next_delay,
                )
                await backoff.asleep()
                continue
            if failed:
                log.info("getUpdates works again")
                backoff.reset()
                failed = False
            offset = request.offset
            for raw in batch:
                update = read_update(raw, bot)
                if update is not None:
                    yield update
                update_id = update_id_of(raw)
                if update_id is not None and (request.offset or 0) <= update_id:
                    # Confirms this update (read or not) and every one before it.
                    request.offset = update_id + 1
            if batch and request.offset == offset:
                # Nothing in the batch had an id to confirm it by (Telegram always sends one):
                # asking again at once would spin on the same batch.
                log.warning("getUpdates returned %d updates without ids", len(batch))
                await backoff.asleep()

    async def _process_update(
        self, bot: Bot, update: Update, call_answer: bool = True, **kwargs: Any
    ) -> bool:
        """aiogram's, but a failure is logged by its type and place: aiogram's own log line
        quotes the exception's message, which can quote the update (SQL parameters, a
        validation error's input)."""
        try:
            response = await self.feed_update(bot, update, **kwargs)
            if call_answer and isinstance(response, TelegramMethod):
                await self.silent_call_request(bot=bot, result=response)
        except Exception as error:
            log.error("update %s failed: %s", update.update_id, failure(error))
            return True  # handled, unsuccessfully: as aiogram counts it
        return response is not UNHANDLED
