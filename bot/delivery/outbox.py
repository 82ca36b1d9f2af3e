"""Writing notices to the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Rendered
from bot.delivery.quiet_hours import DEFAULT_END, DEFAULT_START, release_time
from db.models import Channel, DeliveryStatus, NoticeKind, NotifyMode
from db.queries import outbox as q
from db.queries.outbox import RecipientRow
from db.session import session_now

Render = Callable[[str, Channel], Rendered]
# A rendering that needs the notice's own id (a broadcast's "Show original" points back at it).
NoticeRender = Callable[[int], Render]


@dataclass(frozen=True)
class Enqueued:
    notice_id: int
    by_locale: dict[str, int]  # recipients per language
    held: int  # recipients whose delivery waits: "digest only", or `hold`/`hold_channels`
    held_all: bool = False  # `hold`: nobody is told now (a host may want to know why)


async def enqueue(
    session: AsyncSession,
    *,
    kind: NoticeKind,
    recipients: Iterable[RecipientRow],
    render: Render | None = None,
    zone: ZoneInfo,
    default_locale: str,
    network_id: int | None = None,
    event_id: int | None = None,
    author_id: int | None = None,
    body: str = "",
    dedupe_key: str | None = None,
    quiet_hours: bool = True,
    digest_hold: bool = True,
    hold: bool = False,
    hold_channels: frozenset[Channel] = frozenset(),
    now: datetime | None = None,
    render_notice: NoticeRender | None = None,
) -> Enqueued:
    """Write a notice, its renderings and one delivery per recipient. Does not commit: the
    caller commits together with the change that caused the notice, so both happen or neither.

    `render(locale, channel)` is called once per language and channel among the recipients.
    With `digest_hold`, digest-only residents' deliveries are held for the weekly digest (news
    can wait; a change to an event someone said they would come to cannot); with
    `quiet_hours`, deliveries inside a resident's quiet hours wait until the morning; `hold`
    keeps every delivery for the digest (helpers who want requests weekly), `hold_channels`
    those on these channels (new events reach SMS members in a summary). Instead of
    `render`, `render_notice(notice_id)` gives the render function once the notice has its id.
    """
    now = now or session_now(session)
    notice_id = await q.add_notice(
        session,
        {
            "kind": kind,
            "network_id": network_id,
            "event_id": event_id,
            "author_id": author_id,
            "body": body,
            "dedupe_key": dedupe_key,
            "created_at": now,
        },
    )
    if render_notice is not None:
        render = render_notice(notice_id)
    if render is None:
        raise TypeError("enqueue needs render or render_notice")
    deliveries: list[dict[str, object]] = []
    by_locale: dict[str, int] = {}
    needed: set[tuple[str, Channel]] = set()
    releases: dict[tuple[int, int], datetime] = {}
    held = 0
    for r in recipients:
        locale = r.locale or default_locale
        channel = r.channel  # worked out from the row: once, not twice, per recipient
        by_locale[locale] = by_locale.get(locale, 0) + 1
        needed.add((locale, channel))
        status = DeliveryStatus.PENDING
        not_before = now
        if hold or channel in hold_channels or (digest_hold and r.notify_mode is NotifyMode.DIGEST):
            status, held = DeliveryStatus.HELD, held + 1
        elif quiet_hours:
            window = (
                DEFAULT_START if r.quiet_start is None else r.quiet_start,
                DEFAULT_END if r.quiet_end is None else r.quiet_end,
            )
            # One moment for the whole notice: most residents share a few windows, and working
            # the zone out again for each of 50 000 was a tenth of a town's broadcast.
            not_before = releases.get(window) or releases.setdefault(
                window, release_time(now, zone, *window)
            )
        deliveries.append(
            {
                "notice_id": notice_id,
                "resident_id": r.resident_id,
                "channel": channel,
                "locale": locale,
                "status": status,
                "attempts": 0,
                "not_before": not_before,
            }
        )
    renderings = []
    for locale, channel in sorted(needed):
        rendered = render(locale, channel)
        renderings.append(
            {
                "notice_id": notice_id,
                "locale": locale,
                "channel": channel,
                "text": rendered.text,
                "markup": rendered.markup_json(),
                "attachment": rendered.attachment,
            }
        )
    await q.add_renderings(session, renderings)
    await q.add_deliveries(session, deliveries)
    return Enqueued(notice_id, by_locale, held, held_all=hold)
