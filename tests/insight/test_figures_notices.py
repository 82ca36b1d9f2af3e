"""Notices sent, delivered and failed per week, by the local day the notice was written;
digests (no network) only for all networks together; waiting deliveries not counted."""

from __future__ import annotations

from datetime import date

from bot.services.actors import Actor
from bot.services.insight.building import build, chat_period, month_period
from bot.services.insight.figures import FigureKey, Shape
from db.models import Channel, DeliveryStatus
from tests.support.insight_town import oslo

SENT, FAILED, UNREACHABLE = DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE
TG, SMS = Channel.TELEGRAM, Channel.SMS


def _key(insight, label):
    return next(k.value for k in insight.key_figures if k.label == label)


async def _notices(sessions, translator, period, network_id=None):
    async with sessions() as session:
        return await build(
            session,
            Actor.operator(),
            translator("en"),
            period,
            network_id=network_id,
            keys=[FigureKey.NOTICES],
        )


async def test_notices_per_week(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    # Monday 7 December, 00:30 in Oslo (still Sunday in UTC): week 50.
    await town.notice(
        sentrum,
        oslo(date(2026, 12, 7), 0, 30),
        [(SENT, TG, None)] * 6
        + [(SENT, SMS, "delivered")] * 2
        + [(SENT, SMS, None)]  # no report yet: sent, not known delivered
        + [(FAILED, TG, None)] * 3
        + [(UNREACHABLE, SMS, None)] * 2
        + [(DeliveryStatus.PENDING, TG, None), (DeliveryStatus.HELD, TG, None)],
    )
    # A digest (no network) late on Sunday 6 December: week 49.
    await town.notice(None, oslo(date(2026, 12, 6), 23, 30), [(SENT, TG, None)] * 7)
    # Torstrand, week 48: three, too few to show.
    await town.notice(torstrand, oslo(date(2026, 11, 25)), [(SENT, TG, None)] * 3)
    # Before the twelve weeks: not counted.
    await town.notice(sentrum, oslo(date(2026, 9, 20), 23, 59), [(SENT, TG, None)] * 9)

    period = chat_period(date(2026, 12, 8))
    everything = await _notices(sessions, translator, period)
    figure = everything.figures[0]
    assert figure.shape is Shape.COLUMNS
    assert [s.name for s in figure.series] == ["Sent", "Delivered", "Failed"]
    sent, delivered, failed = (s.values for s in figure.series)
    assert sent == (0,) * 9 + (None, 7, 9)
    assert delivered == (0,) * 9 + (None, 7, 8)
    assert failed == (0,) * 11 + (5,)
    assert figure.caption.splitlines()[-1] == "week 50 — Sent: 9; Delivered: 8; Failed: 5"
    assert "week 48 — Sent: < 5; Delivered: < 5; Failed: 0" in figure.caption
    # Week 50: 8 delivered of the 14 that were tried.
    assert _key(everything, "Notices delivered") == "57%"

    alone = await _notices(sessions, translator, period, network_id=sentrum)
    sent, delivered, failed = (s.values for s in alone.figures[0].series)
    assert sent == (0,) * 11 + (9,)
    assert delivered == (0,) * 11 + (8,)
    assert failed == (0,) * 11 + (5,)


async def test_notices_per_month_and_a_small_denominator(sessions, town, translator):
    sentrum = await town.network("Sentrum")
    await town.notice(sentrum, oslo(date(2026, 10, 31), 23, 59), [(SENT, TG, None)] * 5)
    await town.notice(sentrum, oslo(date(2026, 11, 1), 0, 0), [(SENT, TG, None)] * 3)
    insight = await _notices(sessions, translator, month_period(date(2026, 11, 1)))
    sent = insight.figures[0].series[0].values
    assert sent[-2:] == (5, None)
    assert _key(insight, "Notices delivered") == "too few to show"
