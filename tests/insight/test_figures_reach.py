"""Whom the networks reach today: members by language and by channel, each resident once,
live networks only; small groups hidden, and a second cell with a lone hidden one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.actors import Actor
from bot.services.insight.building import build, month_period
from bot.services.insight.figures import FigureKey, Shape

KEYS = [FigureKey.MEMBERS, FigureKey.LANGUAGES, FigureKey.CHANNELS]


def _key(insight, label):
    return next(k.value for k in insight.key_figures if k.label == label)


async def _insight(sessions, translator, network_id=None, locale="en"):
    async with sessions() as session:
        return await build(
            session,
            Actor.operator(),
            translator(locale),
            month_period(date(2026, 11, 1)),
            network_id=network_id,
            keys=KEYS,
        )


async def test_members_by_language_and_channel(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    archived = await town.network("Gammel", archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    norwegians = await town.residents(7, "nb")
    await town.members(sentrum, norwegians)
    await town.members(sentrum, await town.residents(3, "uk"))
    await town.members(sentrum, [await town.resident("ar")])
    await town.members(sentrum, await town.residents(6, "so", telegram=False))
    await town.members(sentrum, await town.residents(2, None))
    await town.members(torstrand, norwegians[:3])  # in two networks: counted once
    await town.members(torstrand, await town.residents(2, "en"))
    await town.members(archived, await town.residents(4, "pl"))  # not a live network
    await town.resident("lt")  # in no network

    insight = await _insight(sessions, translator)
    languages, channels = insight.figures[1], insight.figures[2]
    assert languages.shape is Shape.BARS
    # 7 nb, 6 so, 3 uk, 2 en, 2 unchosen, 1 ar: 21; the four small ones hidden.
    assert languages.labels == (
        "Norwegian Bokmål",
        "Somali",
        "Ukrainian",
        "English",
        "Language not chosen",
        "Arabic",
    )
    assert languages.series[0].values == (7, 6, None, None, None, None)
    assert "Ukrainian: < 5" in languages.caption
    assert "Polish" not in languages.caption
    assert channels.labels == ("Telegram", "SMS only")
    assert channels.series[0].values == (15, 6)
    assert _key(insight, "Members") == "21"
    assert _key(insight, "Telegram") == "15"
    assert _key(insight, "SMS only") == "6"

    alone = await _insight(sessions, translator, network_id=torstrand)
    # 3 nb and 2 en: five members, each language too few.
    assert alone.figures[1].series[0].values == (None, None)
    assert alone.figures[2].series[0].values == (5, 0)
    assert _key(alone, "Members") == "5"


async def test_a_lone_hidden_cell_hides_the_next_smallest_too(sessions, town, translator):
    network = await town.network("Nanset")
    await town.members(network, await town.residents(8, "nb"))
    await town.members(network, await town.residents(6, "uk"))
    await town.members(network, await town.residents(2, "ar", telegram=False))
    insight = await _insight(sessions, translator, network_id=network)
    languages, channels = insight.figures[1], insight.figures[2]
    # 16 members, shown: 2 Arabic alone would be 16 - 8 - 6.
    assert languages.series[0].values == (8, None, None)
    assert channels.series[0].values == (None, None)
    assert _key(insight, "Members") == "16"
    assert _key(insight, "Telegram") == _key(insight, "SMS only") == "< 5"


async def test_nobody_yet(sessions, town, translator):
    await town.network("Helgeroa")
    insight = await _insight(sessions, translator)
    languages, channels = insight.figures[1], insight.figures[2]
    assert languages.labels == () and languages.empty
    assert channels.series[0].values == (0, 0) and channels.empty
    assert _key(insight, "Members") == "0"
