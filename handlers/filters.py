"""Filters that route by where a resident is in the product."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.services.actors import Actor


class Onboarded(Filter):
    """True for residents who chose a language and accepted the privacy notice."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.onboarded


class FreeText(Filter):
    """A typed answer: text that is not a command (commands always mean the command)."""

    async def __call__(self, event: TelegramObject) -> bool:
        text = getattr(event, "text", None)
        return isinstance(text, str) and not text.startswith("/")
