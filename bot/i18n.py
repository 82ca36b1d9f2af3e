"""Catalogs, locale negotiation and locale-aware formatting.

The core renders messages for people other than the one who is talking to the bot (notices,
digests, SMS), so translation is a plain object here rather than a per-update context var:
`Catalogs.translator(locale)` gives a `Translator` for any resident's language.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

SHIPPED_LOCALES: tuple[str, ...] = ("nb", "en", "uk", "pl", "lt", "ar", "so", "ti", "fa_AF")

# Language names are shown to people who cannot yet read the bot's language, so every
# language is named in itself, never translated.
NATIVE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "nb": "Norsk (bokmål)",
        "en": "English",
        "uk": "Українська",
        "pl": "Polski",
        "lt": "Lietuvių",
        "ar": "العربية",
        "so": "Soomaali",
        "ti": "ትግርኛ",
        "fa_AF": "دری",
    }
)

# Telegram reports the app language as an IETF tag ("no", "nn", "en-GB", "fa"). Babel treats
# no/nn/nb as different locales, and Dari speakers' phones say "fa" or "prs".
_ALIASES: Mapping[str, str] = MappingProxyType(
    {"no": "nb", "nn": "nb", "nb": "nb", "fa": "fa_AF", "prs": "fa_AF"}
)

# Telegram's setMyCommands takes a two-letter ISO 639-1 code; these are the codes whose
# users should see each shipped locale's command menu.
TELEGRAM_LANGUAGE_CODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "nb": ("nb", "no", "nn"),
        "en": ("en",),
        "uk": ("uk",),
        "pl": ("pl",),
        "lt": ("lt",),
        "ar": ("ar",),
        "so": ("so",),
        "ti": ("ti",),
        "fa_AF": ("fa",),
    }
)

DOMAIN = "messages"


def negotiate_locale(language_code: str | None) -> str | None:
    """The shipped locale for a Telegram `language_code`, or None when we don't ship it."""
    if not language_code:
        return None
    tag = language_code.replace("_", "-").lower()
    base = tag.split("-")[0]
    if tag in ("fa-af",):
        return "fa_AF"
    if base in _ALIASES:
        return _ALIASES[base]
    return base if base in SHIPPED_LOCALES else None


def is_rtl(locale: str) -> bool:
    return Locale.parse(locale).character_order == "right-to-left"


@functools.cache
def _day_pattern(locale: str) -> str:
    # CLDR has no "full date without the year", so take the full pattern and drop the year
    # with what belongs to it (uk "EEEE, d MMMM y 'р'." -> "EEEE, d MMMM").
    pattern = Locale.parse(locale).date_formats["full"].pattern
    return re.sub(r"\s*y+(\s*'[^']*')?[\s.,،]*", " ", pattern).strip(" ,،.")


# The digits of CLDR's numbering systems that our locales default to, where they are not
# 0-9: Dari (fa_AF) writes ۱۲ for 12. Babel knows each locale's numbering system but formats
# every number, date and time with 0-9, so we put the locale's own digits in.
_DIGITS = MappingProxyType({"arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"})


@functools.lru_cache(maxsize=32)
def _digit_table(locale: str) -> dict[int, int] | None:
    digits = _DIGITS.get(Locale.parse(locale).default_numbering_system)
    return str.maketrans("0123456789", digits) if digits else None


def native_digits(text: str, locale: str) -> str:
    """`text` with 0-9 written in `locale`'s own digits (unchanged where those are 0-9)."""
    table = _digit_table(locale)
    return text.translate(table) if table else text


@functools.lru_cache(maxsize=4096)
def _number(value: int | float, locale: str) -> str:
    # Babel's number formatting is slow next to everything else in a message; counts repeat.
    # The numbering system's own separators too: Dari groups with "٬", not ",".
    text = format_decimal(value, locale=locale, numbering_system="default")
    return native_digits(str(text), locale)


@functools.lru_cache(maxsize=256)
def _language_name(locale: str, in_locale: str) -> str:
    try:
        return Locale.parse(locale).get_display_name(Locale.parse(in_locale)) or locale
    except (ValueError, LookupError):  # not a locale Babel knows: its code is all we have
        return locale


@dataclass(frozen=True)
class Translator:
    """Gettext for one locale, with named placeholders and Babel formatting."""

    locale: str
    translations: _gettext.NullTranslations
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Oslo"))

    def gettext(self, message: str, /, **params: object) -> str:
        text = self.translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def number(self, value: int | float) -> str:
        return _number(value, self.locale)

    def format_datetime(self, moment: datetime, fmt: str = "medium") -> str:
        """A UTC (or aware) moment shown in the configured zone, in this locale."""
        text = format_datetime(moment, fmt, tzinfo=self.zone, locale=self.locale)
        return native_digits(text, self.locale)

    def format_date(self, moment: datetime, fmt: str = "long") -> str:
        text = format_date(moment.astimezone(self.zone), fmt, locale=self.locale)
        return native_digits(text, self.locale)

    def format_day(self, moment: datetime) -> str:
        """Weekday, day and month the way the locale writes them ("четвер, 3 грудня")."""
        text = format_datetime(
            moment, _day_pattern(self.locale), tzinfo=self.zone, locale=self.locale
        )
        return native_digits(text, self.locale)

    def weekday_name(self, weekday: int) -> str:
        """The name of a weekday (Monday is 0) as it stands alone ("søndag", "неділя")."""
        return str(get_day_names("wide", "stand-alone", locale=self.locale)[weekday])

    def format_time(self, moment: datetime) -> str:
        """The time of day on the 24-hour clock, in every language: Norway's clock, the one
        events are announced in and /settings shows quiet hours in (CLDR's "short" time is
        12-hour for en, ar, so and ti: "6:30 م" next to "22:00–08:00")."""
        text = format_skeleton("Hm", moment, tzinfo=self.zone, locale=self.locale)
        return native_digits(text, self.locale)

    def clock(self, minutes: int) -> str:
        """A time of day given in minutes after midnight ("22:00"), as `format_time` writes
        times: 24-hour, in the locale's digits."""
        return native_digits(f"{minutes // 60:02d}:{minutes % 60:02d}", self.locale)

    def language_name(self, locale: str) -> str:
        """The name of the language `locale` in this locale ("ukrainsk", "норвезька букмол")."""
        return _language_name(locale, self.locale)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.locale)


def _compile(po_path: Path, locale: str) -> Translations:
    # Compiling in memory at start-up means a clean checkout needs no build step and a
    # stale .mo can never hide a fixed .po.
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Catalogs:
    """Every shipped catalog, compiled once; hands out translators."""

    def __init__(
        self, locales_dir: Path, default_locale: str = "nb", zone: ZoneInfo | None = None
    ) -> None:
        self.default_locale = default_locale
        self.zone = zone or ZoneInfo("Europe/Oslo")
        self._translations: dict[str, _gettext.NullTranslations] = {}
        for locale in SHIPPED_LOCALES:
            po = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
            self._translations[locale] = (
                _compile(po, locale) if po.exists() else _gettext.NullTranslations()
            )
        self._translators = {
            loc: Translator(loc, tr, self.zone) for loc, tr in self._translations.items()
        }

    def translator(self, locale: str | None) -> Translator:
        """A translator for `locale`, falling back to the default locale."""
        return self._translators.get(locale or "", self._translators[self.default_locale])

    def each(self) -> list[Translator]:
        return [self._translators[loc] for loc in SHIPPED_LOCALES]
