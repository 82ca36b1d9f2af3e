"""Privacy by construction: small groups hidden ("< 5"), a lone hidden cell of a breakdown
joined by the next smallest, zero shown; no resident's name or number anywhere in what the
insight says; and a caption that fits Telegram's 1024 characters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services.actors import Actor
from bot.services.insight.building import build, chat_period, month_period
from bot.services.insight.captions import CAPTION_LIMIT, utf16_length
from bot.services.insight.figures import FigureKey
from bot.services.insight.privacy import suppress, suppress_breakdown
from db.models import Channel, DeliveryStatus, Resident
from tests.support.insight_town import oslo


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (1234, 1234)])
def test_a_count_below_the_minimum_is_hidden(count, shown):
    assert suppress(count, 5) == shown


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([8, 6, 2], (8, None, None)),  # 2 = total - 8 - 6: the 6 goes too
        ([8, 6, 0, 2], (8, None, 0, None)),  # a zero hides nothing, so it is not the one
        ([8, 0, 2], (None, 0, None)),
        ([10, 5, 4], (10, None, None)),
        ([9, 7, 3, 2], (9, 7, None, None)),  # two hidden already
        ([3, 2], (None, None)),
        ([5, 5], (5, 5)),
        ([0, 0], (0, 0)),
        ([], ()),
    ],
)
def test_a_lone_hidden_cell_is_never_alone(counts, shown):
    assert suppress_breakdown(counts, 5) == shown


def test_the_minimum_is_configurable():
    assert suppress_breakdown([12, 9, 8], 10) == (12, None, None)
    assert suppress(9, 10) is None


async def test_no_names_or_numbers_of_residents_anywhere(sessions, town, translator):
    network = await town.network("Sentrum")
    names = ["Zebulon", "Yrsa-Margrethe", "Олександра", "فاطمة"]
    people = [await town.resident("nb", name=name) for name in names]
    people += [await town.resident("so", telegram=False, name="Xamar") for _ in range(5)]
    await town.members(network, people)
    await town.day(network, date(2026, 11, 2), joined=len(people))
    await town.help_request(network, oslo(date(2026, 11, 3)), matched_after=timedelta(hours=2))
    await town.notice(
        network, oslo(date(2026, 11, 3)), [(DeliveryStatus.SENT, Channel.SMS, "delivered")] * 3
    )
    async with sessions() as session:
        phones = [p for p in await session.scalars(select(Resident.phone)) if p]
        for locale in SHIPPED_LOCALES:
            insight = await build(
                session, Actor.operator(), translator(locale), month_period(date(2026, 11, 1))
            )
            words = [insight.title, insight.period_label, insight.key_period]
            words += [f"{k.label} {k.value}" for k in insight.key_figures]
            for figure in insight.figures:
                words += [figure.title, figure.caption, figure.text, figure.explanation]
                words += list(figure.labels) + [s.name for s in figure.series]
            said = "\n".join(words)
            for secret in [*names, "Xamar", *phones, *(p.lstrip("+") for p in phones)]:
                assert secret not in said, (locale, secret)
            assert "Handling" not in said  # a request's description


async def test_a_long_caption_keeps_the_title_and_the_latest_weeks(sessions, town, translator):
    for n in range(8):
        network = await town.network(f"Et nabolag med et langt navn nummer {n}")
        await town.day(network, date(2026, 1, 1), joined=100 + n)
    async with sessions() as session:
        insight = await build(
            session,
            Actor.operator(),
            translator("ar"),
            chat_period(date(2026, 12, 8)),
            keys=[FigureKey.MEMBERS],
        )
    figure = insight.figures[0]
    assert utf16_length(figure.text) > CAPTION_LIMIT
    assert utf16_length(figure.caption) <= CAPTION_LIMIT
    caption = figure.caption.splitlines()
    assert caption[0] == figure.title and caption[1] == "…"
    assert caption[-1] == figure.text.splitlines()[-1]  # the current week is kept
    assert len(figure.text.splitlines()) == 1 + 12
    assert figure.rtl


async def test_a_short_caption_is_the_whole_text(sessions, town, translator):
    network = await town.network("Sentrum")
    await town.day(network, date(2026, 1, 1), joined=10)
    async with sessions() as session:
        insight = await build(
            session, Actor.operator(), translator("nb"), month_period(date(2026, 11, 1))
        )
    for figure in insight.figures:
        assert figure.caption == figure.text
        assert figure.minimum == 5
        assert figure.caption.startswith(figure.title)
