"""Times and numbers as each language writes them: the 24-hour clock everywhere (Norway's, the
one /settings uses), and Dari's own digits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalog_maintenance import PROJECT
from bot.i18n import SHIPPED_LOCALES, Catalogs

CATALOGS = Catalogs(PROJECT / "locales")
EVENING = datetime(2026, 12, 9, 17, 30, tzinfo=UTC)  # 18:30 in Oslo


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_language_tells_the_time_on_the_24_hour_clock(locale: str):
    t = CATALOGS.translator(locale)
    western = t.format_time(EVENING).translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert western == "18:30"
    assert t.clock(22 * 60) == t.format_time(datetime(2026, 12, 9, 21, 0, tzinfo=UTC))


def test_dari_writes_its_own_digits():
    t = CATALOGS.translator("fa_AF")
    assert t.format_time(EVENING) == "۱۸:۳۰"
    assert t.number(1234) == "۱٬۲۳۴"
    assert "۹" in t.format_day(EVENING)
    assert t.ngettext("{n} new member", "{n} new members", 3).startswith("۳")
    assert t.clock(8 * 60) == "۰۸:۰۰"


@pytest.mark.parametrize("locale", ["nb", "en", "uk", "ar", "so", "ti"])
def test_other_languages_keep_0_to_9(locale: str):
    t = CATALOGS.translator(locale)
    assert t.number(12) == "12"
