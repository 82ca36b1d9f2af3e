"""What the idea screens share: the paged list of ideas in a resident's networks (most
supported first, each with its status, support count and a support toggle) and an idea's card
(with the host's tools for the hosts of its network and coordinators)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.machine_translation.service import MachineTranslation
from bot.pages import Page, join
from bot.services import ideas
from bot.services.actions import MenuItem, OpenMenu, OriginalOf, SupportIdea
from bot.services.actors import Actor
from bot.services.ideas import IdeaView
from bot.services.machine_texts import machine_note, original_button
from handlers import paging
from handlers.callbacks import IdeaAction, IdeaCb, ListKind, PageCb
from handlers.keyboards import button, markup
from handlers.replies import quote

IDEAS_PER_PAGE = 5  # two buttons each (support, open): a page's keyboard stays short
SHORT = 160  # characters of an idea in the list; the card shows all of it


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[:SHORT].rstrip() + "…"


def supporters_label(t: Translator, n: int) -> str:
    return t.ngettext("👍 {n} supporter", "👍 {n} supporters", n)


def _row(t: Translator, number: int, view: IdeaView) -> str:
    words, machine = view.text_in(t.locale)
    robot = "🤖 " if machine else ""
    return "\n".join(
        (
            "",
            f"<b>{t.number(number)}.</b> {robot}«{quote(_short(words))}»",
            " · ".join(
                (
                    quote(view.network_name_in(t.locale)),
                    ideas.status_label(t, view.status),
                    supporters_label(t, view.supporters),
                )
            ),
        )
    )


def support_label(t: Translator, view: IdeaView, number: int | None = None) -> str:
    lead = f"{t.number(number)} · " if number is not None else ""
    if view.supported:
        return lead + t.gettext("✓ Supported")
    return lead + t.gettext("👍 Support")


async def list_screen(
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    number: int,
    machine: MachineTranslation | None,
) -> tuple[str, InlineKeyboardMarkup, bool]:
    """Page `number` of the ideas, and whether it had to be replaced by the nearest page."""
    page = await ideas.ideas_page(
        session, actor, number, IDEAS_PER_PAGE, machine=machine, locale=t.locale
    )
    propose = [[button(t.gettext("💡 Propose an idea"), IdeaCb(action=IdeaAction.PROPOSE))]]
    back = [[button(t.gettext("« Back"), OpenMenu(MenuItem.TAKE_PART))]]
    header = "<b>" + t.gettext("💡 Ideas") + "</b>"
    if not page.views:
        text = (
            header
            + "\n\n"
            + t.gettext(
                "No ideas yet in your networks. What would make your neighbourhood better? "
                "Propose the first one."
            )
        )
        return text, markup(propose, back), False
    header += (
        " · "
        + t.number(page.total)
        + "\n"
        + t.gettext("Ideas from your networks, most supported first. Support the ones you like.")
    )
    rows = [_row(t, page.first + n + 1, view) for n, view in enumerate(page.views)]
    shown = Page(tuple(rows), page.number, page.pages, page.first)
    text = join(header, shown.rows, paging.footer(t, shown))
    keys: list[list[InlineKeyboardButton]] = []
    for n, view in enumerate(page.views):
        shown_number = page.first + n + 1
        keys.append(
            [
                button(
                    support_label(t, view, shown_number),
                    IdeaCb(action=IdeaAction.SUPPORT, idea_id=view.id, arg=page.number),
                ),
                button(
                    t.gettext("{n} · More", n=t.number(shown_number)),
                    IdeaCb(action=IdeaAction.CARD, idea_id=view.id, arg=page.number),
                ),
            ]
        )
    nav = paging.nav(t, ListKind.IDEAS, 0, shown)
    return text, markup(keys, [nav], propose, back), page.number != number


def card_text(t: Translator, view: IdeaView) -> str:
    words, machine = view.text_in(t.locale)
    lines = [
        "<b>" + t.gettext("💡 Idea") + "</b> · " + quote(view.network_name_in(t.locale)),
        "",
        f"«{quote(words)}»",
    ]
    if machine:
        lines.append("<i>" + machine_note(t, view.locale) + "</i>")
    lines += ["", t.gettext("Now: {status}", status=ideas.status_label(t, view.status))]
    if view.reason:
        lines += [t.gettext("The host says:"), f"«{quote(view.reason)}»"]
    lines.append(supporters_label(t, view.supporters))
    if view.mine:
        lines.append(t.gettext("You proposed this idea."))
    if view.forwarded:
        lines.append(t.gettext("📨 Passed on to the municipality."))
    return "\n".join(lines)


def card_keyboard(t: Translator, view: IdeaView, hosting: bool, page: int) -> InlineKeyboardMarkup:
    keys: list[list[InlineKeyboardButton]] = [
        [button(support_label(t, view), SupportIdea(view.id))]
    ]
    if view.text_in(t.locale)[1]:
        shown = original_button(t, OriginalOf.IDEA, view.id)
        keys.append([button(shown.text, shown.action)])
    if not view.mine:
        keys.append(
            [button(t.gettext("⚠️ Report"), IdeaCb(action=IdeaAction.REPORT, idea_id=view.id))]
        )
    if hosting:
        answers = [
            button(
                ideas.status_label(t, status),
                IdeaCb(action=IdeaAction.STATUS, idea_id=view.id, arg=n),
            )
            for n, status in enumerate(ideas.ANSWERS)
        ]
        keys += [answers[:2], answers[2:]]
        keys.append(
            [
                button(
                    t.gettext("🔗 Merge into another idea"),
                    IdeaCb(action=IdeaAction.MERGE, idea_id=view.id),
                )
            ]
        )
        if not view.forwarded:
            keys.append(
                [
                    button(
                        t.gettext("📨 Pass on to the municipality"),
                        IdeaCb(action=IdeaAction.FORWARD, idea_id=view.id),
                    )
                ]
            )
        keys.append([button(t.gettext("🙈 Hide"), IdeaCb(action=IdeaAction.HIDE, idea_id=view.id))])
    keys.append([button(t.gettext("« Ideas"), PageCb(kind=ListKind.IDEAS, page=page))])
    return markup(keys)
