"""Seeding: many residents at once, for benchmarks, tests and demo data.

Not for real residents: they are created one by one as they onboard (`bot.services.residents`).
This writes rows directly, with bulk INSERT statements (one executemany per chunk) rather than
ORM objects or the services' checks, so that tens of thousands of residents take seconds.
Core: no Telegram (aiogram) and no handlers here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from db.models import MemberRole, Membership, Resident
from db.queries import networks as nq
from db.session import session_now, session_zone

CHUNK = 10_000  # rows a statement: bounds the memory the parameter lists take


async def seed_members(
    session: AsyncSession,
    network_id: int,
    count: int,
    *,
    first_telegram_id: int,
    locales: Sequence[str] = SHIPPED_LOCALES,
    now: datetime | None = None,
    chunk: int = CHUNK,
) -> list[int]:
    """Add `count` onboarded residents as members of the network `network_id`, and commit.

    Resident n (0, 1, ... count - 1) has Telegram id `first_telegram_id + n`, first name
    `R<n>` and the locale `locales[n % len(locales)]` (the shipped locales by default, so
    they cycle through every language); they have accepted the privacy notice, are
    reachable, are not coordinators, and were created, accepted and joined (as plain
    members) at `now` (the current time by default).

    The residents are inserted `chunk` rows a statement, then their memberships, in the one
    transaction the commit ends. The Telegram ids must be free (they are unique): nothing is
    checked first, so a clash fails the insert. The network must exist.

    Returns the new residents' ids, in the order of their Telegram ids (the id of resident n
    is at index n)."""
    if count < 0 or chunk < 1 or not locales:
        raise ValueError("count must be 0 or more, chunk 1 or more, and locales not empty")
    if count == 0:
        return []
    at = now if now is not None else session_now(session)
    for start in range(0, count, chunk):
        residents: list[dict[str, Any]] = [
            {
                "telegram_id": first_telegram_id + n,
                "first_name": f"R{n}",
                "locale": locales[n % len(locales)],
                "is_coordinator": False,
                "privacy_accepted_at": at,
                "reachable": True,
                "created_at": at,
            }
            for n in range(start, min(start + chunk, count))
        ]
        await session.execute(insert(Resident), residents)
    resident_ids = list(
        (
            await session.scalars(
                select(Resident.id)
                .where(
                    Resident.telegram_id.between(first_telegram_id, first_telegram_id + count - 1)
                )
                .order_by(Resident.telegram_id)
            )
        ).all()
    )
    for start in range(0, len(resident_ids), chunk):
        memberships: list[dict[str, Any]] = [
            {
                "resident_id": resident_id,
                "network_id": network_id,
                "role": MemberRole.MEMBER,
                "joined_at": at,
            }
            for resident_id in resident_ids[start : start + chunk]
        ]
        await session.execute(insert(Membership), memberships)
        day = at.astimezone(session_zone(session)).date()
        await nq.count_members(session, network_id, joined=len(memberships), day=day)
    await session.commit()
    return resident_ids
