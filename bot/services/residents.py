"""Residents: identity, onboarding, language, reachability, and the right to see and erase."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES, Catalogs, Translator
from bot.machine_translation import service as machine_translation
from bot.services.actors import Actor
from bot.services.digest.writer import quoted_request
from bot.services.enrolment import parse_phone
from bot.services.errors import InvalidInput, NotFound
from bot.services.help.views import shown_name
from bot.services.ideas.privacy import forget_ideas, ideas_record
from bot.services.identity_cache import cache_of
from bot.services.networks.views import network_names
from bot.services.polls.privacy import ballots_record, forget_ballots
from bot.services.volunteering.privacy import forget_signups, signups_record
from db.queries import privacy as pq
from db.queries import residents as q
from db.session import session_now


async def identify(
    session: AsyncSession, telegram_id: int, coordinator_ids: Collection[int]
) -> Actor:
    """Who this Telegram user is to us; nothing is stored for someone we don't know.

    Runs for every update, so it reads four columns rather than a whole resident, and from the
    identity cache of the session's core when it has one (`bot.services.identity_cache`, kept
    right by invalidation after every committed write to those columns)."""
    cache = cache_of(session)
    found = await (q.identity if cache is None else cache.identity)(session, telegram_id)
    if found is None:
        return Actor(None, telegram_id, None, telegram_id in coordinator_ids, onboarded=False)
    return Actor(
        resident_id=found.id,
        telegram_id=telegram_id,
        locale=found.locale,
        is_coordinator=found.is_coordinator or telegram_id in coordinator_ids,
        onboarded=found.privacy_accepted and found.locale is not None,
    )


async def choose_language(
    session: AsyncSession, actor: Actor, locale: str, first_name: str | None
) -> Actor:
    """Set (or first record) a resident's language. The first choice creates the resident."""
    if locale not in SHIPPED_LOCALES or actor.telegram_id is None:
        raise InvalidInput("locale", "format")
    name = first_name[:64] if first_name is not None else None
    resident_id = actor.resident_id
    if resident_id is None:
        try:
            resident_id = await q.create(session, actor.telegram_id, locale, name)
            await session.commit()
            return replace(actor, resident_id=resident_id, locale=locale)
        except IntegrityError:
            # Two first taps at once: the other one created the resident; update it instead.
            await session.rollback()
    if not await q.update_profile(session, actor.telegram_id, locale, name):
        raise NotFound()  # erased (/forget) between the two taps
    await session.commit()
    if resident_id is None:
        found = await q.identity(session, actor.telegram_id)
        resident_id = found.id if found else None
    return replace(actor, resident_id=resident_id, locale=locale)


async def accept_privacy(session: AsyncSession, actor: Actor) -> Actor:
    """Record that the resident accepted the privacy notice; onboarding is then complete."""
    if actor.resident_id is None or actor.locale is None:
        raise NotFound()
    if not actor.onboarded:
        await q.mark_privacy_accepted(session, actor.resident_id)
        await session.commit()
    return replace(actor, onboarded=True)


async def set_reachable(session: AsyncSession, telegram_id: int, reachable: bool) -> bool:
    """Mark whether we can message this resident (they blocked or unblocked the bot).

    Returns whether we know the resident at all.
    """
    changed = await q.set_reachable(
        session, telegram_id, reachable, None if reachable else session_now(session)
    )
    await session.commit()
    return changed > 0


async def make_coordinator(session: AsyncSession, telegram_id: int, value: bool = True) -> bool:
    """Grant (or withdraw) the stored coordinator role, for someone who may not have started
    yet; whether anything changed. Withdrawing it from someone we don't know stores nothing:
    a resident row for a stranger would be personal data kept for no purpose."""
    resident = await (q.get_or_create_by_telegram_id if value else q.by_telegram_id)(
        session, telegram_id
    )
    if resident is None or resident.is_coordinator == value:
        return False
    resident.is_coordinator = value
    await session.commit()
    return True


@dataclass(frozen=True)
class MembershipRecord:
    network_slug: str
    network_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class ResidentRecord:
    """Everything stored about one resident."""

    resident_id: int
    telegram_id: int | None
    phone: str | None
    first_name: str | None
    locale: str | None
    is_coordinator: bool
    privacy_accepted_at: datetime | None
    reachable: bool
    created_at: datetime
    memberships: list[MembershipRecord]
    # Also kept about them: notice preferences, and their answers to events.
    preferences: dict[str, Any] = field(default_factory=dict)
    event_answers: list[dict[str, Any]] = field(default_factory=list)
    notices_received: int = 0
    sms_fallback: bool = False
    phone_verified_at: datetime | None = None
    # Neighbour help: what they asked, offered and wrote, whom they blocked, what they
    # reported and how many reports name them, where they are suspended.
    help: dict[str, Any] = field(default_factory=dict)
    digests: list[str] = field(default_factory=list)
    # Whether they have a personal calendar feed link (/calendar); the link itself is a
    # secret, so an export that may be passed on says only that it exists.
    calendar_link: bool = False
    # Ideas (issue 15): those they proposed, and those they support.
    ideas: dict[str, Any] = field(default_factory=dict)
    # Polls (issue 15): their ballots, with what they chose and their words for "Other".
    polls: list[dict[str, Any]] = field(default_factory=list)
    # Volunteer calls (issue 15): their signups, confirmed hours and calls they posted.
    volunteering: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "resident": {
                "id": self.resident_id,
                "telegram_id": self.telegram_id,
                "phone": self.phone,
                "first_name": self.first_name,
                "language": self.locale,
                "coordinator": self.is_coordinator,
                "privacy_accepted_at": iso(self.privacy_accepted_at),
                "reachable": self.reachable,
                "created_at": iso(self.created_at),
                "phone_verified_at": iso(self.phone_verified_at),
                "sms_fallback": self.sms_fallback,
                "calendar_link": self.calendar_link,
            },
            "memberships": [
                {
                    "network": m.network_slug,
                    "name": m.network_name,
                    "role": m.role,
                    "joined_at": iso(m.joined_at),
                }
                for m in self.memberships
            ],
            "preferences": self.preferences,
            "event_answers": self.event_answers,
            "notices_received": self.notices_received,
            "digests": self.digests,
            "help": self.help,
            "ideas": self.ideas,
            "poll_answers": self.polls,
            "volunteering": self.volunteering,
        }


def kept_counts(t: Translator, record: ResidentRecord) -> list[str]:
    """What is kept beyond the profile and networks, one counted line per kind that has any:
    the summary /mydata (and MY DATA by SMS) gives before the whole file."""
    help_ = record.help
    answers, received = len(record.event_answers), record.notices_received
    requests, written = len(help_.get("requests", [])), len(help_.get("messages_written", []))
    offers = len(help_.get("offers", [])) + len(help_.get("offered_to_help", []))
    blocked, reported = len(help_.get("blocked", [])), len(help_.get("reports_made", []))
    digests = len(record.digests)
    proposed = len(record.ideas.get("proposed", []))
    supported = len(record.ideas.get("supported", []))
    ballots = len(record.polls)
    signups = len(record.volunteering.get("signups", []))
    hours = float(record.volunteering.get("hours", 0))
    whole = max(round(hours), 1) if hours else 0
    counted = [  # literal calls, so that the catalogs get each sentence
        (answers, t.ngettext("{n} answer to events", "{n} answers to events", answers)),
        (requests, t.ngettext("{n} help request", "{n} help requests", requests)),
        (offers, t.ngettext("{n} offer of help", "{n} offers of help", offers)),
        (written, t.ngettext("{n} message to a neighbour", "{n} messages to neighbours", written)),
        (blocked, t.ngettext("{n} neighbour blocked", "{n} neighbours blocked", blocked)),
        (reported, t.ngettext("{n} report made", "{n} reports made", reported)),
        (received, t.ngettext("{n} notice received", "{n} notices received", received)),
        (digests, t.ngettext("{n} weekly digest", "{n} weekly digests", digests)),
        (proposed, t.ngettext("{n} idea proposed", "{n} ideas proposed", proposed)),
        (supported, t.ngettext("{n} idea supported", "{n} ideas supported", supported)),
        (ballots, t.ngettext("{n} answer to polls", "{n} answers to polls", ballots)),
        (
            signups,
            t.ngettext("{n} volunteer signup", "{n} volunteer signups", signups),
        ),
        (whole, t.ngettext("{n} hour volunteered", "{n} hours volunteered", whole)),
    ]
    return [text for n, text in counted if n]


async def export(session: AsyncSession, actor: Actor) -> ResidentRecord:
    """Everything we store about the acting resident (the right of access)."""
    if actor.resident_id is None:
        raise NotFound()
    resident = await q.by_id(session, actor.resident_id)
    if resident is None:
        raise NotFound()
    rows = await q.memberships_of(session, resident.id)
    # Each network by the name the resident reads it by (their language's, if given).
    names = await network_names(session, [n.id for _, n in rows])
    return ResidentRecord(
        resident_id=resident.id,
        telegram_id=resident.telegram_id,
        phone=resident.phone,
        first_name=resident.first_name,
        locale=resident.locale,
        is_coordinator=resident.is_coordinator,
        privacy_accepted_at=resident.privacy_accepted_at,
        reachable=resident.reachable,
        created_at=resident.created_at,
        memberships=[
            MembershipRecord(
                n.slug,
                names[n.id].in_locale(resident.locale) if n.id in names else n.name,
                m.role.value,
                m.joined_at,
            )
            for m, n in rows
        ],
        preferences=await q.preferences_of(session, resident.id),
        event_answers=await q.event_answers_of(session, resident.id),
        notices_received=await q.deliveries_count(session, resident.id),
        sms_fallback=resident.sms_fallback,
        phone_verified_at=resident.phone_verified_at,
        help={
            "requests": await pq.help_requests_of(session, resident.id),
            "offers": await pq.help_offers_of(session, resident.id),
            "offered_to_help": await pq.help_given_by(session, resident.id),
            "messages_written": await pq.relayed_by(session, resident.id),
            "blocked": await pq.blocks_by(session, resident.id),
            "reports_made": await pq.reports_by(session, resident.id),
            "reports_about_you": await pq.reports_about(session, resident.id),
            "suspended_in": await pq.suspensions_of(session, resident.id),
        },
        digests=await pq.digest_weeks(session, resident.id),
        calendar_link=resident.calendar_token is not None,
        ideas=await ideas_record(session, resident.id),
        polls=await ballots_record(session, resident.id),
        volunteering=await signups_record(session, resident.id),
    )


async def export_for_number(
    session: AsyncSession, actor: Actor, phone_raw: str, region: str
) -> ResidentRecord:
    """For the operator, on a resident's request by other means (letter, phone, desk): the same
    record /mydata gives, for the resident with this number."""
    actor.require_coordinator()
    resident = await q.by_phone(session, parse_phone(phone_raw, region))
    if resident is None:
        raise NotFound()
    return await export(
        session,
        Actor(
            resident.id, resident.telegram_id, resident.locale, is_coordinator=False, onboarded=True
        ),
    )


async def forget(session: AsyncSession, actor: Actor, catalogs: Catalogs) -> None:
    """Erase the acting resident and everything that hangs off them (the right to erasure).

    Their own rows go. What carries their name or words to others goes too where it was not
    delivered yet; a notice someone already received keeps only "A neighbour" in storage, and
    a digest that quoted their request an ellipsis in its place. Reports they made stay for the
    hosts without their words; a request they were chosen to help with opens again. Machine
    translations of their requests go from the cache too."""
    if actor.resident_id is None:
        raise NotFound()
    me = actor.resident_id
    requests = await pq.help_requests_of(session, me)
    for request in requests:
        quoted = quoted_request(request["description"])
        for rendering in await pq.digest_renderings_with(session, quoted):
            rendering.text = rendering.text.replace(quoted, "…")
    await machine_translation.forget(session, [r["description"] for r in requests])
    await pq.neutralise_authored(
        session, me, lambda locale: shown_name(catalogs.translator(locale), None)
    )
    await pq.drop_received(session, me)
    await pq.release_as_helper(session, me)
    await pq.clear_report_reasons(session, me)
    await forget_ideas(session, me)
    await forget_ballots(session, me)
    await forget_signups(session, me)
    await q.delete_resident(session, me)
    await session.commit()


async def listing_page(
    session: AsyncSession,
    actor: Actor,
    *,
    after_id: int,
    limit: int,
    network_id: int | None = None,
    sms_only: bool | None = None,
) -> list[q.Listed]:
    """A page of the operator's list of residents (`db.queries.residents.listing_page`)."""
    actor.require_coordinator()
    return await q.listing_page(
        session, after_id=after_id, limit=limit, network_id=network_id, sms_only=sms_only
    )


async def hosts(
    session: AsyncSession, actor: Actor, network_id: int | None = None
) -> list[q.HostRow]:
    """The hosts of one network, or of every live network (for the operator)."""
    actor.require_coordinator()
    return await q.hosts(session, network_id)


async def coordinators(
    session: AsyncSession, actor: Actor, coordinator_ids: Collection[int]
) -> list[q.CoordinatorRow]:
    """Everyone with the coordinator role, stored or given by COORDINATOR_IDS; someone named
    there who never started the bot has no resident row, and is listed by the caller."""
    actor.require_coordinator()
    return await q.coordinators(session, coordinator_ids)


async def find_for_operator(
    session: AsyncSession,
    actor: Actor,
    *,
    resident_id: int | None = None,
    phone_raw: str | None = None,
    region: str = "NO",
) -> q.Listed:
    """The resident with this id or number, as the operator's list shows them: whom an
    erasure by the operator would erase, to confirm before it happens."""
    actor.require_coordinator()
    if resident_id is not None:
        resident = await q.by_id(session, resident_id)
    elif phone_raw is not None:
        resident = await q.by_phone(session, parse_phone(phone_raw, region))
    else:
        raise InvalidInput("resident", "empty")
    if resident is None:
        raise NotFound()
    return q.Listed(
        id=resident.id,
        telegram_id=resident.telegram_id,
        phone=resident.phone,
        first_name=resident.first_name,
        locale=resident.locale,
        is_coordinator=resident.is_coordinator,
        created_at=resident.created_at,
        networks=tuple(sorted(n.slug for _, n in await q.memberships_of(session, resident.id))),
    )


async def forget_for_operator(
    session: AsyncSession, actor: Actor, catalogs: Catalogs, found: q.Listed
) -> None:
    """Erase the resident the operator confirmed (`find_for_operator`), on their request by
    other means (letter, phone, desk): exactly what /forget and SLETT do. The id must still
    name the same resident (the same creation time): between the question and the answer
    they may have erased themselves, and SQLite may give a freed id to someone new."""
    actor.require_coordinator()
    resident = await q.by_id(session, found.id)
    if resident is None or resident.created_at != found.created_at:
        raise NotFound()
    await forget(
        session,
        Actor(
            resident.id, resident.telegram_id, resident.locale, is_coordinator=False, onboarded=True
        ),
        catalogs,
    )
