"""After a match: messages between the requester and the helper pass through the bot with a
first name only (never a username, phone number or Telegram id), and either of them can block
the other, which ends the match and every message between them."""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import WriteToMatch
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.help.access import blocked, other_side
from bot.services.help.notices import notify
from bot.services.help.views import RequestView, first_name, get_request, shown_name, view_of
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.rate_limits import take as take_limit
from db.models import Block, Channel, HelpRequest, NoticeKind, RateKind, RequestStatus
from db.session import session_now

TEXT_MAX = 3000


async def _sides(session: AsyncSession, actor: Actor, request: HelpRequest) -> tuple[int, int]:
    """The acting resident and the other side of a live match; anyone else (and either side
    once one has blocked the other) is refused as if there were no match."""
    me = actor.require_resident()
    if request.status is not RequestStatus.MATCHED or me not in (
        request.requester_id,
        request.helper_id,
    ):
        raise NotFound()
    other = request.helper_id if me == request.requester_id else request.requester_id
    if other is None or await blocked(session, me, other):
        raise NotFound()
    return me, other


async def start_relay(session: AsyncSession, actor: Actor, request_id: int) -> None:
    """Refuse "write to the other person" up front for anyone who is not a side of the match,
    rather than ask them for a message that could never be sent."""
    await _sides(session, actor, await get_request(session, request_id))


async def relay(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    text: str,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
) -> None:
    """Pass a message between the requester and the matched helper, first name only.

    Over `limits.relay` the message is refused with `RateLimited` and not passed on."""
    now = now or session_now(session)
    request = await get_request(session, request_id)
    me, other = await _sides(session, actor, request)
    text = text.strip()
    if not text:
        raise InvalidInput("text", "empty")
    if len(text) > TEXT_MAX:
        raise InvalidInput("text", "too_long", TEXT_MAX)
    await take_limit(session, me, RateKind.RELAY, limits.relay, now)
    name = await first_name(session, me)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        return Rendered(
            f"💬 <b>{html.escape(shown_name(t, name))}</b>: {html.escape(text)}",
            ((Button(t.gettext("💬 Answer"), WriteToMatch(request_id)),),),
        )

    # The text is kept as the notice's body too: /mydata gives a resident back what they wrote.
    await notify(
        session,
        catalogs,
        NoticeKind.HELP_RELAY,
        other,
        request.network_id,
        render,
        now,
        author_id=me,
        body=text,
    )
    await session.commit()


async def block(session: AsyncSession, actor: Actor, request_id: int) -> RequestView:
    """Block the person on the other side of a request: no more relayed messages or offers
    between the two, and a match between them ends (the request opens again for others).

    Within a match only its two sides may block: a neighbour who also offered must not be able
    to end someone else's match."""
    request = await get_request(session, request_id)
    me = actor.require_resident()
    other = await other_side(session, request, me)
    if other is None:
        raise NotFound()
    if await session.get(Block, (me, other)) is None:
        session.add(Block(blocker_id=me, blocked_id=other))
    if request.status is RequestStatus.MATCHED:
        request.status, request.helper_id = RequestStatus.OPEN, None
    await session.commit()
    return await view_of(session, request, actor)
