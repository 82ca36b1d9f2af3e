"""Polls per month and the answers to them: withdrawn polls left out, a coordinator's poll to
everyone counted only for all networks together."""

from __future__ import annotations

from datetime import date

from bot.services.actors import Actor
from bot.services.insight.building import build, month_period
from bot.services.insight.figures import FigureKey
from db.models import PollStatus
from tests.support.insight_town import oslo


async def _polls(sessions, translator, network_id=None):
    async with sessions() as session:
        return await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=network_id,
            keys=[FigureKey.POLLS],
        )


async def test_polls_and_answers(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    await town.poll(sentrum, oslo(date(2026, 11, 3)), ballots=6)
    await town.poll(None, oslo(date(2026, 11, 4)), ballots=3)  # to everyone
    await town.poll(sentrum, oslo(date(2026, 11, 5)), ballots=10, status=PollStatus.HIDDEN)
    await town.poll(sentrum, oslo(date(2026, 10, 9)), ballots=0, status=PollStatus.OPEN)

    everything = await _polls(sessions, translator)
    polls, answers = (s.values for s in everything.figures[0].series)
    assert polls == (0,) * 10 + (1, 2)
    assert answers == (0,) * 10 + (0, 9)
    assert everything.key_figures[0].label == "Poll answers"
    assert everything.key_figures[0].value == "9"

    alone = await _polls(sessions, translator, network_id=sentrum)
    polls, answers = (s.values for s in alone.figures[0].series)
    assert (polls[-1], answers[-1]) == (1, 6)
