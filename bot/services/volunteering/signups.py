"""Residents signing up for a shift and withdrawing, and who is coming.

A resident signs up only themselves (the actor), only in a network they are in, only for a
shift still to come of an open call, and only while it has a free slot (checked where the row
is written: `db.queries.volunteering.sign_up_if_room`). Signing up twice is one signup. The
first signup asks whether others signed up may see the resident's first name; later ones
keep that answer (by SMS, where asking costs an SMS, the name stays hidden until the resident
says otherwise on Telegram). The hosts are told when a shift fills and when someone withdraws.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.events.hosting import hosts
from bot.services.volunteering.calls import member_network
from bot.services.volunteering.notices import to_host
from bot.services.volunteering.views import CallView, ShiftView, get_call, view_of
from db.models import CallStatus, Channel, VolunteerCall, VolunteerShift
from db.queries import volunteering as q
from db.session import session_now


class Outcome(enum.StrEnum):
    SIGNED_UP = "signed_up"
    ALREADY = "already"  # signed up before: nothing changed
    ASK_NAME = "ask_name"  # nothing written: ask whether others may see the first name


@dataclass(frozen=True)
class SignupResult:
    outcome: Outcome
    call: CallView
    shift: ShiftView


async def _shift_and_call(
    session: AsyncSession, shift_id: int
) -> tuple[VolunteerShift, VolunteerCall]:
    shift = await session.get(VolunteerShift, shift_id)
    if shift is None:
        raise NotFound()
    return shift, await get_call(session, shift.call_id)


def _still_open(call: VolunteerCall, shift: VolunteerShift, now: datetime) -> None:
    if call.status is not CallStatus.OPEN or shift.starts_at <= now:
        raise InvalidInput("shift", "closed")


async def sign_up(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    shift_id: int,
    *,
    show_name: bool | None = None,
    channel: Channel = Channel.TELEGRAM,
    now: datetime | None = None,
) -> SignupResult:
    """Sign the acting resident up for a shift. `show_name` None: the answer of their last
    signup, or (never asked) `Outcome.ASK_NAME` on Telegram and hidden by SMS."""
    now = now or session_now(session)
    shift, call = await _shift_and_call(session, shift_id)
    me = await member_network(session, actor, call.network_id)
    _still_open(call, shift, now)
    if await q.signup(session, shift_id, me) is not None:
        view = await view_of(session, call, me)
        return SignupResult(Outcome.ALREADY, view, view.shift(shift_id))
    if show_name is None:
        show_name = await q.last_name_choice(session, me)
    if show_name is None:
        if channel is not Channel.SMS:
            view = await view_of(session, call, me)
            if not view.shift(shift_id).free:  # full: say so now, not after the question
                raise InvalidInput("shift", "full")
            return SignupResult(Outcome.ASK_NAME, view, view.shift(shift_id))
        show_name = False
    # The reads above end here: the signup's transaction starts with its lock (see
    # `sign_up_if_room`), so SQLite never has to turn an old read into a write.
    await session.commit()
    try:
        async with session.begin_nested():  # a double press racing this one: one signup
            added = await q.sign_up_if_room(
                session, shift_id, me, channel=channel.value, show_name=show_name, now=now
            )
    except IntegrityError:
        view = await view_of(session, call, me)
        return SignupResult(Outcome.ALREADY, view, view.shift(shift_id))
    if not added:
        raise InvalidInput("shift", "full")
    view = await view_of(session, call, me)
    found = view.shift(shift_id)
    if not found.free:
        await to_host(
            session, catalogs, view, found, name=None, filled=True, author_id=None, now=now
        )
    await session.commit()
    return SignupResult(Outcome.SIGNED_UP, view, found)


async def withdraw(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    shift_id: int,
    *,
    now: datetime | None = None,
) -> CallView:
    """Take the acting resident off a shift that has not started (doing it twice does
    nothing); the hosts are told, by first name if the resident let others see it. One who
    left the network since can still withdraw; anyone else not signed up is refused."""
    now = now or session_now(session)
    me = actor.require_resident()
    shift, call = await _shift_and_call(session, shift_id)
    if shift.starts_at <= now:
        raise InvalidInput("shift", "closed")
    row = await q.signup(session, shift_id, me)
    if row is None:  # nothing to withdraw: only a member sees the call again
        await member_network(session, actor, call.network_id)
        return await view_of(session, call, me)
    show_name = row.show_name
    await q.withdraw(session, shift_id, me)
    view = await view_of(session, call, me)
    if call.status is CallStatus.OPEN:
        name = await q.first_name(session, me) if show_name else None
        await to_host(
            session,
            catalogs,
            view,
            view.shift(shift_id),
            name=name,
            filled=False,
            author_id=me,
            now=now,
        )
    await session.commit()
    return view


@dataclass(frozen=True)
class Coming:
    """Who is coming to a shift: the first names of those who let others see them, and how
    many more."""

    shift: ShiftView
    names: tuple[str, ...]
    others: int


async def who_is_coming(session: AsyncSession, actor: Actor, call_id: int) -> list[Coming]:
    """Per shift of the call, who is coming, for its network's members (and hosts). Hosts see
    the same as everyone: names only where the resident agreed."""
    call = await get_call(session, call_id)
    if not await hosts(session, actor, call.network_id):
        await member_network(session, actor, call.network_id)
    view = await view_of(session, call, actor.resident_id)
    found = []
    for shift in view.shifts:
        rows = await q.signups(session, shift.id)
        names = tuple(r.first_name for r in rows if r.show_name and r.first_name)
        found.append(Coming(shift, names, len(rows) - len(names)))
    return found


def coming_text(t: Translator, coming: Coming) -> str:
    """ "Kari, Ahmed and 2 others" / "Nobody yet"."""
    if not coming.names and not coming.others:
        return t.gettext("Nobody yet")
    if not coming.names:
        return t.ngettext("{n} neighbour", "{n} neighbours", coming.others)
    names = ", ".join(coming.names)
    if not coming.others:
        return names
    return t.ngettext("{names} and {n} other", "{names} and {n} others", coming.others, names=names)
