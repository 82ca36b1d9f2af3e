"""📈 Insight: whom the networks reach, as charts in the chat.

A coordinator opens it from the coordinator's panel (all networks, or one chosen from the
list), a host from the card of a network they host. The menu names the figures; each press
sends the figure's chart as a photo, its numbers as text in the caption (for screen readers,
and for those who would rather read), and the menu again under it, so one figure follows
another. A figure with nothing to count yet is said so in words instead of an empty chart.

Who may see which network is checked in `bot.services.insight` on every press: the buttons
are shown only to coordinators and hosts, but callback data can be forged."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.photos import fits_caption
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator
from bot.pages import fits_telegram, join, text_pages
from bot.services import networks
from bot.services.actors import Actor
from bot.services.insight import building, charts
from bot.services.insight.figures import Figure, FigureKey, Insight
from handlers.callbacks import (
    CoordAction,
    CoordCb,
    InsightAction,
    InsightCb,
    NetworkAction,
    NetworkCb,
)
from handlers.filters import Onboarded
from handlers.keyboards import Button, button, markup, rows
from handlers.replies import quote, show

NETWORKS_PER_PAGE = 8


def _figure_label(t: Translator, key: FigureKey) -> str:
    labels = {
        FigureKey.MEMBERS: t.gettext("👥 Members over time"),
        FigureKey.LANGUAGES: t.gettext("🌍 Members by language"),
        FigureKey.CHANNELS: t.gettext("📱 Telegram and SMS"),
        FigureKey.NOTICES: t.gettext("📣 Notices"),
        FigureKey.HELP: t.gettext("🤝 Neighbour help"),
        FigureKey.EVENTS: t.gettext("🗓 Events"),
        FigureKey.POLLS: t.gettext("📊 Polls"),
        FigureKey.VOLUNTEERING: t.gettext("🧹 Volunteer hours"),
    }
    return labels[key]


async def _insight(
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    clock: Clock,
    network_id: int,
    keys: tuple[FigureKey, ...],
) -> Insight:
    """The figures of `keys` for network `network_id` (0: all networks) over the last 12
    weeks; with no keys, only the scope's title (and the check that the actor may see it)."""
    today = clock.now().astimezone(settings.zone).date()
    return await building.build(
        session,
        actor,
        t,
        building.chat_period(today),
        network_id=network_id or None,
        min_group=settings.min_group_size,
        keys=keys,
    )


def _menu(t: Translator, actor: Actor, network_id: int) -> InlineKeyboardMarkup:
    """A button per figure, then the way to another scope and back where one came from."""
    figures = [
        button(
            _figure_label(t, key),
            InsightCb(action=InsightAction.FIGURE, network_id=network_id, figure=key),
        )
        for key in FigureKey
    ]
    below: list[Button] = []
    if actor.is_coordinator:
        below.append(button(t.gettext("🏘 One network"), InsightCb(action=InsightAction.NETWORKS)))
        if network_id:
            below.append(button(t.gettext("🌐 All networks"), InsightCb(action=InsightAction.MENU)))
        back = button(t.gettext("« Coordinator"), CoordCb(action=CoordAction.PANEL))
    else:
        back = button(
            t.gettext("« Back"), NetworkCb(action=NetworkAction.OPEN, network_id=network_id)
        )
    return markup(rows(figures, 2), rows(below, 2), [[back]])


def _menu_text(t: Translator, insight: Insight, min_group: int) -> str:
    return "\n".join(
        [
            "<b>" + t.gettext("📈 Insight") + "</b>",
            f"<b>{quote(insight.title)}</b> · {quote(insight.period_label)}",
            "",
            quote(
                t.gettext(
                    "Choose a figure. Each comes as a chart with its numbers written out. "
                    "Groups of fewer than {n} people are shown as “< {n}”.",
                    n=t.number(min_group),
                )
            ),
        ]
    )


async def menu(
    query: CallbackQuery,
    callback_data: InsightCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    """The figures of one scope: all networks (coordinators) or one network."""
    found = await _insight(session, actor, t, settings, clock, callback_data.network_id, ())
    await query.answer()
    text = _menu_text(t, found, settings.min_group_size)
    await show(query, text, _menu(t, actor, callback_data.network_id))


async def network_list(
    query: CallbackQuery,
    callback_data: InsightCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    """Coordinators: the network to see the figures of, a page of them at a time."""
    await _insight(session, actor, t, settings, clock, 0, ())  # coordinators only
    views = await networks.list_networks(session, actor, include_archived=True)
    pages = max(1, -(-len(views) // NETWORKS_PER_PAGE))
    page = min(callback_data.page, pages - 1)
    shown = views[page * NETWORKS_PER_PAGE : (page + 1) * NETWORKS_PER_PAGE]
    choices = [
        button(
            ("📦 " if v.archived else "") + v.name,
            InsightCb(action=InsightAction.MENU, network_id=v.id),
        )
        for v in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            button(t.gettext("‹ Previous"), InsightCb(action=InsightAction.NETWORKS, page=page - 1))
        )
    if page < pages - 1:
        nav.append(
            button(t.gettext("Next ›"), InsightCb(action=InsightAction.NETWORKS, page=page + 1))
        )
    back = [button(t.gettext("« Insight"), InsightCb(action=InsightAction.MENU))]
    text = "<b>" + t.gettext("📈 Insight") + "</b>\n" + t.gettext("Which network?")
    if not views:
        text += "\n\n" + t.gettext("There are no networks yet.")
    await query.answer()
    await show(query, text, markup(rows(choices, 2), [nav], [back]))


def _as_html(text: str) -> str:
    """A figure's text for Telegram's HTML: its first line (the title) in bold, all escaped
    ("< 5" would otherwise be read as a tag)."""
    title, _, rest = text.partition("\n")
    return f"<b>{quote(title)}</b>" + (f"\n{quote(rest)}" if rest else "")


def nothing_yet(t: Translator, figure: Figure) -> str:
    """What stands instead of a chart with nothing on it."""
    if any(v is None for s in figure.series for v in s.values):
        return t.gettext(
            "Too few to show yet: groups of fewer than {n} people are not shown, so that no "
            "one can be picked out.",
            n=t.number(figure.minimum),
        )
    return t.gettext("Nothing to show yet: there is nothing to count here in these weeks.")


async def figure(
    query: CallbackQuery,
    callback_data: InsightCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    """One figure as a photo of its chart, with its numbers in the caption."""
    network_id = callback_data.network_id
    found = await _insight(session, actor, t, settings, clock, network_id, (callback_data.figure,))
    await query.answer()
    keyboard = _menu(t, actor, network_id)
    chat = query.from_user.id
    shown = found.figures[0]
    if shown.empty:
        note = quote(nothing_yet(t, shown))
        text = f"<b>{quote(shown.title)}</b> · {quote(found.title)}\n{note}"
        await bot.send_message(chat, text, reply_markup=keyboard)
        return
    photo = BufferedInputFile(await charts.render(shown), filename=f"{shown.key.value}.png")
    caption = _as_html(shown.caption)
    whole = _as_html(shown.text or shown.caption)
    if whole == caption and fits_caption(caption):
        await bot.send_photo(chat, photo, caption=caption, reply_markup=keyboard)
        return
    # The figures in full do not fit a caption: the photo with the latest of them, then the
    # whole text (a page at a time, should it be longer than a message) with the menu.
    await bot.send_photo(chat, photo, caption=caption if fits_caption(caption) else None)
    title, _, body = whole.partition("\n")
    pages = text_pages(title, body.split("\n"), "", fits_telegram())
    for number, page in enumerate(pages):
        last = number == len(pages) - 1
        await bot.send_message(
            chat, join(title, page.rows), reply_markup=keyboard if last else None
        )


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="insight")
    router.callback_query.filter(Onboarded())
    router.callback_query.register(menu, InsightCb.filter(F.action == InsightAction.MENU))
    router.callback_query.register(
        network_list, InsightCb.filter(F.action == InsightAction.NETWORKS)
    )
    router.callback_query.register(figure, InsightCb.filter(F.action == InsightAction.FIGURE))
    return router
