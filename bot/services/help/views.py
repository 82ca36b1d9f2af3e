"""A help request as residents see it, and the words around it: category names, the safety
note, when help is needed. Every other module of neighbour help shows requests through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.actors import Actor
from bot.services.errors import NotFound
from bot.services.machine_texts import NONE, ByLocale, for_readers
from bot.services.networks.views import NetworkName, network_name
from db.models import HelpCategory, HelpRequest, RequestStatus, Resident

# Categories where people meet or let someone in: their requests carry the safety note.
SENSITIVE = frozenset({HelpCategory.TRANSPORT, HelpCategory.COMPANY, HelpCategory.HOME})


def category_label(t: Translator, category: HelpCategory) -> str:
    return {
        HelpCategory.ERRANDS: t.gettext("🛒 Errands and shopping"),
        HelpCategory.TRANSPORT: t.gettext("🚗 Transport and company on the way"),
        HelpCategory.COMPANY: t.gettext("☕ Company and visits"),
        HelpCategory.DIGITAL: t.gettext("📱 Digital help"),
        HelpCategory.LANGUAGE: t.gettext("🗣 Language practice"),
        HelpCategory.HOME: t.gettext("🔧 Practical help at home"),
        HelpCategory.LENDING: t.gettext("🧰 Lending things"),
        HelpCategory.OTHER: t.gettext("✨ Something else"),
    }[category]


def shown_name(t: Translator, name: str | None) -> str:
    """A neighbour's first name, or a word for someone who has not given one. (A function of
    its own so the catalog extractor sees the string: it misses a gettext nested in another.)"""
    return name or t.gettext("A neighbour")


def safety_note(t: Translator) -> str:
    return t.gettext(
        "Stay safe: meet where others are around the first time, tell someone you trust, and "
        "never share bank details or codes. You can report anything that feels wrong."
    )


def when_label(t: Translator, needed_on: date | None) -> str:
    """The day help is needed, in the resident's language, or "flexible"."""
    if needed_on is None:
        return t.gettext("flexible")
    return t.format_day(datetime.combine(needed_on, time(12), tzinfo=t.zone))


if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation


@dataclass(frozen=True)
class RequestView:
    id: int
    network_id: int
    network_name: str
    category: HelpCategory
    description: str
    needed_on: date | None
    status: RequestStatus
    requester_name: str
    helper_name: str | None
    mine: bool
    created_at: datetime
    # The network's name in other languages (`network_name` is the original).
    network_names: Mapping[str, str] = field(default_factory=dict)
    # The language the requester wrote in, and the description machine-translated for reader
    # locales (`bot.services.machine_texts`), when that was asked for.
    locale: str | None = None
    machine: ByLocale = field(default_factory=lambda: NONE)

    def description_in(self, locale: str) -> tuple[str, bool]:
        """The description for a reader of `locale`, and whether it is machine-translated."""
        if locale in self.machine:
            return self.machine[locale][0], True
        return self.description, False

    def network_name_in(self, locale: str | None) -> str:
        """The network's name in `locale` where its hosts gave one, else the original."""
        return NetworkName(self.network_name, self.network_names).in_locale(locale)


async def first_name(session: AsyncSession, resident_id: int | None) -> str:
    """The only thing about a resident that neighbour help ever shows another resident."""
    if resident_id is None:
        return ""
    resident = await session.get(Resident, resident_id)
    return (resident.first_name or "") if resident else ""


async def get_request(session: AsyncSession, request_id: int) -> HelpRequest:
    request = await session.get(HelpRequest, request_id)
    if request is None:
        raise NotFound()
    return request


async def view_of(session: AsyncSession, request: HelpRequest, actor: Actor) -> RequestView:
    network = await network_name(session, request.network_id)
    requester = await session.get(Resident, request.requester_id) if request.requester_id else None
    return RequestView(
        id=request.id,
        network_id=request.network_id,
        network_name=network.original,
        network_names=network.translations,
        category=HelpCategory(request.category),
        description=request.description,
        needed_on=request.needed_on,
        status=RequestStatus(request.status),
        requester_name=await first_name(session, request.requester_id),
        helper_name=await first_name(session, request.helper_id) or None,
        mine=request.requester_id == actor.resident_id,
        created_at=request.created_at,
        # Requests store no language of their own: the requester's is the best guess.
        locale=requester.locale if requester is not None else None,
    )


async def in_reader_language(
    views: list[RequestView], machine: MachineTranslation | None, locale: str
) -> list[RequestView]:
    """Others' requests with their descriptions machine-translated for a reader of `locale`:
    one batch per language they were written in, so a list of twenty costs a request or two
    (none once cached). One's own requests stay as written."""
    by_source: dict[str, list[int]] = {}
    for n, view in enumerate(views):
        if not view.mine and view.locale and view.locale != locale:
            by_source.setdefault(view.locale, []).append(n)
    result = list(views)
    for source, indexes in by_source.items():
        found = await for_readers(
            machine, [views[n].description for n in indexes], source, (locale,)
        )
        if locale not in found:
            continue
        for n, text in zip(indexes, found[locale], strict=True):
            result[n] = replace(views[n], machine={locale: (text,)})
    return result
