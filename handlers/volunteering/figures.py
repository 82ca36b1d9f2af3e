"""The coordinator's small screen of volunteer hours: per network, the month's calls, shifts,
people who came and hours, a month at a time ("‹ Earlier" / "Later ›"). The same figures as
`naboskap volunteer report`; aggregates only."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery
from babel.dates import format_skeleton
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator, native_digits
from bot.services import volunteering
from bot.services.actors import Actor
from handlers import paging
from handlers.callbacks import CoordAction, CoordCb, ListKind
from handlers.keyboards import button, markup
from handlers.replies import quote, show
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb

MONTHS_BACK = 120  # ten years of figures is more than retention keeps


def _month(now: datetime, back: int, t: Translator) -> tuple[int, int]:
    local = now.astimezone(t.zone)
    index = local.year * 12 + local.month - 1 - back
    return index // 12, index % 12 + 1


async def hours(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    back = min(callback_data.arg, MONTHS_BACK)
    year, month = _month(clock.now(), back, t)
    rows = await volunteering.month_report(session, actor, year, month, t.zone)
    start, _ = volunteering.month_bounds(year, month, t.zone)
    title = native_digits(format_skeleton("yMMMM", start, locale=t.locale), t.locale)
    header = "<b>" + t.gettext("🧹 Volunteer hours: {month}", month=title) + "</b>"
    blocks = [
        "\n".join(
            [
                "",
                f"<b>{quote(row.network[:60])}</b>",
                " · ".join(
                    (
                        t.ngettext("{n} call", "{n} calls", row.calls),
                        t.ngettext("{n} shift", "{n} shifts", row.shifts),
                        t.gettext(
                            "{came} of {signups} came",
                            came=t.number(row.came),
                            signups=t.number(row.signups),
                        ),
                        t.gettext("Hours: {hours}", hours=t.number(row.hours)),
                    )
                ),
            ]
        )
        for row in rows
    ]
    if rows:
        total = round(sum(r.hours for r in rows), 2)
        blocks.append("\n" + t.gettext("Hours in all: {hours}", hours=t.number(total)))
    else:
        blocks.append("\n" + t.gettext("No volunteer shifts this month."))
    # Many networks page like every list (`shift_id` carries the page: hours name no shift).
    shown = paging.page_of(t, ListKind.CALLS, 0, header, blocks, callback_data.shift_id)
    page = shown.page

    def to(months: int, number: int = 0) -> VolunteerCb:
        return VolunteerCb(action=VolunteerAction.HOURS, arg=months, shift_id=number)

    nav = [button(t.gettext("‹ Earlier"), to(min(back + 1, MONTHS_BACK)))]
    if back:
        nav.append(button(t.gettext("Later ›"), to(back - 1)))
    pages = []
    if page.has_previous:
        pages.append(button(t.gettext("‹ Previous"), to(back, page.number - 1)))
    if page.has_next:
        pages.append(button(t.gettext("More ›"), to(back, page.number + 1)))
    back_button = button(t.gettext("« Coordinator"), CoordCb(action=CoordAction.PANEL))
    await paging.answer(query, t, shown)
    await show(query, shown.text, markup([pages], [nav], [[back_button]]))


def register(router: Router) -> None:
    router.callback_query.register(hours, VolunteerCb.filter(F.action == VolunteerAction.HOURS))
