"""What a resident offers: the categories they help with in each network, how often they want
to hear about requests, and whether their offers are paused."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.help.access import member_id
from db.models import HelpCategory, HelperSettings, HelpFrequency, HelpOffer
from db.queries import help as hq


async def set_offer(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    categories: set[HelpCategory],
    frequency: HelpFrequency = HelpFrequency.INSTANT,
) -> set[HelpCategory]:
    """What the acting resident offers in a network (an empty set stops offering there)."""
    resident_id = await member_id(session, actor, network_id)
    await hq.drop_offers(session, resident_id, network_id)
    for category in categories:
        session.add(HelpOffer(resident_id=resident_id, network_id=network_id, category=category))
    settings = await session.get(HelperSettings, resident_id)
    if settings is None:
        session.add(HelperSettings(resident_id=resident_id, frequency=frequency, paused=False))
    else:
        settings.frequency = frequency
    await session.commit()
    return categories


async def set_paused(session: AsyncSession, actor: Actor, paused: bool) -> None:
    resident_id = actor.require_resident()
    settings = await session.get(HelperSettings, resident_id)
    if settings is None:
        settings = HelperSettings(
            resident_id=resident_id, frequency=HelpFrequency.INSTANT, paused=paused
        )
        session.add(settings)
    settings.paused = paused
    await session.commit()


@dataclass(frozen=True)
class HelperView:
    frequency: HelpFrequency
    paused: bool


async def helper_settings(session: AsyncSession, actor: Actor) -> HelperView:
    row = await session.get(HelperSettings, actor.require_resident())
    if row is None:
        return HelperView(HelpFrequency.INSTANT, False)
    return HelperView(HelpFrequency(row.frequency), row.paused)


async def offers_of(session: AsyncSession, actor: Actor) -> dict[int, set[HelpCategory]]:
    resident_id = actor.require_resident()
    found: dict[int, set[HelpCategory]] = {}
    for network_id, category in await hq.offers_of(session, resident_id):
        found.setdefault(network_id, set()).add(category)
    return found
