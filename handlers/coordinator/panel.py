"""The coordinator's panel, the list of networks to manage, and reach by language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Translator
from bot.services import networks, sms_cost
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from handlers import keyboards, paging
from handlers.callbacks import CoordAction, CoordCb, ListKind, PageCb
from handlers.filters import Act
from handlers.replies import quote, show


async def _panel(
    target: Message | CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, sms: bool
) -> None:
    views = await networks.list_networks(session, actor, include_archived=True)
    live = [v for v in views if not v.archived]
    text = "\n".join(
        [
            "<b>" + t.gettext("Coordinator") + "</b>",
            t.ngettext("{n} network", "{n} networks", len(live)),
            t.gettext("Create networks, appoint hosts and see whom the networks reach."),
        ]
    )
    await show(target, text, keyboards.coordinator_panel(t, sms))


async def coordinate(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    await state.clear()
    await _panel(message, session, actor, t, settings.sms_gateway is not None)


async def panel_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    await _panel(query, session, actor, t, settings.sms_gateway is not None)
    await query.answer()


async def network_list(
    query: CallbackQuery, callback_data: CoordCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    views = await networks.list_networks(session, actor, include_archived=True)
    text = (
        "<b>"
        + t.gettext("Manage networks")
        + "</b>\n"
        + t.gettext("Choose a network to change it.")
    )
    await show(query, text, keyboards.coordinator_networks(t, views, callback_data.arg))
    await query.answer()


async def reach(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    await _reach_page(query, session, actor, t, settings, 0)


async def reach_page(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    """A further page of the reach (the "More ›" button)."""
    await _reach_page(query, session, actor, t, settings, callback_data.page)


async def _reach_page(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    number: int,
) -> None:
    found = await networks.reach(session, actor)
    lines = ["<b>" + t.gettext("Reach") + "</b>", t.gettext("Members per network, by language.")]
    by_sms = await sms_cost.coordinator_usage_line(session, actor, settings, t)
    if by_sms:
        lines.append(by_sms)
    shown = paging.page_of(t, ListKind.REACH, 0, "\n".join(lines), reach_rows(t, found), number)
    back = keyboards.choice(CoordAction.PANEL, [(t.gettext("« Coordinator"), 0)])
    await paging.answer(query, t, shown)
    await show(query, shown.text, keyboards.markup([shown.nav], back.inline_keyboard))


def reach_rows(t: Translator, found: list[networks.ReachRow]) -> list[str]:
    """One block per network: its members, by language, and how many blocked the bot."""
    if not found:
        return ["\n" + t.gettext("There are no networks yet.")]
    rows = []
    for row in found:
        count = t.ngettext("{n} member", "{n} members", row.total)
        lines = ["", f"<b>{quote(row.network.name)}</b> · {count}"]
        if row.by_locale:
            lines.append(
                " · ".join(
                    f"{NATIVE_NAMES.get(loc, loc)} {t.number(n)}"
                    for loc, n in row.by_locale.items()
                )
            )
        if row.unreachable:
            lines.append(
                t.ngettext(
                    "⚠️ {n} has blocked the bot", "⚠️ {n} have blocked the bot", row.unreachable
                )
            )
        rows.append("\n".join(lines))
    return rows


def register(router: Router) -> None:
    router.message.register(coordinate, Command("coordinate"))
    router.callback_query.register(panel_button, Act(OpenMenu, F.item == MenuItem.COORDINATOR))
    router.callback_query.register(panel_button, CoordCb.filter(F.action == CoordAction.PANEL))
    router.callback_query.register(network_list, CoordCb.filter(F.action == CoordAction.NETWORKS))
    router.callback_query.register(reach, CoordCb.filter(F.action == CoordAction.REACH))
    router.callback_query.register(reach_page, PageCb.filter(F.kind == ListKind.REACH))
