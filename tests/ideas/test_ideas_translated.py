"""Ideas across languages, with MACHINE_TRANSLATION pointed at the fake LibreTranslate: Amal
proposes in Arabic; the host reads it in Norwegian, marked 🤖, with the Arabic a tap away; Kari
meets it translated in /ideas; the host's answer reaches Amal in Arabic, marked too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import ideas
from db.models import IdeaStatus
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import make_settings

AMALS = "حديقة صغيرة للأطفال قرب المدرسة"


@pytest.fixture
async def libretranslate(reserved_port: int) -> AsyncIterator[FakeLibreTranslate]:
    async with FakeLibreTranslate(reserved_port) as server:
        yield server


@pytest.fixture
def settings(database_url, fake_api, libretranslate: FakeLibreTranslate):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        fake_api.base_url,
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
    )


async def test_an_arabic_idea_reaches_everyone_in_their_language(app, hood, actor_of):
    nb, ar = app.catalogs.translator("nb"), app.catalogs.translator("ar")
    async with app.sessionmaker() as session:
        await ideas.propose(
            session,
            await actor_of(hood.amal),
            app.catalogs,
            network_id=hood.torstrand,
            text=AMALS,
            machine=app.core.machine_translation,
        )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    notice = hood.hilde.last.text
    assert f"[nb] {AMALS}" in notice
    assert nb.gettext(
        "🤖 Machine-translated from {language}.", language=nb.language_name("ar")
    ) in (notice)
    replies = await hood.hilde.press(nb.gettext("🔤 Show original"))
    assert AMALS in replies[-1].text and "[nb]" not in replies[-1].text

    replies = await hood.kari.send("/ideas")
    assert f"🤖 «[nb] {AMALS}»" in replies[-1].text
    # The host answers from the card; Amal hears in Arabic, the reason machine-translated.
    await hood.hilde.press(nb.gettext("✍️ Answer the idea"))
    await hood.hilde.press(ideas.status_label(nb, IdeaStatus.CONSIDERING))
    await hood.hilde.send("Vi spør skolen om plass.")
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    answer = hood.amal.last.text
    assert "[ar] Vi spør skolen om plass." in answer
    assert AMALS in answer  # her own words, as she wrote them
    assert ar.gettext("The host says:") in answer
    assert ar.gettext(
        "🤖 Machine-translated from {language}.", language=ar.language_name("nb")
    ) in (answer)
