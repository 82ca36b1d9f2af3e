"""Closing polls: by the scheduler once their time has come, or early by their creator, a
host of the poll's network or a coordinator. Closing tells everyone who answered the results
(counts and shares; on Telegram with the bar chart) and the creator the results with the split
by language and channel, through the outbox. Once only: a poll closes in one UPDATE that only
an open poll passes, in the same transaction as its notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import PollResults as ShowResults
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.polls.chart import attachment_name
from bot.services.polls.results import (
    DEFAULT_MIN_GROUP,
    PollResults,
    compute,
    results_text,
    staff_of,
)
from bot.services.polls.views import PollView, load_views
from db.models import Channel, NoticeKind, PollStatus
from db.queries import outbox as oq
from db.queries import polls as q
from db.session import session_now

ANSWERERS_CHUNK = 5000


def render_results(catalogs: Catalogs, results: PollResults) -> outbox.Render:
    """The results notice: the text, and on Telegram the chart in the reader's language. The
    creator's (with the split) has a button to see them again: a split too long for a photo's
    caption goes without the chart, which that button brings."""

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        text = results_text(t, results)
        if channel is Channel.SMS:
            return Rendered(text)
        buttons: tuple[tuple[Button, ...], ...] = ()
        if results.detailed:
            buttons = ((Button(t.gettext("📈 Results"), ShowResults(results.view.id)),),)
        return Rendered(text, buttons, attachment=attachment_name(results.view.id, locale))

    return render


async def _tell(
    session: AsyncSession,
    catalogs: Catalogs,
    view: PollView,
    now: datetime,
    min_group: int,
) -> int:
    """Enqueue the results to those who answered and, with the split, to the creator."""
    answerers = [r for r in await q.answerer_ids(session, view.id) if r != view.created_by]
    told = 0
    if answerers:
        results = await compute(session, view, min_group=min_group)
        recipients = []
        # A town's answers by the chunk: SQLite takes at most 32 766 values in one query.
        for start in range(0, len(answerers), ANSWERERS_CHUNK):
            recipients += await oq.residents(session, answerers[start : start + ANSWERERS_CHUNK])
        enqueued = await outbox.enqueue(
            session,
            kind=NoticeKind.POLL_RESULTS,
            recipients=recipients,
            render=render_results(catalogs, results),
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=view.network_id,
            dedupe_key=f"poll-results:{view.id}",
            now=now,
        )
        told += sum(enqueued.by_locale.values())
    if view.created_by is not None:
        detailed = await compute(session, view, detailed=True, creator=True, min_group=min_group)
        recipients = await oq.residents(session, [view.created_by])
        if recipients:
            await outbox.enqueue(
                session,
                kind=NoticeKind.POLL_RESULTS,
                recipients=recipients,
                render=render_results(catalogs, detailed),
                zone=catalogs.zone,
                default_locale=catalogs.default_locale,
                network_id=view.network_id,
                dedupe_key=f"poll-results-creator:{view.id}",
                now=now,
            )
            told += 1
    return told


async def close(
    session: AsyncSession,
    catalogs: Catalogs,
    poll_id: int,
    *,
    now: datetime | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
) -> bool:
    """Close one poll and enqueue its results; False if it was closed already. Commits."""
    now = now or session_now(session)
    if not await q.mark_closed(session, poll_id, now):
        await session.rollback()
        return False
    poll = await q.get(session, poll_id)
    if poll is None:  # deleted meanwhile (its network went)
        await session.rollback()
        return False
    await session.refresh(poll)
    view = (await load_views(session, [poll]))[0]
    await _tell(session, catalogs, view, now, min_group)
    await session.commit()
    return True


async def close_due(
    session: AsyncSession,
    catalogs: Catalogs,
    *,
    now: datetime | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
) -> int:
    """Close every open poll whose time has come (the scheduler's job); how many closed."""
    now = now or session_now(session)
    closed = 0
    while due := await q.due(session, now):
        for poll_id in due:
            closed += await close(session, catalogs, poll_id, now=now, min_group=min_group)
    return closed


async def close_now(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    poll_id: int,
    *,
    now: datetime | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
) -> PollView:
    """Close a poll before its time: its creator, a host of its network or a coordinator.
    Commits."""
    now = now or session_now(session)
    poll = await q.get(session, poll_id)
    if poll is None or poll.status is PollStatus.HIDDEN:
        raise NotFound()
    view = (await load_views(session, [poll]))[0]
    if not await staff_of(session, actor, view):
        raise PermissionDenied("host")
    if poll.status is not PollStatus.OPEN:
        raise InvalidInput("poll", "closed")
    await close(session, catalogs, poll_id, now=now, min_group=min_group)
    await session.refresh(poll)
    return (await load_views(session, [poll]))[0]
