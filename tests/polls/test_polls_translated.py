"""A poll machine-translated where MACHINE_TRANSLATION is set up (the fake LibreTranslate): the
creator's own translation wins, other readers get the question and options translated and
marked 🤖, and the card shown again after a tap keeps the translation (from the cache)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import polls
from bot.services.machine_texts import machine_note
from tests.support.events import actor_of
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.polls import bench_draft
from tests.support.settings import make_settings


@pytest.fixture
async def libretranslate(reserved_port: int) -> AsyncIterator[FakeLibreTranslate]:
    async with FakeLibreTranslate(reserved_port) as server:
        yield server


@pytest.fixture
def settings(database_url, fake_api, libretranslate: FakeLibreTranslate):  # type: ignore[no-untyped-def]
    """The bot's settings with machine translation on (replaces tests/conftest.py's)."""
    return make_settings(
        database_url,
        fake_api.base_url,
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
    )


async def test_readers_without_a_translation_get_a_machine_one_marked(
    app, network, libretranslate: FakeLibreTranslate
):
    view, host, olena, amal, kari = network
    async with app.sessionmaker() as session:
        await polls.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            bench_draft(view.id),
            machine=app.core.machine_translation,
        )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    ar = app.catalogs.translator("ar")
    assert "[ar] Skal vi ha benker langs Torstrandgata?" in amal.last.text
    assert machine_note(ar, "nb") in amal.last.text
    assert amal.last.button_texts[:3] == ["[ar] Ja", "[ar] Nei", "[ar] Vet ikke"]
    assert "Чи ставити лавки" in olena.last.text and "[uk]" not in olena.last.text
    assert "[" not in kari.last.text
    assert {r.body["target"] for r in libretranslate.translations} == {"ar"}
    asked = len(libretranslate.translations)
    await amal.press("[ar] Nei")
    assert amal.last_answer["text"].startswith("✅ [ar] Nei\n")
    assert "[ar] Skal vi ha benker" in amal.last.text
    assert len(libretranslate.translations) == asked  # from the cache
