"""Finding the translator MACHINE_TRANSLATION names: `none` by default, LibreTranslate built in,
others through the entry point group; every mistake one line naming the setting."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib.metadata import EntryPoint

import pytest

from bot.catalog_maintenance import PROJECT
from bot.config import Settings, SettingsError, load_settings
from bot.core import build_core
from bot.machine_translation import MachineTranslator, registry
from bot.machine_translation.disabled import DisabledTranslator
from bot.machine_translation.libretranslate import LibreTranslate


def _settings(**overrides: object) -> Settings:
    return load_settings(_env_file=None, **overrides)


class _Acme:
    """A third party's translator, as a plug-in package would register it."""

    name = "acme"

    async def supports(self, source: str, target: str) -> bool:
        return True

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [f"acme: {text}" for text in texts]

    async def close(self) -> None:
        pass


def _acme(settings: Settings) -> _Acme:
    return _Acme()


def _not_a_translator(settings: Settings) -> object:
    return object()


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [
        EntryPoint("acme", f"{__name__}:_acme", registry.GROUP),
        EntryPoint("broken", f"{__name__}:_not_a_translator", registry.GROUP),
        EntryPoint("missing", "no_such_module:create", registry.GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: points)


async def test_none_is_the_default_and_supports_nothing():
    settings = _settings()
    assert settings.machine_translation == "none"
    translator = registry.load_translator(settings)
    assert isinstance(translator, DisabledTranslator)
    assert isinstance(translator, MachineTranslator)
    assert not await translator.supports("nb", "uk")


async def test_libretranslate_is_built_from_its_settings():
    settings = _settings(
        machine_translation="LibreTranslate",
        libretranslate_url="http://127.0.0.1:5000/",
        libretranslate_api_key="k3y",
        machine_translation_timeout=3,
    )
    translator = registry.load_translator(settings)
    assert isinstance(translator, LibreTranslate)
    assert (translator.name, translator.url) == ("libretranslate", "http://127.0.0.1:5000")
    assert (translator.api_key, translator.timeout) == ("k3y", 3)
    await translator.close()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"machine_translation": "deepl"},
            "MACHINE_TRANSLATION is invalid: no translator named 'deepl' "
            "(known: libretranslate, none)",
        ),
        (
            {"machine_translation": "two words"},
            "MACHINE_TRANSLATION is invalid: a translator name such as none or libretranslate",
        ),
        (
            {"machine_translation": "libretranslate"},
            "LIBRETRANSLATE_URL is invalid: missing: MACHINE_TRANSLATION=libretranslate needs the "
            "server's URL, e.g. http://127.0.0.1:5000",
        ),
        (
            {"machine_translation": "libretranslate", "libretranslate_url": "localhost:5000"},
            "LIBRETRANSLATE_URL is invalid: must start with http:// or https://",
        ),
        ({"machine_translation_timeout": 0}, "MACHINE_TRANSLATION_TIMEOUT is invalid"),
        ({"machine_translation_timeout": 600}, "MACHINE_TRANSLATION_TIMEOUT is invalid"),
        ({"machine_translation_cache_days": 0}, "MACHINE_TRANSLATION_CACHE_DAYS is invalid"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(overrides: dict[str, object], message: str):
    with pytest.raises(SettingsError) as raised:
        _settings(**overrides)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MACHINE_TRANSLATION", "libretranslate")
    monkeypatch.setenv("LIBRETRANSLATE_URL", "https://translate.example.org")
    monkeypatch.setenv("LIBRETRANSLATE_API_KEY", "s3cret")
    settings = _settings()
    assert settings.libretranslate_url == "https://translate.example.org"
    assert settings.libretranslate_api_key is not None
    assert "s3cret" not in repr(settings)  # a secret, never shown
    assert (settings.machine_translation_timeout, settings.machine_translation_cache_days) == (
        10,
        30,
    )


@pytest.mark.usefixtures("plugins")
async def test_a_third_party_translator_plugs_in_through_the_entry_point():
    settings = _settings(machine_translation="acme")
    translator = registry.load_translator(settings)
    assert translator.name == "acme"
    assert await translator.translate(["Hei"], "nb", "en") == ["acme: Hei"]
    # The built-ins are there even when the package metadata does not list them.
    assert set(registry.available()) == {"acme", "broken", "missing", "none", "libretranslate"}
    with pytest.raises(SettingsError, match="did not make a translator"):
        registry.load_translator(_settings(machine_translation="broken"))
    with pytest.raises(SettingsError, match=r"no_such_module:create cannot be loaded"):
        registry.load_translator(_settings(machine_translation="missing"))


@pytest.mark.usefixtures("plugins")
async def test_a_plug_in_that_does_not_load_leaves_the_bot_untranslated(
    database_url: str, caplog: pytest.LogCaptureFixture
):
    core = build_core(_settings(machine_translation="missing", database_url=database_url))
    try:
        with caplog.at_level("ERROR", logger="naboskap.machine_translation"):
            assert not core.machine_translation.enabled
        assert (
            "MACHINE_TRANSLATION is invalid: no_such_module:create cannot be loaded "
            "(ModuleNotFoundError); machine translation is off"
        ) in caplog.text
        assert await core.machine_translation.translate(["Hei"], "nb", ["uk"]) == {}
    finally:
        await core.close()


def test_the_built_ins_are_registered_as_entry_points():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    points = project["project"]["entry-points"][registry.GROUP]
    assert points == registry.BUILT_IN


async def test_the_core_builds_the_translator_once_and_closes_it(database_url: str):
    core = build_core(_settings(database_url=database_url))
    assert "machine_translation" not in core.__dict__  # nothing built for a command that
    await core.close()  # translates nothing, and nothing to close
    core = build_core(
        _settings(
            database_url=database_url,
            machine_translation="libretranslate",
            libretranslate_url="http://127.0.0.1:5000",
        )
    )
    translation = core.machine_translation
    assert translation is core.machine_translation
    assert translation.enabled and translation.translator_name == "libretranslate"
    closed = []

    async def close() -> None:
        closed.append(True)

    translation.translator.close = close  # type: ignore[method-assign]
    await core.close()
    assert closed == [True]
