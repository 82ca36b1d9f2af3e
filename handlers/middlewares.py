"""Per-update context: a database session, who is talking, and their translator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import Catalogs, negotiate_locale
from bot.services import residents

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class SessionMiddleware(BaseMiddleware):
    """One session per update, closed (and rolled back if uncommitted) when handling ends."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            data["session"] = session
            return await handler(event, data)


class ActorMiddleware(BaseMiddleware):
    """Puts `actor` (who this is, their roles) and `t` (their translator) into handler data.

    Before a resident has chosen a language we speak the one their Telegram app uses, if we
    ship it, and otherwise the default.
    """

    def __init__(self, settings: Settings, catalogs: Catalogs) -> None:
        self.coordinator_ids = settings.coordinator_ids
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        session: AsyncSession = data["session"]
        actor = await residents.identify(session, user.id, self.coordinator_ids)
        # Give the connection back while the handler talks to Telegram; the services take one
        # again when they need it.
        await session.close()
        data["actor"] = actor
        data["t"] = self.catalogs.translator(actor.locale or negotiate_locale(user.language_code))
        return await handler(event, data)
