"""The safety net: an unexpected failure is logged for us and answered kindly to the user."""

from __future__ import annotations

import logging
import traceback

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import Catalogs, Translator, negotiate_locale

log = logging.getLogger("naboskap.errors")


async def on_error(event: ErrorEvent, catalogs: Catalogs, t: Translator | None = None) -> bool:
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
    user = None
    if event.update.message:
        user = event.update.message.from_user
    elif event.update.callback_query:
        user = event.update.callback_query.from_user
    if user is None:
        return True
    t = t or catalogs.translator(negotiate_locale(user.language_code))
    text = t.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    query = event.update.callback_query
    try:
        if query is not None:
            try:
                await query.answer(text, show_alert=True)
            except TelegramAPIError:
                # The handler may have answered the button already; a message still reaches them.
                if query.bot is not None:
                    await query.bot.send_message(user.id, text)
        elif event.update.message:
            await event.update.message.answer(text)
    except TelegramAPIError:
        log.warning("could not tell the user about the failure")
    return True


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
