"""`MachineTranslation`: what the bot asks for a machine translation, and the cache and counts
behind it.

A text is translated once per language, then reused from the database (`machine_translations`,
keyed by a hash of its language and the text, for MACHINE_TRANSLATION_CACHE_DAYS): a broadcast
to 300 Ukrainian readers, or an event card opened a hundred times, costs one request. What was
sent to the translator is counted per day, translator and language (`translation_usage`), for
`naboskap reach`.

The translator is never allowed to hold up or lose a notice: each call is bounded by
MACHINE_TRANSLATION_TIMEOUT, and a language the translator failed for is left out of the
answer, so that its readers get the original. Failures are logged in one line without the
text, which may be a resident's request for help.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError
from bot.i18n import SHIPPED_LOCALES
from bot.machine_translation import MachineTranslator, TranslatorUnavailable
from bot.machine_translation.disabled import DisabledTranslator
from bot.machine_translation.registry import load_translator
from db.queries import machine_translations as q
from db.queries.machine_translations import CachedText, UsageRow
from db.session import session_now

log = logging.getLogger("naboskap.machine_translation")

__all__ = ["MachineTranslation", "UsageRow", "forget", "text_key", "usage"]


def text_key(source: str, text: str) -> str:
    """The cache's key for a text written in `source`: its hash, never the text itself."""
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()


def _blank(text: str) -> bool:
    return not text.strip()


class MachineTranslation:
    """The configured translator behind a cache. One per core (`Core.machine_translation`)."""

    def __init__(
        self,
        translator: MachineTranslator,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        timeout: float = 10.0,
        cache_days: int = 30,
        zone: ZoneInfo | None = None,
    ) -> None:
        self.translator = translator
        self.sessionmaker = sessionmaker
        self.timeout = timeout
        self.cache_lifetime = timedelta(days=cache_days)
        self.zone = zone or ZoneInfo("UTC")
        self._keeping: set[asyncio.Task[None]] = set()
        # What is on its way into the cache, (source hash, target) -> translation: read as if
        # cached, so a text asked for again before its write commits is not paid for twice
        # (and the cache answers the same whether or not the write has finished).
        self._writing: dict[tuple[str, str], str] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> MachineTranslation:
        """The translator MACHINE_TRANSLATION names. One that cannot be built (a plug-in that
        does not load) is logged and replaced by none: the bot keeps running, untranslated."""
        try:
            translator = load_translator(settings)
        except SettingsError as error:
            log.error("%s; machine translation is off", error)
            translator = DisabledTranslator()
        return cls(
            translator,
            sessionmaker,
            timeout=settings.machine_translation_timeout,
            cache_days=settings.machine_translation_cache_days,
            zone=settings.zone,
        )

    @property
    def enabled(self) -> bool:
        """Whether a translator is configured at all (MACHINE_TRANSLATION is not `none`)."""
        return not isinstance(self.translator, DisabledTranslator)

    @property
    def translator_name(self) -> str:
        return self.translator.name

    async def translate(
        self, texts: Sequence[str], source: str, targets: Iterable[str]
    ) -> dict[str, list[str]]:
        """`texts`, written in `source`, translated into each of `targets` the translator
        supports, in order; blank texts stay as they are and are not sent.

        A language the translator does not support, failed for or did not manage within the
        timeout is left out: its readers get the original. Cached translations are used first;
        the rest are asked for (one request per language, concurrently), kept and counted.

        The cache is read and written in sessions of its own, so the caller may hold a read
        transaction; on SQLite it should not hold a write transaction meanwhile (the cache's
        write would wait for it)."""
        texts = list(texts)
        wanted = [target for target in dict.fromkeys(targets) if target != source]
        if not self.enabled or not wanted or not texts:
            return {}
        unique = [text for text in dict.fromkeys(texts) if not _blank(text)]
        try:
            found = await self._cached(unique, source, wanted)
        except (SQLAlchemyError, OSError) as error:
            # Translations are an extra: without the cache, readers get the original.
            log.warning("machine translations could not be read (%s)", type(error).__name__)
            return {}
        missing = {
            target: [text for text in unique if (target, text) not in found] for target in wanted
        }
        asked = {target: needed for target, needed in missing.items() if needed}
        fresh = await self._ask(asked, source)
        self._keep_later(fresh, source)
        result = {}
        for target in wanted:
            if target in asked and target not in fresh:
                continue  # unsupported or failed: logged, and its readers get the original
            translated = {t: found[(target, t)] for t in unique if (target, t) in found}
            if target in fresh:
                translated.update(zip(*fresh[target], strict=True))
            result[target] = [text if _blank(text) else translated[text] for text in texts]
        return result

    async def cached(self, texts: Sequence[str], source: str, target: str) -> list[str] | None:
        """`texts` in `target` from the cache alone (no request): None unless every text that
        is not blank has a translation there, when the translator is off, or when `target` is
        the language they are written in."""
        if not self.enabled or target == source:
            return None
        unique = [text for text in dict.fromkeys(texts) if not _blank(text)]
        try:
            found = await self._cached(unique, source, [target])
        except (SQLAlchemyError, OSError) as error:
            log.warning("machine translations could not be read (%s)", type(error).__name__)
            return None
        if len(found) < len(unique):
            return None
        return [text if _blank(text) else found[(target, text)] for text in texts]

    async def cached_each(
        self, texts: Sequence[str], source: str, targets: Iterable[str]
    ) -> dict[str, dict[str, str]]:
        """What the cache alone has (no request), text by text: target -> {text: translation}.
        For lists read in many languages at once (the weekly digest), where a text missing in
        one language should not cost the others theirs."""
        wanted = [target for target in dict.fromkeys(targets) if target != source]
        unique = [text for text in dict.fromkeys(texts) if not _blank(text)]
        if not self.enabled or not wanted or not unique:
            return {}
        try:
            found = await self._cached(unique, source, wanted)
        except (SQLAlchemyError, OSError) as error:
            log.warning("machine translations could not be read (%s)", type(error).__name__)
            return {}
        result: dict[str, dict[str, str]] = {}
        for (target, text), translation in found.items():
            result.setdefault(target, {})[text] = translation
        return result

    async def close(self) -> None:
        # Translations still being written to the cache are waited for (briefly): they were
        # paid for.
        if self._keeping:
            await asyncio.wait(self._keeping, timeout=self.timeout)
        await self.translator.close()

    def _keep_later(self, fresh: dict[str, tuple[list[str], list[str]]], source: str) -> None:
        """Cache and count what was just translated without making the caller wait: a caller
        may hold SQLite's write lock (an SMS turn has counted the text against the rate limit
        in its own transaction), and a cache write in a session of our own would wait for that
        lock while the caller waits for us — until the busy timeout. In a task of its own the
        write simply follows the caller's commit."""
        if not fresh:
            return
        keys = {
            (text_key(source, text), target): translation
            for target, (texts, translations) in fresh.items()
            for text, translation in zip(texts, translations, strict=True)
        }
        self._writing.update(keys)

        def written(task: asyncio.Task[None]) -> None:
            self._keeping.discard(task)
            for key in keys:
                self._writing.pop(key, None)

        task = asyncio.get_running_loop().create_task(self._keep(fresh, source))
        self._keeping.add(task)
        task.add_done_callback(written)

    async def settled(self) -> None:
        """Wait until the translations asked for so far are in the cache (tests, close)."""
        while self._keeping:
            await asyncio.wait(set(self._keeping))

    # ---- the cache

    async def _cached(
        self, texts: list[str], source: str, targets: list[str]
    ) -> dict[tuple[str, str], str]:
        """(target, text) -> translation, for those the cache has and has not yet expired."""
        if not texts:
            return {}
        by_key = {text_key(source, text): text for text in texts}
        async with self.sessionmaker() as session:
            rows = await q.cached(
                session, list(by_key), targets, session_now(session) - self.cache_lifetime
            )
        found = {(row.target, by_key[row.source_hash]): row.text for row in rows}
        for key, text in by_key.items():
            for target in targets:
                writing = self._writing.get((key, target))
                if writing is not None:
                    found.setdefault((target, text), writing)
        return found

    async def _keep(self, fresh: dict[str, tuple[list[str], list[str]]], source: str) -> None:
        """Cache what was just translated and count it. A failure here loses nothing but the
        cache: the reader still gets the translation."""
        if not fresh:
            return
        try:
            async with self.sessionmaker() as session:
                now = session_now(session)
                day = now.astimezone(self.zone).date()
                rows = [
                    CachedText(text_key(source, text), target, translation)
                    for target, (texts, translations) in fresh.items()
                    for text, translation in zip(texts, translations, strict=True)
                ]
                await q.keep(session, rows, now)
                for target, (texts, _) in fresh.items():
                    characters = sum(len(text) for text in texts)
                    await q.add_usage(
                        session, day, self.translator_name, target, len(texts), characters
                    )
                await session.commit()
        except (SQLAlchemyError, OSError) as error:
            log.warning(
                "machine translations could not be kept (%s); they will be asked for again",
                type(error).__name__,
            )

    # ---- the translator

    async def _ask(
        self, asked: dict[str, list[str]], source: str
    ) -> dict[str, tuple[list[str], list[str]]]:
        """target -> (texts, translations) for each target the translator supports and
        translated within the timeout; the others are logged (those it does not support are
        simply left out)."""
        if not asked:
            return {}
        tasks = {
            target: asyncio.create_task(
                self._one(texts, source, target), name=f"machine-translation-{target}"
            )
            for target, texts in asked.items()
        }
        try:
            _, pending = await asyncio.wait(tasks.values(), timeout=self.timeout)
        finally:
            # Past the timeout, or when the caller is cancelled: no request outlives the call.
            for task in tasks.values():
                task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        fresh = {}
        for target, task in tasks.items():
            texts = asked[target]
            if task in pending or task.cancelled():
                self._failed(source, target, f"no answer within {self.timeout:g} s")
                continue
            error = task.exception()
            if isinstance(error, TranslatorUnavailable):
                self._failed(source, target, str(error))
            elif error is not None:
                # Only the type: a plug-in's message might quote the text.
                self._failed(source, target, f"unexpected {type(error).__name__}", logging.ERROR)
            elif (translations := task.result()) is None:
                pass  # not a pair the translator knows
            elif len(translations) != len(texts) or not all(
                isinstance(t, str) for t in translations
            ):
                self._failed(source, target, f"answered {len(translations)} of {len(texts)} texts")
            else:
                fresh[target] = (texts, translations)
        return fresh

    async def _one(self, texts: list[str], source: str, target: str) -> list[str] | None:
        if not await self.translator.supports(source, target):
            return None
        return await self.translator.translate(texts, source, target)

    def _failed(self, source: str, target: str, why: str, level: int = logging.WARNING) -> None:
        log.log(
            level,
            "machine translation %s to %s by %s failed: %s; readers get the original",
            source,
            target,
            self.translator_name,
            why,
        )


async def forget(
    session: AsyncSession, texts: Iterable[str], sources: Iterable[str] = SHIPPED_LOCALES
) -> int:
    """Delete the cached translations of these texts, for erasure: a resident's words must
    not outlive them in another language. The language they were written in is rarely at
    hand where a text is erased, so by default every shipped language is tried. Done in the
    caller's session (and committed with the erasure); returns how many translations went."""
    languages = list(sources)
    return await q.forget(
        session, (text_key(source, text) for text in texts for source in languages)
    )


async def usage(session: AsyncSession, since: date) -> list[UsageRow]:
    """What each translator translated into each language from the day `since` on: texts and
    characters of source text sent (a cache hit sends nothing and counts nothing)."""
    return await q.usage(session, since)
