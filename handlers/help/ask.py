"""/ask: asking neighbours for help in four steps (the category, a short description, the day,
the network when there is more than one), then posting it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import help as helping
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.help import SENSITIVE, category_label
from handlers.callbacks import HelpAction, HelpCb
from handlers.filters import Act, FreeText
from handlers.help.screens import CATEGORIES, my_networks, request_line
from handlers.keyboards import button, markup, rows
from handlers.replies import show, stale
from handlers.states import HelpFlow

DAYS_AHEAD = 7  # the day buttons: today and the six days after it


async def ask_button(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    """The main menu's "Ask for help": the same first step as /ask, in a new message."""
    await query.answer()
    if isinstance(query.message, Message):
        await ask_command(query.message, state, session, actor, t, settings)


async def ask_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    await state.clear()
    if not await my_networks(session, actor):
        await message.answer(t.gettext("Join a network first: /networks"))
        return
    # Over the limit, say so now rather than after they have described what they need.
    await helping.may_ask(session, actor, limits=settings.rate_limits)
    buttons = [
        button(category_label(t, c), HelpCb(action=HelpAction.ASK_CATEGORY, arg=i))
        for i, c in enumerate(CATEGORIES)
    ]
    await message.answer(
        t.gettext("What do you need help with?"), reply_markup=markup(rows(buttons, 1))
    )


async def ask_category(
    query: CallbackQuery, callback_data: HelpCb, bot: Bot, state: FSMContext, t: Translator
) -> None:
    await state.clear()
    await state.update_data(category=callback_data.arg)
    await state.set_state(HelpFlow.description)
    await query.answer()
    # The choice stays on the question, its buttons go: pressed again after the request is
    # posted, they would start a second one.
    chosen = category_label(t, CATEGORIES[callback_data.arg])
    await show(query, t.gettext("What do you need help with?") + "\n✓ " + chosen)
    intro = t.gettext(
        "Describe briefly what you need. Don't write your address or phone number; "
        "you'll talk through the bot."
    )
    if CATEGORIES[callback_data.arg] in SENSITIVE:
        intro += "\n\n<i>" + helping.safety_note(t) + "</i>"
    await bot.send_message(query.from_user.id, intro + " /cancel")


async def ask_description(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    text = (message.text or "").strip()
    if len(text) > helping.DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", helping.DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(None)
    today = clock.now().astimezone(t.zone).date()
    days = [
        button(
            t.format_day(datetime.combine(today + timedelta(days=i), time(12), tzinfo=t.zone)),
            HelpCb(action=HelpAction.ASK_DAY, arg=i),
        )
        for i in range(DAYS_AHEAD)
    ]
    flexible = [button(t.gettext("Flexible"), HelpCb(action=HelpAction.ASK_DAY, arg=-1))]
    await message.answer(
        t.gettext("When do you need it?"), reply_markup=markup([flexible], rows(days, 2))
    )


async def ask_day(
    query: CallbackQuery,
    callback_data: HelpCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    data = await state.get_data()
    if "description" not in data:
        await stale(query, t)
        return
    arg = callback_data.arg
    today = clock.now().astimezone(t.zone).date()
    await state.update_data(day=None if arg < 0 else (today + timedelta(days=arg)).isoformat())
    mine = await my_networks(session, actor)
    await query.answer()
    if len(mine) == 1:
        await _post(query, state, session, actor, t, catalogs, settings, mine[0].id, machine)
    else:
        buttons = [
            button(v.name, HelpCb(action=HelpAction.ASK_NETWORK, request_id=v.id)) for v in mine
        ]
        await show(query, t.gettext("In which network?"), markup(rows(buttons, 2)))


async def ask_network(
    query: CallbackQuery,
    callback_data: HelpCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    if "description" not in await state.get_data():
        await stale(query, t)
        return
    await query.answer()
    await _post(
        query, state, session, actor, t, catalogs, settings, callback_data.request_id, machine
    )


async def _post(
    target: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    network_id: int,
    machine: MachineTranslation | None,
) -> None:
    data = await state.get_data()
    day = data.get("day")
    view, reached = await helping.ask(
        session,
        actor,
        catalogs,
        network_id=network_id,
        category=CATEGORIES[int(data["category"])],
        description=data.get("description", ""),
        needed_on=date.fromisoformat(day) if day else None,
        expiry=timedelta(days=settings.help_expiry_days),
        limits=settings.rate_limits,
        machine=machine,
    )
    await state.clear()
    if reached:
        text = t.ngettext(
            "Posted! {n} helper will hear about it. You'll get a message when someone can help.",
            "Posted! {n} helpers will hear about it. You'll get a message when someone can help.",
            reached,
        )
    else:  # not "0 helpers will hear about it": say what happens instead
        text = t.gettext(
            "Posted! No one has offered this kind of help yet, but everyone in the network can "
            "see it under /requests. You'll get a message when someone can help."
        )
    await show(target, text + "\n\n" + request_line(t, view))


def register(router: Router) -> None:
    router.message.register(ask_command, Command("ask"))
    router.callback_query.register(ask_button, Act(OpenMenu, F.item == MenuItem.ASK))
    router.message.register(ask_description, HelpFlow.description, FreeText())
    router.callback_query.register(
        ask_category,
        HelpCb.filter((F.action == HelpAction.ASK_CATEGORY) & F.arg.in_(range(len(CATEGORIES)))),
    )
    router.callback_query.register(
        ask_day,
        HelpCb.filter((F.action == HelpAction.ASK_DAY) & F.arg.in_(range(-1, DAYS_AHEAD))),
    )
    router.callback_query.register(ask_network, HelpCb.filter(F.action == HelpAction.ASK_NETWORK))
