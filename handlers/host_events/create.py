"""Starting an event and the steps typed in order: its title, a description, when it ends,
where it is and whether newcomers can join without Norwegian. The start time has its own
module (`when`), the versions in other languages theirs (`translations`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.services import events, networks
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.event_dates import parse_time_of_day
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.filters import FreeText
from handlers.host_events.drafting import drafting
from handlers.host_events.questions import ask_translations, ask_when, skip_hint
from handlers.keyboards import button, markup
from handlers.states import EventFlow


async def start(
    query: CallbackQuery,
    callback_data: HostEventCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """ "New event" on a network's card: hosts (and coordinators) only."""
    await events.audience(session, actor, callback_data.network_id)  # hosts only
    await networks.get_network(session, actor, callback_data.network_id)  # still there
    await state.clear()
    await state.update_data(
        network_id=callback_data.network_id,
        locale=t.locale,
        translations={},
    )
    await state.set_state(EventFlow.title)
    await query.answer()
    await bot.send_message(
        query.from_user.id, t.gettext("What is the event called? /cancel stops.")
    )


async def on_title(message: Message, state: FSMContext, t: Translator) -> None:
    title = " ".join((message.text or "").split())
    if len(title) > events.TITLE_MAX:
        raise InvalidInput("title", "too_long", events.TITLE_MAX)  # type it again, shorter
    await state.update_data(title=title)
    await state.set_state(EventFlow.description)
    await message.answer(
        t.gettext("Tell members a little about it: what, for whom, what to bring.")
        + " "
        + skip_hint(t)
    )


async def on_description(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > events.DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", events.DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(EventFlow.when)
    await ask_when(message, t, clock)


async def on_ends(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    start = datetime.fromisoformat(data["starts"])
    text = message.text or ""
    if not text.startswith("/skip"):
        clock = parse_time_of_day(text)
        if clock is None:
            await message.answer(
                t.gettext("Please write the time it ends, like 20:00.") + " " + skip_hint(t)
            )
            return
        local = start.astimezone(t.zone)
        end = local.replace(hour=clock[0], minute=clock[1])
        if end <= local:
            end += timedelta(days=1)  # ends after midnight
        await state.update_data(ends=end.isoformat())
    await state.set_state(EventFlow.place)
    await message.answer(t.gettext("Where is it?") + " " + skip_hint(t))


async def on_place(message: Message, state: FSMContext, t: Translator) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > events.PLACE_MAX:
        raise InvalidInput("place", "too_long", events.PLACE_MAX)
    await state.update_data(place=text)
    await state.set_state(None)
    await message.answer(
        t.gettext("Can newcomers join without speaking Norwegian?"),
        reply_markup=markup(
            [
                [
                    button(
                        t.gettext("Yes, no Norwegian needed"),
                        HostEventCb(action=HostEventAction.NO_NORWEGIAN, arg="1"),
                    )
                ],
                [
                    button(
                        t.gettext("No"), HostEventCb(action=HostEventAction.NO_NORWEGIAN, arg="0")
                    )
                ],
            ]
        ),
    )


async def no_norwegian(
    query: CallbackQuery, callback_data: HostEventCb, state: FSMContext, t: Translator
) -> None:
    message = await drafting(query, state, t)
    if message is None:
        return
    await query.answer()
    await state.update_data(nn=callback_data.arg == "1")
    await ask_translations(message, t, await state.get_data())


def register(router: Router) -> None:
    router.callback_query.register(start, HostEventCb.filter(F.action == HostEventAction.NEW))
    router.callback_query.register(
        no_norwegian, HostEventCb.filter(F.action == HostEventAction.NO_NORWEGIAN)
    )
    router.message.register(on_title, EventFlow.title, FreeText())
    router.message.register(on_description, EventFlow.description, Command("skip"))
    router.message.register(on_description, EventFlow.description, FreeText())
    router.message.register(on_ends, EventFlow.ends, Command("skip"))
    router.message.register(on_ends, EventFlow.ends, FreeText())
    router.message.register(on_place, EventFlow.place, Command("skip"))
    router.message.register(on_place, EventFlow.place, FreeText())
