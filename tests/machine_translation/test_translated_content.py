"""Translated content as residents meet it, with MACHINE_TRANSLATION=libretranslate pointed at
the fake LibreTranslate: a broadcast, an event and a help request reach each reader in their
language, marked as machine-translated with the original a tap away; a host's own translation
always wins; a translator that fails leaves the original, and nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import actions, events, networks
from bot.services import help as helping
from bot.services.actions import OriginalOf, ShowOriginal
from bot.services.actors import Actor
from bot.services.events import EventDraft
from db.models import HelpCategory
from handlers.callbacks import BroadcastAction, HostCb
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import make_settings

BROADCAST = "Dugnad i parken på lørdag. Ta med hansker!"


@pytest.fixture
def settings(database_url, fake_api, libretranslate: FakeLibreTranslate):  # type: ignore[no-untyped-def]
    """The bot's settings with machine translation on (replaces tests/conftest.py's)."""
    return make_settings(
        database_url,
        fake_api.base_url,
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
    )


async def _torstrand(app, resident):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    kari = await resident("Kari")
    for user in (olena, kari):
        await user.send("/start join-torstrand")
    return view, host, olena, kari


async def _broadcast(app, host, network_id: int, text: str) -> None:  # type: ignore[no-untyped-def]
    """The host writes to the network from its card, as in the bot."""
    nb = app.catalogs.translator("nb")
    await host.press_data(HostCb(action=BroadcastAction.WRITE, network_id=network_id).pack())
    await host.send(text)
    await host.press(nb.gettext("📣 Send"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()


async def test_a_broadcast_reaches_a_newcomer_machine_translated_with_the_original_a_tap_away(
    app, resident, libretranslate: FakeLibreTranslate
):
    view, host, olena, kari = await _torstrand(app, resident)
    uk, nb = app.catalogs.translator("uk"), app.catalogs.translator("nb")
    await _broadcast(app, host, view.id, BROADCAST)

    notice = olena.last
    assert f"[uk] {BROADCAST}" in notice.text
    mark = uk.gettext("🤖 Machine-translated from {language}.", language=uk.language_name("nb"))
    assert mark in notice.text
    assert BROADCAST not in notice.text.replace(f"[uk] {BROADCAST}", "")
    # Kari reads Norwegian: the original, unmarked, no button.
    assert BROADCAST in kari.last.text and "[" not in kari.last.text
    assert not kari.last.buttons
    # One request for the one language that needed it.
    assert [(r.body["source"], r.body["target"]) for r in libretranslate.translations] == [
        ("nb", "uk")
    ]

    await olena.press(uk.gettext("🔤 Show original"), notice)
    original = olena.last
    assert original.message_id != notice.message_id  # the translation stays to compare
    assert uk.gettext("Original, in {language}:", language=uk.language_name("nb")) in (
        original.text
    )
    assert BROADCAST in original.text
    assert nb.gettext("Original:") not in original.text


async def test_the_original_is_only_for_those_who_got_it(
    app, resident, libretranslate: FakeLibreTranslate
):
    view, host, olena, _kari = await _torstrand(app, resident)
    await _broadcast(app, host, view.id, BROADCAST)
    data = next(b["callback_data"] for b in olena.last.buttons)
    parsed = actions.parse(data)
    assert isinstance(parsed, ShowOriginal) and parsed.kind is OriginalOf.NOTICE
    # A resident of no network, and forged ids, get the bot's refusal, never the text.
    outsider = await resident("Per")
    for forged in (data, actions.pack(ShowOriginal(OriginalOf.NOTICE, 999_999))):
        before = len(outsider.messages)
        await outsider.press_data(forged)
        assert outsider.last_answer is not None and outsider.last_answer["text"]
        assert all(BROADCAST not in m.text for m in outsider.messages[before:])
    for kind in OriginalOf:
        await olena.press_data(actions.pack(ShowOriginal(kind, 424_242)))
        assert olena.last_answer is not None and olena.last_answer["text"]


async def test_an_event_host_translation_wins_and_the_rest_are_machine_translated(
    app, resident, make_user, libretranslate: FakeLibreTranslate
):
    view, _host, olena, kari = await _torstrand(app, resident)
    ahmed = await resident("Ahmed", "العربية", "ar")
    await ahmed.send("/start join-torstrand")
    now = datetime.now(UTC)
    async with app.sessionmaker() as session:
        await events.publish(
            session,
            Actor.operator(),
            app.catalogs,
            EventDraft(
                network_id=view.id,
                title="Språkkafé",
                description="Kaffe og prat på norsk.",
                starts_at=now + timedelta(days=3),
                locale="nb",
                translations={"uk": ("Мовне кафе", "Кава і розмова норвезькою.")},
            ),
            now=now,
            machine=app.core.machine_translation,
        )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk, ar = app.catalogs.translator("uk"), app.catalogs.translator("ar")
    # The host's Ukrainian: not machine-translated, not marked, no "Show original".
    assert "Мовне кафе" in olena.last.text and "[uk]" not in olena.last.text
    assert uk.gettext("🔤 Show original") not in olena.last.button_texts
    # Arabic had no human translation: title and description machine-translated, marked.
    assert "[ar] Språkkafé" in ahmed.last.text and "[ar] Kaffe og prat" in ahmed.last.text
    assert ar.gettext("🔤 Show original") in ahmed.last.button_texts
    assert "Språkkafé" in kari.last.text and "[" not in kari.last.text
    assert {r.body["target"] for r in libretranslate.translations} == {"ar"}
    # Opening it from /events shows the same translation, from the cache: no new request.
    asked = len(libretranslate.translations)
    await ahmed.send("/events")
    await ahmed.press(next(t for t in ahmed.last.button_texts if "Språkkafé" in t))
    assert "[ar] Kaffe og prat" in ahmed.last.text
    assert ar.gettext("🔤 Show original") in ahmed.last.button_texts
    assert len(libretranslate.translations) == asked
    await ahmed.press(ar.gettext("🔤 Show original"))
    assert "Kaffe og prat på norsk." in ahmed.last.text and "[ar]" not in ahmed.last.text


async def test_a_help_request_in_ukrainian_reaches_a_norwegian_helper_translated(
    app, resident, libretranslate: FakeLibreTranslate
):
    _, _host, olena, kari = await _torstrand(app, resident)
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    await kari.send("/offer")
    await kari.press(helping.category_label(nb, HelpCategory.LANGUAGE))
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.LANGUAGE))
    request = "Хочу практикувати норвезьку за кавою"
    await olena.send(request)
    await olena.press(uk.gettext("Flexible"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    notice = kari.last
    assert f"[nb] {request}" in notice.text
    assert nb.gettext(
        "🤖 Machine-translated from {language}.", language=nb.language_name("uk")
    ) in (notice.text)
    # /requests shows it translated too, from the cache.
    asked = len(libretranslate.translations)
    await kari.send("/requests")
    assert f"[nb] {request}" in kari.last.text
    assert len(libretranslate.translations) == asked
    await kari.press(nb.gettext("🔤 Show original"), notice)
    assert request in kari.last.text and "[nb]" not in kari.last.text
    # She reads her own request as she wrote it.
    await olena.send("/requests")
    assert request in olena.last.text and "[uk]" not in olena.last.text


async def test_a_failing_translator_leaves_the_original_and_loses_nothing(
    app, resident, libretranslate: FakeLibreTranslate
):
    view, host, olena, kari = await _torstrand(app, resident)
    libretranslate.failure = "error"
    uk = app.catalogs.translator("uk")
    await _broadcast(app, host, view.id, BROADCAST)
    assert BROADCAST in olena.last.text and "[uk]" not in olena.last.text
    assert uk.gettext("Written in {language}.", language=uk.language_name("nb")) in (
        olena.last.text
    )
    assert BROADCAST in kari.last.text
    assert not olena.last.buttons


async def test_without_a_translator_nothing_is_sent_anywhere(
    database_url, fake_api, libretranslate: FakeLibreTranslate
):
    """The default, MACHINE_TRANSLATION=none: no request leaves, readers get the original."""
    from bot.app import build_app

    settings = make_settings(database_url, fake_api.base_url)
    assert settings.machine_translation == "none"
    application = build_app(settings, pace=fake_api.pace)
    try:
        assert not application.core.machine_translation.enabled
        found = await application.core.machine_translation.translate(["Hei"], "nb", ["uk"])
        assert found == {}
    finally:
        await application.close()
    assert libretranslate.requests == []


async def test_the_digest_lists_events_in_the_words_their_notices_used(
    app, resident, libretranslate: FakeLibreTranslate
):
    """The weekly digest asks no translator (a round must not wait on one): it takes the
    titles the event's notice was translated with from the cache, marked 🤖."""
    from bot.services.digest import Round
    from db.queries import digests as dq

    view, _host, olena, kari = await _torstrand(app, resident)
    now = datetime.now(UTC)
    async with app.sessionmaker() as session:
        await events.publish(
            session,
            Actor.operator(),
            app.catalogs,
            EventDraft(
                network_id=view.id,
                title="Loppemarked på Torget",
                starts_at=now + timedelta(days=2),
                locale="nb",
            ),
            now=now,
            machine=app.core.machine_translation,
        )
    asked = len(libretranslate.translations)
    assert asked == 1
    machine = app.core.machine_translation
    previews = {}
    for user in (olena, kari):
        async with app.sessionmaker() as session:
            row = await dq.resident_for_preview(session, telegram_id=user.id, phone=None)
        assert row is not None
        preview = await Round(
            app.sessionmaker, app.catalogs, municipality="Larvik", now=now, machine=machine
        ).preview(row)
        assert preview.rendered is not None
        previews[user.id] = preview.rendered.text
    assert "🤖 <b>[uk] Loppemarked på Torget</b>" in previews[olena.id]
    assert "<b>Loppemarked på Torget</b>" in previews[kari.id] and "🤖" not in previews[kari.id]
    assert len(libretranslate.translations) == asked  # from the cache alone


async def test_a_network_description_without_a_host_translation_is_machine_translated(
    app, resident, libretranslate: FakeLibreTranslate
):
    description = "Naboer på Torstrand. Dugnader og møteplasser."
    async with app.sessionmaker() as session:
        await networks.create_network(
            session,
            Actor.operator(),
            name="Torstrand",
            slug="torstrand",
            description=description,
        )
        sentrum = await networks.create_network(
            session, Actor.operator(), name="Sentrum", slug="sentrum", description="Torget."
        )
        await networks.set_network_text(
            session, Actor.operator(), sentrum.id, "uk", name="Центр", description="Площа."
        )
    olena = await resident("Olena", "Українська", "uk")
    uk = app.catalogs.translator("uk")
    await olena.send("/networks")
    await olena.press("Torstrand")
    card = olena.last
    assert f"[uk] {description}" in card.text
    assert uk.gettext(
        "🤖 Machine-translated from {language}.", language=uk.language_name("nb")
    ) in (card.text)
    await olena.press(uk.gettext("🔤 Show original"), card)
    assert description in olena.last.text and "[uk]" not in olena.last.text
    assert "Torstrand" in olena.last.text
    # Sentrum's hosts wrote Ukrainian: theirs, unmarked, and nothing asked of the translator.
    asked = len(libretranslate.translations)
    await olena.send("/networks")
    await olena.press("Центр")
    assert "Площа." in olena.last.text and "🤖" not in olena.last.text
    assert uk.gettext("🔤 Show original") not in olena.last.button_texts
    assert len(libretranslate.translations) == asked
