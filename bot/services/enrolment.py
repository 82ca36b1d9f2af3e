"""Enrolling an SMS-only resident: a coordinator or host adds a neighbour who has agreed to it
(phone number, language, networks), and the neighbour gets a welcome SMS that says how to stop.

Coordinators may enrol into any live network, hosts only into the networks they host. Only a
number that is new to us is enrolled at once. A number that already belongs to a resident (an
SMS resident, or a Telegram resident who linked it) is never put into a network by someone
else: its owner gets an invitation, on Telegram if they are there, else by SMS, and joins only
if they want to. A number whose owner sent STOP gets nothing, and nothing about the attempt is
kept. The enroller is told the same in every case, so enrolling cannot be used to find out
whose a number is, whether it is with us, or whether it sent STOP.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import SHIPPED_LOCALES, Catalogs, Translator
from bot.phone_numbers import normalise
from bot.services.actions import JoinNetwork
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NetworkArchived, NotFound, PermissionDenied
from bot.services.networks.views import NetworkName, network_names
from bot.services.sms_replies import queue_reply
from bot.sms_keywords import Command, shown
from db.models import Channel, JoinPolicy, MemberRole, Membership, Network, NoticeKind, Resident
from db.queries import networks as nq
from db.queries import outbox as oq
from db.queries import residents as rq
from db.session import session_now

NAME_MAX = 64


@dataclass(frozen=True)
class Enrolled:
    """All the enroller learns. Whether the number was new (enrolled), known (invited), already
    in the networks or stopped (nothing sent) is left out on purpose: it is not theirs to know."""

    phone: str  # E.164, as they typed it
    networks: list[str]  # names of the networks chosen


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


def _name(names: Mapping[int, NetworkName], network: Network, locale: str | None) -> str:
    found = names.get(network.id)
    return found.in_locale(locale) if found else network.name


def welcome_text(t: Translator, municipality: str, names: Sequence[str]) -> str:
    return t.gettext(
        "{municipality}: welcome to Naboskap! You are now in {networks}. Send {help} for the "
        "commands, {stop} to stop all SMS.",
        municipality=municipality,
        networks=", ".join(names),
        help=shown(Command.HELP, t.locale),
        stop=shown(Command.STOP, t.locale),
    )


def invitation_text(
    t: Translator, municipality: str, names: Sequence[str], *, escape: bool = True
) -> str:
    quoted = [html.escape(n) if escape else n for n in names]
    return t.gettext(
        "{municipality}: you are invited to join {networks} on Naboskap. Join only if you "
        "want to; if not, there is nothing to do.",
        municipality=municipality,
        networks=", ".join(quoted),
    )


def _invitation(
    catalogs: Catalogs,
    municipality: str,
    chosen: Sequence[Network],
    names: Mapping[int, NetworkName],
) -> outbox.Render:
    """The invitation in each language and channel: a Join button per network on Telegram
    (a numbered choice by SMS); an invite-only network's code goes with it, as the host would
    have given it, since the buttons do no more than the resident could do themselves. Each
    network is named in the reader's language where its hosts gave a name in it."""

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        by_sms = channel is Channel.SMS
        shown_names = {n.id: _name(names, n, locale) for n in chosen}
        lines = [invitation_text(t, municipality, list(shown_names.values()), escape=not by_sms)]
        buttons: list[tuple[Button, ...]] = []
        for network in chosen:
            name = shown_names[network.id]
            code = network.invite_code if network.join_policy is JoinPolicy.INVITE else None
            if code and by_sms:  # a numbered choice cannot carry the code: the keyword can
                # Built outside the call: the catalog extractor skips calls holding an f-string.
                command = f"{shown(Command.JOIN, locale)} {network.slug} {code}"
                lines.append(
                    t.gettext("To join {network}, send {command}", network=name, command=command)
                )
                continue
            if code:
                lines.append(
                    t.gettext(
                        "🔒 The invite code for {network} is {code}.",
                        network=html.escape(name),
                        code=html.escape(code),
                    )
                )
            buttons.append((Button(f"➕ {name}", JoinNetwork(network.id)),))
        return Rendered("\n".join(lines), tuple(buttons))

    return render


async def _invite(
    session: AsyncSession,
    catalogs: Catalogs,
    resident: Resident,
    chosen: Sequence[Network],
    municipality: str,
    now: datetime,
) -> None:
    """Invite someone we know to the chosen networks they are not in yet, where we can reach
    them. Does not commit."""
    have = await nq.network_ids_of(session, resident.id)
    missing = [n for n in chosen if n.id not in have]
    recipients = await oq.residents(session, [resident.id])
    if not missing or not recipients:
        return
    names = await network_names(session, [n.id for n in missing])
    await outbox.enqueue(
        session,
        kind=NoticeKind.INVITATION,
        recipients=recipients,
        render=_invitation(catalogs, municipality, missing, names),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        digest_hold=False,
        now=now,
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
    """Enrol the owner of `phone_raw`, who agreed to it, if the number is new to us, and queue
    their welcome SMS; if it is someone's we know, invite them instead; if it sent STOP, do
    nothing. Commits. The answer is the same in every case."""
    now = now or session_now(session)
    if consent is not True:
        raise InvalidInput("consent", "required")
    if locale not in SHIPPED_LOCALES:
        raise InvalidInput("locale", "format")
    phone = parse_phone(phone_raw, region)
    chosen = await enrollable_networks(session, actor, network_ids)
    by_id = await network_names(session, [n.id for n in chosen])
    names = [_name(by_id, n, actor.locale) for n in chosen]  # for the one who enrols
    name = " ".join((first_name or "").split())[:NAME_MAX] or None

    resident = await rq.by_phone(session, phone)
    if resident is None:
        await _enrol_new(session, catalogs, phone, locale, name, chosen, municipality, now)
    elif resident.sms_stopped_at is None and resident.privacy_accepted_at is not None:
        # Someone we know decides themselves. Someone halfway through starting with us, or a
        # number that sent STOP, gets nothing: they can join once they are with us again.
        await _invite(session, catalogs, resident, chosen, municipality, now)
    await session.commit()
    return Enrolled(phone, names)


async def _enrol_new(
    session: AsyncSession,
    catalogs: Catalogs,
    phone: str,
    locale: str,
    name: str | None,
    chosen: Sequence[Network],
    municipality: str,
    now: datetime,
) -> None:
    """A number new to us, whose owner agreed: a resident in the networks, and a welcome SMS."""
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
    for network in chosen:
        session.add(
            Membership(
                resident_id=resident.id,
                network_id=network.id,
                role=MemberRole.MEMBER,
                joined_at=now,
            )
        )
        await nq.count_members(session, network.id, joined=1)
    t = catalogs.translator(locale)
    names = await network_names(session, [n.id for n in chosen])
    await queue_reply(
        session,
        catalogs,
        resident,
        welcome_text(t, municipality, [_name(names, n, locale) for n in chosen]),
        now,
        kind=NoticeKind.SMS_WELCOME,
    )
