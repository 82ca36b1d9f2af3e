"""Inline keyboards. Labels come from the catalogs; data from `callbacks`."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Translator
from bot.services.actors import Actor
from bot.services.networks import MemberPage, NetworkView
from db.models import JoinPolicy, NetworkKind
from handlers.callbacks import CoordCb, ForgetCb, LanguageCb, MenuCb, NetworkCb, PrivacyCb

NETWORKS_PER_PAGE = 8


def languages(app_locale: str | None, current: str | None = None) -> InlineKeyboardMarkup:
    """Every shipped language by its own name: the phone's language first, the current ticked."""
    order = list(SHIPPED_LOCALES)
    if app_locale in order:
        order.remove(app_locale)
        order.insert(0, app_locale)
    builder = InlineKeyboardBuilder()
    for code in order:
        label = NATIVE_NAMES[code]
        if code == current:
            label = f"✓ {label}"
        elif code == app_locale and current is None:
            label = f"📱 {label}"
        builder.button(text=label, callback_data=LanguageCb(code=code))
    builder.adjust(1 if app_locale in SHIPPED_LOCALES and current is None else 2, 2)
    return builder.as_markup()


def privacy(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.gettext("✅ I understand, let's go"), callback_data=PrivacyCb(action="accept")
    )
    return builder.as_markup()


def main_menu(t: Translator, actor: Actor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.gettext("🏘 Networks"), callback_data=MenuCb(item="networks"))
    builder.button(text=t.gettext("🌐 Language"), callback_data=MenuCb(item="language"))
    builder.button(text=t.gettext("🔒 My data"), callback_data=MenuCb(item="mydata"))
    builder.button(text=t.gettext("❓ Help"), callback_data=MenuCb(item="help"))
    if actor.is_coordinator:
        builder.button(text=t.gettext("🛠 Coordinator"), callback_data=MenuCb(item="coord"))
    builder.adjust(2)
    return builder.as_markup()


def back_to_menu(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.gettext("« Menu"), callback_data=MenuCb(item="home"))
    return builder.as_markup()


def _pager(
    builder: InlineKeyboardBuilder,
    t: Translator,
    page: int,
    pages: int,
    make: type,
    **fields: int | str,
) -> int:
    """Add ‹ › buttons when there is more than one page; returns how many were added."""
    added = 0
    if page > 0:
        builder.button(text=t.gettext("‹ Previous"), callback_data=make(page=page - 1, **fields))
        added += 1
    if page < pages - 1:
        builder.button(text=t.gettext("Next ›"), callback_data=make(page=page + 1, **fields))
        added += 1
    return added


def networks(t: Translator, views: list[NetworkView], page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    pages = max(1, -(-len(views) // NETWORKS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = views[page * NETWORKS_PER_PAGE : (page + 1) * NETWORKS_PER_PAGE]
    for view in shown:
        mark = "✅ " if view.is_member else ""
        builder.button(
            text=f"{mark}{view.name}",
            callback_data=NetworkCb(action="open", network_id=view.id, page=page),
        )
    nav = _pager(builder, t, page, pages, NetworkCb, action="list")
    builder.button(text=t.gettext("« Menu"), callback_data=MenuCb(item="home"))
    builder.adjust(*([2] * (-(-len(shown) // 2))), *([nav] if nav else []), 1)
    return builder.as_markup()


def network_card(t: Translator, view: NetworkView, page: int = 0) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if view.is_member:
        builder.button(
            text=t.gettext("Leave"),
            callback_data=NetworkCb(action="leave", network_id=view.id, page=page),
        )
    else:
        builder.button(
            text=t.gettext("➕ Join"),
            callback_data=NetworkCb(action="join", network_id=view.id, page=page),
        )
    builder.button(
        text=t.gettext("« All networks"), callback_data=NetworkCb(action="list", page=page)
    )
    builder.adjust(1)
    return builder.as_markup()


def forget(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.gettext("🗑 Yes, delete my data"), callback_data=ForgetCb(action="yes"))
    builder.button(text=t.gettext("No, keep it"), callback_data=ForgetCb(action="no"))
    builder.adjust(1)
    return builder.as_markup()


def coordinator_panel(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.gettext("➕ New network"), callback_data=CoordCb(action="new"))
    builder.button(text=t.gettext("🏘 Manage networks"), callback_data=CoordCb(action="nets"))
    builder.button(text=t.gettext("📊 Reach"), callback_data=CoordCb(action="reach"))
    builder.button(text=t.gettext("« Menu"), callback_data=MenuCb(item="home"))
    builder.adjust(1)
    return builder.as_markup()


def coordinator_networks(
    t: Translator, views: list[NetworkView], page: int
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    pages = max(1, -(-len(views) // NETWORKS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = views[page * NETWORKS_PER_PAGE : (page + 1) * NETWORKS_PER_PAGE]
    for view in shown:
        mark = "📦 " if view.archived else ""
        builder.button(
            text=f"{mark}{view.name}", callback_data=CoordCb(action="card", network_id=view.id)
        )
    nav = 0
    if page > 0:
        builder.button(
            text=t.gettext("‹ Previous"), callback_data=CoordCb(action="nets", arg=page - 1)
        )
        nav += 1
    if page < pages - 1:
        builder.button(text=t.gettext("Next ›"), callback_data=CoordCb(action="nets", arg=page + 1))
        nav += 1
    builder.button(text=t.gettext("« Coordinator"), callback_data=CoordCb(action="panel"))
    builder.adjust(*([2] * (-(-len(shown) // 2))), *([nav] if nav else []), 1)
    return builder.as_markup()


def coordinator_card(t: Translator, view: NetworkView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    nid = view.id
    builder.button(text=t.gettext("✏️ Name"), callback_data=CoordCb(action="name", network_id=nid))
    builder.button(
        text=t.gettext("✏️ Description"), callback_data=CoordCb(action="desc", network_id=nid)
    )
    if view.kind is NetworkKind.AREA:
        builder.button(
            text=t.gettext("Make it an interest group"),
            callback_data=CoordCb(action="kind", network_id=nid, arg=1),
        )
    else:
        builder.button(
            text=t.gettext("Make it an area"),
            callback_data=CoordCb(action="kind", network_id=nid, arg=0),
        )
    if view.join_policy is JoinPolicy.OPEN:
        builder.button(
            text=t.gettext("🔒 Invite only"),
            callback_data=CoordCb(action="policy", network_id=nid, arg=1),
        )
    else:
        builder.button(
            text=t.gettext("🔓 Open to all"),
            callback_data=CoordCb(action="policy", network_id=nid, arg=0),
        )
        builder.button(
            text=t.gettext("🔑 New invite code"),
            callback_data=CoordCb(action="code", network_id=nid),
        )
    builder.button(
        text=t.gettext("⭐ Hosts"), callback_data=CoordCb(action="hosts", network_id=nid)
    )
    if view.archived:
        builder.button(
            text=t.gettext("♻️ Reopen"), callback_data=CoordCb(action="restore", network_id=nid)
        )
    else:
        builder.button(
            text=t.gettext("📦 Archive"), callback_data=CoordCb(action="archive", network_id=nid)
        )
    builder.button(text=t.gettext("« Networks"), callback_data=CoordCb(action="nets"))
    builder.adjust(2)
    return builder.as_markup()


def host_picker(t: Translator, page: MemberPage, per_page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    nid = page.network.id
    current = page.offset // per_page
    for member in page.members:
        name = member.first_name or t.gettext("(no name)")
        label = f"⭐ {name}" if member.is_host else name
        builder.button(
            text=label,
            callback_data=CoordCb(action="host", network_id=nid, arg=member.resident_id),
        )
    pages = max(1, -(-page.total // per_page))
    nav = 0
    if current > 0:
        builder.button(
            text=t.gettext("‹ Previous"),
            callback_data=CoordCb(action="hosts", network_id=nid, arg=current - 1),
        )
        nav += 1
    if current < pages - 1:
        builder.button(
            text=t.gettext("Next ›"),
            callback_data=CoordCb(action="hosts", network_id=nid, arg=current + 1),
        )
        nav += 1
    builder.button(text=t.gettext("« Back"), callback_data=CoordCb(action="card", network_id=nid))
    builder.adjust(*([2] * (-(-len(page.members) // 2))), *([nav] if nav else []), 1)
    return builder.as_markup()


def choice(t: Translator, action: str, options: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, value in options:
        builder.button(text=label, callback_data=CoordCb(action=action, arg=value))
    builder.adjust(1)
    return builder.as_markup()
