"""📊 Polls: the open polls in my networks a page at a time, the closed ones I answered, a
poll's card with its option buttons, its results (with the chart), and closing it early."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.photos import fits_caption
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import polls
from bot.services.actions import MenuItem, OpenMenu, PollPlace, PollResults
from bot.services.actors import Actor
from bot.services.polls import PollView
from bot.services.polls.results import staff_of
from handlers import paging
from handlers.callbacks import ListKind, PageCb, PollAction, PollCb
from handlers.filters import Act
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show

PER_PAGE = 6  # polls a page at most; fewer when their questions are long
READ = 500  # every open poll in practice; the pages keep it readable


def _row(t: Translator, view: PollView) -> str:
    texts = view.texts_for(t.locale)
    where = view.network_in(t.locale) or t.gettext("Everyone")
    mark = "✅ " if view.answered else ""
    when = t.format_datetime(view.closes_at, "short")
    return "\n".join(
        [
            "",
            f"{mark}<b>{quote(texts.question)}</b>",
            f"{quote(where)} · ⏳ {when}",
        ]
    )


async def _list(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    *,
    closed: bool = False,
    page: int = 0,
    machine: MachineTranslation | None = None,
) -> None:
    """A page of the open polls (or the closed ones I answered), a button to open each, and
    for hosts and coordinators "➕ New poll"."""
    if closed:
        views, _ = await polls.closed_polls(session, actor, 0, READ, machine=machine)
        header = "<b>" + t.gettext("📊 Closed polls you answered") + "</b>"
        empty = t.gettext("No closed polls you answered yet.")
    else:
        views, _ = await polls.open_polls(session, actor, 0, READ, machine=machine)
        header = "<b>" + t.gettext("📊 Open polls") + "</b>"
        empty = t.gettext("No open polls in your networks right now.")
    extra = []
    if not closed:
        extra.append(
            button(t.gettext("🗂 Closed polls"), PollCb(action=PollAction.LIST, closed=True))
        )
    else:
        extra.append(button(t.gettext("📊 Open polls"), PollCb(action=PollAction.LIST)))
    if actor.is_coordinator or await polls.askable_networks(session, actor):
        extra.append(button(t.gettext("➕ New poll"), PollCb(action=PollAction.NEW)))
    back = [button(t.gettext("« Back"), OpenMenu(MenuItem.TAKE_PART))]
    if not views:
        if isinstance(target, CallbackQuery):
            await target.answer()
        await show(target, f"{header}\n\n{empty}", markup(rows(extra, 1), [back]))
        return
    shown = paging.page_of(
        t,
        ListKind.POLLS,
        int(closed),
        header,
        [_row(t, v) for v in views],
        page,
        max_rows=PER_PAGE,
    )
    on_page = views[shown.page.first : shown.page.first + len(shown.page.rows)]
    opens = [
        button(
            v.texts_for(t.locale).question[:40],
            PollCb(action=PollAction.CARD, poll_id=v.id, closed=closed),
        )
        for v in on_page
    ]
    if isinstance(target, CallbackQuery):
        await paging.answer(target, t, shown)
    await show(target, shown.text, markup(rows(opens, 1), [shown.nav], rows(extra, 1), [back]))


async def card_keyboard(
    session: AsyncSession, actor: Actor, t: Translator, view: PollView, now: datetime
) -> InlineKeyboardMarkup:
    """The options (while it is open), results for those who may see them, and "Close now"
    for its creator, the network's hosts and coordinators."""
    staff = await staff_of(session, actor, view)
    options = []
    if view.is_open(now):
        buttons = polls.option_buttons(t, view, place=PollPlace.CARD)
        options = [[button(b.text, b.action) for b in row] for row in buttons]
    extra = []
    if staff or (view.answered and not view.is_open(now)):
        extra.append(button(t.gettext("📈 Results"), PollResults(view.id)))
    if staff and view.is_open(now):
        extra.append(
            button(t.gettext("🔒 Close now"), PollCb(action=PollAction.CLOSE, poll_id=view.id))
        )
    back = [button(t.gettext("« Polls"), PollCb(action=PollAction.LIST))]
    return markup(options, rows(extra, 1), [back])


async def show_card(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    view: PollView,
    now: datetime,
) -> None:
    text = polls.poll_card(t, view)
    if not view.is_open(now):
        text += "\n\n" + t.gettext("🔒 This poll is closed.")
    await show(target, text, await card_keyboard(session, actor, t, view, now))


async def polls_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await state.clear()
    await _list(message, session, actor, t, machine=machine)


async def polls_button(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await _list(query, session, actor, t, machine=machine)


async def list_button(
    query: CallbackQuery,
    callback_data: PollCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await _list(
        query,
        session,
        actor,
        t,
        closed=callback_data.closed,
        page=callback_data.page,
        machine=machine,
    )


async def list_more(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await _list(
        query,
        session,
        actor,
        t,
        closed=callback_data.ref == 1,
        page=callback_data.page,
        machine=machine,
    )


async def open_card(
    query: CallbackQuery,
    callback_data: PollCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    view = await polls.get(session, actor, callback_data.poll_id, machine=machine)
    await query.answer()
    await show_card(query, session, actor, t, view, clock.now())


async def results(
    query: CallbackQuery,
    action: PollResults,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    """The results as the resident may see them, with the chart in their language."""
    found = await polls.for_actor(
        session, actor, action.poll_id, min_group=settings.min_group_size, machine=machine
    )
    await query.answer()
    text = polls.results_text(t, found)
    chart = await polls.chart_for(session, catalogs, action.poll_id, t.locale, machine)
    back = markup([[button(t.gettext("« Polls"), PollCb(action=PollAction.LIST))]])
    if chart is None:
        await bot.send_message(query.from_user.id, text, reply_markup=back)
        return
    photo = BufferedInputFile(chart, filename=f"poll-{action.poll_id}.png")
    if fits_caption(text):
        await bot.send_photo(query.from_user.id, photo, caption=text, reply_markup=back)
        return
    await bot.send_message(query.from_user.id, text)
    await bot.send_photo(query.from_user.id, photo, reply_markup=back)


async def ask_close(
    query: CallbackQuery,
    callback_data: PollCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    view = await polls.get_for_staff(session, actor, callback_data.poll_id)
    await query.answer()
    keyboard = markup(
        [
            [
                button(
                    t.gettext("🔒 Yes, close it"),
                    PollCb(action=PollAction.CLOSE_YES, poll_id=view.id),
                ),
                button(t.gettext("« Back"), PollCb(action=PollAction.CARD, poll_id=view.id)),
            ]
        ]
    )
    question = view.texts_for(t.locale).question
    await show(
        query,
        t.gettext(
            "Close “{question}” now? Those who answered get the results.",
            question=quote(question),
        ),
        keyboard,
    )


async def close(
    query: CallbackQuery,
    callback_data: PollCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    clock: Clock,
) -> None:
    view = await polls.close_now(
        session, actor, catalogs, callback_data.poll_id, min_group=settings.min_group_size
    )
    await query.answer(t.gettext("Closed. Those who answered will get the results."))
    await show_card(query, session, actor, t, view, clock.now())


def register(router: Router) -> None:
    router.message.register(polls_command, Command("polls"))
    router.callback_query.register(polls_button, Act(OpenMenu, F.item == MenuItem.POLLS))
    router.callback_query.register(list_button, PollCb.filter(F.action == PollAction.LIST))
    router.callback_query.register(list_more, PageCb.filter(F.kind == ListKind.POLLS))
    router.callback_query.register(open_card, PollCb.filter(F.action == PollAction.CARD))
    router.callback_query.register(results, Act(PollResults))
    router.callback_query.register(ask_close, PollCb.filter(F.action == PollAction.CLOSE))
    router.callback_query.register(close, PollCb.filter(F.action == PollAction.CLOSE_YES))
