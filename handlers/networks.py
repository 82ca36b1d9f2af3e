"""/networks: browse, join (by button, invite code or deep link) and leave networks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Translator
from bot.machine_translation.service import MachineTranslation
from bot.pages import Page, fits_telegram, join, pick, text_pages
from bot.services import feeds, networks
from bot.services.actions import JoinNetwork, MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.machine_texts import machine_note
from bot.services.networks import NetworkView
from db.models import JoinPolicy, NetworkKind
from handlers import keyboards, network_texts, paging
from handlers.callbacks import ListKind, NetworkAction, NetworkCb, PageCb
from handlers.filters import Act, FreeText, Onboarded
from handlers.replies import quote, show
from handlers.states import JoinFlow

# t.me/<bot>?start=join-<slug> or join-<slug>_<code>; Telegram allows A-Z a-z 0-9 _ - only.
DEEP_LINK = re.compile(
    r"^join-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)(?:_(?P<code>[A-Za-z0-9]{4,16}))?$"
)


def kind_label(t: Translator, kind: NetworkKind) -> str:
    return t.gettext("Area") if kind is NetworkKind.AREA else t.gettext("Interest group")


def list_page(
    t: Translator, views: list[NetworkView], number: int
) -> tuple[str, list[NetworkView], Page]:
    """A page of the networks: at most a keyboard's worth, and no more than fits a message.
    The networks it shows come with it, for their buttons."""
    header = "\n".join(
        [
            "<b>" + t.gettext("Networks") + "</b>",
            t.gettext("Neighbourhoods and groups near you. Tap one to read more and join."),
        ]
    )
    ordered: list[NetworkView] = []
    rows: list[str] = []
    for kind, title in (
        (NetworkKind.AREA, t.gettext("Areas")),
        (NetworkKind.INTEREST, t.gettext("Interest groups")),
    ):
        group = [v for v in views if v.kind is kind]
        for n, v in enumerate(group):
            mark = "✅" if v.is_member else "▫️"
            count = t.ngettext("{n} member", "{n} members", v.member_count)
            heading = f"\n<b>{title}</b>\n" if n == 0 else ""
            rows.append(f"{heading}{mark} {quote(v.name)} · {count}")
            ordered.append(v)
    pages = text_pages(header, rows, "", fits_telegram(), max_rows=keyboards.NETWORKS_PER_PAGE)
    page, _ = pick(pages, number)
    return join(header, page.rows), ordered[page.first : page.first + len(page.rows)], page


def card_text(t: Translator, view: NetworkView) -> str:
    lines = [f"<b>{quote(view.name)}</b>", kind_label(t, view.kind)]
    if view.description:
        lines += ["", quote(view.description)]
    if view.machine_description:
        lines.append("<i>" + machine_note(t, networks.SOURCE_LOCALE) + "</i>")
    lines += ["", t.ngettext("{n} member", "{n} members", view.member_count)]
    if view.is_host:
        lines.append(t.gettext("⭐ You are a host of this network."))
    elif view.is_member:
        lines.append(t.gettext("✅ You are a member."))
    elif view.join_policy is JoinPolicy.INVITE:
        lines.append(t.gettext("🔒 Joining needs an invite code from the host."))
    return "\n".join(lines)


def joined_text(t: Translator, view: NetworkView, html: bool = True) -> str:
    return t.gettext(
        "Welcome to {network}! You'll hear what is happening there.",
        network=quote(view.name) if html else view.name,
    )


async def _list(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    page: int = 0,
) -> None:
    views = await networks.list_networks(session, actor)
    if not views:
        text = t.gettext("There are no networks yet. The municipality will add them soon.")
        await show(target, text, keyboards.back_to_menu(t))
        return
    text, shown, at = list_page(t, views, page)
    await show(target, text, keyboards.networks(t, shown, at.number, at.count))


async def networks_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    await _list(message, session, actor, t)


async def networks_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await query.answer()
    await _list(query, session, actor, t)


async def page(
    query: CallbackQuery,
    callback_data: NetworkCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await query.answer()
    await _list(query, session, actor, t, callback_data.page)


async def open_card(
    query: CallbackQuery,
    callback_data: NetworkCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    view = await networks.in_reader_language(
        await networks.get_network(session, actor, callback_data.network_id), machine, t.locale
    )
    await query.answer()
    sms = settings.sms_gateway is not None
    text = card_text(t, view)
    if view.is_host or actor.is_coordinator:
        followed = await feeds.list_feeds(session, actor, view.id)
        if followed:
            text += "\n\n" + "\n".join(feed_line(t, feed) for feed in followed)
    await show(query, text, keyboards.network_card(t, view, callback_data.page, sms))


def feed_line(t: Translator, feed: feeds.FeedView) -> str:
    """What a host reads of a calendar feed their network follows: when it was last read and
    what that did, or that it failed and when it is tried again."""
    site = quote(urlsplit(feed.url).hostname or feed.url)
    if feed.status == "error" and feed.last_checked_at is not None:
        return "📡 " + t.gettext(
            "{site}: could not be read at {when}; trying again at {next}.",
            site=site,
            when=t.format_datetime(feed.last_checked_at, "short"),
            next=t.format_datetime(feed.next_check_at, "short"),
        )
    if feed.last_synced_at is None:
        return "📡 " + t.gettext("{site}: not read yet.", site=site)
    line = t.gettext(
        "{site}: read at {when}.", site=site, when=t.format_datetime(feed.last_synced_at, "short")
    )
    if feed.report:
        line += " " + t.gettext(
            "Last change: {created} new, {updated} changed, {cancelled} cancelled.",
            created=t.number(feed.report.get("created", 0)),
            updated=t.number(feed.report.get("updated", 0)),
            cancelled=t.number(feed.report.get("cancelled", 0)),
        )
        if feed.report.get("skipped"):
            line += " " + t.ngettext(
                "{n} event in it was left out (no title, no start, or unreadable).",
                "{n} events in it were left out (no title, no start, or unreadable).",
                feed.report["skipped"],
            )
    return "📡 " + line


async def join_button(
    query: CallbackQuery,
    callback_data: NetworkCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    attempt = await networks.attempt_join(session, actor, callback_data.network_id)
    if attempt.joined is None:
        await query.answer()
        await _ask_code(query.message, state, t, callback_data.network_id)
        return
    view = await networks.in_reader_language(attempt.joined.network, machine, t.locale)
    await query.answer(joined_text(t, view, html=False))
    await show(query, card_text(t, view), keyboards.network_card(t, view, callback_data.page))


async def join_invited(
    query: CallbackQuery,
    action: JoinNetwork,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """A Join button on an invitation (a host enrolled the resident's number): joining is the
    resident's own choice, with the same checks as the button on the network's card. The
    invitation stays as it is, for the other networks it may name."""
    attempt = await networks.attempt_join(session, actor, action.network_id)
    await query.answer()
    if attempt.joined is None:
        await _ask_code(query.message, state, t, action.network_id)
        return
    if isinstance(query.message, Message):
        view = attempt.joined.network
        await query.message.answer(
            joined_text(t, view) + "\n\n" + card_text(t, view),
            reply_markup=keyboards.network_card(t, view),
        )


async def leave_button(
    query: CallbackQuery,
    callback_data: NetworkCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    view, left = await networks.leave(session, actor, callback_data.network_id)
    view = await networks.in_reader_language(view, machine, t.locale)
    if left:
        await query.answer(t.gettext("You have left {network}.", network=view.name))
    else:
        await query.answer(t.gettext("You are not a member of {network}.", network=view.name))
    await show(query, card_text(t, view), keyboards.network_card(t, view, callback_data.page))


MEMBERS_READ = 10_000  # every member of a network, in practice; the pages keep it readable


async def members_page(
    session: AsyncSession, actor: Actor, t: Translator, network_id: int, number: int
) -> paging.Shown:
    """Who is in a network, for its hosts: counts by language, then first names, a page at a
    time."""
    reach = await networks.network_reach(session, actor, network_id)
    found = await networks.members(session, actor, network_id, 0, MEMBERS_READ)
    lines = [
        "<b>" + t.gettext("Members of {network}", network=quote(reach.network.name)) + "</b>",
        t.ngettext("{n} member", "{n} members", reach.total),
    ]
    if reach.by_locale:
        counts = (
            f"{NATIVE_NAMES.get(loc, loc)} {t.number(n)}" for loc, n in reach.by_locale.items()
        )
        lines.append(" · ".join(counts))
    if reach.unreachable:
        lines.append(
            t.ngettext("⚠️ {n} has blocked the bot", "⚠️ {n} have blocked the bot", reach.unreachable)
        )
    lines += [t.gettext("Only the hosts and the coordinators see this list."), ""]
    rows = [("⭐ " if m.is_host else "") + quote(m.first_name or "–") for m in found.members]
    if found.total > len(found.members):
        rows.append(t.ngettext("…and {n} more", "…and {n} more", found.total - len(found.members)))
    return paging.page_of(t, ListKind.MEMBERS, network_id, "\n".join(lines), rows, number)


async def members_button(
    query: CallbackQuery,
    callback_data: NetworkCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    shown = await members_page(session, actor, t, callback_data.network_id, 0)
    await paging.answer(query, t, shown)
    back = keyboards.members_back(t, callback_data.network_id, callback_data.page)
    await show(query, shown.text, keyboards.markup([shown.nav], back.inline_keyboard))


async def members_more(
    query: CallbackQuery, callback_data: PageCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """A further page of members (the "More ›" button)."""
    shown = await members_page(session, actor, t, callback_data.ref, callback_data.page)
    await paging.answer(query, t, shown)
    back = keyboards.members_back(t, callback_data.ref, 0)
    await show(query, shown.text, keyboards.markup([shown.nav], back.inline_keyboard))


async def _ask_code(message: object, state: FSMContext, t: Translator, network_id: int) -> None:
    await state.set_state(JoinFlow.invite_code)
    await state.update_data(network_id=network_id)
    if isinstance(message, Message):
        await message.answer(
            t.gettext(
                "This network is open by invitation. Send me the invite code you got from the "
                "host, or /cancel."
            )
        )


async def invite_code(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    network_id = int((await state.get_data()).get("network_id", 0))
    code = (message.text or "").strip()
    # A wrong code is refused (InviteCodeWrong) with the conversation kept: type it again.
    result = await networks.join(session, actor, network_id, invite_code=code[:32])
    await state.clear()
    await message.answer(
        joined_text(t, result.network) + "\n\n" + card_text(t, result.network),
        reply_markup=keyboards.network_card(t, result.network),
    )


async def join_by_link(
    message: Message,
    payload: str,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    state: FSMContext,
    machine: MachineTranslation | None = None,
) -> None:
    """Act on a `join-<slug>[_<code>]` deep link for an onboarded resident."""
    match = DEEP_LINK.match(payload)
    view = None if match is None else await networks.lookup_slug(session, actor, match["slug"])
    if match is None or view is None:
        await message.answer(
            t.gettext(
                "That link doesn't lead to a network I know. Here are the networks you can join:"
            )
        )
        await _list(message, session, actor, t)
        return
    attempt = await networks.attempt_join(session, actor, view.id, invite_code=match["code"])
    if attempt.code_wrong:
        await message.answer(t.gettext("The invite code in that link doesn't match any more."))
    if attempt.joined is None:
        await _ask_code(message, state, t, view.id)
        return
    result = attempt.joined
    view = await networks.in_reader_language(result.network, machine, t.locale)
    intro = (
        t.gettext("You are already a member of {network}.", network=quote(view.name))
        if result.already_member
        else joined_text(t, view)
    )
    await message.answer(
        intro + "\n\n" + card_text(t, view), reply_markup=keyboards.network_card(t, view)
    )


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="networks")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(networks_command, Command("networks"))
    router.callback_query.register(networks_button, Act(OpenMenu, F.item == MenuItem.NETWORKS))
    router.callback_query.register(page, NetworkCb.filter(F.action == NetworkAction.LIST))
    router.callback_query.register(open_card, NetworkCb.filter(F.action == NetworkAction.OPEN))
    router.callback_query.register(join_button, NetworkCb.filter(F.action == NetworkAction.JOIN))
    router.callback_query.register(join_invited, Act(JoinNetwork))
    router.callback_query.register(leave_button, NetworkCb.filter(F.action == NetworkAction.LEAVE))
    router.callback_query.register(
        members_button, NetworkCb.filter(F.action == NetworkAction.MEMBERS)
    )
    router.callback_query.register(members_more, PageCb.filter(F.kind == ListKind.MEMBERS))
    router.message.register(invite_code, JoinFlow.invite_code, FreeText())
    network_texts.register(router)
    return router
