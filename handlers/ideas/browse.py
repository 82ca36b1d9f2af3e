"""/ideas and "💡 Ideas" from the Take part hub: the ideas of a resident's networks, a page at a
time, supported with one tap (pressed again, the support is withdrawn); an idea's card with the
original words one tap away, Report, and the host's tools for its hosts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import ideas
from bot.services.actions import AnswerIdea, MenuItem, OpenMenu, SupportIdea
from bot.services.actors import Actor
from handlers.callbacks import IdeaAction, IdeaCb, ListKind, PageCb
from handlers.filters import Act
from handlers.help.screens import reported_text
from handlers.ideas.screens import card_keyboard, card_text, list_screen
from handlers.replies import show


async def ideas_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await state.clear()
    text, keyboard, _ = await list_screen(session, actor, t, 0, machine)
    await message.answer(text, reply_markup=keyboard)


async def ideas_button(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """ "💡 Ideas" from the Take part hub or a notice; also where proposing is cancelled."""
    await state.clear()
    text, keyboard, _ = await list_screen(session, actor, t, 0, machine)
    await query.answer()
    await show(query, text, keyboard)


async def ideas_page(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """Another page of the list (‹ ›, and « Ideas on a card)."""
    text, keyboard, moved = await list_screen(session, actor, t, callback_data.page, machine)
    if moved:
        await query.answer(
            t.gettext("That page is gone: the list has changed. Here is the nearest one."),
            show_alert=True,
        )
    else:
        await query.answer()
    await show(query, text, keyboard)


async def support_in_list(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """The list's toggle: support (or withdraw), then the same page again."""
    done = await ideas.set_support(session, actor, callback_data.idea_id)
    await query.answer(_supported_text(t, done))
    text, keyboard, _ = await list_screen(session, actor, t, callback_data.arg, machine)
    await show(query, text, keyboard)


def _supported_text(t: Translator, done: ideas.Support) -> str:
    if done.supported:
        return t.ngettext(
            "You support this idea, with {n} neighbour in all.",
            "You support this idea, with {n} neighbours in all.",
            done.supporters,
        )
    return t.gettext("You no longer support this idea.")


async def open_card(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    text, keyboard = await card(
        session, actor, t, callback_data.idea_id, callback_data.arg, machine
    )
    await query.answer()
    await show(query, text, keyboard)


async def card(
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    idea_id: int,
    page: int,
    machine: MachineTranslation | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """An idea's card: refused (before the press is answered) if the reader may not see it."""
    view = await ideas.idea(session, actor, idea_id, machine=machine, locale=t.locale)
    hosting = await ideas.may_answer(session, actor, view.network_id)
    return card_text(t, view), card_keyboard(t, view, hosting, page)


async def support_on_card(
    query: CallbackQuery,
    action: SupportIdea,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    done = await ideas.set_support(session, actor, action.idea_id)
    text, keyboard = await card(session, actor, t, action.idea_id, 0, machine)
    await query.answer(_supported_text(t, done))
    await show(query, text, keyboard)


async def answer_from_notice(
    query: CallbackQuery,
    action: AnswerIdea,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """The host's notice of a new idea (or a coordinator's of a forwarded one): its card, with
    the tools to answer it. Only those who may answer get it."""
    await ideas.require_answerer(session, actor, action.idea_id)
    text, keyboard = await card(session, actor, t, action.idea_id, 0, machine)
    await query.answer()
    await show(query, text, keyboard)


async def report(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    settings: Settings,
) -> None:
    new = await ideas.report(
        session, actor, catalogs, callback_data.idea_id, limits=settings.rate_limits
    )
    await query.answer(reported_text(t, new), show_alert=True)


def register(router: Router) -> None:
    router.message.register(ideas_command, Command("ideas"))
    router.callback_query.register(ideas_button, Act(OpenMenu, F.item == MenuItem.IDEAS))
    router.callback_query.register(ideas_page, PageCb.filter(F.kind == ListKind.IDEAS))
    router.callback_query.register(support_in_list, IdeaCb.filter(F.action == IdeaAction.SUPPORT))
    router.callback_query.register(open_card, IdeaCb.filter(F.action == IdeaAction.CARD))
    router.callback_query.register(report, IdeaCb.filter(F.action == IdeaAction.REPORT))
    router.callback_query.register(support_on_card, Act(SupportIdea))
    router.callback_query.register(answer_from_notice, Act(AnswerIdea))
