"""Who may see what: coordinators all networks or any one, a host only a network they host
(and only its figures), anyone else nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.actors import Actor
from bot.services.errors import NotFound, PermissionDenied
from bot.services.insight.building import build, chat_period
from bot.services.insight.figures import FigureKey
from db.models import Channel, DeliveryStatus
from tests.support.insight_town import oslo

PERIOD = chat_period(date(2026, 12, 8))


def _actor(resident_id, coordinator=False):
    return Actor(resident_id, 7_000_000 + resident_id, "nb", coordinator, True)


async def test_a_host_sees_their_network_only(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    host = await town.resident(name="Hilde")
    member = await town.resident(name="Olena")
    await town.members(sentrum, [host], host=True)
    await town.members(torstrand, [host])  # a member there, not a host
    await town.members(sentrum, [member])
    sent = [(DeliveryStatus.SENT, Channel.TELEGRAM, None)]
    await town.notice(sentrum, oslo(date(2026, 12, 7)), sent * 6)
    await town.notice(torstrand, oslo(date(2026, 12, 7)), sent * 20)
    await town.notice(None, oslo(date(2026, 12, 7)), sent * 30)
    t = translator("nb")

    async with sessions() as session:
        mine = await build(
            session, _actor(host), t, PERIOD, network_id=sentrum, keys=[FigureKey.NOTICES]
        )
        assert mine.title == "Sentrum"
        assert mine.figures[0].series[0].values[-1] == 6  # not Torstrand's, not the digest's
        for network_id in (torstrand, None):
            with pytest.raises(PermissionDenied):
                await build(session, _actor(host), t, PERIOD, network_id=network_id)
        for network_id in (sentrum, None):
            with pytest.raises(PermissionDenied):
                await build(session, _actor(member), t, PERIOD, network_id=network_id)
        with pytest.raises(NotFound):
            await build(session, _actor(host), t, PERIOD, network_id=sentrum + 1000)

        coordinator = _actor(await town.resident(), coordinator=True)
        theirs = await build(
            session, coordinator, t, PERIOD, network_id=torstrand, keys=[FigureKey.NOTICES]
        )
        assert theirs.figures[0].series[0].values[-1] == 20
        everything = await build(session, coordinator, t, PERIOD, keys=[FigureKey.NOTICES])
        assert everything.figures[0].series[0].values[-1] == 56
