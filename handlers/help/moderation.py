"""For hosts and coordinators: /reports with hiding a request and suspending who asked, and
/stats, neighbour help in figures. The services check the roles again: buttons can be forged."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import help as helping
from bot.services import networks
from bot.services.actors import Actor
from bot.services.help import category_label
from handlers import paging
from handlers.callbacks import HelpAction, HelpCb, IdeaAction, IdeaCb, ListKind, PageCb
from handlers.help.screens import status_label
from handlers.keyboards import button, markup
from handlers.replies import quote, show

REPORTS_PER_PAGE = 5  # two buttons each: a page's keyboard stays short


async def reports_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    text, keyboard, _ = await _reports_page(session, actor, t, 0)
    await message.answer(text, reply_markup=keyboard)


async def reports_more(
    query: CallbackQuery, callback_data: PageCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """A further page of open reports (the "More ›" button)."""
    text, keyboard, shown = await _reports_page(session, actor, t, callback_data.page)
    if shown is None:
        await query.answer()
    else:
        await paging.answer(query, t, shown)
    await show(query, text, keyboard)


async def reports_screen(
    session: AsyncSession, actor: Actor, t: Translator, number: int
) -> tuple[str, InlineKeyboardMarkup | None, paging.Shown | None]:
    """Page `number` of /reports (hiding a reported idea shows it again)."""
    return await _reports_page(session, actor, t, number)


async def _reports_page(
    session: AsyncSession, actor: Actor, t: Translator, number: int
) -> tuple[str, InlineKeyboardMarkup | None, paging.Shown | None]:
    """Open reports in one message, a page at a time, each numbered with its two buttons."""
    found = await helping.reports(session, actor)
    if not found:
        return t.gettext("No open reports."), None, None
    rows = []
    for n, r in enumerate(found, 1):
        idea = "💡 " if r.idea_id is not None else ""  # an idea rather than a help request
        lines = ["", f"<b>{t.number(n)}.</b> {idea}" + quote(r.request_text)]
        if r.reason:
            lines.append(t.gettext("Reason: {reason}", reason=quote(r.reason)))
        if r.reported_name:
            lines.append(t.gettext("About: {name}", name=quote(r.reported_name)))
        rows.append("\n".join(lines))
    header = "<b>" + t.gettext("Report") + "</b> · " + t.number(len(found))
    shown = paging.page_of(t, ListKind.REPORTS, 0, header, rows, number, max_rows=REPORTS_PER_PAGE)
    buttons = []
    # A report's rows are bounded (request text, reason, name), so a page's rows are whole
    # reports and line up with `found` from the page's first row.
    for n, r in enumerate(found[shown.page.first : shown.page.first + len(shown.page.rows)]):
        number_ = t.number(shown.page.first + n + 1)
        if r.idea_id is not None:  # an idea is hidden; there is no one to suspend for it
            hide_idea = IdeaCb(action=IdeaAction.HIDE, idea_id=r.idea_id, arg=1)
            buttons.append([button(t.gettext("🙈 Hide {n}", n=number_), hide_idea)])
            continue
        buttons.append(
            [
                button(
                    t.gettext("🙈 Hide {n}", n=number_),
                    HelpCb(action=HelpAction.HIDE, request_id=r.request_id or 0),
                ),
                button(
                    t.gettext("⛔ Suspend {n}", n=number_),
                    HelpCb(action=HelpAction.SUSPEND, request_id=r.request_id or 0),
                ),
            ]
        )
    return shown.text, markup(buttons, [shown.nav]), shown


async def hide(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await helping.hide(session, actor, callback_data.request_id)
    await query.answer(t.gettext("The request is hidden."))
    text, keyboard, _ = await _reports_page(session, actor, t, 0)
    await show(query, text, keyboard)


async def suspend(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await helping.suspend_requester(session, actor, callback_data.request_id)
    await query.answer(t.gettext("The member can no longer ask or help in this network."))
    text, keyboard, _ = await _reports_page(session, actor, t, 0)
    await show(query, text, keyboard)


async def stats_page(
    session: AsyncSession, actor: Actor, t: Translator, number: int
) -> paging.Shown:
    """Neighbour help in figures, a block per network, a page at a time."""
    rows_ = await helping.stats(session, actor)
    names = {
        v.id: v.name for v in await networks.list_networks(session, actor, include_archived=True)
    }
    header = "<b>" + t.gettext("Neighbour help") + "</b>"
    blocks = [] if rows_ else [t.gettext("No requests yet.")]
    for row in rows_:
        lines = [
            "",
            f"<b>{quote(names.get(row.network_id, '?'))}</b> · "
            + t.ngettext("{n} active helper", "{n} active helpers", row.helpers_active),
        ]
        for category, counts in row.by_category.items():
            total = sum(counts.values())
            parts = ", ".join(f"{status_label(t, s)} {t.number(n)}" for s, n in counts.items())
            lines.append(f"{category_label(t, category)}: {t.number(total)} ({parts})")
        blocks.append("\n".join(lines))
    return paging.page_of(t, ListKind.STATS, 0, header, blocks, number)


async def stats_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    shown = await stats_page(session, actor, t, 0)
    await message.answer(shown.text, reply_markup=markup([shown.nav]) if shown.nav else None)


async def stats_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    shown = await stats_page(session, actor, t, 0)
    await query.answer()
    await show(query, shown.text, markup([shown.nav]) if shown.nav else None)


async def stats_more(
    query: CallbackQuery, callback_data: PageCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """A further page of the figures (the "More ›" button)."""
    shown = await stats_page(session, actor, t, callback_data.page)
    await paging.answer(query, t, shown)
    await show(query, shown.text, markup([shown.nav]) if shown.nav else None)


def register(router: Router) -> None:
    router.message.register(reports_command, Command("reports"))
    router.message.register(stats_command, Command("stats"))
    router.callback_query.register(hide, HelpCb.filter(F.action == HelpAction.HIDE))
    router.callback_query.register(suspend, HelpCb.filter(F.action == HelpAction.SUSPEND))
    router.callback_query.register(stats_button, HelpCb.filter(F.action == HelpAction.STATS))
    router.callback_query.register(reports_more, PageCb.filter(F.kind == ListKind.REPORTS))
    router.callback_query.register(stats_more, PageCb.filter(F.kind == ListKind.STATS))
