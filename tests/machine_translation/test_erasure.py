"""A resident who erases everything (/forget, SLETT) takes the machine translations of their
help requests with them: their words must not outlive them in another language."""

from __future__ import annotations

from datetime import timedelta

from bot.core import Core
from bot.services import residents
from bot.services.actors import Actor
from db.models import (
    HelpCategory,
    HelpRequest,
    JoinPolicy,
    Network,
    NetworkKind,
    RequestStatus,
    Resident,
)
from tests.support.log_guard import personal

REQUEST = "Trenger hjelp med å bære en sofa til tredje etasje på lørdag."
EVENT = "Dugnad i parken: vi rydder, planter blomster og griller etterpå."


async def test_forgetting_a_resident_forgets_the_translations_of_their_requests(core: Core):
    personal(REQUEST, EVENT)
    async with core.sessionmaker() as session:
        network = Network(
            slug="torstrand", name="Torstrand", kind=NetworkKind.AREA, join_policy=JoinPolicy.OPEN
        )
        kari = Resident(telegram_id=4242, locale="nb")
        session.add_all([network, kari])
        await session.flush()
        session.add(
            HelpRequest(
                requester_id=kari.id,
                network_id=network.id,
                category=HelpCategory.TRANSPORT,
                description=REQUEST,
                status=RequestStatus.OPEN,
                expires_at=core.clock.now() + timedelta(days=14),
            )
        )
        await session.commit()
    machine = core.machine_translation
    await machine.translate([REQUEST, EVENT], "nb", ["uk", "pl"])
    await machine.settled()  # the cache is written after
    async with core.sessionmaker() as session:
        actor = Actor(kari.id, 4242, "nb", is_coordinator=False, onboarded=True)
        await residents.forget(session, actor, core.catalogs)
    assert await machine.cached([REQUEST], "nb", "uk") is None
    assert await machine.cached([REQUEST], "nb", "pl") is None
    # Someone else's words (an event's) stay translated.
    assert await machine.cached([EVENT], "nb", "uk") == [f"[uk] {EVENT}"]
