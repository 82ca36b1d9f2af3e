"""/start (with deep links), the privacy notice, the main menu and /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import residents
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.errors import NotFound
from handlers import onboarding
from handlers.callbacks import PrivacyAction, PrivacyCb
from handlers.filters import Act
from handlers.networks import join_by_link


async def start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    await state.clear()
    payload = command.args
    if actor.onboarded:
        if payload:
            await join_by_link(message, payload, session, actor, t, state, machine)
        else:
            await onboarding.show_menu(message, t, actor)
        return
    if payload:
        # Kept until the privacy notice is accepted, then acted on (see `accept`).
        await state.update_data(pending_link=payload[:64])
    await onboarding.resume(message, actor, t, catalogs, settings.municipality)


async def accept(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    try:
        actor = await residents.accept_privacy(session, actor)
    except NotFound:
        await query.answer()
        await onboarding.ask_language(query, catalogs, query.from_user.language_code)
        return
    await query.answer()
    pending = (await state.get_data()).get("pending_link")
    await state.clear()
    await onboarding.show_menu(query, t, actor, intro=t.gettext("You're all set! 🎉"))
    if pending and isinstance(query.message, Message):
        await join_by_link(query.message, pending, session, actor, t, state, machine)


async def menu(query: CallbackQuery, state: FSMContext, actor: Actor, t: Translator) -> None:
    await state.clear()
    await query.answer()
    await onboarding.show_menu(query, t, actor)


async def cancel(message: Message, state: FSMContext, actor: Actor, t: Translator) -> None:
    had_flow = await state.get_state() is not None
    await state.clear()
    if actor.onboarded:
        intro = t.gettext("OK, cancelled.") if had_flow else None
        await onboarding.show_menu(message, t, actor, intro=intro)
    else:
        await message.answer(t.gettext("Nothing to cancel. Send /start to begin."))


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.callback_query.register(accept, PrivacyCb.filter(F.action == PrivacyAction.ACCEPT))
    router.callback_query.register(menu, Act(OpenMenu, F.item == MenuItem.HOME))
    router.message.register(cancel, Command("cancel"))
    return router
