"""When the event starts: typed the Norwegian way ("torsdag 18", "i morgen 19.30") or a day
picked from buttons and then a time. What the parser cannot settle is asked, never guessed:
"7" is morning or evening, and the host picks one."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.i18n import Translator
from bot.services.event_dates import DateProblem, DateQuestion, parse_when
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.filters import FreeText
from handlers.host_events.drafting import drafting
from handlers.host_events.questions import problem_text, skip_hint
from handlers.keyboards import button, markup, rows
from handlers.replies import stale
from handlers.states import EventFlow


async def _set_start(message: Message, state: FSMContext, t: Translator, start: datetime) -> None:
    await state.update_data(starts=start.isoformat(), candidates=[])
    await state.set_state(EventFlow.ends)
    when = t.gettext("{day} at {time}", day=t.format_day(start), time=t.format_time(start))
    await message.answer(
        t.gettext("Starts {when}. When does it end? For example 20:00", when=when)
        + " "
        + skip_hint(t)
    )


async def _read_when(
    message: Message, state: FSMContext, t: Translator, text: str, now: datetime
) -> None:
    result = parse_when(text, now, t.zone)
    if isinstance(result, DateQuestion):
        if result.problem is DateProblem.AMBIGUOUS and result.candidates:
            await state.update_data(candidates=[c.isoformat() for c in result.candidates])
            options = [
                button(
                    t.gettext("{day} at {time}", day=t.format_day(c), time=t.format_time(c)),
                    HostEventCb(action=HostEventAction.PICK, arg=str(i)),
                )
                for i, c in enumerate(result.candidates)
            ]
            await message.answer(
                problem_text(t, result.problem), reply_markup=markup(rows(options, 1))
            )
            return
        if result.problem is DateProblem.NO_TIME:
            parsed = parse_when(text + " 12:00", now, t.zone)
            if not isinstance(parsed, DateQuestion):
                await state.update_data(day=parsed.start.date().isoformat())
                await state.set_state(EventFlow.time)
        await message.answer(problem_text(t, result.problem))
        return
    await _set_start(message, state, t, result.start)


async def on_when(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    await _read_when(message, state, t, message.text or "", clock.now())


async def on_time(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    now = clock.now()
    day = date.fromisoformat((await state.get_data()).get("day", now.date().isoformat()))
    # Through the full parser, so "7" is still asked as morning or evening.
    text = f"{day.day}.{day.month}.{day.year} {message.text or ''}"
    await _read_when(message, state, t, text, now)


async def pick_day(
    query: CallbackQuery, callback_data: HostEventCb, state: FSMContext, t: Translator
) -> None:
    """A day button: the time is asked next."""
    message = await drafting(query, state, t)
    if message is None:
        return
    try:
        day = date.fromisoformat(callback_data.arg)
    except ValueError:
        await stale(query, t)
        return
    await query.answer()
    await state.update_data(day=day.isoformat())
    await state.set_state(EventFlow.time)
    await message.answer(problem_text(t, DateProblem.NO_TIME))


async def pick_time(
    query: CallbackQuery, callback_data: HostEventCb, state: FSMContext, t: Translator
) -> None:
    """One of the times the parser could not choose between."""
    message = await drafting(query, state, t)
    if message is None:
        return
    candidates = (await state.get_data()).get("candidates", [])
    try:
        start = datetime.fromisoformat(candidates[int(callback_data.arg)])
    except (ValueError, IndexError):
        await stale(query, t)
        return
    await query.answer()
    await _set_start(message, state, t, start)


def register(router: Router) -> None:
    router.callback_query.register(pick_day, HostEventCb.filter(F.action == HostEventAction.DAY))
    router.callback_query.register(pick_time, HostEventCb.filter(F.action == HostEventAction.PICK))
    router.message.register(on_when, EventFlow.when, FreeText())
    router.message.register(on_time, EventFlow.time, FreeText())
