"""Where failures end: a service's refusal becomes a translated answer, an unexpected failure is
logged for us and answered kindly.

Handlers never catch `ServiceError`: it propagates here, so every refusal is worded in one
place (`handlers.replies.refusal`), answered the same way (an alert for a button, a message for
text), and a conversation that the refusal made pointless is ended.
"""

from __future__ import annotations

import logging
import traceback

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import ErrorEvent, User

from bot.i18n import Catalogs, Translator, negotiate_locale
from bot.services.errors import ServiceError
from handlers.replies import refusal

log = logging.getLogger("naboskap.errors")


def _user(event: ErrorEvent) -> User | None:
    update = event.update
    if update.message is not None:
        return update.message.from_user
    if update.callback_query is not None:
        return update.callback_query.from_user
    return None


async def _answer(event: ErrorEvent, user: User, text: str) -> None:
    """An alert on the pressed button, else a message in the chat."""
    query = event.update.callback_query
    try:
        if query is not None:
            try:
                await query.answer(text, show_alert=True)
            except TelegramBadRequest:
                # The handler answered the button already: say it in the chat instead.
                if query.bot is not None:
                    await query.bot.send_message(user.id, text)
        elif event.update.message is not None:
            await event.update.message.answer(text)
    except TelegramAPIError:
        log.warning("could not tell the user why not")


async def on_refusal(
    event: ErrorEvent,
    catalogs: Catalogs,
    t: Translator | None = None,
    state: FSMContext | None = None,
) -> bool:
    """A service said no: tell the resident why, in their language."""
    error = event.exception
    assert isinstance(error, ServiceError)  # noqa: S101 - the filter lets nothing else in
    # The type says enough; a refusal's arguments can hold what the resident typed.
    log.info("update %s refused: %s", event.update.update_id, type(error).__name__)
    if state is not None and not error.keeps_conversation:
        # The step the resident was in cannot go on (the request closed, the network is
        # gone...); what they type next must not be read as an answer to it.
        await state.clear()
    user = _user(event)
    if user is None:
        return True
    t = t or catalogs.translator(negotiate_locale(user.language_code))
    await _answer(event, user, refusal(t, error))
    return True


async def on_error(event: ErrorEvent, catalogs: Catalogs, t: Translator | None = None) -> bool:
    """Anything else: logged without personal data, and a kind word to the user."""
    error = event.exception
    # The exception's message can quote personal data (SQL parameters, message text), so the
    # log gets its type and where it happened, never its text.
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    where = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in frames)
    kind = type(error).__name__
    if isinstance(error, TelegramAPIError):
        # Telegram's own description ("can't parse entities...") names no person.
        kind = f"{kind} from {error.method.__api_method__}: {error.message}"
    log.error("update %s failed with %s\n%s", event.update.update_id, kind, where)
    user = _user(event)
    if user is None:
        return True
    t = t or catalogs.translator(negotiate_locale(user.language_code))
    await _answer(
        event,
        user,
        t.gettext("Sorry, something went wrong on our side. Please try again in a moment."),
    )
    return True


async def on_flood(event: ErrorEvent) -> bool:
    """Telegram kept refusing a reply for flood control past the bot's bounded wait: the
    session middleware logged it and gave up on that reply. Nothing is said to the resident
    (it could not get through either), and this is not an error of ours."""
    return True


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="errors")
    router.errors.register(on_refusal, ExceptionTypeFilter(ServiceError))
    router.errors.register(on_flood, ExceptionTypeFilter(TelegramRetryAfter))
    router.errors.register(on_error)
    return router
