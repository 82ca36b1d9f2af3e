"""Residents: identity, onboarding, language, reachability, and the right to see and erase."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from db.models import Resident, utcnow
from db.queries import residents as q


def _actor(resident: Resident | None, telegram_id: int, coordinator_ids: Collection[int]) -> Actor:
    if resident is None:
        return Actor(None, telegram_id, None, telegram_id in coordinator_ids, onboarded=False)
    return Actor(
        resident_id=resident.id,
        telegram_id=telegram_id,
        locale=resident.locale,
        is_coordinator=resident.is_coordinator or telegram_id in coordinator_ids,
        onboarded=resident.privacy_accepted_at is not None and resident.locale is not None,
    )


async def identify(
    session: AsyncSession, telegram_id: int, coordinator_ids: Collection[int]
) -> Actor:
    """Who this Telegram user is to us; nothing is stored for someone we don't know."""
    resident = await q.by_telegram_id(session, telegram_id)
    return _actor(resident, telegram_id, coordinator_ids)


async def choose_language(
    session: AsyncSession,
    telegram_id: int,
    locale: str,
    first_name: str | None,
    coordinator_ids: Collection[int],
) -> Actor:
    """Set (or first record) a resident's language. The first choice creates the resident."""
    if locale not in SHIPPED_LOCALES:
        raise InvalidInput("locale", "format")
    for attempt in (1, 2):
        resident = await q.by_telegram_id(session, telegram_id)
        if resident is None:
            resident = Resident(telegram_id=telegram_id, is_coordinator=False)
            session.add(resident)
        resident.locale = locale
        if first_name is not None:
            resident.first_name = first_name[:64]
        resident.reachable = True
        resident.unreachable_since = None
        try:
            await session.commit()
        except IntegrityError:
            # Two first taps at once: the other one created the resident; update it instead.
            await session.rollback()
            if attempt == 2:
                raise
            continue
        break
    return _actor(resident, telegram_id, coordinator_ids)


async def accept_privacy(
    session: AsyncSession, telegram_id: int, coordinator_ids: Collection[int]
) -> Actor:
    """Record that the resident accepted the privacy notice; onboarding is then complete."""
    resident = await q.by_telegram_id(session, telegram_id)
    if resident is None or resident.locale is None:
        raise NotFound()
    if resident.privacy_accepted_at is None:
        resident.privacy_accepted_at = utcnow()
        await session.commit()
    return _actor(resident, telegram_id, coordinator_ids)


async def set_reachable(session: AsyncSession, telegram_id: int, reachable: bool) -> bool:
    """Mark whether we can message this resident (they blocked or unblocked the bot).

    Returns whether we know the resident at all.
    """
    changed = await q.set_reachable(
        session, telegram_id, reachable, None if reachable else utcnow()
    )
    await session.commit()
    return changed > 0


async def make_coordinator(session: AsyncSession, telegram_id: int, value: bool = True) -> None:
    """Grant (or withdraw) the coordinator role, for someone who may not have started yet."""
    resident = await q.get_or_create_by_telegram_id(session, telegram_id)
    resident.is_coordinator = value
    await session.commit()


@dataclass(frozen=True)
class MembershipRecord:
    network_slug: str
    network_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class ResidentRecord:
    """Everything stored about one resident."""

    resident_id: int
    telegram_id: int | None
    phone: str | None
    first_name: str | None
    locale: str | None
    is_coordinator: bool
    privacy_accepted_at: datetime | None
    reachable: bool
    created_at: datetime
    memberships: list[MembershipRecord]

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "resident": {
                "id": self.resident_id,
                "telegram_id": self.telegram_id,
                "phone": self.phone,
                "first_name": self.first_name,
                "language": self.locale,
                "coordinator": self.is_coordinator,
                "privacy_accepted_at": iso(self.privacy_accepted_at),
                "reachable": self.reachable,
                "created_at": iso(self.created_at),
            },
            "memberships": [
                {
                    "network": m.network_slug,
                    "name": m.network_name,
                    "role": m.role,
                    "joined_at": iso(m.joined_at),
                }
                for m in self.memberships
            ],
        }


async def export(session: AsyncSession, actor: Actor) -> ResidentRecord:
    """Everything we store about the acting resident (the right of access)."""
    if actor.resident_id is None:
        raise NotFound()
    resident = await q.by_id(session, actor.resident_id)
    if resident is None:
        raise NotFound()
    rows = await q.memberships_of(session, resident.id)
    return ResidentRecord(
        resident_id=resident.id,
        telegram_id=resident.telegram_id,
        phone=resident.phone,
        first_name=resident.first_name,
        locale=resident.locale,
        is_coordinator=resident.is_coordinator,
        privacy_accepted_at=resident.privacy_accepted_at,
        reachable=resident.reachable,
        created_at=resident.created_at,
        memberships=[MembershipRecord(n.slug, n.name, m.role.value, m.joined_at) for m, n in rows],
    )


async def forget(session: AsyncSession, actor: Actor) -> None:
    """Erase the acting resident and everything that hangs off them (the right to erasure)."""
    if actor.resident_id is None:
        raise NotFound()
    await q.delete_resident(session, actor.resident_id)
    await session.commit()
