"""The LibreTranslate adapter against a strict fake LibreTranslate: the languages it offers,
how texts are batched and split to fit the server's limits, and every failure one
`TranslatorUnavailable` line that names the setting and never the text."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.machine_translation import TranslatorUnavailable
from bot.machine_translation.libretranslate import LibreTranslate, split_text
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.log_guard import personal

# A resident's words: they must reach the translator and nothing else (no log, no error).
REQUEST = "Trenger hjelp med å bære en sofa til tredje etasje på lørdag."
EVENT = "Dugnad i parken: vi rydder, planter blomster og griller etterpå."


class Clock:
    """A monotonic clock the test moves (the adapter's language list lives an hour)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> Clock:
    return Clock()


@pytest.fixture
async def adapter(
    libretranslate: FakeLibreTranslate, monotonic: Clock
) -> AsyncIterator[LibreTranslate]:
    personal(REQUEST, EVENT)
    translator = LibreTranslate(libretranslate.url, timeout=5, monotonic=monotonic)
    yield translator
    await translator.close()


async def test_it_supports_the_pairs_the_server_lists(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    assert await adapter.supports("nb", "uk")
    assert await adapter.supports("uk", "nb")
    # Dari is written Persian: the server's "fa".
    assert await adapter.supports("nb", "fa_AF")
    # No Somali or Tigrinya model on the server.
    assert not await adapter.supports("nb", "so")
    assert not await adapter.supports("ti", "nb")
    assert libretranslate.asked("/languages") == 1  # asked once, not per question


async def test_norwegian_is_found_under_either_code(libretranslate: FakeLibreTranslate):
    libretranslate.languages = {"en": ["no"], "no": ["en"]}
    translator = LibreTranslate(libretranslate.url)
    try:
        assert await translator.supports("nb", "en")
        assert await translator.translate(["Hei"], "nb", "en") == ["[en] Hei"]
        assert libretranslate.translations[0].body["source"] == "no"
    finally:
        await translator.close()


async def test_the_languages_are_asked_again_after_an_hour(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate, monotonic: Clock
):
    assert not await adapter.supports("nb", "so")
    libretranslate.languages = {**libretranslate.languages, "so": ["nb"], "nb": ["so"]}
    monotonic.now += 3000
    assert not await adapter.supports("nb", "so")
    monotonic.now += 1000
    assert await adapter.supports("nb", "so")
    assert libretranslate.asked("/languages") == 2


async def test_texts_go_in_one_request_with_the_real_api_shape(libretranslate: FakeLibreTranslate):
    libretranslate.api_key = "k3y"
    translator = LibreTranslate(libretranslate.url, "k3y")
    try:
        assert await translator.translate([REQUEST, EVENT], "nb", "fa_AF") == [
            f"[fa] {REQUEST}",
            f"[fa] {EVENT}",
        ]
    finally:
        await translator.close()
    [request] = libretranslate.translations
    assert request.body == {
        "q": [REQUEST, EVENT],
        "source": "nb",
        "target": "fa",
        "format": "text",
        "api_key": "k3y",
    }


async def test_blank_texts_are_not_sent(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    assert await adapter.translate(["", REQUEST, "  "], "nb", "uk") == [
        "",
        f"[uk] {REQUEST}",
        "  ",
    ]
    assert libretranslate.translations[0].texts == [REQUEST]
    assert await adapter.translate([], "nb", "uk") == []
    assert len(libretranslate.translations) == 1


async def test_requests_stay_within_the_character_limit_the_server_names(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    libretranslate.char_limit = 70
    texts = [REQUEST, "Kaffe.", EVENT, "Kake."]  # 61, 6, 64 and 5 characters
    assert await adapter.translate(texts, "nb", "pl") == [f"[pl] {text}" for text in texts]
    assert [request.texts for request in libretranslate.translations] == [
        [REQUEST, "Kaffe."],
        [EVENT, "Kake."],
    ]


async def test_a_text_over_the_limit_is_split_at_sentences_and_joined_again(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    libretranslate.char_limit = 70
    long = f"{REQUEST} {EVENT}\n\n{REQUEST}"
    personal(long)
    [translated] = await adapter.translate([long], "nb", "uk")
    assert translated == f"[uk] {REQUEST} [uk] {EVENT}\n\n[uk] {REQUEST}"
    pieces = [t for request in libretranslate.translations for t in request.texts]
    assert pieces == [REQUEST, EVENT, REQUEST]


async def test_a_limit_the_server_does_not_tell_is_learned_from_its_refusal(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    libretranslate.char_limit = 70
    libretranslate.tells_char_limit = False
    texts = [REQUEST, EVENT]
    assert await adapter.translate(texts, "nb", "uk") == [f"[uk] {text}" for text in texts]
    refused, *passed = libretranslate.translations
    assert refused.texts == texts
    assert [request.texts for request in passed] == [[REQUEST], [EVENT]]
    # Learned for good: the next call sends nothing the server refuses.
    assert await adapter.translate([EVENT, REQUEST], "nb", "lt") == [
        f"[lt] {EVENT}",
        f"[lt] {REQUEST}",
    ]
    assert len(libretranslate.translations) == 5


async def test_a_batch_limit_is_learned_from_its_refusal(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    libretranslate.batch_limit = 2
    texts = ["Hei", "Takk", "Velkommen", "Kaffe", "Kake"]
    assert await adapter.translate(texts, "nb", "en") == [f"[en] {text}" for text in texts]
    refused, *passed = libretranslate.translations
    assert len(refused.texts) == 5
    assert [len(request.texts) for request in passed] == [2, 2, 1]


def test_split_text_keeps_every_character():
    text = "Første avsnitt. Andre setning!\nTredje linje med et ganske langt ord: Kaffekoppholder"
    for limit in (5, 12, 20, 40, 200):
        pieces, separators = split_text(text, limit)
        assert all(0 < len(piece) <= limit for piece in pieces)
        assert len(separators) == len(pieces) - 1
        joined = pieces[0] + "".join(s + p for s, p in zip(separators, pieces[1:], strict=True))
        assert joined == text


@pytest.mark.parametrize(
    ("failure", "cause"),
    [
        ("error", "failed (HTTP 500)"),
        ("slow down", "asks to slow down (HTTP 429)"),
        (
            "banned",
            "refused the request (HTTP 403): a wrong LIBRETRANSLATE_API_KEY, or banned for too "
            "many requests",
        ),
        ("not json", "answered with something not JSON"),
    ],
)
async def test_every_failure_is_one_line_without_the_text(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate, failure: str, cause: str
):
    assert await adapter.supports("nb", "uk")
    libretranslate.failure = failure  # type: ignore[assignment]
    with pytest.raises(TranslatorUnavailable) as raised:
        await adapter.translate([REQUEST], "nb", "uk")
    message = str(raised.value)
    port = libretranslate.port
    assert message == f"LIBRETRANSLATE_URL: LibreTranslate at 127.0.0.1:{port} {cause}"
    # Nothing chained either, whose message a traceback would show.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or raised.value.__suppress_context__


async def test_a_wrong_or_missing_api_key_is_named(libretranslate: FakeLibreTranslate):
    libretranslate.api_key = "right"
    for key, cause in (
        (
            "wrong",
            "refused the request (HTTP 403): a wrong LIBRETRANSLATE_API_KEY, or banned for too "
            "many requests",
        ),
        (None, "asks for an API key (HTTP 400): set LIBRETRANSLATE_API_KEY"),
    ):
        translator = LibreTranslate(libretranslate.url, key)
        try:
            with pytest.raises(TranslatorUnavailable) as raised:
                await translator.translate([REQUEST], "nb", "uk")
        finally:
            await translator.close()
        assert str(raised.value).endswith(cause)
        assert REQUEST not in str(raised.value) and "right" not in str(raised.value)


async def test_a_pair_the_server_lacks_is_refused_without_a_request(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    with pytest.raises(TranslatorUnavailable, match="does not translate nb to so"):
        await adapter.translate([REQUEST], "nb", "so")
    assert libretranslate.translations == []


async def test_a_server_that_does_not_answer_in_time(libretranslate: FakeLibreTranslate):
    translator = LibreTranslate(libretranslate.url, timeout=0.2)
    try:
        assert await translator.supports("nb", "uk")
        libretranslate.failure = "slow"
        with pytest.raises(TranslatorUnavailable, match=r"did not answer within 0.2 s$"):
            await translator.translate([REQUEST], "nb", "uk")
    finally:
        await translator.close()


async def test_a_server_out_of_reach_supports_nothing_and_is_asked_again_later(
    reserved_port: int, monotonic: Clock, caplog: pytest.LogCaptureFixture
):
    # The reserved port: bound and never listening, so a connection is refused.
    translator = LibreTranslate(f"http://127.0.0.1:{reserved_port}", monotonic=monotonic)
    try:
        with caplog.at_level(logging.WARNING, logger="naboskap.machine_translation"):
            assert not await translator.supports("nb", "uk")
            assert not await translator.supports("nb", "pl")  # not asked again at once
            with pytest.raises(TranslatorUnavailable) as raised:
                await translator.translate([REQUEST], "nb", "uk")
        assert str(raised.value) == (
            f"LIBRETRANSLATE_URL: LibreTranslate at 127.0.0.1:{reserved_port} is out of reach "
            "(connection refused)"
        )
        [warning] = [r.getMessage() for r in caplog.records if r.name.startswith("naboskap")]
        assert warning.endswith("(connection refused); asking again in 60 s")
        async with FakeLibreTranslate(reserved_port) as server:
            monotonic.now += 61
            assert await translator.supports("nb", "uk")
            assert await translator.translate(["Hei"], "nb", "uk") == ["[uk] Hei"]
            assert server.asked("/languages") == 1
    finally:
        await translator.close()


async def test_the_last_known_languages_serve_while_the_server_is_down(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate, monotonic: Clock
):
    assert await adapter.supports("nb", "uk")
    libretranslate.failure = "error"
    monotonic.now += 4000
    assert await adapter.supports("nb", "uk")  # the list of an hour ago is still true
    with pytest.raises(TranslatorUnavailable, match=r"failed \(HTTP 500\)"):
        await adapter.translate([REQUEST], "nb", "uk")


async def test_a_server_found_down_is_not_asked_again_for_a_minute(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate, monotonic: Clock
):
    assert await adapter.supports("nb", "uk")
    libretranslate.failure = "slow down"
    with pytest.raises(TranslatorUnavailable, match=r"asks to slow down \(HTTP 429\)$"):
        await adapter.translate([REQUEST], "nb", "uk")
    libretranslate.failure = None
    # Each reader would otherwise wait for it in turn: refused at once, without a request.
    with pytest.raises(TranslatorUnavailable) as raised:
        await adapter.translate([EVENT], "nb", "pl")
    assert str(raised.value).endswith("(HTTP 429); not asked again for a minute")
    assert len(libretranslate.translations) == 1
    monotonic.now += 61
    assert await adapter.translate([EVENT], "nb", "pl") == [f"[pl] {EVENT}"]


async def test_an_engine_failure_does_not_stop_other_translations(
    adapter: LibreTranslate, libretranslate: FakeLibreTranslate
):
    libretranslate.fail_targets = {"uk"}
    with pytest.raises(TranslatorUnavailable, match=r"failed \(HTTP 500\)$"):
        await adapter.translate([REQUEST], "nb", "uk")
    assert await adapter.translate([REQUEST], "nb", "pl") == [f"[pl] {REQUEST}"]
