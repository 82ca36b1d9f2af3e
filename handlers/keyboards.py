"""Inline keyboards. Labels come from the catalogs; data from `callbacks`.

Keyboards are built as plain lists rather than with aiogram's InlineKeyboardBuilder, which
copies the whole keyboard on every added button: on the hot paths (language choice, network
list) that copying cost more than the rest of rendering.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Translator
from bot.services import actions
from bot.services.actions import Action, MenuItem, OpenMenu, OriginalOf
from bot.services.actors import Actor
from bot.services.machine_texts import original_button
from bot.services.networks import TRANSLATABLE, MemberPage, NetworkTexts, NetworkView
from db.models import JoinPolicy, NetworkKind
from handlers.callbacks import (
    BroadcastAction,
    CoordAction,
    CoordCb,
    EnrolAction,
    EnrolCb,
    ForgetAction,
    ForgetCb,
    HelpAction,
    HelpCb,
    HostCb,
    HostEventAction,
    HostEventCb,
    InsightAction,
    InsightCb,
    LanguageCb,
    NetworkAction,
    NetworkCb,
    NetworkTextAction,
    NetworkTextCb,
    PrivacyAction,
    PrivacyCb,
)
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb

NETWORKS_PER_PAGE = 8
Button = InlineKeyboardButton


def button(text: str, data: CallbackData | Action) -> Button:
    """A button for a screen of the bot (`CallbackData`) or an action of the core's vocabulary."""
    packed = data.pack() if isinstance(data, CallbackData) else actions.pack(data)
    return InlineKeyboardButton(text=text, callback_data=packed)


def rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def markup(*groups: list[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for group in groups for row in group if row])


def languages(app_locale: str | None, current: str | None = None) -> InlineKeyboardMarkup:
    """Every shipped language by its own name: the phone's language first, the current ticked."""
    order = list(SHIPPED_LOCALES)
    first: list[Button] = []
    if app_locale in order:
        order.remove(app_locale)
        order.insert(0, app_locale)
    buttons = []
    for code in order:
        label = NATIVE_NAMES[code]
        if code == current:
            label = f"✓ {label}"
        elif code == app_locale and current is None:
            label = f"📱 {label}"
        buttons.append(button(label, LanguageCb(code=code)))
    if app_locale in SHIPPED_LOCALES and current is None:
        # The phone's language on a row of its own, so it is the obvious first choice.
        first, buttons = buttons[:1], buttons[1:]
    return markup([first], rows(buttons, 2))


def privacy(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [[button(t.gettext("✅ I understand, let's go"), PrivacyCb(action=PrivacyAction.ACCEPT))]]
    )


def main_menu(t: Translator, actor: Actor) -> InlineKeyboardMarkup:
    buttons = [
        button(t.gettext("🗓 Events"), OpenMenu(MenuItem.EVENTS)),
        button(t.gettext("🏘 Networks"), OpenMenu(MenuItem.NETWORKS)),
        button(t.gettext("🙋 Ask for help"), OpenMenu(MenuItem.ASK)),
        button(t.gettext("🤝 Offer help"), OpenMenu(MenuItem.OFFER)),
        button(t.gettext("🗳 Take part"), OpenMenu(MenuItem.TAKE_PART)),
        button(t.gettext("🌐 Language"), OpenMenu(MenuItem.LANGUAGE)),
        button(t.gettext("⚙️ Settings"), OpenMenu(MenuItem.SETTINGS)),
        button(t.gettext("🔒 My data"), OpenMenu(MenuItem.MYDATA)),
        button(t.gettext("❓ Help"), OpenMenu(MenuItem.HELP)),
    ]
    if actor.is_coordinator:
        buttons.append(button(t.gettext("🛠 Coordinator"), OpenMenu(MenuItem.COORDINATOR)))
    return markup(rows(buttons, 2))


def take_part(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [[button(t.gettext("📊 Polls"), OpenMenu(MenuItem.POLLS))]],
        [[button(t.gettext("💡 Ideas"), OpenMenu(MenuItem.IDEAS))]],
        [[button(t.gettext("🧹 Volunteer calls"), OpenMenu(MenuItem.VOLUNTEER))]],
        [[button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]],
    )


def back_to_menu(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]])


def _page(views: list[NetworkView], page: int) -> tuple[list[NetworkView], int, int]:
    pages = max(1, -(-len(views) // NETWORKS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    return views[page * NETWORKS_PER_PAGE : (page + 1) * NETWORKS_PER_PAGE], page, pages


def _pager(
    t: Translator, page: int, pages: int, make: type[CallbackData], **fields: object
) -> list[Button]:
    """‹ › buttons when there is more than one page; `make(page=...)` gives their data."""
    nav = []
    if page > 0:
        nav.append(button(t.gettext("‹ Previous"), make(**fields, page=page - 1)))
    if page < pages - 1:
        nav.append(button(t.gettext("Next ›"), make(**fields, page=page + 1)))
    return nav


def networks(
    t: Translator, shown: list[NetworkView], page: int, pages: int
) -> InlineKeyboardMarkup:
    """The networks on page `page` of `pages` (`handlers.networks.list_page`)."""
    buttons = [
        button(
            ("✅ " if v.is_member else "") + v.name,
            NetworkCb(action=NetworkAction.OPEN, network_id=v.id, page=page),
        )
        for v in shown
    ]
    nav = _pager(t, page, pages, NetworkCb, action=NetworkAction.LIST)
    home = [button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]
    return markup(rows(buttons, 2), [nav], [home])


def network_card(
    t: Translator, view: NetworkView, page: int = 0, sms: bool = False
) -> InlineKeyboardMarkup:
    if view.is_member:
        action = button(
            t.gettext("Leave"), NetworkCb(action=NetworkAction.LEAVE, network_id=view.id, page=page)
        )
    else:
        action = button(
            t.gettext("➕ Join"),
            NetworkCb(action=NetworkAction.JOIN, network_id=view.id, page=page),
        )
    back = button(t.gettext("« All networks"), NetworkCb(action=NetworkAction.LIST, page=page))
    if view.machine_description:
        shown = original_button(t, OriginalOf.NETWORK, view.id)
        back_row = [button(shown.text, shown.action), back]
    else:
        back_row = [back]
    hosting = []
    if view.is_host:
        hosting = [
            button(
                t.gettext("👥 Members"),
                NetworkCb(action=NetworkAction.MEMBERS, network_id=view.id, page=page),
            ),
            button(
                t.gettext("🗓 New event"),
                HostEventCb(action=HostEventAction.NEW, network_id=view.id),
            ),
            button(
                t.gettext("📣 Write to members"),
                HostCb(action=BroadcastAction.WRITE, network_id=view.id),
            ),
            button(
                t.gettext("🌍 Name in other languages"),
                NetworkTextCb(action=NetworkTextAction.MENU, network_id=view.id),
            ),
            button(
                t.gettext("📈 Insight"),
                InsightCb(action=InsightAction.MENU, network_id=view.id),
            ),
        ]
        if sms:
            hosting.append(
                button(
                    t.gettext("📱 Enrol by SMS"),
                    EnrolCb(action=EnrolAction.START, network_id=view.id),
                )
            )
    return markup([[action]], rows(hosting, 1), [back_row])


def members_back(t: Translator, network_id: int, page: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(
                    t.gettext("« Back"),
                    NetworkCb(action=NetworkAction.OPEN, network_id=network_id, page=page),
                )
            ]
        ]
    )


def forget(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t.gettext("🗑 Yes, delete my data"), ForgetCb(action=ForgetAction.YES))],
            [button(t.gettext("No, keep it"), ForgetCb(action=ForgetAction.NO))],
        ]
    )


def coordinator_panel(t: Translator, sms: bool = False) -> InlineKeyboardMarkup:
    buttons = [
        button(t.gettext("➕ New network"), CoordCb(action=CoordAction.NEW)),
        button(t.gettext("🏘 Manage networks"), CoordCb(action=CoordAction.NETWORKS)),
        button(t.gettext("📊 Reach"), CoordCb(action=CoordAction.REACH)),
        button(t.gettext("📈 Insight"), InsightCb(action=InsightAction.MENU)),
        button(
            t.gettext("📣 Write to everyone"), HostCb(action=BroadcastAction.WRITE, network_id=0)
        ),
        button(t.gettext("🤝 Neighbour help figures"), HelpCb(action=HelpAction.STATS)),
        button(t.gettext("🧹 Volunteer hours"), VolunteerCb(action=VolunteerAction.HOURS)),
    ]
    if sms:  # only where an SMS gateway is configured
        buttons.append(button(t.gettext("📱 Enrol by SMS"), EnrolCb(action=EnrolAction.START)))
    buttons.append(button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME)))
    return markup(rows(buttons, 1))


def coordinator_networks(
    t: Translator, views: list[NetworkView], page: int
) -> InlineKeyboardMarkup:
    shown, page, pages = _page(views, page)
    buttons = [
        button(
            # The original, as the card it opens shows it (and ✏️ Name changes it).
            ("📦 " if v.archived else "") + (v.original_name or v.name),
            CoordCb(action=CoordAction.CARD, network_id=v.id),
        )
        for v in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            button(t.gettext("‹ Previous"), CoordCb(action=CoordAction.NETWORKS, arg=page - 1))
        )
    if page < pages - 1:
        nav.append(button(t.gettext("Next ›"), CoordCb(action=CoordAction.NETWORKS, arg=page + 1)))
    back = [button(t.gettext("« Coordinator"), CoordCb(action=CoordAction.PANEL))]
    return markup(rows(buttons, 2), [nav], [back])


def coordinator_card(t: Translator, view: NetworkView) -> InlineKeyboardMarkup:
    nid = view.id
    buttons = [
        button(t.gettext("✏️ Name"), CoordCb(action=CoordAction.NAME, network_id=nid)),
        button(t.gettext("✏️ Description"), CoordCb(action=CoordAction.DESCRIPTION, network_id=nid)),
    ]
    if view.kind is NetworkKind.AREA:
        buttons.append(
            button(
                t.gettext("Make it an interest group"),
                CoordCb(action=CoordAction.KIND, network_id=nid, arg=1),
            )
        )
    else:
        buttons.append(
            button(
                t.gettext("Make it an area"),
                CoordCb(action=CoordAction.KIND, network_id=nid, arg=0),
            )
        )
    if view.join_policy is JoinPolicy.OPEN:
        buttons.append(
            button(
                t.gettext("🔒 Invite only"),
                CoordCb(action=CoordAction.POLICY, network_id=nid, arg=1),
            )
        )
    else:
        buttons.append(
            button(
                t.gettext("🔓 Open to all"),
                CoordCb(action=CoordAction.POLICY, network_id=nid, arg=0),
            )
        )
        buttons.append(
            button(
                t.gettext("🔑 New invite code"), CoordCb(action=CoordAction.CODE, network_id=nid)
            )
        )
    buttons.append(button(t.gettext("⭐ Hosts"), CoordCb(action=CoordAction.HOSTS, network_id=nid)))
    buttons.append(
        button(t.gettext("📈 Insight"), InsightCb(action=InsightAction.MENU, network_id=nid))
    )
    buttons.append(
        button(
            t.gettext("🌍 Name in other languages"),
            NetworkTextCb(action=NetworkTextAction.MENU, network_id=nid, coordinator=True),
        )
    )
    if view.archived:
        buttons.append(
            button(t.gettext("♻️ Reopen"), CoordCb(action=CoordAction.RESTORE, network_id=nid))
        )
    else:
        buttons.append(
            button(t.gettext("📦 Archive"), CoordCb(action=CoordAction.ARCHIVE, network_id=nid))
        )
    buttons.append(button(t.gettext("« Networks"), CoordCb(action=CoordAction.NETWORKS)))
    return markup(rows(buttons, 2))


def network_texts(t: Translator, texts: NetworkTexts, coordinator: bool) -> InlineKeyboardMarkup:
    """A button per language a network's texts can be given in (✅ where they are), and back
    to the card the screen was opened from."""
    nid = texts.network.id
    languages = [
        button(
            ("✅ " if loc in texts.translations else "") + NATIVE_NAMES[loc],
            NetworkTextCb(
                action=NetworkTextAction.LANGUAGE,
                network_id=nid,
                locale=loc,
                coordinator=coordinator,
            ),
        )
        for loc in TRANSLATABLE
    ]
    back = (
        CoordCb(action=CoordAction.CARD, network_id=nid)
        if coordinator
        else NetworkCb(action=NetworkAction.OPEN, network_id=nid)
    )
    return markup(rows(languages, 2), [[button(t.gettext("« Back"), back)]])


def network_text_step(
    t: Translator, network_id: int, locale: str, coordinator: bool, *, keep: bool, remove: bool
) -> InlineKeyboardMarkup | None:
    """Under a question about one language's texts: keep the description given before (at
    the description step), or take that language's version away (at the name step)."""
    offered = [
        (NetworkTextAction.KEEP, t.gettext("Keep the current description"), keep),
        (NetworkTextAction.REMOVE, t.gettext("🗑 Remove this language"), remove),
    ]
    found = [
        button(
            label,
            NetworkTextCb(
                action=action, network_id=network_id, locale=locale, coordinator=coordinator
            ),
        )
        for action, label, wanted in offered
        if wanted
    ]
    return markup(rows(found, 1)) if found else None


def host_picker(t: Translator, page: MemberPage, per_page: int) -> InlineKeyboardMarkup:
    nid = page.network.id
    current = page.offset // per_page
    buttons = []
    for member in page.members:
        name = member.first_name or t.gettext("(no name)")
        buttons.append(
            button(
                f"⭐ {name}" if member.is_host else name,
                CoordCb(action=CoordAction.HOST, network_id=nid, arg=member.resident_id),
            )
        )
    pages = max(1, -(-page.total // per_page))
    nav = []
    if current > 0:
        nav.append(
            button(
                t.gettext("‹ Previous"),
                CoordCb(action=CoordAction.HOSTS, network_id=nid, arg=current - 1),
            )
        )
    if current < pages - 1:
        nav.append(
            button(
                t.gettext("Next ›"),
                CoordCb(action=CoordAction.HOSTS, network_id=nid, arg=current + 1),
            )
        )
    back = [button(t.gettext("« Back"), CoordCb(action=CoordAction.CARD, network_id=nid))]
    return markup(rows(buttons, 2), [nav], [back])


def choice(action: CoordAction, options: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    return markup(
        rows([button(label, CoordCb(action=action, arg=value)) for label, value in options], 1)
    )


def enrol_languages() -> InlineKeyboardMarkup:
    """The enrolled neighbour's language, each by its own name."""
    return markup(
        rows(
            [
                button(NATIVE_NAMES[c], EnrolCb(action=EnrolAction.LANGUAGE, arg=c))
                for c in SHIPPED_LOCALES
            ],
            2,
        )
    )


def enrol_networks(
    t: Translator, views: list[NetworkView], chosen: set[int], pages: list[Button] | None = None
) -> InlineKeyboardMarkup:
    """The networks on one page of the enrolment's choice (`handlers.enrolment`), each a
    toggle, with the page's ‹ › buttons (`pages`) above Next and Cancel."""
    toggles = [
        button(
            ("✅ " if v.id in chosen else "▫️ ") + v.name,
            EnrolCb(action=EnrolAction.NETWORK, network_id=v.id),
        )
        for v in views
    ]
    nav = [
        button(t.gettext("Next ›"), EnrolCb(action=EnrolAction.NEXT)),
        button(t.gettext("✖️ Cancel"), EnrolCb(action=EnrolAction.DROP)),
    ]
    return markup(rows(toggles, 2), [pages or []], [nav])


def enrol_confirm(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [[button(t.gettext("✅ They agreed, enrol"), EnrolCb(action=EnrolAction.AGREE))]],
        [[button(t.gettext("✖️ Cancel"), EnrolCb(action=EnrolAction.DROP))]],
    )
