"""/offer: what a resident can help with in each of their networks, how often they want to
hear about requests, and pausing their offers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import help as helping
from bot.services import networks
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.help import category_label
from handlers.callbacks import HelpAction, HelpCb
from handlers.filters import Act
from handlers.help.screens import CATEGORIES, FREQUENCIES, frequency_label, my_networks
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show


async def _offer_screen(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    network_id: int,
) -> None:
    offers = (await helping.offers_of(session, actor)).get(network_id, set())
    settings = await helping.helper_settings(session, actor)
    view = await networks.get_network(session, actor, network_id)
    text = "\n".join(
        [
            "<b>"
            + t.gettext("What can you help with in {network}?", network=quote(view.name))
            + "</b>",
            t.gettext("Tap to choose. Neighbours who need that kind of help will find you."),
        ]
        + (["", "⏸ " + t.gettext("Your offers are paused.")] if settings.paused else [])
    )
    cats = [
        button(
            ("✓ " if c in offers else "") + category_label(t, c),
            HelpCb(action=HelpAction.CATEGORY, request_id=network_id, arg=i),
        )
        for i, c in enumerate(CATEGORIES)
    ]
    freq = [
        button(
            ("✓ " if settings.frequency is f else "") + frequency_label(t, f),
            HelpCb(action=HelpAction.FREQUENCY, request_id=network_id, arg=i),
        )
        for i, f in enumerate(FREQUENCIES)
    ]
    pause = button(
        t.gettext("▶️ Resume my offers") if settings.paused else t.gettext("⏸ Pause my offers"),
        HelpCb(action=HelpAction.PAUSE, request_id=network_id, arg=0 if settings.paused else 1),
    )
    await show(target, text, markup(rows(cats, 1), rows(freq, 1), [[pause]]))


async def offer_button(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """The main menu's "Offer help": the same first step as /offer, in a new message."""
    await query.answer()
    if isinstance(query.message, Message):
        await offer_command(query.message, state, session, actor, t)


async def offer_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    mine = await my_networks(session, actor)
    if not mine:
        await message.answer(t.gettext("Join a network first: /networks"))
    elif len(mine) == 1:
        await _offer_screen(message, session, actor, t, mine[0].id)
    else:
        buttons = [
            button(v.name, HelpCb(action=HelpAction.OFFER_NETWORK, request_id=v.id)) for v in mine
        ]
        await message.answer(t.gettext("In which network?"), reply_markup=markup(rows(buttons, 2)))


async def offer_network(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await query.answer()
    await _offer_screen(query, session, actor, t, callback_data.request_id)


async def toggle_category(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    network_id = callback_data.request_id
    offers = (await helping.offers_of(session, actor)).get(network_id, set())
    offers ^= {CATEGORIES[callback_data.arg]}
    helper = await helping.helper_settings(session, actor)
    await helping.set_offer(session, actor, network_id, offers, helper.frequency)
    await query.answer(t.gettext("Saved."))
    await _offer_screen(query, session, actor, t, network_id)


async def choose_frequency(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    network_id = callback_data.request_id
    offers = (await helping.offers_of(session, actor)).get(network_id, set())
    await helping.set_offer(session, actor, network_id, offers, FREQUENCIES[callback_data.arg])
    await query.answer(t.gettext("Saved."))
    await _offer_screen(query, session, actor, t, network_id)


async def pause(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await helping.set_paused(session, actor, bool(callback_data.arg))
    await query.answer(t.gettext("Saved."))
    await _offer_screen(query, session, actor, t, callback_data.request_id)


def register(router: Router) -> None:
    router.message.register(offer_command, Command("offer"))
    router.callback_query.register(offer_button, Act(OpenMenu, F.item == MenuItem.OFFER))
    router.callback_query.register(
        offer_network, HelpCb.filter(F.action == HelpAction.OFFER_NETWORK)
    )
    router.callback_query.register(
        toggle_category,
        HelpCb.filter((F.action == HelpAction.CATEGORY) & F.arg.in_(range(len(CATEGORIES)))),
    )
    router.callback_query.register(
        choose_frequency,
        HelpCb.filter((F.action == HelpAction.FREQUENCY) & F.arg.in_(range(len(FREQUENCIES)))),
    )
    router.callback_query.register(pause, HelpCb.filter(F.action == HelpAction.PAUSE))
