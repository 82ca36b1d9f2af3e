"""/requests: open requests a resident could help with, and their own open requests, in one
paged list; each opens a card with what can be done about it ("I can help" and "Report" on a
neighbour's, done, withdraw, write, report and block on one's own)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import help as helping
from bot.services.actions import BlockMatch, OfferHelp, OriginalOf, ReportMatch, WriteToMatch
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.help import SENSITIVE, RequestView, category_label
from bot.services.machine_texts import original_button
from db.models import RequestStatus
from handlers import paging
from handlers.callbacks import HelpAction, HelpCb, ListKind, PageCb
from handlers.help.screens import reported_text, request_line, status_label
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show

REQUESTS_PER_PAGE = 8  # requests a page at most: one button each opens its card
SHORT = 160  # characters of a description in the list; the card shows all of it


async def requests_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    await state.clear()
    text, keyboard, _ = await _requests_page(session, actor, t, 0, machine)
    await message.answer(text, reply_markup=keyboard)


async def requests_more(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """Another page of /requests (the "More ›" button, and "« Requests" on a card)."""
    text, keyboard, shown = await _requests_page(session, actor, t, callback_data.page, machine)
    if shown is None:
        await query.answer()
    else:
        await paging.answer(query, t, shown)
    await show(query, text, keyboard)


async def _listed(
    session: AsyncSession, actor: Actor, t: Translator, machine: MachineTranslation | None
) -> list[RequestView]:
    """What /requests lists: open requests I could help with (in my language, machine-
    translated where set up), then my own still open."""
    theirs = await helping.in_reader_language(
        await helping.open_requests(session, actor), machine, t.locale
    )
    mine = [
        r
        for r in await helping.my_requests(session, actor)
        if r.status in (RequestStatus.OPEN, RequestStatus.MATCHED)
    ]
    return theirs + mine


async def _requests_page(
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    number: int,
    machine: MachineTranslation | None,
) -> tuple[str, InlineKeyboardMarkup | None, paging.Shown | None]:
    """/requests in one message, a page at a time: each request numbered, in short, with a
    button that opens its card (where its actions are)."""
    return requests_screen(t, await _listed(session, actor, t, machine), number)


def requests_screen(
    t: Translator, listed: list[RequestView], number: int
) -> tuple[str, InlineKeyboardMarkup | None, paging.Shown | None]:
    """Page `number` of `listed`, with a button to open each request on it."""
    if not listed:
        text = t.gettext("No open requests right now. /ask asks for help, /offer offers it.")
        return text, None, None
    header = "<b>" + t.gettext("Neighbour help") + "</b>"
    shown = paging.page_of(
        t,
        ListKind.REQUESTS,
        0,
        header,
        request_rows(t, listed),
        number,
        max_rows=REQUESTS_PER_PAGE,
    )
    # A row is bounded (a category, a network name, a shortened description), so a page's
    # rows are whole requests and line up with `listed` from the page's first row.
    on_page = listed[shown.page.first : shown.page.first + len(shown.page.rows)]
    opens = [
        button(
            f"{t.number(shown.page.first + n + 1)}. {category_label(t, view.category)}",
            HelpCb(action=HelpAction.CARD, request_id=view.id, arg=shown.page.number),
        )
        for n, view in enumerate(on_page)
    ]
    return shown.text, markup(rows(opens, 2), [shown.nav]), shown


def request_rows(t: Translator, listed: list[RequestView]) -> list[str]:
    """A few lines per request, numbered; the first of each kind under its heading."""
    result = []
    for n, view in enumerate(listed):
        heading = ""
        if n == 0 or view.mine != listed[n - 1].mine:
            title = (
                t.gettext("Your requests")
                if view.mine
                else t.gettext("Requests you could help with")
            )
            heading = f"\n<b>{title}</b>"
        description, machine = view.description_in(t.locale)
        if machine:
            description = "🤖 " + description
        if len(description) > SHORT:
            description = description[:SHORT].rstrip() + "…"
        when = helping.when_label(t, view.needed_on)
        lines = [
            heading,
            f"<b>{t.number(n + 1)}.</b> {category_label(t, view.category)} · "
            + quote(view.network_name_in(t.locale)),
            quote(description),
        ]
        if view.mine:
            lines.append(
                status_label(t, view.status) + " · " + t.gettext("When: {when}", when=when)
            )
        else:
            lines.append(t.gettext("When: {when}", when=when))
        result.append("\n".join(lines))
    return result


async def open_card(
    query: CallbackQuery,
    callback_data: HelpCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """A request's card from /requests, with what I can do about it. Only a request that
    /requests would list me opens: the id comes from the client."""
    listed = {view.id: view for view in await _listed(session, actor, t, machine)}
    view = listed.get(callback_data.request_id)
    back = [
        button(
            t.gettext("« Requests"),
            PageCb(kind=ListKind.REQUESTS, page=max(callback_data.arg, 0)),
        )
    ]
    if view is None:
        # Closed, hidden, someone else's match, or made up: refused like any closed request.
        raise InvalidInput("request", "closed")
    await query.answer()
    if view.mine:
        await show(
            query, _mine_text(t, view), markup(_mine_keyboard(t, view).inline_keyboard, [back])
        )
        return
    await show(
        query, theirs_text(t, view), markup(theirs_keyboard(t, view).inline_keyboard, [back])
    )


def theirs_text(t: Translator, view: RequestView) -> str:
    note = ("\n\n<i>" + helping.safety_note(t) + "</i>") if view.category in SENSITIVE else ""
    return request_line(t, view) + note


def theirs_keyboard(t: Translator, view: RequestView) -> InlineKeyboardMarkup:
    original = []
    if view.description_in(t.locale)[1]:
        shown = original_button(t, OriginalOf.HELP_REQUEST, view.id)
        original = [[button(shown.text, shown.action)]]
    return markup(
        [[button(t.gettext("🙋 I can help"), OfferHelp(view.id))]],
        original,
        [[button(t.gettext("⚠️ Report"), HelpCb(action=HelpAction.REPORT, request_id=view.id))]],
    )


def _mine_text(t: Translator, view: RequestView) -> str:
    text = (
        "<b>"
        + t.gettext("Your request ({status})", status=status_label(t, view.status))
        + "</b>\n"
        + request_line(t, view)
    )
    if view.helper_name:
        text += "\n" + t.gettext("Helper: {name}", name=quote(view.helper_name))
    return text


def _mine_keyboard(t: Translator, view: RequestView) -> InlineKeyboardMarkup:
    buttons = []
    if view.status is RequestStatus.MATCHED:
        buttons.append(button(t.gettext("💬 Write"), WriteToMatch(view.id)))
        buttons.append(button(t.gettext("⚠️ Report the helper"), ReportMatch(view.id)))
        buttons.append(button(t.gettext("⛔ Block"), BlockMatch(view.id)))
    buttons.append(
        button(t.gettext("✅ Done, thank you"), HelpCb(action=HelpAction.DONE, request_id=view.id))
    )
    buttons.append(
        button(t.gettext("Withdraw"), HelpCb(action=HelpAction.WITHDRAW, request_id=view.id))
    )
    return markup(rows(buttons, 1))


async def close(
    query: CallbackQuery,
    callback_data: HelpCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    done = callback_data.action is HelpAction.DONE
    view = await helping.close(session, actor, catalogs, callback_data.request_id, done=done)
    await query.answer()
    back = button(t.gettext("« Requests"), PageCb(kind=ListKind.REQUESTS, page=0))
    await show(query, _mine_text(t, view), markup([[back]]))


async def report(
    query: CallbackQuery,
    callback_data: HelpCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    new = await helping.report(
        session, actor, catalogs, callback_data.request_id, limits=settings.rate_limits
    )
    await query.answer(reported_text(t, new), show_alert=True)


def register(router: Router) -> None:
    router.message.register(requests_command, Command("requests"))
    router.callback_query.register(
        close, HelpCb.filter(F.action.in_({HelpAction.DONE, HelpAction.WITHDRAW}))
    )
    router.callback_query.register(report, HelpCb.filter(F.action == HelpAction.REPORT))
    router.callback_query.register(open_card, HelpCb.filter(F.action == HelpAction.CARD))
    router.callback_query.register(requests_more, PageCb.filter(F.kind == ListKind.REQUESTS))
