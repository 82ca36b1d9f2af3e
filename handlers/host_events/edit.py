"""Changing and cancelling a published event, from its card in /events: the host picks a
field and types its new value, or confirms the cancellation; those coming are told."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import events
from bot.services.actors import Actor
from bot.services.event_dates import DateProblem, DateQuestion, parse_when
from bot.services.events import EventDraft, EventView
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.filters import FreeText
from handlers.host_events.questions import problem_text
from handlers.keyboards import button, markup, rows
from handlers.replies import show, stale
from handlers.states import EventFlow

FIELDS = ("title", "description", "when", "place")


async def _hosted_event(session: AsyncSession, actor: Actor, event_id: int) -> EventView:
    """The event, if the actor hosts its network (or coordinates); else a refusal."""
    view = await events.get(session, actor, event_id)
    await events.audience(session, actor, view.network_id)  # hosts only
    return view


async def choose_field(
    query: CallbackQuery,
    callback_data: HostEventCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """ "Change" on the event's card: which field."""
    event_id = callback_data.event_id
    await _hosted_event(session, actor, event_id)
    await query.answer()
    labels = {
        "title": t.gettext("Title"),
        "description": t.gettext("Description"),
        "when": t.gettext("Time"),
        "place": t.gettext("Place"),
    }
    options = [
        button(labels[f], HostEventCb(action=HostEventAction.FIELD, event_id=event_id, arg=f))
        for f in FIELDS
    ]
    await show(
        query,
        t.gettext("What do you want to change? Those coming will be told."),
        markup(rows(options, 2)),
    )


async def ask_value(
    query: CallbackQuery,
    callback_data: HostEventCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """A field chosen: its new value is asked."""
    event_id, field = callback_data.event_id, callback_data.arg
    view = await _hosted_event(session, actor, event_id)
    if field not in FIELDS:
        await stale(query, t)
        return
    await state.clear()
    await state.update_data(edit_event=event_id, edit_field=field, network_id=view.network_id)
    await state.set_state(EventFlow.edit_value)
    await query.answer()
    prompts = {
        "title": t.gettext("The new title:"),
        "description": t.gettext("The new description:"),
        "when": t.gettext("The new time, like 3.12 18:00:"),
        "place": t.gettext("The new place:"),
    }
    await bot.send_message(query.from_user.id, prompts[field] + " /cancel")


async def on_edit_value(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    data = await state.get_data()
    field, event_id = data.get("edit_field"), int(data.get("edit_event", 0))
    view = await events.get(session, actor, event_id)
    draft = view.draft()  # a calendar's all-day event stays one when its place changes
    text = (message.text or "").strip()
    if field == "when":
        result = parse_when(text, clock.now(), t.zone)
        if isinstance(result, DateQuestion):
            problem = (
                DateProblem.UNREADABLE
                if result.problem is DateProblem.AMBIGUOUS
                else result.problem
            )
            await message.answer(problem_text(t, problem))
            return
        length = (view.ends_at - view.starts_at) if view.ends_at else None
        # A time of day was given: it is a timed event from now on.
        draft = replace(
            draft,
            starts_at=result.start,
            ends_at=result.start + length if length else None,
            all_day=False,
        )
    elif field in ("title", "description", "place"):
        draft = EventDraft(**{**draft.__dict__, field: text})
    updated = await events.update(session, actor, catalogs, event_id, draft, machine=machine)
    await state.clear()
    await message.answer(
        t.gettext("Saved. Those coming are told.") + "\n\n" + events.event_card(t, updated)
    )


async def ask_cancel(
    query: CallbackQuery,
    callback_data: HostEventCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """ "Cancel the event" on its card: asked once more, since those coming are told."""
    event_id = callback_data.event_id
    await _hosted_event(session, actor, event_id)
    await query.answer()
    confirm = button(
        t.gettext("❌ Yes, cancel the event"),
        HostEventCb(action=HostEventAction.CONFIRM, event_id=event_id),
    )
    await show(
        query,
        t.gettext("Cancel this event? Those who said they are coming will be told."),
        markup([[confirm]]),
    )


async def cancel(
    query: CallbackQuery,
    callback_data: HostEventCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    await _hosted_event(session, actor, callback_data.event_id)
    await events.cancel(session, actor, catalogs, callback_data.event_id, machine=machine)
    await query.answer()
    await show(query, t.gettext("The event is cancelled, and those coming are told."))


def register(router: Router) -> None:
    router.callback_query.register(
        choose_field, HostEventCb.filter(F.action == HostEventAction.EDIT)
    )
    router.callback_query.register(ask_value, HostEventCb.filter(F.action == HostEventAction.FIELD))
    router.callback_query.register(
        ask_cancel, HostEventCb.filter(F.action == HostEventAction.CANCEL)
    )
    router.callback_query.register(cancel, HostEventCb.filter(F.action == HostEventAction.CONFIRM))
    router.message.register(on_edit_value, EventFlow.edit_value, FreeText())
