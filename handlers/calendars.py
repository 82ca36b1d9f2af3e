"""/calendar: the resident's own calendar feed link (and, for hosts, each of their networks'),
how to subscribe to it on a phone, and a button that makes a new link and revokes the old."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translator
from bot.services import calendar_subscriptions
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.calendar_subscriptions import NetworkFeed
from handlers.callbacks import CalendarAction, CalendarCb
from handlers.filters import Onboarded
from handlers.keyboards import button, markup
from handlers.replies import quote, show


def unavailable_text(t: Translator) -> str:
    return t.gettext(
        "Calendar subscriptions are not switched on here. You can still add a single event "
        "to your calendar with “📅 Add to calendar” on the event."
    )


def renewed_text(t: Translator) -> str:
    return t.gettext("New link made. The old one no longer works.")


def calendar_text(t: Translator, base_url: str, token: str, networks: list[NetworkFeed]) -> str:
    """The resident's link, how to subscribe on a phone, and the hosts' network links."""
    lines = [
        "<b>" + t.gettext("📅 Your calendar") + "</b>",
        "",
        t.gettext(
            "Add this link to your phone's calendar to see the events of all your networks, "
            "in your language. Your calendar keeps itself up to date."
        ),
        "",
        f"<code>{quote(calendar_subscriptions.feed_url(base_url, token))}</code>",
        "",
        t.gettext(
            "iPhone: Settings → Apps → Calendar → Calendar Accounts → Add Account → Other → "
            "Add Subscribed Calendar, then paste the link."
        ),
        t.gettext(
            "Android: open Google Calendar in a web browser, choose Other calendars → + → "
            "From URL, then paste the link."
        ),
        "",
        t.gettext(
            "Keep the link to yourself: anyone who has it can see your networks' events. "
            "“🔄 New link” makes a new one and stops the old one."
        ),
    ]
    if networks:
        lines += [
            "",
            "<b>" + t.gettext("Your networks' calendars, to share") + "</b>",
        ]
        for n in networks:
            url = calendar_subscriptions.feed_url(base_url, n.token)
            lines.append(f"{quote(n.name)}: <code>{quote(url)}</code>")
    return "\n".join(lines)


def calendar_keyboard(t: Translator, networks: list[NetworkFeed]) -> InlineKeyboardMarkup:
    mine = [button(t.gettext("🔄 New link"), CalendarCb(action=CalendarAction.RENEW))]
    theirs = [
        [
            button(
                t.gettext("🔄 New link: {network}", network=n.name[:40]),
                CalendarCb(action=CalendarAction.RENEW_NETWORK, network_id=n.network_id),
            )
        ]
        for n in networks
    ]
    home = [button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]
    return markup([mine], theirs, [home])


async def _show(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    base_url = settings.calendar_public_url
    if not base_url:
        await show(target, unavailable_text(t))
        return
    token = await calendar_subscriptions.resident_token(session, actor)
    networks = await calendar_subscriptions.network_feeds(session, actor)
    await show(target, calendar_text(t, base_url, token, networks), calendar_keyboard(t, networks))


async def calendar_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    await state.clear()
    await _show(message, session, actor, t, settings)


async def renew(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    """A new link for the resident: the old one stops working at once."""
    if settings.calendar_public_url:
        await calendar_subscriptions.resident_token(session, actor, renew=True)
        await query.answer(renewed_text(t))
    else:
        await query.answer()
    await _show(query, session, actor, t, settings)


async def renew_network(
    query: CallbackQuery,
    callback_data: CalendarCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    """A new link for a network its host manages: the old one stops working at once."""
    if settings.calendar_public_url:
        await calendar_subscriptions.renew_network_token(session, actor, callback_data.network_id)
        await query.answer(renewed_text(t))
    else:
        await query.answer()
    await _show(query, session, actor, t, settings)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="calendars")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(calendar_command, Command("calendar"))
    router.callback_query.register(renew, CalendarCb.filter(F.action == CalendarAction.RENEW))
    router.callback_query.register(
        renew_network, CalendarCb.filter(F.action == CalendarAction.RENEW_NETWORK)
    )
    return router
