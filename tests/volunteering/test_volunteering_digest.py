"""Open volunteer calls in the weekly digest: a short section on Telegram in each reader's
language, a count with the keyword by SMS, and the SMS digest still within two segments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import SHIPPED_LOCALES
from bot.services import digest
from bot.services.volunteering.week import WeekCall
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.volunteering import call_draft, post_call, upcoming_saturday


async def test_the_digest_lists_open_calls_with_room(app, dugnad):
    view, host, olena, amal, _kari = dugnad
    now = datetime.now(UTC)
    saturday = upcoming_saturday()
    await post_call(app, host, call_draft(view.id, saturday, slots=4), now)
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    key = digest.week_of(now, app.catalogs.zone)
    await digest.Round(app.sessionmaker, app.catalogs, municipality="Larvik", now=now).run(key)
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk, ar = app.catalogs.translator("uk"), app.catalogs.translator("ar")
    assert uk.gettext("🧹 Volunteers wanted") in olena.last.text
    assert "Rydd Torstrandparken" in olena.last.text
    assert uk.ngettext("{n} free", "{n} free", 4) in olena.last.text
    assert ar.gettext("Sign up in /dugnad.") in amal.last.text


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_sms_digest_with_calls_fits_two_segments(app, locale):
    from types import SimpleNamespace

    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    items = [
        digest.WeekEvent(
            SimpleNamespace(  # type: ignore[arg-type]
                id=n,
                title=f"Språkkafé og strikking nummer {n}",
                starts_at=now + timedelta(days=n),
                network_id=1,
                no_norwegian_needed=True,
            ),
            {},
            3,
            1,
        )
        for n in range(1, 4)
    ]
    call = WeekCall(
        1, 1, "Rydd Torstrandparken", now + timedelta(days=6), now + timedelta(days=6, hours=3), 5
    )
    week = digest.Week("2026-W49", now, {1: "Torstrand"}, {}, {}, {}, "Larvik")
    t = app.catalogs.translator(locale)
    alone = digest.Writer(app.catalogs).sms(t, week, digest.Content(calls=[call])).text
    assert shown(Command.VOLUNTEER, locale) in alone and count(alone).segments <= 2
    full = digest.Content(events=items, more_events=4, calls=[call], more_calls=2)
    text = digest.Writer(app.catalogs).sms(t, week, full).text
    assert count(text).segments <= 2, (locale, text)
    assert text.count("\n") == 1
