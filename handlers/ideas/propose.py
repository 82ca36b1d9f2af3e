"""Proposing an idea: the network (when the resident is in more than one), the words (in any
language, up to 500 characters), a look at it before it is posted, then posting."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import ideas
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from handlers.callbacks import IdeaAction, IdeaCb
from handlers.filters import FreeText
from handlers.help.screens import my_networks
from handlers.ideas.screens import card_keyboard, card_text
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show, stale
from handlers.states import IdeaFlow


def _cancel(t: Translator) -> list[list[InlineKeyboardButton]]:
    return [[button(t.gettext("✖ Cancel"), OpenMenu(MenuItem.IDEAS))]]


async def start(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    await state.clear()
    mine = await my_networks(session, actor)
    if not mine:
        await query.answer(t.gettext("Join a network first: /networks"), show_alert=True)
        return
    # Over the limit, say so now rather than after they have written their idea.
    await ideas.may_propose(session, actor, limits=settings.rate_limits)
    await query.answer()
    if len(mine) == 1:
        await _ask_text(query, state, t, mine[0].id, mine[0].name)
        return
    buttons = [button(v.name, IdeaCb(action=IdeaAction.NETWORK, idea_id=v.id)) for v in mine]
    await show(
        query,
        t.gettext("Which network is your idea for?"),
        markup(rows(buttons, 2), _cancel(t)),
    )


async def network(
    query: CallbackQuery,
    callback_data: IdeaCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    chosen = {v.id: v for v in await my_networks(session, actor)}.get(callback_data.idea_id)
    if chosen is None:  # not theirs (any more), or made up
        await stale(query, t)
        return
    await query.answer()
    await _ask_text(query, state, t, chosen.id, chosen.name)


async def _ask_text(
    query: CallbackQuery, state: FSMContext, t: Translator, network_id: int, name: str
) -> None:
    await state.set_state(IdeaFlow.text)
    await state.update_data(idea_network=network_id, idea_network_name=name)
    await show(
        query,
        t.gettext(
            "💡 Your idea for {network}: what would make it a better place? Write it in a few "
            "sentences, in any language (at most {n} characters). /cancel",
            network=quote(name),
            n=t.number(ideas.TEXT_MAX),
        ),
        markup(_cancel(t)),
    )


async def text(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    if "idea_network" not in data:
        await state.clear()
        return
    words = ideas.clean_text(message.text or "")  # refused here, and the step stays
    await state.update_data(idea_text=words)
    await state.set_state(None)
    await message.answer(
        "\n".join(
            (
                t.gettext(
                    "Your idea for {network}:",
                    network=quote(str(data.get("idea_network_name", ""))),
                ),
                "",
                f"«{quote(words)}»",
                "",
                t.gettext("Post it? Your neighbours can then support it, and the hosts answer."),
            )
        ),
        reply_markup=markup(
            [[button(t.gettext("✅ Post the idea"), IdeaCb(action=IdeaAction.POST))]],
            _cancel(t),
        ),
    )


async def post(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    data = await state.get_data()
    if "idea_text" not in data or "idea_network" not in data:
        await stale(query, t)
        return
    view = await ideas.propose(
        session,
        actor,
        catalogs,
        network_id=int(data["idea_network"]),
        text=str(data["idea_text"]),
        limits=settings.rate_limits,
        machine=machine,
    )
    await state.clear()
    await query.answer()
    hosting = await ideas.may_answer(session, actor, view.network_id)
    await show(
        query,
        t.gettext("Posted! Your neighbours can support it now, and the hosts will answer.")
        + "\n\n"
        + card_text(t, view),
        card_keyboard(t, view, hosting, 0),
    )


def register(router: Router) -> None:
    router.callback_query.register(start, IdeaCb.filter(F.action == IdeaAction.PROPOSE))
    router.callback_query.register(network, IdeaCb.filter(F.action == IdeaAction.NETWORK))
    router.callback_query.register(post, IdeaCb.filter(F.action == IdeaAction.POST))
    router.message.register(text, IdeaFlow.text, FreeText())
