"""Who a notice reaches: residents we may write to (on Telegram, or by SMS when that is their
channel or their fallback) with the preferences that decide when and how, as plain rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, Membership, NotifyMode, Preferences, Resident


@dataclass(frozen=True)
class RecipientRow:
    resident_id: int
    telegram_id: int | None
    locale: str | None
    notify_mode: NotifyMode
    quiet_start: int | None
    quiet_end: int | None
    phone: str | None = None
    on_telegram: bool = True  # False: has blocked the bot (or has no Telegram)

    @property
    def channel(self) -> Channel:
        """Telegram for those we reach there; SMS for SMS-only residents and for those who
        chose it as a fallback once Telegram could not reach them."""
        return (
            Channel.TELEGRAM if self.telegram_id is not None and self.on_telegram else Channel.SMS
        )


def _recipient_query() -> Any:
    return (
        select(
            Resident.id,
            Resident.telegram_id,
            Resident.locale,
            Preferences.notify_mode,
            Preferences.quiet_start,
            Preferences.quiet_end,
            Resident.phone,
            Resident.reachable,
        )
        .outerjoin(Preferences, Preferences.resident_id == Resident.id)
        .where(
            Resident.privacy_accepted_at.is_not(None),
            or_(
                and_(Resident.telegram_id.is_not(None), Resident.reachable.is_(True)),
                and_(
                    sms_reachable(),
                    or_(Resident.telegram_id.is_(None), Resident.sms_fallback.is_(True)),
                ),
            ),
        )
    )


def sms_reachable() -> Any:
    """Residents we may write to by SMS: a number that is theirs, and no STOP."""
    return and_(
        Resident.phone.is_not(None),
        Resident.phone_verified_at.is_not(None),
        Resident.sms_stopped_at.is_(None),
    )


def _rows(rows: Sequence[Any]) -> list[RecipientRow]:
    return [
        RecipientRow(
            r[0], r[1], r[2], NotifyMode(r[3] or NotifyMode.INSTANT), r[4], r[5], r[6], bool(r[7])
        )
        for r in rows
    ]


async def network_members(session: AsyncSession, network_id: int) -> list[RecipientRow]:
    """Members of a network we can reach on Telegram, with their notice preferences."""
    query = _recipient_query().join(Membership, Membership.resident_id == Resident.id)
    return _rows((await session.execute(query.where(Membership.network_id == network_id))).all())


async def residents(session: AsyncSession, resident_ids: Sequence[int]) -> list[RecipientRow]:
    query = _recipient_query().where(Resident.id.in_(resident_ids))
    return _rows((await session.execute(query)).all())


async def everyone(session: AsyncSession) -> list[RecipientRow]:
    """Everyone in at least one live network (a coordinator's broadcast to all)."""
    members = select(Membership.resident_id).distinct()
    query = _recipient_query().where(Resident.id.in_(members))
    return _rows((await session.execute(query)).all())


async def all_accepted(session: AsyncSession) -> list[RecipientRow]:
    """Every resident who accepted the privacy notice and can be reached (a coordinator's poll
    to everyone, bot.services.polls), in a network or not."""
    return _rows((await session.execute(_recipient_query())).all())


async def report_readers(
    session: AsyncSession, coordinator_ids: Collection[int]
) -> list[RecipientRow]:
    """Coordinators (by the stored role, or by a Telegram id in COORDINATOR_IDS) who turned
    the monthly report on in /settings."""
    role: Any = Resident.is_coordinator.is_(True)
    if coordinator_ids:
        role = or_(role, Resident.telegram_id.in_(sorted(coordinator_ids)))
    query = _recipient_query().where(Preferences.monthly_report.is_(True), role)
    return _rows((await session.execute(query.order_by(Resident.id))).all())


async def received(session: AsyncSession, notice_id: int, resident_id: int) -> bool:
    """Whether the notice was addressed to the resident (on any channel)."""
    found = await session.scalar(
        select(exists().where(Delivery.notice_id == notice_id, Delivery.resident_id == resident_id))
    )
    return bool(found)
