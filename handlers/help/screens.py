"""What several neighbour-help screens share: the words for a request's status and a helper's
frequency, a request in a few lines, the answer to Report, and the networks a resident can ask
or offer in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import help as helping
from bot.services import networks
from bot.services.actors import Actor
from bot.services.help import RequestView, category_label
from bot.services.machine_texts import machine_note
from db.models import HelpCategory, HelpFrequency, RequestStatus
from handlers.replies import quote

# Buttons carry an index into these lists.
CATEGORIES = list(HelpCategory)
FREQUENCIES = list(HelpFrequency)


def status_label(t: Translator, status: RequestStatus) -> str:
    return {
        RequestStatus.OPEN: t.gettext("open"),
        RequestStatus.MATCHED: t.gettext("matched"),
        RequestStatus.DONE: t.gettext("done"),
        RequestStatus.WITHDRAWN: t.gettext("withdrawn"),
        RequestStatus.EXPIRED: t.gettext("closed"),
        RequestStatus.HIDDEN: t.gettext("hidden by a host"),
    }[status]


def frequency_label(t: Translator, frequency: HelpFrequency) -> str:
    return {
        HelpFrequency.INSTANT: t.gettext("Tell me right away"),
        HelpFrequency.DAILY: t.gettext("Once a day"),
        HelpFrequency.WEEKLY: t.gettext("In the weekly digest"),
    }[frequency]


def request_line(t: Translator, view: RequestView) -> str:
    when = helping.when_label(t, view.needed_on)
    description, machine = view.description_in(t.locale)
    note = f"\n<i>{machine_note(t, view.locale)}</i>" if machine else ""
    return (
        f"<b>{category_label(t, view.category)}</b> · {quote(view.network_name_in(t.locale))}\n"
        f"{quote(description)}{note}\n" + t.gettext("When: {when}", when=when)
    )


def reported_text(t: Translator, new: bool) -> str:
    """The answer to Report: thanks, or (pressed again) that it is reported already."""
    if new:
        return t.gettext("Thank you. The hosts will look at it.")
    return t.gettext("You have already reported this. The hosts will look at it.")


async def my_networks(session: AsyncSession, actor: Actor) -> list[networks.NetworkView]:
    return [v for v in await networks.list_networks(session, actor) if v.is_member]
