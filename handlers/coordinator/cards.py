"""A network's card for coordinators: its kind, join policy and invite code, archiving, its
hosts, and a new name or description."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import NATIVE_NAMES, Translator
from bot.services import networks
from bot.services.actors import Actor
from bot.services.networks import NetworkView
from db.models import JoinPolicy, NetworkKind
from handlers import keyboards, paging
from handlers.callbacks import CoordAction, CoordCb
from handlers.filters import FreeText
from handlers.networks import kind_label
from handlers.replies import quote, show
from handlers.states import EditNetworkFlow

HOSTS_PER_PAGE = 8
# Hosts come first among the members: reading this many finds them all in practice.
HOSTS_READ = 200
# The card names the hosts that fit in this many characters and counts the rest (⭐ Hosts
# lists them all): with a name, a description and a link it stays far within 4096.
HOSTS_LINE = 600


def join_link(username: str | None, view: NetworkView) -> str:
    payload = f"join-{view.slug}" + (f"_{view.invite_code}" if view.invite_code else "")
    return f"https://t.me/{username}?start={payload}"


async def card_text(
    bot: Bot, session: AsyncSession, actor: Actor, t: Translator, view: NetworkView
) -> str:
    page = await networks.members(session, actor, view.id, 0, HOSTS_READ)
    hosts = [m.first_name or "–" for m in page.members if m.is_host]
    languages = list((await networks.network_texts(session, actor, view.id)).translations)
    me = await bot.me()
    return card_screen(t, view, hosts, me.username, languages)


def card_screen(
    t: Translator,
    view: NetworkView,
    hosts: list[str],
    username: str | None,
    languages: Sequence[str] = (),
) -> str:
    """The card's text: name, kind and size, hosts (as many as fit `HOSTS_LINE`, the rest
    counted), description, the languages it is also given in, how to join. The name and
    description are the originals, as ✏️ Name and ✏️ Description change them."""
    name, description = view.original_name, view.original_description
    if not name:  # a view made without its originals (a test's): what it has
        name, description = view.name, view.description
    title = f"<b>{quote(name)}</b>" + (" 📦 " + t.gettext("(archived)") if view.archived else "")
    names = [quote(name) for name in hosts]
    lines = [
        title,
        kind_label(t, view.kind)
        + " · "
        + t.ngettext("{n} member", "{n} members", view.member_count),
        t.gettext("Hosts: {names}", names=paging.names_within(t, names, HOSTS_LINE))
        if hosts
        else t.gettext("No hosts yet."),
    ]
    if description:
        lines += ["", quote(description)]
    if languages:
        given = ", ".join(NATIVE_NAMES.get(loc, loc) for loc in languages)
        lines += ["", t.gettext("🌍 Also in: {languages}", languages=given)]
    lines.append("")
    if view.join_policy is JoinPolicy.INVITE:
        code = f"<code>{view.invite_code}</code>"
        lines.append(t.gettext("🔒 Invite only. Code: {code}", code=code))
    else:
        lines.append(t.gettext("🔓 Open to everyone."))
    lines.append(t.gettext("Join link: {link}", link=join_link(username, view)))
    return "\n".join(lines)


async def _show_card(
    query: CallbackQuery, bot: Bot, session: AsyncSession, actor: Actor, t: Translator, nid: int
) -> None:
    actor.require_coordinator()
    view = await networks.get_network(session, actor, nid)
    await show(
        query, await card_text(bot, session, actor, t, view), keyboards.coordinator_card(t, view)
    )


async def card(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await _show_card(query, bot, session, actor, t, callback_data.network_id)
    await query.answer()


async def kind(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    nid = callback_data.network_id
    chosen = NetworkKind.INTEREST if callback_data.arg else NetworkKind.AREA
    await networks.edit_network(session, actor, nid, kind=chosen)
    await _show_card(query, bot, session, actor, t, nid)
    await query.answer()


async def policy(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    nid = callback_data.network_id
    chosen = JoinPolicy.INVITE if callback_data.arg else JoinPolicy.OPEN
    await networks.edit_network(session, actor, nid, join_policy=chosen)
    await _show_card(query, bot, session, actor, t, nid)
    await query.answer()


async def new_code(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    nid = callback_data.network_id
    await networks.edit_network(session, actor, nid, invite_code=networks.new_invite_code())
    await _show_card(query, bot, session, actor, t, nid)
    await query.answer(t.gettext("New invite code made. The old one no longer works."))


async def _set_archived(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    archived: bool,
) -> None:
    nid = callback_data.network_id
    await networks.set_archived(session, actor, nid, archived=archived)
    await _show_card(query, bot, session, actor, t, nid)
    await query.answer()


async def archive(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await _set_archived(query, callback_data, bot, session, actor, t, archived=True)


async def restore(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await _set_archived(query, callback_data, bot, session, actor, t, archived=False)


async def _host_picker(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, nid: int, page_no: int
) -> None:
    actor.require_coordinator()  # hosts may list members, but this screen appoints hosts
    page = await networks.members(session, actor, nid, page_no * HOSTS_PER_PAGE, HOSTS_PER_PAGE)
    text = "\n".join(
        [
            "<b>"
            + t.gettext("Hosts of {network}", network=quote(page.network.original_name))
            + "</b>",
            t.gettext("Tap a member to make them a host, or tap a host (⭐) to end their role."),
        ]
    )
    if not page.total:
        text += "\n\n" + t.gettext("Nobody has joined yet. Hosts are chosen among the members.")
    await show(query, text, keyboards.host_picker(t, page, HOSTS_PER_PAGE))


async def hosts(
    query: CallbackQuery, callback_data: CoordCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await _host_picker(query, session, actor, t, callback_data.network_id, callback_data.arg)
    await query.answer()


async def toggle_host(
    query: CallbackQuery, callback_data: CoordCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    nid = callback_data.network_id
    changed = await networks.toggle_host(session, actor, nid, callback_data.arg)
    await _host_picker(query, session, actor, t, nid, 0)
    name = changed.first_name or "–"
    if changed.is_host:
        await query.answer(t.gettext("{name} is now a host.", name=name))
    else:
        await query.answer(t.gettext("{name} is no longer a host.", name=name))


async def _ask_for(
    query: CallbackQuery,
    network_id: int,
    bot: Bot,
    state: FSMContext,
    actor: Actor,
    step: State,
    prompt: str,
) -> None:
    """The next message is the network's new name or description."""
    actor.require_coordinator()
    await state.set_state(step)
    await state.update_data(network_id=network_id)
    await bot.send_message(query.from_user.id, prompt)
    await query.answer()


async def ask_for_name(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    state: FSMContext,
    actor: Actor,
    t: Translator,
) -> None:
    prompt = t.gettext("Send the new name, or /cancel.")
    await _ask_for(query, callback_data.network_id, bot, state, actor, EditNetworkFlow.name, prompt)


async def ask_for_description(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    state: FSMContext,
    actor: Actor,
    t: Translator,
) -> None:
    prompt = t.gettext("Send the new description, or /cancel.")
    await _ask_for(
        query, callback_data.network_id, bot, state, actor, EditNetworkFlow.description, prompt
    )


async def edit_text(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    current = await state.get_state()
    network_id = int((await state.get_data()).get("network_id", 0))
    text = message.text or ""
    if current == EditNetworkFlow.name.state:
        view = await networks.edit_network(session, actor, network_id, name=text)
    else:
        view = await networks.edit_network(session, actor, network_id, description=text)
    await state.clear()
    await message.answer(
        t.gettext("Saved.") + "\n\n" + await card_text(bot, session, actor, t, view),
        reply_markup=keyboards.coordinator_card(t, view),
    )


def register(router: Router) -> None:
    for action, handler in (
        (CoordAction.CARD, card),
        (CoordAction.KIND, kind),
        (CoordAction.POLICY, policy),
        (CoordAction.CODE, new_code),
        (CoordAction.ARCHIVE, archive),
        (CoordAction.RESTORE, restore),
        (CoordAction.HOSTS, hosts),
        (CoordAction.HOST, toggle_host),
        (CoordAction.NAME, ask_for_name),
        (CoordAction.DESCRIPTION, ask_for_description),
    ):
        router.callback_query.register(handler, CoordCb.filter(F.action == action))
    router.message.register(edit_text, EditNetworkFlow.name, FreeText())
    router.message.register(edit_text, EditNetworkFlow.description, FreeText())
