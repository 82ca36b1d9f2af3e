"""Per-update context: clean text, a database session, who is talking, and their translator."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    UserContextMiddleware,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update, User
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.edge_input import clean_name, clean_text
from bot.i18n import Catalogs, negotiate_locale
from bot.services import residents
from bot.update_ledger import Ledger, holding

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


# The session of the update being handled, per asyncio task, so that the Bot API middleware
# below can find it without handlers passing it around.
_update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


# Fields of Telegram's objects that hold a person's name (a user's, a contact's, a private chat's).
_NAME_FIELDS = frozenset({"first_name", "last_name"})


# Values `_cleaned` leaves as they are; most fields of Telegram's objects are unset (None) or
# numbers, and skipping them before the call keeps cleaning an update cheap (it runs for every
# update: walking every field of a callback's message with its keyboard cost half a millisecond).
_LEAVES = frozenset({type(None), bool, int, float, datetime})


def _cleaned(value: Any, name: bool = False) -> Any:
    """`value` with every string in it cleaned; the same object when nothing changed, so an
    ordinary update is not copied."""
    if isinstance(value, str):
        return clean_name(value) if name else clean_text(value)
    if isinstance(value, BaseModel):
        changed = {}
        for field, inner in value.__dict__.items():
            if inner.__class__ in _LEAVES:
                continue
            new = _cleaned(inner, field in _NAME_FIELDS)
            if new is not inner:
                changed[field] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [_cleaned(item) for item in value]
        return (
            items if any(new is not old for new, old in zip(items, value, strict=True)) else value
        )
    return value


class UpdateContextMiddleware(BaseMiddleware):
    """Everything a handler needs to know about its update, in one pass:

    - every text in the update (messages, captions, callback data, names) cleaned once, here,
      before any handler reads it: no NUL or other control character reaches a service, text
      is in Unicode NFC, and names carry no bidi overrides (`bot.edge_input`);
    - `session`: one database session per update, closed (and rolled back if uncommitted)
      when handling ends, and known to `ReleaseConnectionMiddleware` below;
    - `actor` (who this is, their roles) and `t` (their translator). Before a resident has
      chosen a language we speak the one their Telegram app uses, if we ship it, and
      otherwise the default.

    One middleware rather than three: each layer of aiogram's middleware chain costs a
    partial and a call per update, measurable in benchmarks/updates.py.
    """

    def __init__(
        self,
        settings: Settings,
        catalogs: Catalogs,
        sessionmaker: async_sessionmaker[AsyncSession],
        ledger: Ledger | None = None,
    ) -> None:
        self.coordinator_ids = settings.coordinator_ids
        self.catalogs = catalogs
        self.sessionmaker = sessionmaker
        self.ledger = ledger

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        # Once only (bot.update_ledger): a retried update, or one another instance has, is
        # not handled again; here, before a session is opened for it.
        update_id = event.update_id if isinstance(event, Update) else None
        bot: Bot | None = data.get("bot")
        if self.ledger is None or update_id is None or bot is None:
            return await self._handle(handler, event, data)
        if not await self.ledger.claim(bot.id, update_id):
            log.info("update %s was handled already: skipped", update_id)
            return UNHANDLED
        async with holding(self.ledger, bot.id, update_id):
            return await self._handle(handler, event, data)

    async def _handle(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        cleaned = _cleaned(event)
        if cleaned is not event and isinstance(cleaned, Update):
            # aiogram read who and where from the update before us; read it from the clean one.
            context = UserContextMiddleware.resolve_event_context(cleaned)
            data[EVENT_CONTEXT_KEY] = context
            if context.user is not None:
                data[EVENT_FROM_USER_KEY] = context.user
            if context.chat is not None:
                data[EVENT_CHAT_KEY] = context.chat
        user: User | None = data.get(EVENT_FROM_USER_KEY)
        if user is None or user.is_bot:
            # Nobody we could act for (a channel post, a bot, a message without a sender):
            # every handler needs an actor, so the update ends here, as one we do not handle.
            log.debug("update without a person to act for skipped")
            return UNHANDLED
        async with self.sessionmaker() as session:
            data["session"] = session
            token = _update_session.set(session)
            try:
                actor = await residents.identify(session, user.id, self.coordinator_ids)
                data["actor"] = actor
                data["t"] = self.catalogs.translator(
                    actor.locale or negotiate_locale(user.language_code)
                )
                return await handler(cleaned, data)
            finally:
                _update_session.reset(token)


class ReleaseConnectionMiddleware(BaseRequestMiddleware):
    """Never hold a database connection while waiting for Telegram.

    Services commit what they change; what is left open before a Bot API call is a read
    transaction, which we end so its connection goes back to the pool. With this, SQLite can
    run on one connection and PostgreSQL's pool is sized by queries, not by Telegram's latency.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = _update_session.get()
        if session is not None and session.in_transaction():
            if session.new or session.dirty or session.deleted:
                log.warning("uncommitted changes dropped before a Bot API call")
            await session.close()
        return await make_request(bot, method)
