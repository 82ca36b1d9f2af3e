"""Events per month (published only, by the day they take place) and who said "yes": a "yes"
to a series counts for each of its dates, unless the resident answered that date otherwise."""

from __future__ import annotations

from datetime import date

from bot.services.actors import Actor
from bot.services.insight.building import build, month_period
from bot.services.insight.figures import FigureKey
from db.models import Answer, EventStatus
from tests.support.insight_town import oslo


def _key(insight, label):
    return next(k.value for k in insight.key_figures if k.label == label)


async def test_events_and_who_is_coming(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    await town.event(sentrum, oslo(date(2026, 11, 5), 18), yes=4, no=2)
    await town.event(sentrum, oslo(date(2026, 11, 30), 23, 30), yes=2)  # still November
    await town.event(sentrum, oslo(date(2026, 11, 12)), yes=9, status=EventStatus.CANCELLED)
    await town.event(sentrum, oslo(date(2026, 11, 13)), yes=9, status=EventStatus.DRAFT)
    await town.event(sentrum, oslo(date(2026, 12, 1), 0, 30), yes=9)  # December
    await town.event(torstrand, oslo(date(2026, 11, 20)), yes=6)
    # A weekly series with three residents coming to all of it.
    series = await town.series(sentrum, oslo(date(2026, 10, 1)))
    regulars = await town.residents(3)
    for resident in regulars:
        await town.series_yes(series, resident)
    october = await town.event(sentrum, oslo(date(2026, 10, 15)), series_id=series)
    november = await town.event(sentrum, oslo(date(2026, 11, 19)), series_id=series)
    await town.rsvp(november, regulars[0], Answer.NO)  # not this time
    await town.rsvp(october, regulars[1], Answer.YES)  # said yes twice: once counted

    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=sentrum,
            keys=[FigureKey.EVENTS],
        )
    events, coming = (s.values for s in insight.figures[0].series)
    # November: 3 events (4 + 2 + 2 yes); October: 1 event (3 yes, too few).
    assert events == (0,) * 10 + (1, 3)  # events are not people: never hidden
    assert coming == (0,) * 10 + (None, 8)
    assert _key(insight, "Events") == "3"
    assert _key(insight, "Coming to events") == "8"
    assert insight.figures[0].caption.splitlines()[-1] == "Nov 2026 — Events: 3; Coming: 8"
