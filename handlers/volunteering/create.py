"""➕ A new volunteer call, step by step: the network (if the host has several), title,
description (or /skip), place (or /skip), then shifts — when each starts (typed as for events:
"lørdag 10", "12.6 10:00"; what the parser cannot settle is asked), when it ends and how many
people — as many as needed, then a preview and Publish. The call lives in the conversation's
data until it is published; the service checks everything again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.services import volunteering
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, PermissionDenied
from bot.services.event_dates import DateProblem, DateQuestion, parse_time_of_day, parse_when
from bot.services.networks.views import NetworkName
from bot.services.volunteering import CallDraft, ShiftDraft
from bot.services.volunteering.views import CallView, ShiftView
from db.models import CallStatus
from handlers.filters import FreeText
from handlers.host_events.questions import problem_text, skip_hint
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show, stale
from handlers.states import VolunteerFlow
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb


def _skipped(message: Message) -> str:
    text = message.text or ""
    return "" if text.startswith("/skip") else text.strip()


def read_draft(data: dict[str, Any]) -> CallDraft | None:
    """The call as written so far; None for a press left over from another draft."""
    try:
        return CallDraft(
            network_id=int(data["network_id"]),
            title=data.get("title", ""),
            place=data.get("place", ""),
            description=data.get("description", ""),
            locale=data.get("locale", "nb"),
            shifts=tuple(
                ShiftDraft(datetime.fromisoformat(s), datetime.fromisoformat(e), int(n))
                for s, e, n in data.get("shifts", [])
            ),
        )
    except (KeyError, ValueError, TypeError):
        return None


async def _drafting(query: CallbackQuery, state: FSMContext, t: Translator) -> Message | None:
    data = await state.get_data()
    if "network_id" not in data or "vc" not in data or not isinstance(query.message, Message):
        await stale(query, t)
        return None
    return query.message


async def _begin(target: Message, state: FSMContext, t: Translator, network_id: int) -> None:
    locale = (await state.get_data()).get("locale", t.locale)
    await state.set_data({"vc": 1, "network_id": network_id, "locale": locale, "shifts": []})
    await state.set_state(VolunteerFlow.title)
    await target.answer(
        t.gettext(
            "What should volunteers help with? A short title, like “Clean up Torstrand park”. "
            "/cancel stops."
        )
    )


async def start(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """ "New call": hosts (and coordinators) only; the network first, if there is a choice."""
    networks = await volunteering.networks_to_host(session, actor)
    if not networks:
        raise PermissionDenied("host")
    await query.answer()
    await state.clear()
    await state.update_data(locale=t.locale)
    if not isinstance(query.message, Message):
        return
    if len(networks) == 1:
        await _begin(query.message, state, t, networks[0][0])
        return
    options = [
        button(name[:40], VolunteerCb(action=VolunteerAction.NETWORK, arg=network_id))
        for network_id, name in networks[:50]
    ]
    await show(query, t.gettext("In which network?"), markup(rows(options, 1)))


async def choose_network(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    hosted = {n for n, _ in await volunteering.networks_to_host(session, actor)}
    if callback_data.arg not in hosted or not isinstance(query.message, Message):
        raise PermissionDenied("host")
    await query.answer()
    await _begin(query.message, state, t, callback_data.arg)


async def on_title(message: Message, state: FSMContext, t: Translator) -> None:
    title = " ".join((message.text or "").split())
    if not title:
        raise InvalidInput("title", "empty")
    if len(title) > volunteering.TITLE_MAX:
        raise InvalidInput("title", "too_long", volunteering.TITLE_MAX)
    await state.update_data(title=title)
    await state.set_state(VolunteerFlow.description)
    await message.answer(
        t.gettext("Tell neighbours a little more: what you'll do, what to bring.")
        + " "
        + skip_hint(t)
    )


async def on_description(message: Message, state: FSMContext, t: Translator) -> None:
    text = _skipped(message)
    if len(text) > volunteering.DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", volunteering.DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(VolunteerFlow.place)
    await message.answer(t.gettext("Where do volunteers meet?") + " " + skip_hint(t))


async def _ask_start(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(VolunteerFlow.starts)
    await message.answer(
        t.gettext("When does the shift start? Write it like 12.6 10:00, lørdag 10 or i morgen 18.")
    )


async def on_place(message: Message, state: FSMContext, t: Translator) -> None:
    text = " ".join(_skipped(message).split())
    if len(text) > volunteering.PLACE_MAX:
        raise InvalidInput("place", "too_long", volunteering.PLACE_MAX)
    await state.update_data(place=text)
    await _ask_start(message, state, t)


async def _set_start(message: Message, state: FSMContext, t: Translator, start: datetime) -> None:
    await state.update_data(starts=start.isoformat(), candidates=[])
    await state.set_state(VolunteerFlow.ends)
    when = t.gettext("{day} at {time}", day=t.format_day(start), time=t.format_time(start))
    await message.answer(t.gettext("Starts {when}. When does it end? For example 13:00", when=when))


async def on_starts(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    result = parse_when(message.text or "", clock.now(), t.zone)
    if isinstance(result, DateQuestion):
        if result.problem is DateProblem.AMBIGUOUS and result.candidates:
            await state.update_data(candidates=[c.isoformat() for c in result.candidates])
            options = [
                button(
                    t.gettext("{day} at {time}", day=t.format_day(c), time=t.format_time(c)),
                    VolunteerCb(action=VolunteerAction.PICK, arg=i),
                )
                for i, c in enumerate(result.candidates)
            ]
            await message.answer(
                problem_text(t, result.problem), reply_markup=markup(rows(options, 1))
            )
            return
        if result.problem is DateProblem.NO_TIME:
            await message.answer(
                t.gettext("Please write the day and the time it starts, like 12.6 10:00.")
            )
            return
        await message.answer(problem_text(t, result.problem))
        return
    await _set_start(message, state, t, result.start)


async def pick_start(
    query: CallbackQuery, callback_data: VolunteerCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    candidates = (await state.get_data()).get("candidates", [])
    try:
        start_at = datetime.fromisoformat(candidates[callback_data.arg])
    except (ValueError, IndexError, TypeError):
        await stale(query, t)
        return
    await query.answer()
    await _set_start(message, state, t, start_at)


async def on_ends(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    start_at = datetime.fromisoformat(data["starts"])
    found = parse_time_of_day(message.text or "")
    if found is None:
        await message.answer(t.gettext("Please write the time it ends, like 13:00."))
        return
    local = start_at.astimezone(t.zone)
    end = local.replace(hour=found[0], minute=found[1])
    if end <= local:
        end += timedelta(days=1)  # ends after midnight
    await state.update_data(ends=end.isoformat())
    await state.set_state(VolunteerFlow.slots)
    await message.answer(t.gettext("How many people are needed for this shift? For example 5"))


async def on_slots(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    text = (message.text or "").strip()
    if not text.isdecimal() or not 1 <= int(text) <= volunteering.SLOTS_MAX:
        await message.answer(
            t.gettext(
                "Please write a number from 1 to {max}.", max=t.number(volunteering.SLOTS_MAX)
            )
        )
        return
    data = await state.get_data()
    shift = ShiftDraft(
        datetime.fromisoformat(data["starts"]), datetime.fromisoformat(data["ends"]), int(text)
    )
    volunteering.clean_shift(shift, clock.now())  # in the future, ends after it starts
    shifts = [
        *data.get("shifts", []),
        [shift.starts_at.isoformat(), shift.ends_at.isoformat(), shift.slots],
    ]
    await state.update_data(shifts=shifts)
    await state.set_state(None)
    when = volunteering.shift_when(t, shift.starts_at, shift.ends_at)
    added = t.ngettext(
        "Shift added: {when}, {n} person.",
        "Shift added: {when}, {n} people.",
        shift.slots,
        when=when,
    )
    options = [
        [
            button(
                t.gettext("Continue to the preview ›"), VolunteerCb(action=VolunteerAction.PREVIEW)
            )
        ]
    ]
    if len(shifts) < volunteering.SHIFTS_MAX:  # a call has at most that many
        another_shift = VolunteerCb(action=VolunteerAction.ANOTHER)
        options.insert(0, [button(t.gettext("➕ Add another shift"), another_shift)])
    await message.answer(added, reply_markup=markup(options))


async def another(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    await query.answer()
    await _ask_start(message, state, t)


def _preview_view(draft: CallDraft, network: str) -> CallView:
    return CallView(
        0,
        draft.network_id,
        NetworkName(network),
        draft.title,
        draft.description,
        draft.place,
        draft.locale,
        CallStatus.OPEN,
        tuple(ShiftView(0, 0, s.starts_at, s.ends_at, s.slots, 0) for s in draft.shifts),
    )


async def preview(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    message = await _drafting(query, state, t)
    draft = read_draft(await state.get_data())
    if message is None:
        return
    if draft is None or not draft.shifts:
        await stale(query, t)
        return
    draft = volunteering.clean_call(draft, clock.now())
    names = dict(await volunteering.networks_to_host(session, actor))
    if draft.network_id not in names:
        raise PermissionDenied("host")
    await query.answer()
    card = volunteering.call_card(t, _preview_view(draft, names[draft.network_id]))
    text = "\n\n".join(
        (
            "<b>" + t.gettext("Preview") + "</b>",
            card,
            t.gettext("Members of the network will hear about it and can sign up."),
        )
    )
    options = [
        [button(t.gettext("📣 Publish"), VolunteerCb(action=VolunteerAction.PUBLISH))],
        [button(t.gettext("🗑 Drop it"), VolunteerCb(action=VolunteerAction.DROP))],
    ]
    await message.answer(text, reply_markup=markup(options))


async def publish(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    draft = read_draft(await state.get_data())
    if draft is None or not draft.shifts:
        await stale(query, t)
        return
    view, sent = await volunteering.publish(session, actor, catalogs, draft, now=clock.now())
    await state.clear()
    await query.answer()
    told = sum(sent.by_locale.values())
    text = t.ngettext(
        "Published! {n} member will hear about “{call}”.",
        "Published! {n} members will hear about “{call}”.",
        told,
        call=quote(view.title),
    )
    if sent.held_all:
        text += "\n" + t.gettext(
            "The network has had several notices today, so this one waits for the weekly digest."
        )
    await show(
        query,
        text,
        markup(
            [[button(t.gettext("« Volunteer calls"), VolunteerCb(action=VolunteerAction.LIST))]]
        ),
    )


async def drop(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.answer()
    await show(query, t.gettext("Dropped. Nothing was sent."))


def register(router: Router) -> None:
    def on(action: VolunteerAction) -> Any:
        return VolunteerCb.filter(F.action == action)

    router.callback_query.register(start, on(VolunteerAction.NEW))
    router.callback_query.register(choose_network, on(VolunteerAction.NETWORK))
    router.callback_query.register(pick_start, on(VolunteerAction.PICK))
    router.callback_query.register(another, on(VolunteerAction.ANOTHER))
    router.callback_query.register(preview, on(VolunteerAction.PREVIEW))
    router.callback_query.register(publish, on(VolunteerAction.PUBLISH))
    router.callback_query.register(drop, on(VolunteerAction.DROP))
    router.message.register(on_title, VolunteerFlow.title, FreeText())
    router.message.register(on_description, VolunteerFlow.description, Command("skip"))
    router.message.register(on_description, VolunteerFlow.description, FreeText())
    router.message.register(on_place, VolunteerFlow.place, Command("skip"))
    router.message.register(on_place, VolunteerFlow.place, FreeText())
    router.message.register(on_starts, VolunteerFlow.starts, FreeText())
    router.message.register(on_ends, VolunteerFlow.ends, FreeText())
    router.message.register(on_slots, VolunteerFlow.slots, FreeText())
