"""`MachineTranslation`, what the bot uses: translations into each reader language the
translator has, from the cache where it can, counted; a failing or slow translator leaves its
languages out (their readers get the original) and never the text in a log line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import Clock
from bot.core import Core, build_core
from bot.machine_translation import TranslatorUnavailable
from bot.machine_translation.libretranslate import LibreTranslate
from bot.machine_translation.service import MachineTranslation, UsageRow, forget, text_key, usage
from bot.services import retention
from db.models import MachineTranslation as CachedTranslation
from db.queries import machine_translations as mq
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.log_guard import personal
from tests.support.settings import make_settings

REQUEST = "Trenger hjelp med å bære en sofa til tredje etasje på lørdag."
EVENT = "Dugnad i parken: vi rydder, planter blomster og griller etterpå."


@pytest.fixture(autouse=True)
def _texts_are_personal() -> None:
    personal(REQUEST, EVENT)


async def _cached_rows(core: Core) -> int:
    async with core.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(CachedTranslation)) or 0)


async def _usage(core: Core) -> list[UsageRow]:
    async with core.sessionmaker() as session:
        return await usage(session, core.clock.now().date() - timedelta(days=1))


async def test_texts_are_translated_into_each_reader_language(
    core: Core, libretranslate: FakeLibreTranslate
):
    machine = core.machine_translation
    assert machine.enabled and machine.translator_name == "libretranslate"
    result = await machine.translate([EVENT, "", REQUEST, EVENT], "nb", ["uk", "nb", "fa_AF"])
    await machine.settled()  # the cache is written after
    assert result == {
        "uk": [f"[uk] {EVENT}", "", f"[uk] {REQUEST}", f"[uk] {EVENT}"],
        "fa_AF": [f"[fa] {EVENT}", "", f"[fa] {REQUEST}", f"[fa] {EVENT}"],
    }
    # One request per language, each text once, the blank one not at all.
    assert sorted((r.body["target"], r.texts) for r in libretranslate.translations) == [
        ("fa", [EVENT, REQUEST]),
        ("uk", [EVENT, REQUEST]),
    ]
    characters = len(EVENT) + len(REQUEST)
    assert await _usage(core) == [
        UsageRow("libretranslate", "fa_AF", 2, characters),
        UsageRow("libretranslate", "uk", 2, characters),
    ]


async def test_a_cached_translation_is_not_asked_for_again(
    core: Core, libretranslate: FakeLibreTranslate
):
    machine = core.machine_translation
    await machine.translate([EVENT], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    requests = len(libretranslate.requests)
    again = await machine.translate([EVENT], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    assert again == {"uk": [f"[uk] {EVENT}"]}
    assert len(libretranslate.requests) == requests  # not even the list of languages
    # Only the new text and the new language are asked for; only they are counted.
    both = await machine.translate([EVENT, REQUEST], "nb", ["uk", "pl"])
    await machine.settled()  # the cache is written after
    assert both["uk"] == [f"[uk] {EVENT}", f"[uk] {REQUEST}"]
    assert both["pl"] == [f"[pl] {EVENT}", f"[pl] {REQUEST}"]
    assert sorted((r.body["target"], r.texts) for r in libretranslate.translations[1:]) == [
        ("pl", [EVENT, REQUEST]),
        ("uk", [REQUEST]),
    ]
    assert await _usage(core) == [
        UsageRow("libretranslate", "pl", 2, len(EVENT) + len(REQUEST)),
        UsageRow("libretranslate", "uk", 2, len(EVENT) + len(REQUEST)),
    ]


async def test_the_cache_alone_answers_the_cheap_path(
    core: Core, libretranslate: FakeLibreTranslate
):
    machine = core.machine_translation
    assert await machine.cached([EVENT], "nb", "uk") is None
    await machine.translate([EVENT, REQUEST], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    requests = len(libretranslate.requests)
    assert await machine.cached([REQUEST, "", EVENT], "nb", "uk") == [
        f"[uk] {REQUEST}",
        "",
        f"[uk] {EVENT}",
    ]
    assert await machine.cached([EVENT, "Noe annet"], "nb", "uk") is None  # one is missing
    assert await machine.cached([EVENT], "nb", "pl") is None
    assert await machine.cached([EVENT], "nb", "nb") is None  # its own language
    assert await machine.cached([EVENT], "uk", "uk") is None
    assert len(libretranslate.requests) == requests


async def test_a_language_the_translator_lacks_is_left_out(
    core: Core, libretranslate: FakeLibreTranslate, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING, logger="naboskap"):
        result = await core.machine_translation.translate([EVENT], "nb", ["so", "ti", "en"])
        await core.machine_translation.settled()  # the cache is written after
    assert result == {"en": [f"[en] {EVENT}"]}
    assert [r.body["target"] for r in libretranslate.translations] == ["en"]
    assert not [r for r in caplog.records if r.name.startswith("naboskap")]  # not a failure


async def test_a_failing_language_is_left_out_and_logged_without_the_text(
    core: Core, libretranslate: FakeLibreTranslate, caplog: pytest.LogCaptureFixture
):
    libretranslate.fail_targets = {"uk"}
    with caplog.at_level(logging.WARNING, logger="naboskap"):
        result = await core.machine_translation.translate([REQUEST], "nb", ["uk", "pl"])
        await core.machine_translation.settled()  # the cache is written after
    assert result == {"pl": [f"[pl] {REQUEST}"]}
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("naboskap")]
    assert line == (
        "machine translation nb to uk by libretranslate failed: LIBRETRANSLATE_URL: "
        f"LibreTranslate at 127.0.0.1:{libretranslate.port} failed (HTTP 500); readers get "
        "the original"
    )
    # Nothing kept or counted for the failed language: it is asked for again next time.
    assert [row.target for row in await _usage(core)] == ["pl"]
    libretranslate.fail_targets = set()
    assert await core.machine_translation.translate([REQUEST], "nb", ["uk"]) == {
        "uk": [f"[uk] {REQUEST}"]
    }


async def test_a_slow_translator_is_given_up_on_within_the_timeout(
    core: Core, libretranslate: FakeLibreTranslate, caplog: pytest.LogCaptureFixture
):
    # The adapter's own timeout is out of the way: the call's is what gives up here.
    translator = LibreTranslate(libretranslate.url, timeout=60)
    machine = MachineTranslation(translator, core.sessionmaker, timeout=0.3)
    try:
        assert await machine.translate([EVENT], "nb", ["pl"]) == {"pl": [f"[pl] {EVENT}"]}
        libretranslate.failure = "slow"
        with caplog.at_level(logging.WARNING, logger="naboskap"):
            assert await machine.translate([REQUEST], "nb", ["uk", "pl"]) == {}
        lines = sorted(r.getMessage() for r in caplog.records if r.name.startswith("naboskap"))
        assert lines == [
            f"machine translation nb to {target} by libretranslate failed: no answer within "
            "0.3 s; readers get the original"
            for target in ("pl", "uk")
        ]
        # The cache still answers at once: only texts it lacks wait for the translator.
        assert await machine.translate([EVENT], "nb", ["pl"]) == {"pl": [f"[pl] {EVENT}"]}
    finally:
        await machine.close()


class _Broken:
    """A plug-in with a bug: its exception's message quotes the text."""

    name = "broken"

    async def supports(self, source: str, target: str) -> bool:
        return True

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if target == "uk":
            raise KeyError(texts[0])
        if target == "pl":
            return []  # one answer short
        raise TranslatorUnavailable("broken is down")

    async def close(self) -> None:
        pass


async def test_a_buggy_plug_in_loses_no_notice_and_logs_no_text(
    core: Core, caplog: pytest.LogCaptureFixture
):
    machine = MachineTranslation(_Broken(), core.sessionmaker)
    with caplog.at_level(logging.WARNING, logger="naboskap"):
        assert await machine.translate([REQUEST], "nb", ["uk", "pl", "en"]) == {}
    lines = sorted(
        (r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("naboskap")
    )
    assert lines == [
        (
            "ERROR",
            "machine translation nb to uk by broken failed: unexpected KeyError; readers get "
            "the original",
        ),
        (
            "WARNING",
            "machine translation nb to en by broken failed: broken is down; readers get the "
            "original",
        ),
        (
            "WARNING",
            "machine translation nb to pl by broken failed: answered 0 of 1 texts; readers "
            "get the original",
        ),
    ]


async def test_off_translates_nothing_and_asks_nothing(database_url: str):
    core = build_core(make_settings(database_url, "http://127.0.0.1:9"))
    try:
        machine = core.machine_translation
        assert not machine.enabled and machine.translator_name == "none"
        assert await machine.translate([EVENT], "nb", ["uk"]) == {}
        assert await machine.cached([EVENT], "nb", "uk") is None
    finally:
        await core.close()


async def test_the_same_text_translated_at_once_twice_is_kept_once(
    core: Core, libretranslate: FakeLibreTranslate
):
    machine = core.machine_translation
    await machine.translate(["Hei"], "nb", ["en"])  # the languages are known
    first, second = await asyncio.gather(
        machine.translate([EVENT], "nb", ["uk"]), machine.translate([EVENT], "nb", ["uk"])
    )
    assert first == second == {"uk": [f"[uk] {EVENT}"]}
    await machine.settled()  # the cache is written after
    assert await _cached_rows(core) == 2  # Hei in English, the event in Ukrainian
    # Both were sent (neither knew of the other), so both are counted.
    sent = sum(1 for r in libretranslate.translations if r.texts == [EVENT])
    [uk] = [row for row in await _usage(core) if row.target == "uk"]
    assert (uk.texts, uk.characters) == (sent, sent * len(EVENT))


async def test_translations_expire_after_the_cache_days(
    core: Core, libretranslate: FakeLibreTranslate, clock: Clock
):
    machine = core.machine_translation
    await machine.translate([EVENT], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    clock.advance(timedelta(days=29))
    assert await machine.cached([EVENT], "nb", "uk") is not None
    async with core.sessionmaker() as session:
        pruned = await retention.prune(session, timedelta(days=365))
    assert pruned.machine_translations == 0
    clock.advance(timedelta(days=2))
    # Past its days a translation is not used, even before the night's clean-up removes it.
    assert await machine.cached([EVENT], "nb", "uk") is None
    async with core.sessionmaker() as session:
        pruned = await retention.prune(session, timedelta(days=365))
    assert pruned.machine_translations == 1
    assert await _cached_rows(core) == 0
    # Asked for again: a fresh translation, kept anew.
    assert await machine.translate([EVENT], "nb", ["uk"]) == {"uk": [f"[uk] {EVENT}"]}
    assert len(libretranslate.translations) == 2


async def test_a_shorter_cache_is_pruned_sooner(core: Core, clock: Clock):
    await core.machine_translation.translate([EVENT], "nb", ["uk"])
    await core.machine_translation.settled()  # the cache is written after
    clock.advance(timedelta(days=8))
    async with core.sessionmaker() as session:
        pruned = await retention.prune(
            session, timedelta(days=365), translation_cache=timedelta(days=7)
        )
    assert pruned.machine_translations == 1


async def test_forgetting_a_text_removes_its_translations(core: Core):
    machine = core.machine_translation
    await machine.translate([REQUEST, EVENT], "nb", ["uk", "pl"])
    await machine.settled()  # the cache is written after
    await machine.translate([REQUEST], "uk", ["nb"])  # the same words written in Ukrainian
    await machine.settled()
    async with core.sessionmaker() as session:
        assert await forget(session, [REQUEST]) == 3  # into uk and pl, and from uk
        await session.commit()
    assert await machine.cached([REQUEST], "nb", "uk") is None
    assert await machine.cached([EVENT], "nb", "uk") == [f"[uk] {EVENT}"]
    async with core.sessionmaker() as session:
        assert await forget(session, [EVENT], ["uk"]) == 0  # written in nb, not uk
        assert await forget(session, [EVENT], ["nb"]) == 2


def test_the_cache_key_is_a_hash_of_language_and_text():
    key = text_key("nb", REQUEST)
    assert len(key) == 64 and REQUEST not in key
    assert key != text_key("uk", REQUEST)
    assert key == text_key("nb", REQUEST)


async def test_usage_is_counted_per_day_in_the_municipality_zone(core: Core, clock: Clock):
    machine = core.machine_translation
    await machine.translate([EVENT], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    clock.advance(timedelta(days=1))
    await machine.translate([REQUEST], "nb", ["uk"])
    await machine.settled()  # the cache is written after
    async with core.sessionmaker() as session:
        today = clock.now().astimezone(core.settings.zone).date()
        assert await usage(session, today) == [UsageRow("libretranslate", "uk", 1, len(REQUEST))]
        assert await usage(session, today - timedelta(days=1)) == [
            UsageRow("libretranslate", "uk", 2, len(REQUEST) + len(EVENT))
        ]


async def test_keeping_and_counting_twice_at_once_is_harmless(core: Core):
    """What two processes that translated the same text at the same moment do: the second
    insert of the translation is a no-op, and both counts add up."""
    row = mq.CachedText(text_key("nb", EVENT), "uk", f"[uk] {EVENT}")
    today = core.clock.now().date()
    for _ in range(2):
        async with core.sessionmaker() as session:
            await mq.keep(session, [row], core.clock.now())
            await mq.add_usage(session, today, "libretranslate", "uk", 1, len(EVENT))
            await session.commit()
    assert await _cached_rows(core) == 1
    assert await _usage(core) == [UsageRow("libretranslate", "uk", 2, 2 * len(EVENT))]


async def test_a_translation_on_its_way_into_the_cache_answers_at_once(
    core: Core, libretranslate: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch
):
    # The cache write follows the caller (a task of its own); until it commits, the same text
    # asked for again is answered from what is being written, not paid for twice.
    machine = core.machine_translation
    release = asyncio.Event()
    keep = machine._keep

    async def slow_keep(fresh: dict[str, tuple[list[str], list[str]]], source: str) -> None:
        await release.wait()
        await keep(fresh, source)

    monkeypatch.setattr(machine, "_keep", slow_keep)
    assert await machine.translate([EVENT], "nb", ["uk"]) == {"uk": [f"[uk] {EVENT}"]}
    asked = len(libretranslate.translations)
    assert await _cached_rows(core) == 0  # still on its way
    assert await machine.translate([EVENT], "nb", ["uk"]) == {"uk": [f"[uk] {EVENT}"]}
    assert await machine.cached([EVENT], "nb", "uk") == [f"[uk] {EVENT}"]
    assert len(libretranslate.translations) == asked
    release.set()
    await machine.settled()
    assert await _cached_rows(core) == 1
    assert machine._writing == {}
