"""Open volunteer calls as the weekly digest lists them: read once per round for every
network, a call as its title, its next shift with room and how many slots are free."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.volunteering.views import short_when, views_of
from bot.sms_keywords import Command, shown
from db.queries import volunteering as q


@dataclass(frozen=True)
class WeekCall:
    call_id: int
    network_id: int
    title: str
    starts_at: datetime  # its next shift with a free slot
    ends_at: datetime
    free: int  # free slots over all its coming shifts


async def open_calls_by_network(session: AsyncSession, now: datetime) -> dict[int, list[WeekCall]]:
    """Each live network's open calls with a free slot to come, soonest first."""
    found: dict[int, list[WeekCall]] = {}
    for view in await views_of(session, await q.all_open_calls(session, now), None):
        room = [s for s in view.upcoming(now) if s.free]
        if room:
            found.setdefault(view.network_id, []).append(
                WeekCall(
                    view.id,
                    view.network_id,
                    view.title,
                    room[0].starts_at,
                    room[0].ends_at,
                    sum(s.free for s in room),
                )
            )
    return found


def digest_section(
    t: Translator, calls: Sequence[WeekCall], more: int, network: Callable[[int], str]
) -> str:
    """The digest's "🧹 Volunteers wanted" (HTML): each call's title, network, next shift and
    free slots, then where to sign up. `network(id)` names a network for this reader."""
    lines = ["<b>" + t.gettext("🧹 Volunteers wanted") + "</b>"]
    for call in calls:
        when = short_when(t, call.starts_at, call.ends_at)
        free = t.ngettext("{n} free", "{n} free", call.free)
        lines.append(
            f"• <b>{html.escape(call.title)}</b> · {html.escape(network(call.network_id))}"
            f"\n   {when} · {free}"
        )
    if more:
        lines.append(
            t.ngettext("…and {n} more call: /dugnad", "…and {n} more calls: /dugnad", more)
        )
    else:
        lines.append(t.gettext("Sign up in /dugnad."))
    return "\n".join(lines)


def digest_sms_bit(t: Translator, n: int) -> str:
    """The SMS digest's count of open calls, with the keyword that lists them."""
    return t.ngettext(
        "{n} call for volunteers ({keyword})",
        "{n} calls for volunteers ({keyword})",
        n,
        keyword=shown(Command.VOLUNTEER, t.locale),
    )
