"""How and when a resident wants notices: instantly or only in the weekly digest, whether the
weekly digest comes at all, and quiet hours during which instant notices wait; and, for
coordinators, whether the monthly report comes on the 1st."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.quiet_hours import DEFAULT_END, DEFAULT_START
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from db.models import NotifyMode, Preferences
from db.queries import outbox as oq
from db.session import session_now

# The quiet-hour choices offered in /settings: (start, end) in minutes after midnight.
QUIET_CHOICES: tuple[tuple[int, int], ...] = (
    (22 * 60, 8 * 60),
    (21 * 60, 7 * 60),
    (23 * 60, 9 * 60),
    (0, 0),  # no quiet hours
)


@dataclass(frozen=True)
class NoticePreferences:
    notify_mode: NotifyMode
    quiet_start: int
    quiet_end: int
    digest: bool = True
    monthly_report: bool = False  # coordinators: the monthly insight report on the 1st

    @property
    def quiet(self) -> bool:
        return self.quiet_start != self.quiet_end


async def get(session: AsyncSession, actor: Actor) -> NoticePreferences:
    row = await session.get(Preferences, actor.require_resident())
    if row is None:
        return NoticePreferences(NotifyMode.INSTANT, DEFAULT_START, DEFAULT_END)
    return _view(row)


def _view(row: Preferences) -> NoticePreferences:
    return NoticePreferences(
        NotifyMode(row.notify_mode),
        row.quiet_start,
        row.quiet_end,
        bool(row.digest),
        bool(row.monthly_report),
    )


async def update(
    session: AsyncSession,
    actor: Actor,
    *,
    notify_mode: NotifyMode | None = None,
    quiet: tuple[int, int] | None = None,
    digest: bool | None = None,
    monthly_report: bool | None = None,
) -> NoticePreferences:
    """Change the acting resident's preferences; quiet hours must be one of QUIET_CHOICES.

    "Digest only" needs the digest, so choosing it turns the digest on, and turning the digest
    off goes back to instant notices; what was held for the digest is then sent right away.
    The monthly report is for coordinators only (`PermissionDenied` for anyone else)."""
    resident_id = actor.require_resident()
    if quiet is not None and quiet not in QUIET_CHOICES:
        raise InvalidInput("quiet_hours", "format")
    if monthly_report is not None:
        actor.require_coordinator()
    row = await session.get(Preferences, resident_id)
    if row is None:
        row = Preferences(
            resident_id=resident_id,
            notify_mode=NotifyMode.INSTANT,
            quiet_start=DEFAULT_START,
            quiet_end=DEFAULT_END,
            digest=True,
        )
        session.add(row)
    if notify_mode is not None:
        row.notify_mode = notify_mode
        if notify_mode is NotifyMode.DIGEST:
            row.digest = True
    if digest is not None:
        row.digest = digest
        if not digest:
            row.notify_mode = NotifyMode.INSTANT
            await oq.release_held(session, resident_id, session_now(session))
    if quiet is not None:
        row.quiet_start, row.quiet_end = quiet
    if monthly_report is not None:
        row.monthly_report = monthly_report
    await session.commit()
    return _view(row)
