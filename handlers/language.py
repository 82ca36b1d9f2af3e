"""Choosing a language: the first step of onboarding, and /language at any time after."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Catalogs, Translator, negotiate_locale
from bot.services import residents
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from handlers import keyboards, onboarding
from handlers.callbacks import LanguageCb
from handlers.commands import set_chat_menu
from handlers.filters import Act
from handlers.replies import show


async def _ask(target: Message | CallbackQuery, actor: Actor, catalogs: Catalogs) -> None:
    user = target.from_user
    app_locale = negotiate_locale(user.language_code if user else None)
    await show(
        target,
        onboarding.language_prompt(catalogs, actor.locale or app_locale),
        keyboards.languages(app_locale, current=actor.locale),
    )


async def language_command(
    message: Message, state: FSMContext, actor: Actor, catalogs: Catalogs
) -> None:
    await state.clear()
    await _ask(message, actor, catalogs)


async def language_button(query: CallbackQuery, actor: Actor, catalogs: Catalogs) -> None:
    await query.answer()
    await _ask(query, actor, catalogs)


async def chosen(
    query: CallbackQuery,
    callback_data: LanguageCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    before = actor
    actor = await residents.choose_language(
        session, actor, callback_data.code, query.from_user.first_name
    )
    t = catalogs.translator(actor.locale)
    await query.answer()
    # Telegram already shows the menu in the phone's language; a resident's own menu is only
    # needed when they chose another language, changed it, or get coordinator commands.
    if (
        actor.is_coordinator
        or before.locale is not None
        or t.locale != negotiate_locale(query.from_user.language_code)
    ):
        await set_chat_menu(bot, query.from_user.id, t, actor.is_coordinator)
    if not actor.onboarded:
        await onboarding.ask_privacy(query, t, query.from_user.first_name, settings.municipality)
        return
    intro = t.gettext("Done! I'll speak {language} from now on.", language=NATIVE_NAMES[t.locale])
    await onboarding.show_menu(query, t, actor, intro=intro)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="language")
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_button, Act(OpenMenu, F.item == MenuItem.LANGUAGE))
    router.callback_query.register(chosen, LanguageCb.filter())
    return router
