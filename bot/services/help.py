"""Neighbour help: residents offer help, ask for it, and are matched privately.

Requests reach the helpers of a network and category through the outbox; after a match the two
talk through the bot (relayed notices carry a first name only, never a username, phone number
or Telegram id). Hosts moderate: they see reports, hide requests and suspend members, and the
rules are enforced here, not by hiding buttons.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator
from bot.services.actions import (
    AcceptHelper,
    BlockMatch,
    OfferHelp,
    ReportMatch,
    WriteToMatch,
)
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from db.models import (
    Block,
    Channel,
    HelpCategory,
    HelperSettings,
    HelpFrequency,
    HelpOffer,
    HelpRequest,
    HelpResponse,
    MemberRole,
    Membership,
    NoticeKind,
    Report,
    RequestStatus,
    Resident,
    Suspension,
)
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now

DESCRIPTION_MAX = 500
EXPIRY = timedelta(days=14)  # the default; HELP_EXPIRY_DAYS sets it
NUDGE_BEFORE = timedelta(days=2)
SENSITIVE = frozenset({HelpCategory.TRANSPORT, HelpCategory.COMPANY, HelpCategory.HOME})
# Helpers who want requests once a day get them at this local time.
DAILY_AT = time(9, 0)


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


def safety_note(t: Translator) -> str:
    return t.gettext(
        "Stay safe: meet where others are around the first time, tell someone you trust, and "
        "never share bank details or codes. You can report anything that feels wrong."
    )


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


async def _suspended(session: AsyncSession, resident_id: int, network_id: int) -> bool:
    return await session.get(Suspension, (network_id, resident_id)) is not None


async def _member(session: AsyncSession, actor: Actor, network_id: int) -> int:
    """The acting resident's id if they are an active member of the network."""
    resident_id = actor.require_resident()
    if await nq.membership(session, resident_id, network_id) is None:
        raise NotFound()
    if await _suspended(session, resident_id, network_id):
        raise PermissionDenied("resident")
    return resident_id


async def _first_name(session: AsyncSession, resident_id: int | None) -> str:
    if resident_id is None:
        return ""
    resident = await session.get(Resident, resident_id)
    return (resident.first_name or "") if resident else ""


async def _blocked(session: AsyncSession, a: int | None, b: int | None) -> bool:
    """Whether either of two residents has blocked the other."""
    if a is None or b is None:
        return False
    return (
        await session.get(Block, (a, b)) is not None or await session.get(Block, (b, a)) is not None
    )


async def block(session: AsyncSession, actor: Actor, request_id: int) -> RequestView:
    """Block the person on the other side of a request: no more relayed messages or offers
    between the two, and a match between them ends (the request opens again for others)."""
    request = await _request(session, request_id)
    me = actor.require_resident()
    if me == request.requester_id:
        other = request.helper_id
    elif me == request.helper_id or await session.get(HelpResponse, (request_id, me)) is not None:
        other = request.requester_id
    else:
        raise NotFound()
    if other is None:
        raise NotFound()
    if await session.get(Block, (me, other)) is None:
        session.add(Block(blocker_id=me, blocked_id=other))
    if request.status is RequestStatus.MATCHED:
        request.status, request.helper_id = RequestStatus.OPEN, None
    await session.commit()
    return await _view(session, request, actor)


async def _view(session: AsyncSession, request: HelpRequest, actor: Actor) -> RequestView:
    network = await nq.one(session, request.network_id, None)
    return RequestView(
        id=request.id,
        network_id=request.network_id,
        network_name=network.network.name if network else "",
        category=HelpCategory(request.category),
        description=request.description,
        needed_on=request.needed_on,
        status=RequestStatus(request.status),
        requester_name=await _first_name(session, request.requester_id),
        helper_name=await _first_name(session, request.helper_id) or None,
        mine=request.requester_id == actor.resident_id,
        created_at=request.created_at,
    )


# ---- offering -------------------------------------------------------------------------------


async def set_offer(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    categories: set[HelpCategory],
    frequency: HelpFrequency = HelpFrequency.INSTANT,
) -> set[HelpCategory]:
    """What the acting resident offers in a network (an empty set stops offering there)."""
    resident_id = await _member(session, actor, network_id)
    await session.execute(
        delete(HelpOffer).where(
            HelpOffer.resident_id == resident_id, HelpOffer.network_id == network_id
        )
    )
    for category in categories:
        session.add(HelpOffer(resident_id=resident_id, network_id=network_id, category=category))
    settings = await session.get(HelperSettings, resident_id)
    if settings is None:
        session.add(HelperSettings(resident_id=resident_id, frequency=frequency, paused=False))
    else:
        settings.frequency = frequency
    await session.commit()
    return categories


async def set_paused(session: AsyncSession, actor: Actor, paused: bool) -> None:
    resident_id = actor.require_resident()
    settings = await session.get(HelperSettings, resident_id)
    if settings is None:
        settings = HelperSettings(
            resident_id=resident_id, frequency=HelpFrequency.INSTANT, paused=paused
        )
        session.add(settings)
    settings.paused = paused
    await session.commit()


@dataclass(frozen=True)
class HelperView:
    frequency: HelpFrequency
    paused: bool


async def helper_settings(session: AsyncSession, actor: Actor) -> HelperView:
    row = await session.get(HelperSettings, actor.require_resident())
    if row is None:
        return HelperView(HelpFrequency.INSTANT, False)
    return HelperView(HelpFrequency(row.frequency), row.paused)


async def offers_of(session: AsyncSession, actor: Actor) -> dict[int, set[HelpCategory]]:
    resident_id = actor.require_resident()
    rows = await session.execute(
        select(HelpOffer.network_id, HelpOffer.category).where(HelpOffer.resident_id == resident_id)
    )
    found: dict[int, set[HelpCategory]] = {}
    for network_id, category in rows:
        found.setdefault(int(network_id), set()).add(HelpCategory(category))
    return found


# ---- asking ---------------------------------------------------------------------------------


def _render_request(catalogs: Catalogs, view: RequestView) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        lines = [
            "<b>"
            + t.gettext(
                "🤝 Someone in {network} needs help", network=html.escape(view.network_name)
            )
            + "</b>",
            category_label(t, view.category),
            "",
            html.escape(view.description),
            "",
            t.gettext("When: {when}", when=_when(t, view.needed_on)),
        ]
        if view.category in SENSITIVE:
            lines += ["", "<i>" + safety_note(t) + "</i>"]
        buttons = ((Button(t.gettext("🙋 I can help"), OfferHelp(view.id)),),)
        return Rendered("\n".join(lines), buttons)

    return render


def _when(t: Translator, needed_on: date | None) -> str:
    if needed_on is None:
        return t.gettext("flexible")
    return t.format_day(datetime.combine(needed_on, time(12), tzinfo=t.zone))


async def ask(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    *,
    network_id: int,
    category: HelpCategory,
    description: str,
    needed_on: date | None,
    expiry: timedelta = EXPIRY,
    now: datetime | None = None,
) -> tuple[RequestView, int]:
    """Post a request; the network's helpers for that category hear about it through the
    outbox, each as often as they chose. Returns the request and how many helpers it reaches."""
    now = now or session_now(session)
    resident_id = await _member(session, actor, network_id)
    description = description.strip()
    if not description:
        raise InvalidInput("description", "empty")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", DESCRIPTION_MAX)
    request = HelpRequest(
        requester_id=resident_id,
        network_id=network_id,
        category=category,
        description=description,
        needed_on=needed_on,
        status=RequestStatus.OPEN,
        created_at=now,
        expires_at=now + expiry,
    )
    session.add(request)
    await session.flush()
    view = await _view(session, request, actor)
    reached = await _tell_helpers(session, catalogs, view, resident_id, now)
    await session.commit()
    return view, reached


async def _tell_helpers(
    session: AsyncSession, catalogs: Catalogs, view: RequestView, requester_id: int, now: datetime
) -> int:
    rows = await session.execute(
        select(HelpOffer.resident_id, HelperSettings.frequency, HelperSettings.paused)
        .outerjoin(HelperSettings, HelperSettings.resident_id == HelpOffer.resident_id)
        .where(HelpOffer.network_id == view.network_id, HelpOffer.category == view.category)
    )
    suspended = set(
        await session.scalars(
            select(Suspension.resident_id).where(Suspension.network_id == view.network_id)
        )
    )
    by_frequency: dict[HelpFrequency, list[int]] = {}
    for helper_id, frequency, paused in rows:
        if helper_id == requester_id or paused or helper_id in suspended:
            continue
        by_frequency.setdefault(HelpFrequency(frequency or HelpFrequency.INSTANT), []).append(
            helper_id
        )
    reached = 0
    for frequency, ids in by_frequency.items():
        recipients = await oq.residents(session, ids)
        when = now
        if frequency is HelpFrequency.DAILY:
            local = now.astimezone(catalogs.zone)
            day = local.date() if local.time() < DAILY_AT else local.date() + timedelta(days=1)
            when = datetime.combine(day, DAILY_AT, tzinfo=catalogs.zone)
        result = await outbox.enqueue(
            session,
            kind=NoticeKind.HELP_REQUEST,
            recipients=recipients,
            render=_render_request(catalogs, view),
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=view.network_id,
            # Weekly helpers get requests in the digest; the others at their pace.
            hold=frequency is HelpFrequency.WEEKLY,
            now=when,
        )
        reached += sum(result.by_locale.values())
    return reached


async def open_requests(session: AsyncSession, actor: Actor) -> list[RequestView]:
    """Open requests I could help with: my networks, my categories, not mine, not hidden."""
    resident_id = actor.require_resident()
    offers = (
        select(HelpOffer.network_id, HelpOffer.category)
        .where(HelpOffer.resident_id == resident_id)
        .subquery()
    )
    suspended = select(Suspension.network_id).where(Suspension.resident_id == resident_id)
    rows = await session.scalars(
        select(HelpRequest)
        .join(
            offers,
            (offers.c.network_id == HelpRequest.network_id)
            & (offers.c.category == HelpRequest.category),
        )
        .where(
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.requester_id != resident_id,
            HelpRequest.network_id.not_in(suspended),
        )
        .order_by(HelpRequest.created_at.desc())
    )
    return [await _view(session, r, actor) for r in rows]


async def my_requests(session: AsyncSession, actor: Actor) -> list[RequestView]:
    resident_id = actor.require_resident()
    rows = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.requester_id == resident_id)
        .order_by(HelpRequest.created_at.desc())
    )
    return [await _view(session, r, actor) for r in rows]


async def _request(session: AsyncSession, request_id: int) -> HelpRequest:
    request = await session.get(HelpRequest, request_id)
    if request is None:
        raise NotFound()
    return request


async def _notify(
    session: AsyncSession,
    catalogs: Catalogs,
    kind: NoticeKind,
    resident_id: int,
    network_id: int,
    render: outbox.Render,
    now: datetime,
) -> None:
    await outbox.enqueue(
        session,
        kind=kind,
        recipients=await oq.residents(session, [resident_id]),
        render=render,
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=network_id,
        digest_hold=False,
        quiet_hours=kind is not NoticeKind.HELP_RELAY,
        now=now,
    )


async def offer_help(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    now: datetime | None = None,
) -> RequestView:
    """ "I can help": the requester is told the helper's first name and can accept."""
    now = now or session_now(session)
    request = await _request(session, request_id)
    helper_id = await _member(session, actor, request.network_id)
    if request.status is not RequestStatus.OPEN or helper_id == request.requester_id:
        raise InvalidInput("request", "closed")
    if await _blocked(session, helper_id, request.requester_id):
        raise NotFound()
    if await session.get(HelpResponse, (request_id, helper_id)) is None:
        session.add(HelpResponse(request_id=request_id, helper_id=helper_id, created_at=now))
        name = await _first_name(session, helper_id)
        view = await _view(session, request, actor)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            text = t.gettext(
                "🙋 {name} can help with your request: {request}",
                name=html.escape(name or t.gettext("A neighbour")),
                request=html.escape(view.description[:80]),
            )
            return Rendered(
                text,
                (
                    (
                        Button(
                            t.gettext(
                                "✅ Accept {name}", name=(name or t.gettext("A neighbour"))[:30]
                            ),
                            AcceptHelper(request_id, helper_id),
                        ),
                    ),
                ),
            )

        await _notify(
            session,
            catalogs,
            NoticeKind.HELP_OFFERED,
            request.requester_id,
            request.network_id,
            render,
            now,
        )
    await session.commit()
    return await _view(session, request, actor)


async def accept(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    helper_id: int,
    now: datetime | None = None,
) -> RequestView:
    """The requester chooses one of those who offered; from then on they talk through the bot."""
    now = now or session_now(session)
    request = await _request(session, request_id)
    if request.requester_id != actor.resident_id:
        raise NotFound()  # someone else's request: as if it did not exist
    if request.status is not RequestStatus.OPEN:
        raise InvalidInput("request", "closed")
    if await session.get(HelpResponse, (request_id, helper_id)) is None:
        raise NotFound()
    if await _suspended(session, helper_id, request.network_id):
        raise PermissionDenied("resident")
    if await _blocked(session, helper_id, request.requester_id):
        raise NotFound()
    request.status, request.helper_id = RequestStatus.MATCHED, helper_id
    name = await _first_name(session, request.requester_id)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        text = t.gettext(
            "🤝 {name} accepted your help. Write to {name} here: your messages go through "
            "the bot, without your username or number.",
            name=html.escape(name or t.gettext("A neighbour")),
        )
        return Rendered(
            text,
            (
                (Button(t.gettext("💬 Write"), WriteToMatch(request_id)),),
                (Button(t.gettext("⚠️ Report"), ReportMatch(request_id)),),
                (Button(t.gettext("⛔ Block"), BlockMatch(request_id)),),
            ),
        )

    await _notify(
        session, catalogs, NoticeKind.HELP_MATCHED, helper_id, request.network_id, render, now
    )
    await session.commit()
    return await _view(session, request, actor)


async def relay(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    text: str,
    now: datetime | None = None,
) -> None:
    """Pass a message between the requester and the matched helper, first name only."""
    now = now or session_now(session)
    request = await _request(session, request_id)
    me = actor.require_resident()
    if request.status is not RequestStatus.MATCHED or me not in (
        request.requester_id,
        request.helper_id,
    ):
        raise NotFound()
    other = request.helper_id if me == request.requester_id else request.requester_id
    if other is None or await _blocked(session, me, other):
        raise NotFound()
    text = text.strip()
    if not text:
        raise InvalidInput("text", "empty")
    if len(text) > 3000:
        raise InvalidInput("text", "too_long", 3000)
    name = await _first_name(session, me)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        return Rendered(
            f"💬 <b>{html.escape(name or t.gettext('A neighbour'))}</b>: {html.escape(text)}",
            ((Button(t.gettext("💬 Answer"), WriteToMatch(request_id)),),),
        )

    await _notify(session, catalogs, NoticeKind.HELP_RELAY, other, request.network_id, render, now)
    await session.commit()


async def close(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    done: bool,
    now: datetime | None = None,
) -> RequestView:
    """The requester marks the request done (the helper is thanked) or withdraws it."""
    now = now or session_now(session)
    request = await _request(session, request_id)
    if request.requester_id != actor.resident_id:
        raise NotFound()
    if request.status not in (RequestStatus.OPEN, RequestStatus.MATCHED):
        raise InvalidInput("request", "closed")
    request.status = RequestStatus.DONE if done else RequestStatus.WITHDRAWN
    request.closed_at = now
    if done and request.helper_id is not None:
        name = await _first_name(session, request.requester_id)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            return Rendered(
                t.gettext(
                    "💛 {name} says thank you for your help!",
                    name=html.escape(name or t.gettext("A neighbour")),
                )
            )

        await _notify(
            session,
            catalogs,
            NoticeKind.HELP_DONE,
            request.helper_id,
            request.network_id,
            render,
            now,
        )
    await session.commit()
    return await _view(session, request, actor)


async def expire_due(
    session: AsyncSession, catalogs: Catalogs, now: datetime | None = None
) -> tuple[int, int]:
    """Nudge requesters two days before their open request expires, then expire it.
    Returns (nudged, expired); running it again does neither twice."""
    now = now or session_now(session)
    nudged = expired = 0
    rows = await session.scalars(
        select(HelpRequest).where(
            HelpRequest.status == RequestStatus.OPEN, HelpRequest.expires_at <= now + NUDGE_BEFORE
        )
    )
    for request in list(rows):
        if request.expires_at <= now:
            request.status, request.closed_at = RequestStatus.EXPIRED, now
            kind, expired = NoticeKind.HELP_EXPIRED, expired + 1
        elif request.nudged_at is None:
            request.nudged_at = now
            kind, nudged = NoticeKind.HELP_NUDGE, nudged + 1
        else:
            continue
        description = request.description

        def render(
            locale: str, channel: Channel, kind: NoticeKind = kind, text: str = description
        ) -> Rendered:
            t = catalogs.translator(locale)
            if kind is NoticeKind.HELP_NUDGE:
                return Rendered(
                    t.gettext(
                        "Still need help with: {request}? It closes in two days. "
                        "/requests shows it.",
                        request=html.escape(text[:80]),
                    )
                )
            return Rendered(
                t.gettext(
                    "Your request “{request}” has closed. Ask again any time with /ask.",
                    request=html.escape(text[:80]),
                )
            )

        await _notify(
            session, catalogs, kind, request.requester_id, request.network_id, render, now
        )
    await session.commit()
    return nudged, expired


# ---- moderation -------------------------------------------------------------------------------


async def _require_host(session: AsyncSession, actor: Actor, network_id: int) -> None:
    if actor.is_coordinator:
        return
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")


async def report(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    reason: str = "",
    about_resident: bool = False,
    now: datetime | None = None,
) -> int:
    """Report a request (or the person on the other side of it) to the network's hosts."""
    now = now or session_now(session)
    request = await _request(session, request_id)
    me = await _member(session, actor, request.network_id)
    reported = None
    if about_resident:
        reported = request.helper_id if me == request.requester_id else request.requester_id
    row = Report(
        reporter_id=me,
        network_id=request.network_id,
        request_id=request.id,
        reported_id=reported,
        reason=reason.strip()[:500],
        created_at=now,
    )
    session.add(row)
    await session.flush()
    hosts = list(
        await session.scalars(
            select(Membership.resident_id).where(
                Membership.network_id == request.network_id, Membership.role == MemberRole.HOST
            )
        )
    )
    if hosts:

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            return Rendered(
                t.gettext("⚠️ A request in your network was reported. /reports shows it.")
            )

        await outbox.enqueue(
            session,
            kind=NoticeKind.REPORT,
            recipients=await oq.residents(session, hosts),
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=request.network_id,
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return row.id


@dataclass(frozen=True)
class ReportView:
    id: int
    network_id: int
    request_id: int | None
    request_text: str
    reported_name: str | None
    reason: str
    created_at: datetime


async def reports(session: AsyncSession, actor: Actor) -> list[ReportView]:
    """Open reports: a host sees their networks', a coordinator all."""
    if not actor.is_coordinator:
        actor.require_resident()
    query = (
        select(Report, HelpRequest.description)
        .outerjoin(HelpRequest, HelpRequest.id == Report.request_id)
        .where(Report.handled_at.is_(None))
    )
    if not actor.is_coordinator:
        hosted = select(Membership.network_id).where(
            Membership.resident_id == actor.resident_id, Membership.role == MemberRole.HOST
        )
        query = query.where(Report.network_id.in_(hosted))
    rows = (await session.execute(query.order_by(Report.created_at))).all()
    return [
        ReportView(
            r.id,
            r.network_id,
            r.request_id,
            text or "",
            await _first_name(session, r.reported_id) or None,
            r.reason,
            r.created_at,
        )
        for r, text in rows
    ]


async def hide(
    session: AsyncSession, actor: Actor, request_id: int, now: datetime | None = None
) -> None:
    """Hide a request (hosts of its network, coordinators); its reports count as handled."""
    request = await _request(session, request_id)
    await _require_host(session, actor, request.network_id)
    request.status, request.closed_at = RequestStatus.HIDDEN, now or session_now(session)
    for row in await session.scalars(
        select(Report).where(Report.request_id == request_id, Report.handled_at.is_(None))
    ):
        row.handled_at = now or session_now(session)
    await session.commit()


async def suspend(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int, suspended: bool = True
) -> None:
    """Stop (or allow again) a member asking and helping in a network."""
    await _require_host(session, actor, network_id)
    existing = await session.get(Suspension, (network_id, resident_id))
    if suspended and existing is None:
        session.add(
            Suspension(network_id=network_id, resident_id=resident_id, created_by=actor.resident_id)
        )
    elif not suspended and existing is not None:
        await session.delete(existing)
    await session.commit()


async def suspend_requester(session: AsyncSession, actor: Actor, request_id: int) -> None:
    """Suspend the person who posted a (reported) request from its network, and hide it."""
    request = await _request(session, request_id)
    await suspend(session, actor, request.network_id, request.requester_id)
    await hide(session, actor, request_id)


@dataclass(frozen=True)
class HelpStats:
    network_id: int
    by_category: dict[HelpCategory, Counter[RequestStatus]]
    helpers_active: int


async def stats(session: AsyncSession, actor: Actor) -> list[HelpStats]:
    """Requests opened, matched, done and expired by category, and active helpers, per network."""
    actor.require_coordinator()
    found: dict[int, dict[HelpCategory, Counter[RequestStatus]]] = {}
    rows = await session.execute(
        select(
            HelpRequest.network_id, HelpRequest.category, HelpRequest.status, func.count()
        ).group_by(HelpRequest.network_id, HelpRequest.category, HelpRequest.status)
    )
    for network_id, category, status, count in rows:
        found.setdefault(int(network_id), {}).setdefault(HelpCategory(category), Counter())[
            RequestStatus(status)
        ] += int(count)
    helper_rows = await session.execute(
        select(HelpOffer.network_id, func.count(func.distinct(HelpOffer.resident_id)))
        .outerjoin(HelperSettings, HelperSettings.resident_id == HelpOffer.resident_id)
        .where(func.coalesce(HelperSettings.paused, False).is_(False))
        .group_by(HelpOffer.network_id)
    )
    helpers = {int(network_id): int(count) for network_id, count in helper_rows}
    ids = sorted(set(found) | {int(k) for k in helpers})
    return [HelpStats(i, found.get(i, {}), int(helpers.get(i, 0))) for i in ids]
