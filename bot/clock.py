"""The time every part of one running Naboskap reads: services, the outbox worker, the
scheduler's jobs and the playground's clock control.

One `Clock` belongs to one core (`bot.core.build_core`). It runs with the real time; only the
playground moves its own clock forward, so that reminders, expiry and the weekly digest can be
seen without waiting. Nothing process-wide changes, so tests and other cores in the same
process keep the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Now, in UTC, always timezone-aware; it can move forward, never back."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        """How far this clock runs ahead of the real time."""
        return self._offset

    def advance(self, delta: timedelta) -> timedelta:
        """Move forward by `delta`; returns the total offset."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += delta
        return self._offset
