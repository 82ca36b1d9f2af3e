"""Matching a request with a helper: a neighbour says "I can help", the requester is told
their first name and accepts one of those who offered; from then on the two talk through the
bot (`relay`)."""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import AcceptHelper, BlockMatch, ReportMatch, WriteToMatch
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.help.access import blocked, is_suspended, member_id, own_request
from bot.services.help.notices import notify
from bot.services.help.views import RequestView, first_name, get_request, shown_name, view_of
from db.models import Channel, HelpResponse, NoticeKind, RequestStatus
from db.session import session_now


async def offer_help(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    now: datetime | None = None,
) -> RequestView:
    """ "I can help": the requester is told the helper's first name and can accept."""
    now = now or session_now(session)
    request = await get_request(session, request_id)
    helper_id = await member_id(session, actor, request.network_id)
    if request.status is not RequestStatus.OPEN or helper_id == request.requester_id:
        raise InvalidInput("request", "closed")
    if await blocked(session, helper_id, request.requester_id):
        raise NotFound()
    if await session.get(HelpResponse, (request_id, helper_id)) is None:
        session.add(HelpResponse(request_id=request_id, helper_id=helper_id, created_at=now))
        name = await first_name(session, helper_id)
        view = await view_of(session, request, actor)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            text = t.gettext(
                "🙋 {name} can help with your request: {request}",
                name=html.escape(shown_name(t, name)),
                request=html.escape(view.description[:80]),
            )
            return Rendered(
                text,
                (
                    (
                        Button(
                            t.gettext("✅ Accept {name}", name=(shown_name(t, name))[:30]),
                            AcceptHelper(request_id, helper_id),
                        ),
                    ),
                ),
            )

        await notify(
            session,
            catalogs,
            NoticeKind.HELP_OFFERED,
            request.requester_id,
            request.network_id,
            render,
            now,
            author_id=helper_id,
        )
    await session.commit()
    return await view_of(session, request, actor)


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
    request = await own_request(session, actor, request_id)
    # Still taking part: a requester suspended since, gone from the network or in a network
    # archived since cannot start a match there.
    await member_id(session, actor, request.network_id)
    if request.status is not RequestStatus.OPEN:
        raise InvalidInput("request", "closed")
    if await session.get(HelpResponse, (request_id, helper_id)) is None:
        raise NotFound()
    if await is_suspended(session, helper_id, request.network_id):
        raise PermissionDenied("resident")
    if await blocked(session, helper_id, request.requester_id):
        raise NotFound()
    request.status, request.helper_id = RequestStatus.MATCHED, helper_id
    request.matched_at = now
    name = await first_name(session, request.requester_id)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        text = t.gettext(
            "🤝 {name} accepted your help. Write to {name} here: your messages go through "
            "the bot, without your username or number.",
            name=html.escape(shown_name(t, name)),
        )
        return Rendered(
            text,
            (
                (Button(t.gettext("💬 Write"), WriteToMatch(request_id)),),
                (Button(t.gettext("⚠️ Report"), ReportMatch(request_id)),),
                (Button(t.gettext("⛔ Block"), BlockMatch(request_id)),),
            ),
        )

    await notify(
        session,
        catalogs,
        NoticeKind.HELP_MATCHED,
        helper_id,
        request.network_id,
        render,
        now,
        author_id=request.requester_id,
    )
    await session.commit()
    return await view_of(session, request, actor)
