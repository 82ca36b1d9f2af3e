"""/events: upcoming events in my networks, answering coming / maybe / can't come, and the
calendar file; hosts see who is coming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.documents import TypedFile
from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import calendar_subscriptions, events
from bot.services.actions import (
    CalendarFile,
    MenuItem,
    OpenMenu,
    OriginalOf,
    Rsvp,
    SeriesRsvp,
)
from bot.services.actors import Actor
from bot.services.events import EventView
from bot.services.events.series import series_label
from bot.services.machine_texts import original_button
from db.models import Answer
from handlers import paging
from handlers.callbacks import EventAction, EventCb, HostEventAction, HostEventCb, ListKind, PageCb
from handlers.filters import Act, Onboarded
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show

PER_PAGE = 8  # events a page at most, for readability; fewer when they are long
EVENTS_READ = 1000  # every upcoming event in practice; the pages keep it readable
ANSWER_ICONS = {Answer.YES: "✅", Answer.MAYBE: "🤔", Answer.NO: "❌"}


def answer_labels(t: Translator) -> dict[Answer, str]:
    return {
        Answer.YES: t.gettext("✅ Coming"),
        Answer.MAYBE: t.gettext("🤔 Maybe"),
        Answer.NO: t.gettext("❌ Can't come"),
    }


def counts_line(view: EventView) -> str:
    return f"✅ {view.counts.get(Answer.YES, 0)} · 🤔 {view.counts.get(Answer.MAYBE, 0)}"


def list_rows(t: Translator, views: list[EventView]) -> tuple[str, list[str]]:
    """Upcoming events: a header and a few lines per event (a title and a network name, both
    bounded, so an event is never split across pages)."""
    header = "<b>" + t.gettext("Upcoming events") + "</b>"
    rows = []
    for view in views:
        title, _, _ = view.text_for(t.locale)
        rows.append(
            "\n".join(
                [
                    "",
                    f"<b>{quote(title)}</b> · {quote(view.network_name_in(t.locale))}",
                    f"🕒 {events.when_text(t, view)}",
                    counts_line(view),
                ]
            )
        )
    return header, rows


def list_page(
    t: Translator, views: list[EventView], number: int
) -> tuple[str, InlineKeyboardMarkup, paging.Shown | None]:
    """Page `number` of the upcoming events, paged by length and at most `PER_PAGE` events a
    page, with a button to open each event on it."""
    home = [button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]
    if not views:
        text = t.gettext(
            "No upcoming events in your networks yet. /networks shows where you can join."
        )
        return text, markup([home]), None
    header, rows_ = list_rows(t, views)
    shown = paging.page_of(t, ListKind.EVENTS, 0, header, rows_, number, max_rows=PER_PAGE)
    on_page = views[shown.page.first : shown.page.first + len(shown.page.rows)]
    opens = [
        button(view.text_for(t.locale)[0][:40], EventCb(action=EventAction.OPEN, event_id=view.id))
        for view in on_page
    ]
    return shown.text, markup(rows(opens, 1), [shown.nav], [home]), shown


def card_keyboard(
    t: Translator, view: EventView, is_host: bool, now: datetime
) -> InlineKeyboardMarkup:
    """The card's buttons: answers, calendar and, for hosts, who's coming, change and cancel.
    Once the event is over or cancelled only what still works is offered."""
    labels = answer_labels(t)
    open_ = view.open_to_answers(now)
    answers = [
        button(
            ("• " if view.my_answer is a else "") + labels[a],
            Rsvp(view.id, a),
        )
        for a in Answer
        if open_
    ]
    extra = []
    if view.series is not None and open_:
        every = Answer.NO if view.series.my_answer is Answer.YES else Answer.YES
        extra.append(button(series_label(t, view.series), SeriesRsvp(view.series.id, every)))
    if open_:
        extra.append(button(t.gettext("📅 Add to calendar"), CalendarFile(view.id)))
    if is_host:
        extra.append(
            button(t.gettext("👥 Who's coming"), EventCb(action=EventAction.WHO, event_id=view.id))
        )
    if is_host and open_:
        extra += [
            button(
                t.gettext("✏️ Change"), HostEventCb(action=HostEventAction.EDIT, event_id=view.id)
            ),
            button(
                t.gettext("❌ Cancel the event"),
                HostEventCb(action=HostEventAction.CANCEL, event_id=view.id),
            ),
        ]
    if view.is_machine(t.locale):
        original = original_button(t, OriginalOf.EVENT, view.id)
        extra.append(button(original.text, original.action))
    back = [button(t.gettext("« Events"), EventCb(action=EventAction.LIST, event_id=0))]
    return markup([answers], rows(extra, 1), [back])


async def in_reader_language(
    view: EventView, machine: MachineTranslation | None, t: Translator
) -> EventView:
    """The view with its title and description machine-translated for this reader, when the
    host wrote none in their language (a cached translation costs no request)."""
    return await events.translated(view, machine, (t.locale,))


def card_text(t: Translator, view: EventView) -> str:
    text = f"{events.event_card(t, view)}\n\n{counts_line(view)}"
    if view.series is not None and view.series.my_answer is Answer.YES:
        text += "\n" + t.gettext("🔁 You're coming every time.")
        if view.my_answer not in (None, Answer.YES):
            label = answer_labels(t)[view.my_answer or Answer.NO]
            text += "\n" + t.gettext("For this date you said: {answer}", answer=label)
    elif view.my_answer is not None:
        text += "\n" + t.gettext("You said: {answer}", answer=answer_labels(t)[view.my_answer])
    return text


async def _list(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    page: int = 0,
) -> None:
    views, _total = await events.upcoming(session, actor, 0, EVENTS_READ)
    text, keyboard, shown = list_page(t, views, page)
    if isinstance(target, CallbackQuery):
        if shown is None:
            await target.answer()
        else:
            await paging.answer(target, t, shown)
    await show(target, text, keyboard)


async def events_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    await _list(message, session, actor, t)


async def events_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await _list(query, session, actor, t)


async def _is_host(session: AsyncSession, actor: Actor, view: EventView) -> bool:
    return await events.hosts(session, actor, view.network_id)


async def show_list(
    query: CallbackQuery, callback_data: EventCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await _list(query, session, actor, t, callback_data.event_id)


async def list_more(
    query: CallbackQuery, callback_data: PageCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """A further page of the upcoming events (the "More ›" button)."""
    await _list(query, session, actor, t, callback_data.page)


async def open_card(
    query: CallbackQuery,
    callback_data: EventCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    view = await in_reader_language(
        await events.get(session, actor, callback_data.event_id), machine, t
    )
    await query.answer()
    await _show_card(query, view, session, actor, t, clock)


async def _show_card(
    query: CallbackQuery,
    view: EventView,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    is_host = await _is_host(session, actor, view)
    await show(query, card_text(t, view), card_keyboard(t, view, is_host, clock.now()))


async def rsvp(
    query: CallbackQuery,
    action: Rsvp,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    view = await events.answer(session, actor, action.event_id, action.answer)
    toast = {
        Answer.YES: t.gettext("Great, see you there!"),
        Answer.MAYBE: t.gettext("Noted as maybe."),
        Answer.NO: t.gettext("Thanks for letting us know."),
    }[view.my_answer or Answer.NO]
    await query.answer(toast)
    await _card_again(query, view, session, actor, t, clock, machine)


async def _card_again(
    query: CallbackQuery,
    view: EventView,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None,
) -> None:
    """After an answer: a notice keeps its text as it went out; a card is shown anew, with
    the new counts and answer."""
    message = query.message
    if not isinstance(message, Message) or not message.text or "✅ " not in message.text:
        return
    await _show_card(query, await in_reader_language(view, machine, t), session, actor, t, clock)


async def series_rsvp(
    query: CallbackQuery,
    action: SeriesRsvp,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    """Coming to every date of a series, or no longer: from its announcement or a date's card
    (which then shows the answer and the way back)."""
    every = action.answer is Answer.YES
    series = await events.answer_series(
        session, actor, action.series_id, Answer.YES if every else None
    )
    await query.answer(
        t.gettext("You're down for every date. Answer a single date to change just that one.")
        if every
        else t.gettext("You're no longer down for every date.")
    )
    # The card shown again is the series' next date (the one /events lists).
    upcoming = await events.next_of_series(session, actor, series.id, clock.now())
    if upcoming is not None:
        await _card_again(query, upcoming, session, actor, t, clock, machine)


async def calendar_file(
    query: CallbackQuery,
    action: CalendarFile,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    """The event as an .ics file in the reader's language, typed as a calendar so that a
    phone offers to add it rather than to save an unknown file."""
    found = await calendar_subscriptions.download(
        session, actor, action.event_id, catalogs, t.locale, machine
    )
    await query.answer()
    await bot.send_document(
        query.from_user.id, TypedFile(found.data, found.file_name, found.content_type)
    )


async def who_is_coming(
    query: CallbackQuery,
    callback_data: EventCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    shown = await _who_page(session, actor, t, callback_data.event_id, 0, clock)
    await paging.answer(query, t, shown.shown)
    await show(query, shown.shown.text, shown.keyboard)


async def who_page(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    """A further page of who is coming (the "More ›" button)."""
    shown = await _who_page(session, actor, t, callback_data.ref, callback_data.page, clock)
    await paging.answer(query, t, shown.shown)
    await show(query, shown.shown.text, shown.keyboard)


@dataclass(frozen=True)
class _WhoPage:
    shown: paging.Shown
    keyboard: InlineKeyboardMarkup


async def _who_page(
    session: AsyncSession, actor: Actor, t: Translator, event_id: int, number: int, clock: Clock
) -> _WhoPage:
    people = await events.attendees(session, actor, event_id)
    view = await events.get(session, actor, event_id)
    header, rows = who_rows(t, view, people)
    shown = paging.page_of(t, ListKind.WHO, event_id, header, rows, number)
    card = card_keyboard(t, view, True, clock.now())
    return _WhoPage(shown, markup([shown.nav], card.inline_keyboard))


def who_rows(
    t: Translator, view: EventView, people: list[tuple[str, Answer]]
) -> tuple[str, list[str]]:
    """Who's coming: a header and one row per person who answered."""
    title, _, _ = view.text_for(t.locale)
    header = "<b>" + t.gettext("Who's coming to {event}", event=quote(title)) + "</b>"
    if not people:
        return header, [t.gettext("Nobody has answered yet.")]
    return header, [f"{ANSWER_ICONS[answer]} {quote(name or '–')}" for name, answer in people]


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="events")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(events_command, Command("events"))
    router.callback_query.register(events_button, Act(OpenMenu, F.item == MenuItem.EVENTS))
    router.callback_query.register(show_list, EventCb.filter(F.action == EventAction.LIST))
    router.callback_query.register(open_card, EventCb.filter(F.action == EventAction.OPEN))
    router.callback_query.register(who_is_coming, EventCb.filter(F.action == EventAction.WHO))
    router.callback_query.register(who_page, PageCb.filter(F.kind == ListKind.WHO))
    router.callback_query.register(list_more, PageCb.filter(F.kind == ListKind.EVENTS))
    router.callback_query.register(rsvp, Act(Rsvp))
    router.callback_query.register(series_rsvp, Act(SeriesRsvp))
    router.callback_query.register(calendar_file, Act(CalendarFile))
    return router
