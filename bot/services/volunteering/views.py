"""A volunteer call as residents and hosts see it: its shifts with their free slots, which of
them the reader signed up for, and its card in the reader's language. Shared by the notices,
the bot's screens, the SMS lists and the digest."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_skeleton
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, native_digits
from bot.services.errors import NotFound
from bot.services.networks.views import NetworkName, network_names
from db.models import CallStatus, VolunteerCall, VolunteerShift
from db.queries import volunteering as q


@dataclass(frozen=True)
class ShiftView:
    id: int
    call_id: int
    starts_at: datetime
    ends_at: datetime
    slots: int
    taken: int
    mine: bool = False  # the reader is signed up
    confirmed: bool = False  # the host confirmed who came

    @property
    def free(self) -> int:
        return max(self.slots - self.taken, 0)

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


@dataclass(frozen=True)
class CallView:
    id: int
    network_id: int
    network: NetworkName
    title: str
    description: str
    place: str
    locale: str
    status: CallStatus
    shifts: tuple[ShiftView, ...]

    @property
    def open(self) -> bool:
        return self.status is CallStatus.OPEN

    def upcoming(self, now: datetime) -> tuple[ShiftView, ...]:
        """Shifts still to start: the ones a resident can sign up for or withdraw from."""
        return tuple(s for s in self.shifts if s.starts_at > now)

    def shift(self, shift_id: int) -> ShiftView:
        for found in self.shifts:
            if found.id == shift_id:
                return found
        raise NotFound()


async def views_of(
    session: AsyncSession, calls: Sequence[VolunteerCall], reader: int | None
) -> list[CallView]:
    """The calls as `reader` (a resident id, or None) sees them, in the order given."""
    shifts = await q.shifts_of(session, [c.id for c in calls])
    ids = [s.id for found in shifts.values() for s in found]
    taken = await q.taken(session, ids)
    mine = await q.mine(session, reader, ids) if reader is not None else set()
    names = await network_names(session, list({c.network_id for c in calls}))
    return [
        CallView(
            call.id,
            call.network_id,
            names.get(call.network_id) or NetworkName("", {}),
            call.title,
            call.description,
            call.place,
            call.locale,
            CallStatus(call.status),
            tuple(_shift(s, taken.get(s.id, 0), s.id in mine) for s in shifts.get(call.id, [])),
        )
        for call in calls
    ]


def _shift(shift: VolunteerShift, taken: int, mine: bool) -> ShiftView:
    return ShiftView(
        shift.id,
        shift.call_id,
        shift.starts_at,
        shift.ends_at,
        shift.slots,
        taken,
        mine,
        shift.confirmed_at is not None,
    )


async def get_call(session: AsyncSession, call_id: int) -> VolunteerCall:
    call = await session.get(VolunteerCall, call_id)
    if call is None:
        raise NotFound()
    return call


async def view_of(session: AsyncSession, call: VolunteerCall, reader: int | None) -> CallView:
    return (await views_of(session, [call], reader))[0]


def shift_when(t: Translator, starts_at: datetime, ends_at: datetime) -> str:
    """ "Saturday 12 June at 10:00–13:00" in the reader's language and the app's zone; a shift
    over midnight names both days."""
    start = t.gettext("{day} at {time}", day=t.format_day(starts_at), time=t.format_time(starts_at))
    if starts_at.astimezone(t.zone).date() != ends_at.astimezone(t.zone).date():
        end = t.gettext("{day} at {time}", day=t.format_day(ends_at), time=t.format_time(ends_at))
        return t.gettext("{start} – {end}", start=start, end=end)
    return t.gettext("{start}–{end}", start=start, end=t.format_time(ends_at))


def short_when(t: Translator, starts_at: datetime, ends_at: datetime) -> str:
    """A shift's time where every character counts (an SMS list, the digest): "Sat 19 Dec
    10:00–13:00" in the reader's language and digits."""
    day = native_digits(
        format_skeleton("MMMEd", starts_at, tzinfo=t.zone, locale=t.locale), t.locale
    )
    return f"{day} {t.format_time(starts_at)}–{t.format_time(ends_at)}"


def free_text(t: Translator, shift: ShiftView) -> str:
    if not shift.free:
        return t.gettext("full")
    return t.ngettext("{n} of {slots} free", "{n} of {slots} free", shift.free, slots=shift.slots)


def shift_line(t: Translator, shift: ShiftView, number: int | None = None) -> str:
    """One shift as a line: when, and how many slots are free; ✓ where the reader is in."""
    lead = f"{t.number(number)}. " if number is not None else "• "
    mark = " ✓" if shift.mine else ""
    return f"{lead}{shift_when(t, shift.starts_at, shift.ends_at)} · {free_text(t, shift)}{mark}"


def call_card(t: Translator, view: CallView, now: datetime | None = None) -> str:
    """The call as a member reads it (HTML): title, place, description and its shifts (those
    still to come, when `now` is given)."""
    lines = [f"<b>🧹 {html.escape(view.title)}</b>"]
    network = view.network.in_locale(t.locale)
    if network:
        lines.append("🏘 " + html.escape(network))
    if view.place:
        lines.append("📍 " + html.escape(view.place))
    if view.description:
        lines += ["", html.escape(view.description)]
    if view.locale != t.locale:
        language = t.language_name(view.locale)
        lines += ["", "<i>" + t.gettext("Written in {language}.", language=language) + "</i>"]
    shifts = view.shifts if now is None else view.upcoming(now)
    if shifts:
        lines += ["", t.gettext("Shifts:")]
        lines += [shift_line(t, s) for s in shifts]
    if not view.open:
        lines += ["", "❌ " + t.gettext("This call is cancelled.")]
    return "\n".join(lines)


def shift_refusal(t: Translator, reason: str) -> str:
    """Why a shift or call refused (`InvalidInput` with field "shift" or "call"), in words
    both channels use."""
    if reason == "full":
        return t.gettext("Sorry, that shift is full. Another shift may still have room.")
    if reason == "not_over":
        return t.gettext("You can confirm who came once the shift is over.")
    if reason == "confirmed":
        return t.gettext("Who came to this shift is confirmed already.")
    return t.gettext("This volunteer call is over or cancelled.")
