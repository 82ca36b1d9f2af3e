"""Enrolling an SMS-only resident: a coordinator or host adds a neighbour who has agreed to it
(phone number, language, networks), and the neighbour gets a welcome SMS that says how to stop.

Coordinators may enrol into any live network, hosts only into the networks they host. A number
whose owner sent STOP is never enrolled again by someone else: only their own START brings
them back. A number we already know gets the new memberships and keeps everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES, Catalogs, Translator
from bot.phone_numbers import normalise
from bot.services.actors import Actor
from bot.services.errors import (
    InvalidInput,
    NetworkArchived,
    NotFound,
    OptedOut,
    PermissionDenied,
)
from bot.services.sms_replies import queue_reply
from bot.sms_keywords import Command, shown
from db.models import MemberRole, Membership, Network, NoticeKind, Resident
from db.queries import networks as nq
from db.queries import residents as rq
from db.session import session_now

NAME_MAX = 64


@dataclass(frozen=True)
class Enrolled:
    resident_id: int
    phone: str  # E.164
    created: bool  # a new resident (False: the number was known; memberships were added)
    networks: list[str]  # names of the networks they are now in through this enrolment
    added: int  # memberships that are new


def parse_phone(raw: str, region: str) -> str:
    """`raw` as E.164, or InvalidInput("phone", "format")."""
    number = normalise(raw, region)
    if number is None:
        raise InvalidInput("phone", "format")
    return number


async def enrollable_networks(
    session: AsyncSession, actor: Actor, network_ids: Sequence[int]
) -> list[Network]:
    """The networks, if the actor may enrol residents into every one of them: a coordinator
    into any live network, a host into the ones they host."""
    if not network_ids:
        raise InvalidInput("network", "empty")
    if not actor.is_coordinator:
        actor.require_resident()
    found = []
    for network_id in dict.fromkeys(network_ids):
        row = await nq.one(session, network_id, actor.resident_id)
        if row is None:
            raise NotFound()
        if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
            raise PermissionDenied("host")
        if row.network.archived_at is not None:
            raise NetworkArchived()
        found.append(row.network)
    return found


def welcome_text(t: Translator, municipality: str, names: Sequence[str]) -> str:
    return t.gettext(
        "{municipality}: welcome to Naboskap! You are now in {networks}. Send {help} for the "
        "commands, {stop} to stop all SMS.",
        municipality=municipality,
        networks=", ".join(names),
        help=shown(Command.HELP, t.locale),
        stop=shown(Command.STOP, t.locale),
    )


async def enrol_by_sms(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    *,
    phone_raw: str,
    region: str,
    locale: str,
    network_ids: Sequence[int],
    municipality: str,
    first_name: str | None = None,
    consent: bool,
    now: datetime | None = None,
) -> Enrolled:
    """Enrol the owner of `phone_raw`, who agreed to it, and queue their welcome SMS; commits."""
    now = now or session_now(session)
    if consent is not True:
        raise InvalidInput("consent", "required")
    if locale not in SHIPPED_LOCALES:
        raise InvalidInput("locale", "format")
    phone = parse_phone(phone_raw, region)
    chosen = await enrollable_networks(session, actor, network_ids)
    name = " ".join((first_name or "").split())[:NAME_MAX] or None

    resident = await rq.by_phone(session, phone)
    created = resident is None
    if resident is None:
        resident = Resident(
            phone=phone,
            locale=locale,
            first_name=name,
            phone_verified_at=now,  # the owner gave it to the enroller, with their consent
            privacy_accepted_at=now,
            created_at=now,
        )
        session.add(resident)
        await session.flush()
    else:
        if resident.sms_stopped_at is not None:
            raise OptedOut()
        # Someone we know (perhaps halfway through onboarding by SMS): what they chose stays.
        resident.locale = resident.locale or locale
        resident.first_name = resident.first_name or name
        resident.phone_verified_at = resident.phone_verified_at or now
        resident.privacy_accepted_at = resident.privacy_accepted_at or now
    have = await nq.network_ids_of(session, resident.id)
    added = 0
    for network in chosen:
        if network.id not in have:
            session.add(
                Membership(
                    resident_id=resident.id,
                    network_id=network.id,
                    role=MemberRole.MEMBER,
                    joined_at=now,
                )
            )
            added += 1
    names = [n.name for n in chosen]
    if created or added:
        t = catalogs.translator(resident.locale)
        await queue_reply(
            session,
            catalogs,
            resident,
            welcome_text(t, municipality, names),
            now,
            kind=NoticeKind.SMS_WELCOME,
        )
    await session.commit()
    return Enrolled(resident.id, phone, created, names, added)
