"""Members over time, per network, from the daily counts of who joined and left; with the
month's new members and leavers as key figures. Hand-counted below."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.actors import Actor
from bot.services.insight.building import build, month_period
from bot.services.insight.figures import FigureKey, Shape


def _key(insight, label):
    return next(k.value for k in insight.key_figures if k.label == label)


async def test_members_at_the_end_of_each_month(sessions, town, translator):
    sentrum = await town.network("Sentrum", texts={"uk": "Центр"})
    torstrand = await town.network("Torstrand")
    old = await town.network("Gammel", archived_at=datetime(2025, 6, 1, tzinfo=UTC))
    closing = await town.network("Stavern", archived_at=datetime(2026, 6, 1, tzinfo=UTC))
    # Sentrum: 10 before the year, +3 in December, -2 in February, +6 -1 in November.
    await town.day(sentrum, date(2025, 6, 1), joined=10)
    await town.day(sentrum, date(2025, 12, 1), joined=3)  # the window's first day
    await town.day(sentrum, date(2026, 2, 10), left=2)
    await town.day(sentrum, date(2026, 11, 30), joined=6, left=1)  # its last day
    await town.day(sentrum, date(2026, 12, 1), joined=50)  # after the window
    # Torstrand: 3 in March (too few to show), 4 more in November.
    await town.day(torstrand, date(2026, 3, 5), joined=3)
    await town.day(torstrand, date(2026, 11, 2), joined=4)
    # Archived before the year: not followed. Archived during it: still drawn.
    await town.day(old, date(2025, 1, 1), joined=20)
    await town.day(closing, date(2025, 1, 1), joined=8)

    async with sessions() as session:
        insight = await build(
            session, Actor.operator(), translator("en"), month_period(date(2026, 11, 1))
        )
    members = insight.figures[0]
    assert members.key is FigureKey.MEMBERS and members.shape is Shape.LINES
    assert len(members.labels) == 12
    lines = {s.name: s.values for s in members.series}
    assert lines == {
        "Sentrum": (13, 13, 11, 11, 11, 11, 11, 11, 11, 11, 11, 16),
        "Stavern": (8,) * 12,
        "Torstrand": (0, 0, 0, None, None, None, None, None, None, None, None, 7),
    }
    assert [s.name for s in members.series] == ["Sentrum", "Stavern", "Torstrand"]  # biggest first
    assert members.caption.splitlines()[-1] == ("Nov 2026 — Sentrum: 16; Stavern: 8; Torstrand: 7")
    assert "Mar 2026 — Sentrum: 11; Stavern: 8; Torstrand: < 5" in members.caption
    # November: 6 + 4 joined, 1 left (too few to show).
    assert _key(insight, "New members") == "10"
    assert _key(insight, "Members who left") == "< 5"


async def test_a_network_is_named_in_the_readers_language(sessions, town, translator):
    sentrum = await town.network("Sentrum", texts={"uk": "Центр"})
    await town.day(sentrum, date(2026, 1, 1), joined=5)
    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("uk"),
            month_period(date(2026, 11, 1)),
            keys=[FigureKey.MEMBERS],
        )
    assert [s.name for s in insight.figures[0].series] == ["Центр"]
    assert [f.key for f in insight.figures] == [FigureKey.MEMBERS]


async def test_the_smallest_networks_are_added_up_past_eight_lines(sessions, town, translator):
    for n in range(10):
        network = await town.network(f"Nabolag {n}")
        await town.day(network, date(2025, 1, 1), joined=10 + n)
    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            keys=[FigureKey.MEMBERS],
        )
    series = insight.figures[0].series
    assert [s.name for s in series] == [
        *(f"Nabolag {n}" for n in range(9, 2, -1)),
        "Other networks",
    ]
    assert series[-1].values == (10 + 11 + 12,) * 12


async def test_one_network_alone(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    await town.day(sentrum, date(2026, 11, 3), joined=5)
    await town.day(torstrand, date(2026, 11, 3), joined=9)
    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=torstrand,
            keys=[FigureKey.MEMBERS],
        )
    assert insight.title == "Torstrand"
    assert [(s.name, s.values[-1]) for s in insight.figures[0].series] == [("Torstrand", 9)]
    assert _key(insight, "New members") == "9"


async def test_an_archived_network_asked_for_is_still_drawn(sessions, town, translator):
    old = await town.network("Gammel", archived_at=datetime(2025, 6, 1, tzinfo=UTC))
    await town.day(old, date(2025, 1, 1), joined=20)
    async with sessions() as session:
        alone = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            network_id=old,
            keys=[FigureKey.MEMBERS],
        )
        everything = await build(
            session,
            Actor.operator(),
            translator("en"),
            month_period(date(2026, 11, 1)),
            keys=[FigureKey.MEMBERS],
        )
    assert [(s.name, s.values) for s in alone.figures[0].series] == [("Gammel", (20,) * 12)]
    assert everything.figures[0].series == () and everything.figures[0].empty
    assert everything.figures[0].caption == "Members over time"
