"""Help asked and matched per month, and the median time to match: requests hidden by
moderation left out, a request matched before the time of matching was kept still matched."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.actors import Actor
from bot.services.insight.building import build, chat_period, month_period
from bot.services.insight.figures import FigureKey
from db.models import RequestStatus
from tests.support.insight_town import oslo


def _key(insight, label):
    return next(k.value for k in insight.key_figures if k.label == label)


async def _help(sessions, translator, network_id=None, min_group=5):
    async with sessions() as session:
        return await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=network_id,
            min_group=min_group,
            keys=[FigureKey.HELP],
        )


async def test_help_asked_matched_and_time_to_match(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    november = oslo(date(2026, 11, 10))
    for hours in (2, 4, 6, 30, 50):
        await town.help_request(sentrum, november, matched_after=timedelta(hours=hours))
    # Matched and done before matched_at was kept: matched, with no time to match.
    await town.help_request(sentrum, november, status=RequestStatus.DONE, helper=True)
    await town.help_request(sentrum, november)  # still open
    await town.help_request(sentrum, november, status=RequestStatus.HIDDEN)
    await town.help_request(sentrum, november, status=RequestStatus.EXPIRED)
    # October: two asked, one matched within the hour.
    october = oslo(date(2026, 10, 3))
    await town.help_request(sentrum, october, matched_after=timedelta(minutes=40))
    await town.help_request(sentrum, october)
    await town.help_request(torstrand, november, matched_after=timedelta(hours=1))

    insight = await _help(sessions, translator, network_id=sentrum)
    figure = insight.figures[0]
    asked, matched = (s.values for s in figure.series)
    assert asked == (0,) * 10 + (None, 8)
    assert matched == (0,) * 10 + (None, 6)
    # Over the year: 40 min, 2, 4, 6, 30, 50 hours; the median is 5 hours.
    assert figure.caption.splitlines()[-1] == "Median time to match: 5 hours"
    assert figure.caption.splitlines()[-2] == "Nov 2026 — Asked: 8; Matched: 6"
    assert _key(insight, "Help asked for") == "8"
    assert _key(insight, "Help matched") == "6"
    assert _key(insight, "Median time to match") == "6 hours"  # November's own

    everywhere = await _help(sessions, translator)
    asked, matched = (s.values for s in everywhere.figures[0].series)
    assert (asked[-1], matched[-1]) == (9, 7)


async def test_time_to_match_of_a_few_is_not_shown(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    for days in (3, 4):
        await town.help_request(
            sentrum, oslo(date(2026, 11, 2)), matched_after=timedelta(days=days)
        )
    insight = await _help(sessions, translator, network_id=sentrum)
    assert _key(insight, "Median time to match") == "too few to show"
    relaxed = await _help(sessions, translator, network_id=sentrum, min_group=2)
    assert _key(relaxed, "Median time to match") == "4 days"  # 3.5 days, rounded
    assert relaxed.figures[0].series[1].values[-1] == 2


async def test_the_chats_key_figures_are_this_weeks(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    for day in (date(2026, 12, 7), date(2026, 12, 8)):  # Monday and Tuesday of week 50
        for _ in range(3):
            await town.help_request(sentrum, oslo(day))
    for _ in range(5):
        await town.help_request(sentrum, oslo(date(2026, 12, 6), 23))  # Sunday, week 49
    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("en"),
            chat_period(date(2026, 12, 8)),
            keys=[FigureKey.HELP],
        )
    assert insight.key_period == "week 50"
    assert _key(insight, "Help asked for") == "6"
    assert insight.figures[0].series[0].values[-2:] == (5, 6)
