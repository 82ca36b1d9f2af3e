"""The host's side of a volunteer call: what they fill in and the checks it passes, publishing
it to the network's members, cancelling it (those signed up are told), and the lists residents
and hosts see. Only the network's hosts and coordinators post or cancel; residents see the
open calls of the networks they are in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NetworkArchived, NotFound
from bot.services.events import flood
from bot.services.events.hosting import hosts, require_host
from bot.services.networks.views import network_names
from bot.services.volunteering.notices import render_call, to_signed_up
from bot.services.volunteering.views import (
    CallView,
    call_card,
    get_call,
    view_of,
    views_of,
)
from db.models import CallStatus, Channel, Network, NoticeKind, VolunteerCall, VolunteerShift
from db.queries import networks as nq
from db.queries import outbox as oq
from db.queries import volunteering as q
from db.session import session_now

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
PLACE_MAX = 200
SLOTS_MAX = 500
SHIFTS_MAX = 20
SHIFT_LENGTH_MAX = timedelta(hours=24)
# How long after its last shift a call stays on its host's list (to confirm who came).
HOSTED_FOR = timedelta(days=30)


@dataclass(frozen=True)
class ShiftDraft:
    starts_at: datetime  # aware
    ends_at: datetime
    slots: int


@dataclass(frozen=True)
class CallDraft:
    """What a host fills in for a call: one or more shifts."""

    network_id: int
    title: str
    place: str
    shifts: tuple[ShiftDraft, ...]
    description: str = ""
    locale: str = "nb"


def clean_shift(shift: ShiftDraft, now: datetime) -> ShiftDraft:
    """A shift that starts in the future, ends after it starts (within a day) and has at
    least one slot; else `InvalidInput` naming what is wrong."""
    if shift.starts_at.tzinfo is None or shift.starts_at <= now:
        raise InvalidInput("starts_at", "past")
    if shift.ends_at <= shift.starts_at or shift.ends_at - shift.starts_at > SHIFT_LENGTH_MAX:
        raise InvalidInput("ends_at", "before_start")
    if not 1 <= shift.slots <= SLOTS_MAX:
        raise InvalidInput("slots", "format", SLOTS_MAX)
    return shift


def clean_call(draft: CallDraft, now: datetime) -> CallDraft:
    """The draft with its texts trimmed, or `InvalidInput` naming the field that is wrong."""
    title = " ".join(draft.title.split())
    if not title:
        raise InvalidInput("title", "empty")
    place = " ".join(draft.place.split())
    for name, value, limit in (
        ("title", title, TITLE_MAX),
        ("description", draft.description.strip(), DESCRIPTION_MAX),
        ("place", place, PLACE_MAX),
    ):
        if len(value) > limit:
            raise InvalidInput(name, "too_long", limit)
    if not draft.shifts:
        raise InvalidInput("shifts", "empty")
    if len(draft.shifts) > SHIFTS_MAX:
        raise InvalidInput("shifts", "format", SHIFTS_MAX)  # the bot offers no more
    shifts = tuple(sorted((clean_shift(s, now) for s in draft.shifts), key=lambda s: s.starts_at))
    return replace(
        draft, title=title, place=place, description=draft.description.strip(), shifts=shifts
    )


async def networks_to_host(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The live networks the actor may post a call in (id, name in their language): those they
    host, or every live one for a coordinator."""
    ids = await q.hosted_network_ids(session, actor.resident_id, everyone=actor.is_coordinator)
    names = await network_names(session, ids)
    found = [(i, names[i].in_locale(actor.locale)) for i in ids if i in names]
    return sorted(found, key=lambda pair: pair[1].casefold())


async def publish(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    draft: CallDraft,
    *,
    now: datetime | None = None,
) -> tuple[CallView, outbox.Enqueued]:
    """Create the call and tell the network's members, in one transaction.

    The flood guard of new events applies to calls too: past the network's daily number of
    new-event notices (NEW_EVENT_NOTICES_PER_DAY, counted for calls on their own), the call's
    notice waits for the weekly digest, which lists open calls anyway. Digest-only members
    get it there; quiet hours and the SMS budget apply as for every notice."""
    now = now or session_now(session)
    await require_host(session, actor, draft.network_id)
    draft = clean_call(draft, now)
    call = VolunteerCall(
        network_id=draft.network_id,
        title=draft.title,
        description=draft.description,
        place=draft.place,
        locale=draft.locale,
        status=CallStatus.OPEN,
        created_by=actor.resident_id,
        created_at=now,
    )
    session.add(call)
    await session.flush()
    for shift in draft.shifts:
        session.add(
            VolunteerShift(
                call_id=call.id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                slots=shift.slots,
            )
        )
    await session.flush()
    view = await view_of(session, call, None)
    told = await flood.told_today(
        session, draft.network_id, now, catalogs.zone, NoticeKind.VOLUNTEER_CALL
    )
    enqueued = await outbox.enqueue(
        session,
        kind=NoticeKind.VOLUNTEER_CALL,
        recipients=await oq.network_members(session, draft.network_id),
        render=render_call(catalogs, view, now),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=draft.network_id,
        author_id=actor.resident_id,
        hold=told >= flood.notices_per_day(session),
        now=now,
    )
    await session.commit()
    return view, enqueued


async def member_network(session: AsyncSession, actor: Actor, network_id: int) -> int:
    """The acting resident's id if they are a member of the (live) network; else refused as
    if there were nothing to see."""
    me = actor.require_resident()
    if await nq.membership(session, me, network_id) is None:
        raise NotFound()
    network = await session.get(Network, network_id)
    if network is None or network.archived_at is not None:
        raise NetworkArchived(joining=False)
    return me


async def open_calls(
    session: AsyncSession, actor: Actor, now: datetime | None = None
) -> list[CallView]:
    """The open calls in the resident's networks with shifts still to come, soonest first."""
    now = now or session_now(session)
    me = actor.require_resident()
    networks = await nq.network_ids_of(session, me)
    return await views_of(session, await q.open_calls(session, networks, now), me)


async def hosted_calls(
    session: AsyncSession, actor: Actor, now: datetime | None = None
) -> list[CallView]:
    """The calls of the networks the actor hosts (every network's for a coordinator) whose
    last shift ended less than a month ago, newest first: where hosts confirm who came."""
    now = now or session_now(session)
    ids = await q.hosted_network_ids(session, actor.resident_id, everyone=actor.is_coordinator)
    return await views_of(session, await q.hosted_calls(session, ids, now - HOSTED_FOR), None)


async def call_for_member(
    session: AsyncSession, actor: Actor, call_id: int, now: datetime | None = None
) -> CallView:
    """A call as a member of its network sees it (hosts and coordinators may look too)."""
    call = await get_call(session, call_id)
    if not await hosts(session, actor, call.network_id):
        await member_network(session, actor, call.network_id)
    return await view_of(session, call, actor.resident_id)


async def may_manage(session: AsyncSession, actor: Actor, network_id: int) -> bool:
    """Whether the actor may manage the network's calls (a host, or a coordinator)."""
    return await hosts(session, actor, network_id)


async def hosted_call(session: AsyncSession, actor: Actor, call_id: int) -> VolunteerCall:
    """A call the actor may manage: of a network they host (or any, for a coordinator)."""
    call = await get_call(session, call_id)
    await require_host(session, actor, call.network_id)
    return call


async def cancel(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    call_id: int,
    *,
    now: datetime | None = None,
) -> CallView:
    """Cancel a call (once) that still has a shift to come; those signed up for its coming
    shifts are told. Cancelling a cancelled call does nothing again."""
    now = now or session_now(session)
    call = await hosted_call(session, actor, call_id)
    if call.status is CallStatus.CANCELLED:
        return await view_of(session, call, None)
    view = await view_of(session, call, None)
    coming = [s.id for s in view.upcoming(now)]
    if not coming:
        raise InvalidInput("call", "closed")
    signed = await q.resident_ids(session, coming)
    call.status = CallStatus.CANCELLED
    cancelled = replace(view, status=CallStatus.CANCELLED)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        headline = t.gettext("❌ A volunteer call you signed up for is cancelled")
        return Rendered(f"{headline}\n\n{call_card(t, cancelled, now)}")

    await to_signed_up(
        session, catalogs, NoticeKind.SHIFT_MESSAGE, signed, call.network_id, render, now
    )
    await session.commit()
    return cancelled
