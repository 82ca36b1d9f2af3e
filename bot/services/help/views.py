"""A help request as residents see it, and the words around it: category names, the safety
note, when help is needed. Every other module of neighbour help shows requests through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.actors import Actor
from bot.services.errors import NotFound
from db.models import HelpCategory, HelpRequest, RequestStatus, Resident
from db.queries import networks as nq

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
    network = await nq.one(session, request.network_id, None)
    return RequestView(
        id=request.id,
        network_id=request.network_id,
        network_name=network.network.name if network else "",
        category=HelpCategory(request.category),
        description=request.description,
        needed_on=request.needed_on,
        status=RequestStatus(request.status),
        requester_name=await first_name(session, request.requester_id),
        helper_name=await first_name(session, request.helper_id) or None,
        mine=request.requester_id == actor.resident_id,
        created_at=request.created_at,
    )
