"""The insight's periods and local days: the chat's 12 weeks, the report's 12 months, their
labels, and a moment's local day in SQL (both databases) matching Python's, across the
changes of summer time and in zones east and west of UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select

from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.insight.building import build, chat_period, month_period
from bot.services.insight.figures import Period, Step
from bot.services.insight.periods import steps
from db.models import UTCDateTime
from db.queries.insight import Window, as_date
from db.queries.insight.local_days import offsets


def test_the_chat_shows_twelve_weeks_monday_to_sunday_ending_with_this_week():
    period = chat_period(date(2026, 12, 8))  # a Tuesday
    assert period == Period(date(2026, 9, 21), date(2026, 12, 14), Step.WEEK)
    bounds = steps(period)
    assert len(bounds) == 12
    assert all(first.weekday() == 0 and (end - first).days == 7 for first, end in bounds)
    assert chat_period(date(2026, 12, 13)) == period  # the Sunday: still the same week
    assert chat_period(date(2026, 12, 14)).end == date(2026, 12, 21)


def test_the_report_shows_the_twelve_months_ending_with_its_month():
    period = month_period(date(2026, 11, 17))
    assert period == Period(date(2025, 12, 1), date(2026, 12, 1), Step.MONTH)
    assert [first for first, _ in steps(period)][:3] == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert month_period(date(2027, 1, 1)).start == date(2026, 2, 1)


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2026, 9, 22), date(2026, 12, 14), Step.WEEK),  # not a Monday
        Period(date(2026, 1, 2), date(2026, 12, 1), Step.MONTH),  # not the 1st
        Period(date(2026, 12, 1), date(2026, 12, 1), Step.MONTH),  # empty
    ],
)
async def test_a_period_off_its_steps_is_refused(sessions, translator, period):
    async with sessions() as session:
        with pytest.raises(InvalidInput):
            await build(session, Actor.operator(), translator("nb"), period)


async def test_labels_and_period_names_in_the_readers_language(sessions, translator):
    async with sessions() as session:
        weeks = await build(session, Actor.operator(), translator("en"), chat_period(NOW_DAY))
        months = await build(
            session, Actor.operator(), translator("uk"), month_period(date(2026, 11, 1))
        )
        dari = await build(
            session, Actor.operator(), translator("fa_AF"), month_period(date(2026, 11, 1))
        )
    assert weeks.figures[0].labels[0] == "week 39"
    assert weeks.figures[0].labels[-1] == "week 50"
    assert weeks.period_label == "the last 12 weeks"
    assert weeks.key_period == "week 50"
    assert months.figures[0].labels[-1] == "лист. 2026"
    assert months.period_label == months.key_period == "Листопад 2026"
    assert not months.rtl
    assert dari.rtl and dari.figures[0].rtl
    assert "۲۰۲۶" in dari.figures[0].labels[-1]  # Dari's own digits


NOW_DAY = date(2026, 12, 8)

MOMENTS = [
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 00:30 on 29 March in Oslo (winter)
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 01:59, the last minute of winter time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 summer time
    datetime(2026, 3, 29, 21, 59, tzinfo=UTC),  # 23:59 on 29 March (summer)
    datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 00:00 on 30 March
    datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 on 25 October (summer)
    datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),  # 02:59:59 summer time
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # 02:00 winter time again
    datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 on 25 October (winter)
    datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 00:00 on 26 October
    datetime(2026, 12, 31, 23, 0, 0, 1, tzinfo=UTC),  # the new year in Oslo
    datetime(2026, 6, 30, 4, 29, tzinfo=UTC),  # 23:59 on 29 June in New York
    datetime(2026, 6, 30, 18, 30, tzinfo=UTC),  # midnight in Kolkata (+05:30)
]


@pytest.mark.parametrize("zone", ["Europe/Oslo", "America/New_York", "Asia/Kolkata", "UTC"])
async def test_a_moments_local_day_in_sql_is_pythons(sessions, zone):
    local = ZoneInfo(zone)
    async with sessions() as session:
        dialect = session.get_bind().dialect.name
        window = Window(date(2026, 1, 1), date(2027, 1, 2), local, dialect)
        for moment in MOMENTS:
            found = await session.scalar(select(window.day(literal(moment, UTCDateTime))))
            assert as_date(found) == moment.astimezone(local).date(), (zone, moment)


def test_the_offsets_of_a_year_are_found_to_the_minute():
    oslo = ZoneInfo("Europe/Oslo")
    found = offsets(
        datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC), oslo
    )
    assert found == [
        (datetime(2025, 12, 31, 23, tzinfo=UTC), timedelta(hours=1)),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), timedelta(hours=2)),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), timedelta(hours=1)),
    ]
