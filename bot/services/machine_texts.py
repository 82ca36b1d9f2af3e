"""Machine translations as readers meet them: which readers get one, and how it is marked.

Every kind of content (events, help requests, broadcasts, network descriptions) asks the same
thing before it renders for its readers: for the languages among them that have no human
translation, what does the configured translator give? `for_readers` answers that in one call
per piece of content (a batch of its texts, one request per language, cached), and is called
before the caller writes anything, so a slow translator never holds SQLite's write lock.
A reader whose language the translator lacks, or who meets a translator that failed, gets
the original with "Written in …", as without machine translation."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.delivery.messages import Button
from bot.i18n import Translator
from bot.services.actions import OriginalOf, ShowOriginal

if TYPE_CHECKING:  # the service imports the database layer; views only need its type
    from bot.machine_translation.service import MachineTranslation
    from db.queries.outbox import RecipientRow

# Texts by reader locale, in the order they were asked for.
ByLocale = Mapping[str, tuple[str, ...]]
NONE: ByLocale = MappingProxyType({})


async def for_readers(
    machine: MachineTranslation | None,
    texts: Sequence[str],
    source: str,
    readers: Iterable[str],
    human: Collection[str] = (),
    *,
    cached_only: bool = False,
) -> ByLocale:
    """`texts` translated into each reader locale that is neither `source` nor one of the
    `human` translations; locales the translator could not serve are left out. With
    `cached_only`, only what is cached already, without asking the translator: for work that
    runs inside a write transaction (the reminders), where waiting on a request would hold
    every other writer up."""
    if machine is None or not machine.enabled or not any(texts):
        return NONE
    wanted = {locale for locale in readers if locale != source and locale not in human}
    if not wanted:
        return NONE
    if cached_only:
        cached = {locale: await machine.cached(list(texts), source, locale) for locale in wanted}
        return MappingProxyType({k: tuple(v) for k, v in cached.items() if v is not None})
    found = await machine.translate(list(texts), source, wanted)
    return MappingProxyType({locale: tuple(found[locale]) for locale in found})


def reader_locales(recipients: Iterable[RecipientRow], default_locale: str) -> set[str]:
    """The languages a notice's recipients read it in."""
    return {r.locale or default_locale for r in recipients}


def machine_note(t: Translator, source: str | None) -> str:
    """The mark under machine-translated words (plain text; callers italicize)."""
    if not source:
        return t.gettext("🤖 Machine-translated.")
    return t.gettext("🤖 Machine-translated from {language}.", language=t.language_name(source))


def original_button(t: Translator, kind: OriginalOf, item_id: int) -> Button:
    return Button(t.gettext("🔤 Show original"), ShowOriginal(kind, item_id))
