"""Storage limitation: what Naboskap keeps only for a while (docs/privacy.md).

Once a day the scheduler deletes history older than the retention period (`RETENTION_DAYS`,
a year by default: long enough for a year's SMS cost and reach figures, short enough that
old conversations don't linger): notices with what was sent to whom, past events with who
answered, finished help requests with who offered and what was reported about them, finished
ideas (done, not now, merged, hidden) with their supporters, closed polls with their ballots
(counted from their closing), volunteer calls with their shifts and signups (counted
from their last shift's end: the month's volunteer hours are reported well before),
handled reports and digest marks. Short-lived state goes sooner: an SMS menu nobody answered for
30 days, a phone code once it can no longer be used, the numbers of handled Telegram updates
once Telegram can no longer send them again (a day), the times of a resident's reports, requests
and messages (counted for the rate limits) once older than the longest window, machine
translations once older than MACHINE_TRANSLATION_CACHE_DAYS (30 by default: a cache, not a
record; the translations of what a resident erases go with it at once).

Kept while the resident is with us, whatever its age: the resident, their networks, open help
requests, open ideas and their supporters, open polls and their ballots, suspensions and blocks
(they protect people), and STOP (so that a number that said stop never gets an SMS again).
Kept whatever their age, as they hold no personal data: the daily counts of machine translation
(`translation_usage`: texts and characters per language), the daily counts of who joined and left
each network (`membership_days`), and the calendar feeds networks follow
(`calendar_feeds`: configuration, no resident's data).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import MAX_RATE_WINDOW
from db.queries import ideas as ideas_q
from db.queries import machine_translations as translation_q
from db.queries import polls as polls_q
from db.queries import rate_limits as rate_q
from db.queries import retention as q
from db.queries import volunteering as volunteering_q
from db.session import session_now

# An SMS menu ("reply 1, 2 or 3") older than this is stale: a late "1" gets the help text.
CONVERSATION_IDLE = timedelta(days=30)
# MACHINE_TRANSLATION_CACHE_DAYS' default.
TRANSLATION_CACHE = timedelta(days=30)


@dataclass(frozen=True)
class Pruned:
    """How many rows of each kind went."""

    notices: int = 0
    events: int = 0
    help_requests: int = 0
    reports: int = 0
    digests: int = 0
    conversations: int = 0
    phone_codes: int = 0
    rate_events: int = 0
    machine_translations: int = 0
    ideas: int = 0  # finished ideas (done, not now, merged, hidden), with their supporters
    polls: int = 0  # closed polls, with their options, texts, ballots and choices
    volunteer_calls: int = 0  # calls whose last shift is history, with shifts and signups
    update_claims: int = 0  # handled updates past the day Telegram could send them again

    def total(self) -> int:
        return sum(asdict(self).values())


async def prune(
    session: AsyncSession,
    retention: timedelta,
    now: datetime | None = None,
    translation_cache: timedelta = TRANSLATION_CACHE,
) -> Pruned:
    """Delete what is older than `retention` (and stale short-lived state, machine translations
    older than `translation_cache` among it), in one transaction."""
    now = now or session_now(session)
    before = now - retention
    # Events first: their notices go with them by cascade, so they are not counted twice.
    pruned = Pruned(
        events=await q.old_events(session, before),
        notices=await q.old_notices(session, before),
        help_requests=await q.old_help_requests(session, before),
        reports=await q.old_reports(session, before),
        digests=await q.old_digests(session, before),
        conversations=await q.idle_conversations(session, now - CONVERSATION_IDLE),
        phone_codes=await q.expired_phone_codes(session, now),
        rate_events=await rate_q.forget_all_before(session, now - MAX_RATE_WINDOW),
        machine_translations=await translation_q.expire(session, now - translation_cache),
        ideas=await ideas_q.old_finished(session, before),
        polls=await polls_q.old_closed(session, before),
        volunteer_calls=await volunteering_q.old_calls(session, before),
        update_claims=await q.expired_update_claims(session, now),
    )
    await session.commit()
    return pruned
