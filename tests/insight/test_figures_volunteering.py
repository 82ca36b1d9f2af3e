"""Volunteer hours per month: confirmed shifts of calls not cancelled, each shift's length
times those who came; hidden where fewer than the minimum came."""

from __future__ import annotations

from datetime import date

from bot.services.actors import Actor
from bot.services.insight.building import build, month_period
from bot.services.insight.figures import FigureKey
from db.models import CallStatus
from tests.support.insight_town import oslo


async def test_volunteer_hours(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    await town.shift(sentrum, oslo(date(2026, 11, 7), 10), hours=3, came=4, absent=2)
    await town.shift(sentrum, oslo(date(2026, 11, 21), 10), hours=2, came=3)
    await town.shift(sentrum, oslo(date(2026, 11, 22)), hours=5, came=10, confirmed=False)
    await town.shift(
        sentrum, oslo(date(2026, 11, 23)), hours=5, came=10, call_status=CallStatus.CANCELLED
    )
    await town.shift(sentrum, oslo(date(2026, 10, 10)), hours=4, came=3)
    await town.shift(torstrand, oslo(date(2026, 11, 14)), hours=1, came=6)

    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=sentrum,
            keys=[FigureKey.VOLUNTEERING],
        )
        everywhere = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            keys=[FigureKey.VOLUNTEERING],
        )
    # November: 3 h x 4 + 2 h x 3 = 18 hours by 7 people; October: 3 people, hidden.
    assert insight.figures[0].series[0].values == (0,) * 10 + (None, 18)
    assert insight.key_figures[0].value == "18"
    assert everywhere.figures[0].series[0].values[-1] == 24
    assert "Oct 2026 — Hours: < 5" in insight.figures[0].caption
