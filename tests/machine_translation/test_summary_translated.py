"""The day's summary of new events names each event in the reader's language: the host's own
translation where they wrote one, else the machine translation its held notice was made with
(from the cache: a summary round never waits on a translator), marked 🤖 as the digest does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import events, networks
from bot.services.actors import Actor
from tests.support.events import actor_of, event_draft
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import make_settings
from tests.support.summaries import summarize

FAR = datetime(2099, 6, 4, 16, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url, fake_api, libretranslate: FakeLibreTranslate):  # type: ignore[no-untyped-def]
    """Machine translation on, and every new-event notice held for the summary."""
    return make_settings(
        database_url,
        fake_api.base_url,
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
        new_event_notices_per_day=0,
    )


async def test_the_summary_names_events_in_the_reader_language(
    app, resident, libretranslate: FakeLibreTranslate
):
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/start join-torstrand")
    hilde = await actor_of(app, host)
    async with app.sessionmaker() as session:
        # One without a Ukrainian version (machine-translated), one with the host's own.
        for title, starts, translations in (
            ("Strikkekafé på biblioteket", FAR, {}),
            ("Dugnad i parken", FAR + timedelta(days=1), {"uk": ("Толока в парку", "")}),
        ):
            await events.publish(
                session,
                hilde,
                app.catalogs,
                event_draft(
                    view.id,
                    title=title,
                    starts_at=starts,
                    ends_at=None,
                    translations=translations,
                ),
                machine=app.core.machine_translation,
            )
    await app.core.machine_translation.settled()
    asked = len(libretranslate.translations)
    result = await summarize(app)
    assert result.sent >= 1
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    summary = olena.last.text
    uk = app.catalogs.translator("uk")
    assert (
        uk.ngettext(
            "🗓 New in {network}: {n} event",
            "🗓 New in {network}: {n} events",
            2,
            network="Torstrand",
        )
        in summary
    )
    assert "🤖 [uk] Strikkekafé på biblioteket" in summary
    assert "Толока в парку" in summary and "🤖 Толока" not in summary
    # From the cache alone: the summary asked the translator nothing.
    assert len(libretranslate.translations) == asked
