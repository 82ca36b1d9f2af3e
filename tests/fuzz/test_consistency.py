"""The consistency check the fuzz tests end with can fail: a world built through the bot passes
it, and each kind of damage done behind the services' back is named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.services import networks
from bot.services.actors import Actor
from db.models import HelpCategory, HelpRequest, NotifyMode, Preferences, RequestStatus
from tests.support.consistency import inconsistencies


async def test_a_world_built_through_the_bot_is_consistent(app, hosted_network) -> None:
    (
        _view,
        _host,
        olena,
    ) = hosted_network
    await olena.send("/settings")
    assert await inconsistencies(app.sessionmaker) == []


async def test_damage_behind_the_services_back_is_named(app, resident) -> None:
    kari = await resident("Kari")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    await kari.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        kari_id = (
            await session.execute(
                text("SELECT id FROM residents WHERE telegram_id = :t"), {"t": kari.id}
            )
        ).scalar_one()
        await session.execute(
            text("UPDATE residents SET first_name = :n WHERE id = :i"),
            {"n": "Ka\x1bri", "i": kari_id},
        )
        later = datetime(2030, 1, 1, tzinfo=UTC)
        session.add(
            HelpRequest(
                requester_id=kari_id,
                network_id=view.id,
                category=HelpCategory.ERRANDS,
                description="x",
                status=RequestStatus.MATCHED,
                helper_id=None,
                expires_at=later,
            )
        )
        session.add(
            Preferences(
                resident_id=kari_id, notify_mode=NotifyMode.INSTANT, quiet_start=1500, quiet_end=60
            )
        )
        await session.commit()
    found = await inconsistencies(app.sessionmaker)
    assert [line.split(":")[0] for line in found] == [
        "help_requests",  # matched without a helper
        "help_requests",  # matched to someone who never offered
        "preferences",
        "residents.first_name",
    ], found
    assert "matched without a helper" in found[0]


async def test_a_dangling_row_is_found_on_sqlite(app, database_url: str, resident) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL refuses the row itself")
    kari = await resident("Kari")
    async with app.sessionmaker() as session:
        await session.execute(text("PRAGMA foreign_keys = OFF"))
        await session.execute(
            text(
                "INSERT INTO memberships (resident_id, network_id, role, joined_at) "
                "SELECT id, 4242, 'member', '2030-01-01 00:00:00' FROM residents "
                "WHERE telegram_id = :t"
            ),
            {"t": kari.id},
        )
        await session.commit()
        await session.execute(text("PRAGMA foreign_keys = ON"))
    found = await inconsistencies(app.sessionmaker)
    assert found == [found[0]] and found[0].startswith("memberships: row "), found
    assert "missing networks" in found[0]
