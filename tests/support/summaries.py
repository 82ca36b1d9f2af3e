"""Running the day's summary of new events in a test that runs on the real clock."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.events.summary import Result, SummaryJob


async def summarize(app, now: datetime | None = None) -> Result:  # type: ignore[no-untyped-def]
    """The summary job with its moment at `now` (the real time by default), so that what was
    published a moment ago is in it, whatever the time of day."""
    now = now or datetime.now(UTC)
    at = now.astimezone(app.catalogs.zone).time()
    return await SummaryJob(
        app.sessionmaker, app.catalogs, at=at, machine=app.core.machine_translation
    )(now)
