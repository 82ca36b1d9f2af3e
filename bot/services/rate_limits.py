"""Per-resident rate limits (issue 11): a resident may report, ask for help, write to a matched
neighbour and text the SMS number only so often (`RATE_LIMIT_*` settings, `RateLimits`).

What a resident did is counted in the database (`rate_events`), not in memory, so the limits
hold across the webhook, the worker and several instances. Only what was accepted counts: a
refused attempt changes nothing, and a limit's windows roll (ten a day means ten in any 24
hours). Two attempts racing each other in two processes can both pass the check; a limit
bounds abuse, it is not a quota, so one over is fine.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import MAX_RATE_WINDOW, RateLimit, RateLimits
from bot.i18n import Translator
from bot.services.errors import RateLimited
from db.models import RateEvent, RateKind
from db.queries import rate_limits as q

DEFAULT_LIMITS = RateLimits()


def _longest(limits: tuple[RateLimit, ...]) -> timedelta:
    return max(limit.window for limit in limits)


async def check(
    session: AsyncSession,
    resident_id: int,
    kind: RateKind,
    limits: tuple[RateLimit, ...],
    now: datetime,
) -> None:
    """Raise `RateLimited` (saying when they can try again) if one more `kind` would go over
    any of `limits`; change nothing."""
    if not limits:
        return
    times = await q.times_since(session, resident_id, kind, now - _longest(limits))
    retry_at: datetime | None = None
    for limit in limits:
        inside = [at for at in times if at > now - limit.window]
        if len(inside) >= limit.count:
            # Once this one has left the window, fewer than `count` are in it.
            free_at = inside[len(inside) - limit.count] + limit.window
            retry_at = free_at if retry_at is None else max(retry_at, free_at)
    if retry_at is not None:
        raise RateLimited(kind.value, retry_at, now)


async def record(
    session: AsyncSession,
    resident_id: int,
    kind: RateKind,
    limits: tuple[RateLimit, ...],
    now: datetime,
) -> None:
    """Count one `kind` now (in the caller's transaction), forgetting what no window counts."""
    if not limits:
        return  # no limit: nothing to count, nothing kept
    await q.forget_before(session, resident_id, kind, now - _longest(limits))
    session.add(RateEvent(resident_id=resident_id, kind=kind, at=now))


async def take(
    session: AsyncSession,
    resident_id: int,
    kind: RateKind,
    limits: tuple[RateLimit, ...],
    now: datetime,
) -> None:
    """Check and count one `kind`: `RateLimited` if it goes over, else counted (committed
    with the caller's change)."""
    await check(session, resident_id, kind, limits, now)
    await record(session, resident_id, kind, limits, now)


async def admit_sms(
    session: AsyncSession, resident_id: int, limits: RateLimits, now: datetime
) -> None:
    """Count a text from a resident's phone, or refuse it: `RateLimited` over the limit, with
    `quiet` set when the resident has had the one refusal of this window already (every
    answer is an SMS the municipality pays for, and a script would get one per text)."""
    try:
        await take(session, resident_id, RateKind.SMS, limits.sms, now)
    except RateLimited as error:
        told = await q.times_since(
            session, resident_id, RateKind.SMS_REFUSAL, now - _longest(limits.sms)
        )
        if told:
            error.quiet = True
        else:
            await record(session, resident_id, RateKind.SMS_REFUSAL, limits.sms, now)
        raise


async def forget_expired(session: AsyncSession, now: datetime) -> int:
    """Delete counts older than any window can be (`MAX_RATE_WINDOW`), and commit: a resident's
    own are pruned when they act again, this takes those of residents who have not. For the
    daily retention job; returns how many rows went."""
    gone = await q.forget_all_before(session, now - MAX_RATE_WINDOW)
    await session.commit()
    return gone


def _cause(t: Translator, what: str) -> str:
    if what == RateKind.REPORT:
        return t.gettext("You have sent many reports in a short time.")
    if what == RateKind.HELP_REQUEST:
        return t.gettext("You have asked for help many times in a short time.")
    if what == RateKind.RELAY:
        return t.gettext("You have sent many messages in a short time.")
    if what == RateKind.IDEA:
        return t.gettext("You have proposed many ideas in a short time.")
    return t.gettext("You have sent us many messages in a short time.")


def refusal_text(t: Translator, error: RateLimited) -> str:
    """What the resident reads, on any channel: why, and when they can try again (the minute
    rounded up, so that trying at the time we name works)."""
    cause = _cause(t, error.what)
    if error.retry_at is None or error.now is None:
        return cause
    at = error.retry_at
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    days = (at.astimezone(t.zone).date() - error.now.astimezone(t.zone).date()).days
    time = t.format_time(at)
    if days <= 0:
        when = t.gettext("You can try again at {time}.", time=time)
    elif days == 1:
        when = t.gettext("You can try again tomorrow at {time}.", time=time)
    else:
        when = t.gettext("You can try again on {day} at {time}.", day=t.format_day(at), time=time)
    return f"{cause} {when}"
