"""One resident's digest before it is put into words: which of the week's events, requests
and news concern them, and what was held back for them. Plain selection with limits, no I/O,
so the same content renders for Telegram and SMS alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.digest.week import Week, WeekEvent
from db.models import HelpCategory, HelpRequest, NoticeKind
from db.queries import digests as q

MAX_EVENTS = 8
MAX_MESSAGES = 5
MAX_REQUESTS = 5
MAX_LATER = 5


@dataclass
class Content:
    """One resident's digest before it is put into words."""

    events: list[WeekEvent] = field(default_factory=list)
    more_events: int = 0
    messages: list[tuple[str, str]] = field(default_factory=list)  # (from, text)
    more_messages: int = 0
    later: list[WeekEvent] = field(default_factory=list)
    requests: list[HelpRequest] = field(default_factory=list)
    more_requests: int = 0
    news: list[tuple[str, int, int]] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # held deliveries this digest tells

    @property
    def empty(self) -> bool:
        return not (self.events or self.messages or self.later or self.requests or self.news)


def gather(
    week: Week,
    resident_id: int,
    networks: list[int],
    offers: set[tuple[int, HelpCategory]],
    blocked: set[int],
    held: list[q.HeldRow],
    locale: str | None = None,
) -> Content:
    """What of the week concerns the resident, networks named for a reader of `locale`."""
    content = Content()
    mine = set(networks)
    events = sorted(
        (e for n in mine for e in week.events.get(n, [])),
        key=lambda e: (e.event.starts_at, e.event.id),
    )
    content.events, content.more_events = events[:MAX_EVENTS], max(len(events) - MAX_EVENTS, 0)
    shown = {e.event.id for e in events}

    requests = [
        r
        for key in offers
        if key[0] in mine
        for r in week.requests.get(key, [])
        if r.requester_id != resident_id and r.requester_id not in blocked
    ]
    requests.sort(key=lambda r: r.created_at, reverse=True)
    content.requests = requests[:MAX_REQUESTS]
    content.more_requests = max(len(requests) - MAX_REQUESTS, 0)

    messages: list[tuple[str, str]] = []
    for row in held:
        content.held.append(row.delivery_id)
        if row.kind is NoticeKind.BROADCAST and row.body:
            sender = week.name(row.network_id or 0, locale, week.municipality)
            messages.append((sender, row.body))
        elif row.kind is NoticeKind.EVENT and row.event_id is not None:
            later = week.later.get(row.event_id)
            if later is not None and row.event_id not in shown:
                content.later.append(later)
                shown.add(row.event_id)
        # Held help requests are in the requests above while they are still open.
    content.messages, content.more_messages = (
        messages[:MAX_MESSAGES],
        max(len(messages) - MAX_MESSAGES, 0),
    )
    content.later = sorted(content.later, key=lambda e: e.event.starts_at)[:MAX_LATER]
    content.news = [
        (week.name(n, locale), *week.news[n])
        for n in sorted(mine, key=lambda n: week.name(n, locale))
        if n in week.news
    ]
    return content
