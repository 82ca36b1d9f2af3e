"""The week's new ideas in the digest: listed compactly in the Telegram digest (most supported
first, hidden ones never), counted with the IDEA keyword in the SMS digest, which stays within
its two segments in every language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.i18n import SHIPPED_LOCALES
from bot.services import digest, ideas
from bot.services.digest.week import WeekIdea
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import IdeaStatus
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker


async def test_new_ideas_are_in_the_weekly_digest_and_hidden_ones_are_not(app, hood, actor_of):
    now = datetime.now(UTC)
    async with app.sessionmaker() as session:
        olena, kari = await actor_of(hood.olena), await actor_of(hood.kari)
        benches = await ideas.propose(
            session, olena, app.catalogs, network_id=hood.torstrand, text="Лавки на Torstrandgata"
        )
        spam = await ideas.propose(
            session, kari, app.catalogs, network_id=hood.torstrand, text="Kjøp billige klokker"
        )
        await ideas.set_support(session, kari, benches.id)
        await ideas.hide(session, await actor_of(hood.hilde), spam.id)
    round_ = digest.Round(app.sessionmaker, app.catalogs, municipality="Larvik", now=now)
    await round_.run(digest.week_of(now, app.catalogs.zone))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    nb, ar = app.catalogs.translator("nb"), app.catalogs.translator("ar")
    letter = hood.kari.last.text
    assert nb.gettext("💡 New ideas") in letter
    assert "«Лавки на Torstrandgata» · Torstrand · 👍 2" in letter
    assert "klokker" not in letter
    assert ar.gettext("💡 New ideas") in hood.amal.last.text
    # Nanset's members don't hear of Torstrand's ideas.
    assert "Лавки" not in (hood.per.last.text if hood.per.messages else "")


def _week(now: datetime) -> digest.Week:
    return digest.Week("2026-W49", now, {1: "Torstrand"}, {}, {}, {}, "Larvik")


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_sms_digest_with_ideas_fits_two_segments(app, locale):
    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    events = [
        digest.WeekEvent(
            SimpleNamespace(  # type: ignore[arg-type]
                id=n,
                title=f"Språkkafé og strikking nummer {n}",
                starts_at=now + timedelta(days=n),
                network_id=1,
                no_norwegian_needed=False,
            ),
            {},
            0,
            0,
        )
        for n in range(1, 6)
    ]
    new = [WeekIdea(n, 1, f"Idé {n} " + "benker " * 30, "nb", n) for n in range(1, 4)]
    t = app.catalogs.translator(locale)
    writer = digest.Writer(app.catalogs)
    full = writer.sms(t, _week(now), digest.Content(events=events, ideas=new, more_ideas=7)).text
    assert count(full).segments <= 2, (locale, full)
    assert full.count("\n") == 1
    only = writer.sms(t, _week(now), digest.Content(ideas=new, more_ideas=7)).text
    assert count(only).segments <= 2
    words = t.ngettext(
        "{n} new idea ({idea})", "{n} new ideas ({idea})", 10, idea=shown(Command.IDEA, locale)
    )
    assert words in only


def test_the_telegram_digest_lists_three_ideas_and_counts_the_rest(app):
    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    nb = app.catalogs.translator("nb")
    new = [WeekIdea(n, 1, f"Idé {n}", "nb", 10 - n) for n in range(1, 6)]
    week = _with_ideas(now, new)
    content = digest.gather(week, 99, [1], set(), set(), [])
    assert [i.idea_id for i in content.ideas] == [1, 2, 3] and content.more_ideas == 2
    text = digest.Writer(app.catalogs).telegram(nb, week, content).text
    assert (
        nb.ngettext("…and {n} more new idea: /ideas", "…and {n} more new ideas: /ideas", 2) in text
    )
    assert IdeaStatus.HIDDEN.value not in text


def _with_ideas(now: datetime, new: list[WeekIdea]) -> digest.Week:
    week = _week(now)
    week.ideas = {1: new}
    return week
