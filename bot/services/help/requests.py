"""Asking for help: posting a request, telling the network's helpers for its category (each at
the pace they chose), the lists of open and own requests, and closing a request."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import OfferHelp, OriginalOf
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NetworkArchived
from bot.services.help.access import member_id, own_request
from bot.services.help.notices import notify
from bot.services.help.views import (
    SENSITIVE,
    RequestView,
    category_label,
    first_name,
    safety_note,
    shown_name,
    view_of,
    when_label,
)
from bot.services.machine_texts import (
    for_readers,
    machine_note,
    original_button,
    reader_locales,
)
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.rate_limits import check as check_limit
from bot.services.rate_limits import take as take_limit
from db.models import (
    Channel,
    HelpCategory,
    HelpFrequency,
    HelpRequest,
    Network,
    NoticeKind,
    RateKind,
    RequestStatus,
)
from db.queries import help as hq
from db.queries import outbox as oq
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

DESCRIPTION_MAX = 500
EXPIRY = timedelta(days=14)  # the default; HELP_EXPIRY_DAYS sets it
# Helpers who want requests once a day get them at this local time.
DAILY_AT = time(9, 0)


def _render_request(catalogs: Catalogs, view: RequestView) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        description, machine = view.description_in(locale)
        lines = [
            "<b>"
            + t.gettext(
                "🤝 Someone in {network} needs help",
                network=html.escape(view.network_name_in(locale)),
            )
            + "</b>",
            category_label(t, view.category),
            "",
            html.escape(description),
            "",
            t.gettext("When: {when}", when=when_label(t, view.needed_on)),
        ]
        if machine:
            lines += ["", "<i>" + machine_note(t, view.locale) + "</i>"]
        if view.category in SENSITIVE:
            lines += ["", "<i>" + safety_note(t) + "</i>"]
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(t.gettext("🙋 I can help"), OfferHelp(view.id)),),
        )
        if machine:
            buttons += ((original_button(t, OriginalOf.HELP_REQUEST, view.id),),)
        return Rendered("\n".join(lines), buttons)

    return render


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
    limits: RateLimits = DEFAULT_LIMITS,
    machine: MachineTranslation | None = None,
) -> tuple[RequestView, int]:
    """Post a request; the network's helpers for that category hear about it through the
    outbox, each as often as they chose. Returns the request and how many helpers it reaches.

    A resident who has asked many times lately (`limits.help_requests`) is refused with
    `RateLimited`, and nothing is posted."""
    now = now or session_now(session)
    resident_id = await member_id(session, actor, network_id)
    network = await session.get(Network, network_id)
    if network is None or network.archived_at is not None:
        raise NetworkArchived(joining=False)
    description = description.strip()
    if not description:
        raise InvalidInput("description", "empty")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", DESCRIPTION_MAX)
    await check_limit(session, resident_id, RateKind.HELP_REQUEST, limits.help_requests, now)
    # Who will hear, and the description in their languages, before anything is written
    # (bot.services.machine_texts): the rate limit's count is the first write.
    groups = await _helper_groups(session, network_id, category, resident_id)
    source = actor.locale or catalogs.default_locale
    found = await for_readers(
        machine,
        (description,),
        source,
        reader_locales((r for rows in groups.values() for r in rows), catalogs.default_locale),
    )
    await take_limit(session, resident_id, RateKind.HELP_REQUEST, limits.help_requests, now)
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
    view = replace(await view_of(session, request, actor), locale=source, machine=found)
    reached = await _tell_helpers(session, catalogs, view, groups, resident_id, now)
    await session.commit()
    return view, reached


async def may_ask(
    session: AsyncSession,
    actor: Actor,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
) -> None:
    """`RateLimited` if the resident could not post a request now: said before they describe
    what they need, not after."""
    now = now or session_now(session)
    await check_limit(
        session, actor.require_resident(), RateKind.HELP_REQUEST, limits.help_requests, now
    )


async def _helper_groups(
    session: AsyncSession, network_id: int, category: HelpCategory, requester_id: int
) -> dict[HelpFrequency, list[oq.RecipientRow]]:
    """The network's helpers for the category who would hear of a new request now (not the
    requester, not paused, not suspended), by how often they want to hear."""
    rows = await hq.helpers_for(session, network_id, category)
    suspended = await hq.suspended_in(session, network_id)
    by_frequency: dict[HelpFrequency, list[int]] = {}
    for helper_id, frequency, paused in rows:
        if helper_id == requester_id or paused or helper_id in suspended:
            continue
        by_frequency.setdefault(HelpFrequency(frequency or HelpFrequency.INSTANT), []).append(
            helper_id
        )
    return {frequency: await oq.residents(session, ids) for frequency, ids in by_frequency.items()}


async def _tell_helpers(
    session: AsyncSession,
    catalogs: Catalogs,
    view: RequestView,
    groups: dict[HelpFrequency, list[oq.RecipientRow]],
    requester_id: int,
    now: datetime,
) -> int:
    reached = 0
    for frequency, recipients in groups.items():
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
            author_id=requester_id,
            # Weekly helpers get requests in the digest; the others at their pace.
            hold=frequency is HelpFrequency.WEEKLY,
            now=when,
        )
        reached += sum(result.by_locale.values())
    return reached


async def open_requests(session: AsyncSession, actor: Actor) -> list[RequestView]:
    """Open requests I could help with: my networks, my categories, not mine, not hidden."""
    resident_id = actor.require_resident()
    rows = await hq.open_for_helper(session, resident_id)
    return [await view_of(session, r, actor) for r in rows]


async def my_requests(session: AsyncSession, actor: Actor) -> list[RequestView]:
    resident_id = actor.require_resident()
    return [await view_of(session, r, actor) for r in await hq.requests_by(session, resident_id)]


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
    request = await own_request(session, actor, request_id)
    if request.status not in (RequestStatus.OPEN, RequestStatus.MATCHED):
        raise InvalidInput("request", "closed")
    request.status = RequestStatus.DONE if done else RequestStatus.WITHDRAWN
    request.closed_at = now
    if done and request.helper_id is not None:
        name = await first_name(session, request.requester_id)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            return Rendered(
                t.gettext(
                    "💛 {name} says thank you for your help!",
                    name=html.escape(shown_name(t, name)),
                )
            )

        await notify(
            session,
            catalogs,
            NoticeKind.HELP_DONE,
            request.helper_id,
            request.network_id,
            render,
            now,
            author_id=request.requester_id,
        )
    await session.commit()
    return await view_of(session, request, actor)
