"""/coordinate: create, edit and archive networks, appoint hosts, read reach figures.

Buttons here are only shown to coordinators, but every action goes through a service that
checks the role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Translator
from bot.services import networks, sms_cost
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.errors import ServiceError
from bot.services.networks import NetworkView
from db.models import JoinPolicy, NetworkKind
from handlers import keyboards
from handlers.callbacks import CoordCb
from handlers.filters import Act, FreeText, Onboarded
from handlers.networks import kind_label
from handlers.replies import quote, refuse, show
from handlers.states import EditNetworkFlow, NewNetworkFlow

HOSTS_PER_PAGE = 8


def join_link(username: str | None, view: NetworkView) -> str:
    payload = f"join-{view.slug}" + (f"_{view.invite_code}" if view.invite_code else "")
    return f"https://t.me/{username}?start={payload}"


async def _panel(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    sms: bool = False,
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
    try:
        await _panel(message, session, actor, t, settings.sms_gateway is not None)
    except ServiceError as error:
        await refuse(message, t, error)


async def coordinate_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    try:
        await _panel(query, session, actor, t, settings.sms_gateway is not None)
    except ServiceError as error:
        await refuse(query, t, error)
        return
    await query.answer()


async def card_text(
    bot: Bot, session: AsyncSession, actor: Actor, t: Translator, view: NetworkView
) -> str:
    page = await networks.members(session, actor, view.id, 0, 50)
    hosts = [quote(m.first_name or "–") for m in page.members if m.is_host]
    title = f"<b>{quote(view.name)}</b>" + (
        " 📦 " + t.gettext("(archived)") if view.archived else ""
    )
    lines = [
        title,
        kind_label(t, view.kind)
        + " · "
        + t.ngettext("{n} member", "{n} members", view.member_count),
        t.gettext("Hosts: {names}", names=", ".join(hosts))
        if hosts
        else t.gettext("No hosts yet."),
    ]
    if view.description:
        lines += ["", quote(view.description)]
    lines.append("")
    if view.join_policy is JoinPolicy.INVITE:
        code = f"<code>{view.invite_code}</code>"
        lines.append(t.gettext("🔒 Invite only. Code: {code}", code=code))
    else:
        lines.append(t.gettext("🔓 Open to everyone."))
    me = await bot.me()
    lines.append(t.gettext("Join link: {link}", link=join_link(me.username, view)))
    return "\n".join(lines)


async def _card(
    target: Message | CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    network_id: int,
) -> None:
    actor.require_coordinator()
    view = await networks.get_network(session, actor, network_id)
    await show(
        target, await card_text(bot, session, actor, t, view), keyboards.coordinator_card(t, view)
    )


async def coordinator_action(
    query: CallbackQuery,
    callback_data: CoordCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    action, nid, arg = callback_data.action, callback_data.network_id, callback_data.arg
    if action == "panel":
        try:
            await _panel(query, session, actor, t, settings.sms_gateway is not None)
        except ServiceError as error:
            await refuse(query, t, error)
            return
        await query.answer()
        return
    try:
        toast = await _dispatch(query, action, nid, arg, bot, state, session, actor, t, settings)
    except ServiceError as error:
        await refuse(query, t, error)
        return
    await query.answer(toast)


async def _dispatch(
    query: CallbackQuery,
    action: str,
    nid: int,
    arg: int,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> str | None:
    """Carry out one coordinator button; returns a short toast, if any."""
    if action == "panel":
        await _panel(query, session, actor, t)
    elif action == "nets":
        views = await networks.list_networks(session, actor, include_archived=True)
        text = (
            "<b>"
            + t.gettext("Manage networks")
            + "</b>\n"
            + t.gettext("Choose a network to change it.")
        )
        await show(query, text, keyboards.coordinator_networks(t, views, arg))
    elif action == "card":
        await _card(query, bot, session, actor, t, nid)
    elif action == "kind":
        await networks.edit_network(
            session, actor, nid, kind=NetworkKind.INTEREST if arg else NetworkKind.AREA
        )
        await _card(query, bot, session, actor, t, nid)
    elif action == "policy":
        await networks.edit_network(
            session, actor, nid, join_policy=JoinPolicy.INVITE if arg else JoinPolicy.OPEN
        )
        await _card(query, bot, session, actor, t, nid)
    elif action == "code":
        await networks.edit_network(session, actor, nid, invite_code=networks.new_invite_code())
        await _card(query, bot, session, actor, t, nid)
        return t.gettext("New invite code made. The old one no longer works.")
    elif action in ("archive", "restore"):
        await networks.set_archived(session, actor, nid, archived=action == "archive")
        await _card(query, bot, session, actor, t, nid)
    elif action == "hosts":
        await _hosts(query, session, actor, t, nid, arg)
    elif action == "host":
        changed = await networks.toggle_host(session, actor, nid, arg)
        await _hosts(query, session, actor, t, nid, 0)
        name = changed.first_name or "–"
        if changed.is_host:
            return t.gettext("{name} is now a host.", name=name)
        return t.gettext("{name} is no longer a host.", name=name)
    elif action == "reach":
        await _reach(query, session, actor, t, settings)
    elif action in ("name", "desc"):
        actor.require_coordinator()
        await state.set_state(
            EditNetworkFlow.name if action == "name" else EditNetworkFlow.description
        )
        await state.update_data(network_id=nid)
        prompt = (
            t.gettext("Send the new name, or /cancel.")
            if action == "name"
            else t.gettext("Send the new description, or /cancel.")
        )
        await bot.send_message(query.from_user.id, prompt)
    elif action == "new":
        actor.require_coordinator()
        await state.set_state(NewNetworkFlow.name)
        await bot.send_message(
            query.from_user.id,
            t.gettext(
                "What is the new network called? (For example: Torstrand, or Walking group.) "
                "/cancel stops."
            ),
        )
    elif action in ("newkind", "newpolicy"):
        await _new_network_step(query, action, arg, bot, state, session, actor, t)
    else:
        return t.gettext("This button no longer works.")
    return None


async def _hosts(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, nid: int, page_no: int
) -> None:
    actor.require_coordinator()  # hosts may list members, but this screen appoints hosts
    page = await networks.members(session, actor, nid, page_no * HOSTS_PER_PAGE, HOSTS_PER_PAGE)
    text = "\n".join(
        [
            "<b>" + t.gettext("Hosts of {network}", network=quote(page.network.name)) + "</b>",
            t.gettext("Tap a member to make them a host, or tap a host (⭐) to end their role."),
        ]
    )
    if not page.total:
        text += "\n\n" + t.gettext("Nobody has joined yet. Hosts are chosen among the members.")
    await show(query, text, keyboards.host_picker(t, page, HOSTS_PER_PAGE))


async def _reach(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    rows = await networks.reach(session, actor)
    lines = ["<b>" + t.gettext("Reach") + "</b>", t.gettext("Members per network, by language.")]
    by_sms = await sms_cost.coordinator_usage_line(session, actor, settings, t)
    if by_sms:
        lines.append(by_sms)
    for row in rows:
        count = t.ngettext("{n} member", "{n} members", row.total)
        lines += ["", f"<b>{quote(row.network.name)}</b> · {count}"]
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
    if not rows:
        lines += ["", t.gettext("There are no networks yet.")]
    back = keyboards.choice("panel", [(t.gettext("« Coordinator"), 0)])
    await show(query, "\n".join(lines), back)


# ---- creating a network: name, description, kind, join policy ------------------------------


async def new_name(message: Message, state: FSMContext, t: Translator) -> None:
    name = " ".join((message.text or "").split())
    if len(name) > networks.NAME_MAX:
        await message.answer(
            t.ngettext(
                "That's too long: at most {n} character, please.",
                "That's too long: at most {n} characters, please.",
                networks.NAME_MAX,
            )
        )
        return
    await state.update_data(name=name)
    await state.set_state(NewNetworkFlow.description)
    await message.answer(t.gettext("A short description: who is it for, and where? Or /skip."))


async def new_description(message: Message, state: FSMContext, t: Translator) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > networks.DESCRIPTION_MAX:
        await message.answer(
            t.ngettext(
                "That's too long: at most {n} character, please.",
                "That's too long: at most {n} characters, please.",
                networks.DESCRIPTION_MAX,
            )
        )
        return
    await state.update_data(description=text)
    await state.set_state(None)
    options = [
        (t.gettext("An area (a neighbourhood or village)"), 0),
        (t.gettext("An interest group"), 1),
    ]
    await message.answer(
        t.gettext("Is it an area or an interest group?"),
        reply_markup=keyboards.choice("newkind", options),
    )


async def _new_network_step(
    query: CallbackQuery,
    action: str,
    arg: int,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    actor.require_coordinator()
    data = await state.get_data()
    if "name" not in data:
        await show(query, t.gettext("This button no longer works."))
        return
    if action == "newkind":
        await state.update_data(kind=NetworkKind.INTEREST.value if arg else NetworkKind.AREA.value)
        options = [(t.gettext("🔓 Open to everyone"), 0), (t.gettext("🔒 By invite code"), 1)]
        await show(query, t.gettext("Who can join?"), keyboards.choice("newpolicy", options))
        return
    view = await networks.create_network(
        session,
        actor,
        name=data["name"],
        kind=NetworkKind(data.get("kind", "area")),
        description=data.get("description", ""),
        invite_only=bool(arg),
    )
    await state.clear()
    text = (
        t.gettext("Created! Share the join link with the neighbours.")
        + "\n\n"
        + await card_text(bot, session, actor, t, view)
    )
    await show(query, text, keyboards.coordinator_card(t, view))


# ---- editing name and description ----------------------------------------------------------


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
    try:
        if current == EditNetworkFlow.name.state:
            view = await networks.edit_network(session, actor, network_id, name=text)
        else:
            view = await networks.edit_network(session, actor, network_id, description=text)
    except ServiceError as error:
        await refuse(message, t, error)
        return
    await state.clear()
    await message.answer(
        t.gettext("Saved.") + "\n\n" + await card_text(bot, session, actor, t, view),
        reply_markup=keyboards.coordinator_card(t, view),
    )


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="coordinator")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(coordinate, Command("coordinate"))
    router.callback_query.register(coordinate_button, Act(OpenMenu, F.item == MenuItem.COORDINATOR))
    router.callback_query.register(coordinator_action, CoordCb.filter())
    router.message.register(new_name, NewNetworkFlow.name, FreeText())
    router.message.register(new_description, NewNetworkFlow.description, Command("skip"))
    router.message.register(new_description, NewNetworkFlow.description, FreeText())
    router.message.register(edit_text, EditNetworkFlow.name, FreeText())
    router.message.register(edit_text, EditNetworkFlow.description, FreeText())
    return router
