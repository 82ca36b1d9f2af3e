"""Creating a network: its name, a description, area or interest group, and who can join."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import networks
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from db.models import NetworkKind
from handlers import keyboards
from handlers.callbacks import CoordAction, CoordCb
from handlers.coordinator.cards import card_text
from handlers.filters import FreeText
from handlers.replies import show
from handlers.states import NewNetworkFlow


async def start(
    query: CallbackQuery, bot: Bot, state: FSMContext, actor: Actor, t: Translator
) -> None:
    actor.require_coordinator()
    await state.set_state(NewNetworkFlow.name)
    await bot.send_message(
        query.from_user.id,
        t.gettext(
            "What is the new network called? (For example: Torstrand, or Walking group.) "
            "/cancel stops."
        ),
    )
    await query.answer()


async def name(message: Message, state: FSMContext, t: Translator) -> None:
    text = " ".join((message.text or "").split())
    if len(text) > networks.NAME_MAX:
        raise InvalidInput("name", "too_long", networks.NAME_MAX)  # type it again, shorter
    await state.update_data(name=text)
    await state.set_state(NewNetworkFlow.description)
    await message.answer(t.gettext("A short description: who is it for, and where? Or /skip."))


async def description(message: Message, state: FSMContext, t: Translator) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > networks.DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", networks.DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(None)
    options = [
        (t.gettext("An area (a neighbourhood or village)"), 0),
        (t.gettext("An interest group"), 1),
    ]
    await message.answer(
        t.gettext("Is it an area or an interest group?"),
        reply_markup=keyboards.choice(CoordAction.NEW_KIND, options),
    )


async def _started(query: CallbackQuery, state: FSMContext, actor: Actor, t: Translator) -> bool:
    """Whether this press belongs to a network being created (not a button left from one)."""
    actor.require_coordinator()
    if "name" in await state.get_data():
        return True
    await show(query, t.gettext("This button no longer works."))
    await query.answer()
    return False


async def choose_kind(
    query: CallbackQuery, callback_data: CoordCb, state: FSMContext, actor: Actor, t: Translator
) -> None:
    if not await _started(query, state, actor, t):
        return
    kind = NetworkKind.INTEREST if callback_data.arg else NetworkKind.AREA
    await state.update_data(kind=kind.value)
    options = [(t.gettext("🔓 Open to everyone"), 0), (t.gettext("🔒 By invite code"), 1)]
    await show(query, t.gettext("Who can join?"), keyboards.choice(CoordAction.NEW_POLICY, options))
    await query.answer()


async def choose_policy(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """The last step: the network is created."""
    if not await _started(query, state, actor, t):
        return
    data = await state.get_data()
    view = await networks.create_network(
        session,
        actor,
        name=data["name"],
        kind=NetworkKind(data.get("kind", "area")),
        description=data.get("description", ""),
        invite_only=bool(callback_data.arg),
    )
    await state.clear()
    text = (
        t.gettext("Created! Share the join link with the neighbours.")
        + "\n\n"
        + await card_text(bot, session, actor, t, view)
    )
    await show(query, text, keyboards.coordinator_card(t, view))
    await query.answer()


def register(router: Router) -> None:
    router.callback_query.register(start, CoordCb.filter(F.action == CoordAction.NEW))
    router.callback_query.register(choose_kind, CoordCb.filter(F.action == CoordAction.NEW_KIND))
    router.callback_query.register(
        choose_policy, CoordCb.filter(F.action == CoordAction.NEW_POLICY)
    )
    router.message.register(name, NewNetworkFlow.name, FreeText())
    router.message.register(description, NewNetworkFlow.description, Command("skip"))
    router.message.register(description, NewNetworkFlow.description, FreeText())
