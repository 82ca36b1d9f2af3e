"""Volunteer calls for tests: the Torstrand park clean-up, Saturday 10-13, and a call posted
through the service by a simulated host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services import volunteering
from bot.services.volunteering import CallDraft, CallView, ShiftDraft
from tests.support.events import actor_of

# Saturday 5 December 2026, 10:00 in Oslo (after tests/support/outbox.NOON, Wednesday).
SATURDAY_10 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def call_draft(
    network_id: int,
    starts_at: datetime = SATURDAY_10,
    *,
    slots: int = 5,
    shifts: int = 1,
    title: str = "Rydd Torstrandparken",
) -> CallDraft:
    """The park clean-up: `shifts` three-hour shifts a day apart, `slots` each."""
    return CallDraft(
        network_id=network_id,
        title=title,
        place="Torstrandparken",
        description="Vi rydder søppel og raker løv. Hansker og kaffe finnes.",
        shifts=tuple(
            ShiftDraft(starts_at + timedelta(days=n), starts_at + timedelta(days=n, hours=3), slots)
            for n in range(shifts)
        ),
    )


async def post_call(app, host, draft: CallDraft, now: datetime) -> CallView:  # type: ignore[no-untyped-def]
    """The call published by `host` (a simulated user) at `now`."""
    async with app.sessionmaker() as session:
        view, _ = await volunteering.publish(
            session, await actor_of(app, host), app.catalogs, draft, now=now
        )
    return view


def upcoming_saturday(now: datetime | None = None) -> datetime:
    """Next week's Saturday at 10:00 in Oslo, by the real clock: for tests that go through
    the bot, which reads the real time."""
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    today = (now or datetime.now(UTC)).astimezone(oslo).date()
    day = today + timedelta(days=7 + (5 - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 10, tzinfo=oslo)
