"""One resident's digest before it is put into words: which of the week's events, requests
and news concern them, and what was held back for them. Plain selection with limits, no I/O,
so the same content renders for Telegram and SMS alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.digest.week import Week, WeekEvent, WeekIdea, WeekPoll
from bot.services.volunteering.week import WeekCall
from db.models import HelpCategory, HelpRequest, NoticeKind
from db.queries import digests as q

MAX_EVENTS = 8
MAX_MESSAGES = 5
MAX_REQUESTS = 5
MAX_LATER = 5
MAX_IDEAS = 3  # the week's new ideas, most supported first; /ideas has them all
MAX_POLLS = 3  # open polls, closing soonest first; /polls has them all
MAX_CALLS = 3  # open volunteer calls with room, soonest first; /dugnad has them all


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
    ideas: list[WeekIdea] = field(default_factory=list)
    more_ideas: int = 0
    polls: list[WeekPoll] = field(default_factory=list)
    more_polls: int = 0
    calls: list[WeekCall] = field(default_factory=list)
    more_calls: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.events
            or self.messages
            or self.later
            or self.requests
            or self.news
            or self.ideas
            or self.polls
            or self.calls
        )


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
    ideas = sorted(
        (i for n in mine for i in week.ideas.get(n, [])),
        key=lambda i: (-i.supporters, -i.idea_id),
    )
    content.ideas, content.more_ideas = ideas[:MAX_IDEAS], max(len(ideas) - MAX_IDEAS, 0)
    # Answered or not: a reminder that a poll is open is how the digest helps it reach people.
    polls = [p for p in week.polls if p.network_id is None or p.network_id in mine]
    content.polls, content.more_polls = polls[:MAX_POLLS], max(len(polls) - MAX_POLLS, 0)
    calls = sorted(
        (c for n in mine for c in week.calls.get(n, [])), key=lambda c: (c.starts_at, c.call_id)
    )
    content.calls, content.more_calls = calls[:MAX_CALLS], max(len(calls) - MAX_CALLS, 0)
    content.news = [
        (week.name(n, locale), *week.news[n])
        for n in sorted(mine, key=lambda n: week.name(n, locale))
        if n in week.news
    ]
    return content
