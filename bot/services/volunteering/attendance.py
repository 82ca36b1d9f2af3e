"""After a shift: its host confirms who came. The checklist starts with nobody ticked; the host
ticks those who came and confirms once. Those who came are thanked and their hours (the
shift's length) count in the month's figures; a confirmed shift is not confirmed again."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.events.hosting import require_host
from bot.services.volunteering.notices import to_signed_up
from bot.services.volunteering.views import ShiftView, get_call, shift_when, view_of
from db.models import Channel, NoticeKind, VolunteerShift, VolunteerSignup
from db.queries import volunteering as q
from db.session import session_now


@dataclass(frozen=True)
class Attendee:
    signup_id: int
    name: str  # first name (the host sees who signed up to their shift), or "" if erased
    came: bool


@dataclass(frozen=True)
class Checklist:
    call_id: int
    title: str
    shift: ShiftView
    attendees: tuple[Attendee, ...]


async def _ended_shift(
    session: AsyncSession, actor: Actor, shift_id: int, now: datetime
) -> tuple[VolunteerShift, Checklist]:
    shift = await session.get(VolunteerShift, shift_id)
    if shift is None:
        raise NotFound()
    call = await get_call(session, shift.call_id)
    await require_host(session, actor, call.network_id)
    if shift.ends_at > now:
        raise InvalidInput("shift", "not_over")
    view = await view_of(session, call, None)
    rows = await q.signups(session, shift_id)
    attendees = tuple(Attendee(r.signup_id, r.first_name or "", bool(r.attended)) for r in rows)
    return shift, Checklist(call.id, call.title, view.shift(shift_id), attendees)


async def checklist(
    session: AsyncSession, actor: Actor, shift_id: int, now: datetime | None = None
) -> Checklist:
    """The shift's signups with who is ticked as having come (hosts, after the shift)."""
    _, found = await _ended_shift(session, actor, shift_id, now or session_now(session))
    return found


async def toggle(
    session: AsyncSession,
    actor: Actor,
    shift_id: int,
    signup_id: int,
    now: datetime | None = None,
) -> Checklist:
    """Tick or untick one signup of a shift not yet confirmed."""
    now = now or session_now(session)
    shift, _ = await _ended_shift(session, actor, shift_id, now)
    if shift.confirmed_at is not None:
        raise InvalidInput("shift", "confirmed")
    signup = await session.get(VolunteerSignup, signup_id)
    if signup is None or signup.shift_id != shift_id:
        raise NotFound()
    signup.attended = not bool(signup.attended)
    await session.commit()
    _, found = await _ended_shift(session, actor, shift_id, now)
    return found


async def confirm(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    shift_id: int,
    came: set[int] | None = None,
    now: datetime | None = None,
) -> Checklist:
    """Confirm who came (the ticked signups, or `came`: signup ids of this shift), once.
    Those who came get a thank-you with their hours; the rest hear nothing."""
    now = now or session_now(session)
    shift, found = await _ended_shift(session, actor, shift_id, now)
    if shift.confirmed_at is not None:
        raise InvalidInput("shift", "confirmed")
    ids = {a.signup_id for a in found.attendees}
    if came is None:
        came = {a.signup_id for a in found.attendees if a.came}
    if not came <= ids:
        raise NotFound()  # a forged signup id: someone else's shift
    await q.set_attended(session, shift_id, came)
    shift.confirmed_at = now
    thanked = [r.resident_id for r in await q.signups(session, shift_id) if r.attended]
    call = await get_call(session, shift.call_id)
    title = call.title
    hours = found.shift.hours

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        return Rendered(
            t.ngettext(
                "💛 Thank you for lending a hand at “{call}” ({when})! {n} hour of "
                "volunteering counts for your neighbourhood.",
                "💛 Thank you for lending a hand at “{call}” ({when})! {n} hours of "
                "volunteering count for your neighbourhood.",
                round(hours) if hours >= 1 else 1,
                call=html.escape(title),
                when=shift_when(t, shift.starts_at, shift.ends_at),
            )
        )

    await to_signed_up(
        session,
        catalogs,
        NoticeKind.SHIFT_THANKS,
        [r for r in thanked if r is not None],
        call.network_id,
        render,
        now,
    )
    await session.commit()
    _, confirmed = await _ended_shift(session, actor, shift_id, now)
    return confirmed
