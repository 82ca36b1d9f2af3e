"""The last router: whatever nothing else handled gets a short, translated hint."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.services.actors import Actor
from handlers import onboarding
from handlers.filters import Onboarded
from handlers.replies import stale


async def not_onboarded(
    message: Message, actor: Actor, t: Translator, catalogs: Catalogs, settings: Settings
) -> None:
    await message.answer(t.gettext("Let's finish setting up first."))
    await onboarding.resume(message, actor, t, catalogs, settings.municipality)


async def not_onboarded_button(
    query: CallbackQuery, actor: Actor, t: Translator, catalogs: Catalogs, settings: Settings
) -> None:
    await query.answer(t.gettext("Let's finish setting up first."))
    await onboarding.resume(query, actor, t, catalogs, settings.municipality)


async def anything_else(message: Message, t: Translator, settings: Settings) -> None:
    text = message.text or ""
    if text.startswith("/"):
        command = text.split()[0].split("@")[0][:32]
        await message.answer(
            t.gettext(
                "I don't know the command {command}. /help shows what I can do.", command=command
            )
        )
    elif len(text) > settings.max_text_length:
        await message.answer(
            t.gettext(
                "That's a long message! I can't read free text, though. /help shows what I can do."
            )
        )
    else:
        await message.answer(
            t.gettext(
                "I work with buttons and commands. /help shows what I can do, "
                "/start opens the menu."
            )
        )


async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await stale(query, t)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="fallback")
    router.message.register(not_onboarded, ~Onboarded())
    router.callback_query.register(not_onboarded_button, ~Onboarded())
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    return router
