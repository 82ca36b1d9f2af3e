"""MACHINE_TRANSLATION=libretranslate: a LibreTranslate server (https://libretranslate.com), one
the municipality can host itself so that nothing residents write leaves its own machines.

Its API, as the server defines it (`libretranslate/app.py`):

- `GET /languages` lists `{"code", "name", "targets"}`: what it translates from and into. It is
  asked once an hour (and again a minute after a failure), not per text.
- `GET /frontend/settings` names `charLimit`, the most characters one request may carry
  (-1: no limit); servers that lack it are read as having none.
- `POST /translate` with JSON `{"q": [texts], "source", "target", "format": "text",
  "api_key"}` answers `{"translatedText": [translations]}`: several texts go in one request.
  A refusal is `{"error": "..."}` with 400 (bad request, unknown language, over a limit), 403
  (wrong API key, or banned for flooding), 429 (slow down) or 500 (the engine failed).

A request over the server's limits (`--char-limit`, `--batch-limit`) is answered 400 with "request
(N) exceeds text limit (M)": the adapter learns the limit from it and sends smaller requests,
splitting a text longer than the limit at paragraph, sentence or word boundaries.

Every failure is a `TranslatorUnavailable` whose message names LIBRETRANSLATE_URL's host and
the cause in one line. It never quotes the server's error text: LibreTranslate's own never holds
the request's text, but a proxy in front of it, or a compatible server, might.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import aiohttp

from bot.dependencies import reason, where
from bot.machine_translation import TranslatorUnavailable

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("naboskap.machine_translation.libretranslate")

# Every failure names the setting that points at the server, as the SMS gateways' do.
SETTING = "LIBRETRANSLATE_URL"

# LibreTranslate's codes for our locales, best first: the first the server lists is used.
# Others are the same code (en, uk, pl, lt, ar, so, ti): a server without them (Somali and
# Tigrinya have no Argos model yet) simply does not support them.
CODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # Argos Translate, LibreTranslate's engine, calls its Norwegian model Bokmål, "nb";
        # a server with an older or another engine may list the macrolanguage "no".
        "nb": ("nb", "no"),
        # Dari (our fa_AF) is Persian as written in Afghanistan: LibreTranslate has Persian,
        # "fa", and no Dari of its own; a server that adds Dari would list it as "prs".
        "fa_AF": ("prs", "fa"),
    }
)
# How long the list of languages (and the character limit) is trusted, and how soon a server
# that could not be asked is asked again: neither per text, nor for an hour after a blip.
LANGUAGES_TTL = 3600.0
RETRY_AFTER = 60.0
# Texts per request. LibreTranslate translates a request's texts one after another, so a large
# batch only risks the timeout; a notice or an event card has a handful.
MAX_BATCH = 16
# "Invalid request: request (1234) exceeds text limit (1000)": the size, then the limit, in
# parentheses in every language the server may answer in.
_OVER_LIMIT = re.compile(r"\((\d+)\)[^()]*\((\d+)\)")
# Where a text over the character limit is best split: paragraphs, sentences, words.
_BREAKS = (re.compile(r"\n\s*"), re.compile(r"(?<=[.!?…؟।።])\s+"), re.compile(r"\s+"))


@dataclass(frozen=True)
class Languages:
    """What a server translates: its codes, each with the codes it translates into."""

    pairs: Mapping[str, frozenset[str]]
    char_limit: int | None  # None: no limit

    def code(self, locale: str) -> str | None:
        """The server's code for one of our locales, or None when it has none."""
        return next((c for c in CODES.get(locale, (locale,)) if c in self.pairs), None)

    def translates(self, source: str, target: str) -> tuple[str, str] | None:
        """The codes for source and target when the server translates between them."""
        s, t = self.code(source), self.code(target)
        if s is None or t is None or t not in self.pairs[s]:
            return None
        return s, t


class _Down(TranslatorUnavailable):
    """The server is out of reach, too slow, overloaded or behind a failing proxy: not worth
    asking again at once (each try would cost a reader the whole timeout)."""


class _OverLimit(Exception):
    """A request refused as too large: how many texts and characters it had, and what the
    server said the request's size and limit were (None when it did not say)."""

    def __init__(self, texts: int, characters: int, size: int | None, limit: int | None):
        super().__init__("over the server's limit")
        self.texts, self.characters, self.size, self.limit = texts, characters, size, limit


class LibreTranslate:
    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        # Where, for every failure's message: the setting and host:port, never the URL itself
        # (it may carry a password).
        self.where = f"{SETTING}: LibreTranslate at {where(self.url)}"
        self._monotonic = monotonic
        self._http: aiohttp.ClientSession | None = None
        self._languages: Languages | None = None
        self._failure: str | None = None
        self._ask_again_at = 0.0
        self._asking = asyncio.Lock()
        # After the server was found down, translations are refused at once for a while.
        self._down: str | None = None
        self._down_until = 0.0
        # Limits learned from refusals, on top of what the server's settings say.
        self._char_limit: int | None = None
        self._batch_limit = MAX_BATCH

    # ---- the protocol

    async def supports(self, source: str, target: str) -> bool:
        try:
            languages = await self.languages()
        except TranslatorUnavailable:
            return False  # logged where it was found out
        return languages.translates(source, target) is not None

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if self._down is not None and self._monotonic() < self._down_until:
            raise TranslatorUnavailable(f"{self._down}; not asked again for a minute")
        try:
            return await self._translate_within_limits(texts, source, target)
        except _Down as error:
            self._rest(str(error))
            raise
        except asyncio.CancelledError:
            # Given up on by the caller (MachineTranslation's timeout): as good as too slow.
            self._rest(f"{self.where} did not answer in time")
            raise

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _rest(self, why: str) -> None:
        self._down, self._down_until = why, self._monotonic() + RETRY_AFTER

    async def _translate_within_limits(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[str]:
        codes = (await self.languages()).translates(source, target)
        if codes is None:
            raise TranslatorUnavailable(f"{self.where} does not translate {source} to {target}")
        # Each refusal as too large teaches a smaller limit, so this ends; the bound is for a
        # server whose answers make no sense.
        for _ in range(8):
            try:
                return await self._translate(list(texts), *codes)
            except _OverLimit as refusal:
                if not self._learn(refusal):
                    break
        raise TranslatorUnavailable(f"{self.where} refused a text as too long (HTTP 400)")

    # ---- the languages

    async def languages(self) -> Languages:
        """What the server translates, asked at most once an hour (and a minute after a
        failure, when the last answer, if any, is used meanwhile)."""
        if self._fresh():
            return self._known()
        async with self._asking:
            if self._fresh():  # another call asked while this one waited
                return self._known()
            try:
                languages = await self._ask_languages()
            except TranslatorUnavailable as error:
                self._ask_again_at = self._monotonic() + RETRY_AFTER
                self._failure = str(error)
                log.warning("%s; asking again in %d s", error, RETRY_AFTER)
                return self._known()
            except asyncio.CancelledError:
                # The caller gave up waiting: the next caller should not wait as long.
                self._ask_again_at = self._monotonic() + RETRY_AFTER
                self._failure = f"{self.where} did not list its languages in time"
                raise
            self._languages, self._failure = languages, None
            self._ask_again_at = self._monotonic() + LANGUAGES_TTL
            return languages

    def _fresh(self) -> bool:
        return self._monotonic() < self._ask_again_at

    def _known(self) -> Languages:
        if self._languages is None:
            raise TranslatorUnavailable(self._failure or f"{self.where} was not asked yet")
        return self._languages

    async def _ask_languages(self) -> Languages:
        listed = await self._request("GET", "/languages")
        if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
            raise TranslatorUnavailable(f"{self.where} listed its languages in an unknown shape")
        codes = [e["code"] for e in listed if isinstance(e.get("code"), str)]
        pairs: dict[str, frozenset[str]] = {}
        for entry in listed:
            code, targets = entry.get("code"), entry.get("targets")
            if not isinstance(code, str):
                continue
            if targets is None:
                # Servers before `targets` was added translated every language into every
                # other (through English).
                pairs[code] = frozenset(c for c in codes if c != code)
            elif isinstance(targets, list):
                pairs[code] = frozenset(t for t in targets if isinstance(t, str) and t != code)
        return Languages(MappingProxyType(pairs), await self._ask_char_limit())

    async def _ask_char_limit(self) -> int | None:
        try:
            settings = await self._request("GET", "/frontend/settings")
        except TranslatorUnavailable:
            return None  # not every server has it; a refusal as too large teaches it anyway
        limit = settings.get("charLimit") if isinstance(settings, dict) else None
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            return limit
        return None

    # ---- translating

    @property
    def char_limit(self) -> int | None:
        """The most characters one request may carry, as far as we know."""
        told = self._languages.char_limit if self._languages is not None else None
        known = [limit for limit in (told, self._char_limit) if limit is not None]
        return min(known) if known else None

    def _learn(self, refusal: _OverLimit) -> bool:
        """Take the limit a refusal names (or guess one); False when nothing smaller is left
        to try."""
        if refusal.size == refusal.texts and refusal.size != refusal.characters:
            # Over the number of texts per request (--batch-limit).
            limit = refusal.limit if refusal.limit is not None else refusal.texts // 2
            if 1 <= limit < refusal.texts:
                self._batch_limit = min(self._batch_limit, limit)
                return True
            return False
        if refusal.limit is not None and 1 <= refusal.limit < refusal.characters:
            self._char_limit = min(self._char_limit or refusal.limit, refusal.limit)
            return True
        if refusal.limit is None and refusal.texts > 1:
            self._batch_limit = min(self._batch_limit, refusal.texts // 2)
            return True
        return False

    async def _translate(self, texts: list[str], source: str, target: str) -> list[str]:
        limit = self.char_limit
        split = [split_text(text, limit) for text in texts]
        pieces = [piece for text_pieces, _ in split for piece in text_pieces]
        done = list(pieces)  # blank pieces stay as they are: nothing to translate
        wanted = [i for i, piece in enumerate(pieces) if piece.strip()]
        for batch in _batches(wanted, pieces, limit, self._batch_limit):
            translated = await self._post([pieces[i] for i in batch], source, target)
            for i, text in zip(batch, translated, strict=True):
                done[i] = text
        result, at = [], 0
        for text_pieces, separators in split:
            parts = done[at : at + len(text_pieces)]
            at += len(text_pieces)
            result.append(
                parts[0] + "".join(s + p for s, p in zip(separators, parts[1:], strict=True))
            )
        return result

    async def _post(self, texts: list[str], source: str, target: str) -> list[str]:
        body: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = await self._request("POST", "/translate", body, sent=texts)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if (
            not isinstance(translated, list)
            or len(translated) != len(texts)
            or not all(isinstance(t, str) for t in translated)
        ):
            raise TranslatorUnavailable(f"{self.where} answered in an unknown shape")
        return translated

    # ---- HTTP

    def _session(self) -> aiohttp.ClientSession:
        # Opened on first use, inside the event loop (the adapter is built outside one).
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                # The server's error messages in English, which `_OVER_LIMIT` reads best.
                headers={"Accept": "application/json", "Accept-Language": "en"},
            )
        return self._http

    async def _request(
        self, method: str, path: str, body: Any = None, sent: Sequence[str] = ()
    ) -> Any:
        try:
            async with self._session().request(method, self.url + path, json=body) as response:
                status, raw = response.status, await response.read()
        except TimeoutError:
            raise _Down(f"{self.where} did not answer within {self.timeout:g} s") from None
        except (aiohttp.ClientError, OSError) as error:
            raise _Down(f"{self.where} is out of reach ({reason(error)})") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
            if status == 200:
                # A proxy's error page, typically: the server behind it is down.
                raise _Down(f"{self.where} answered with something not JSON") from None
        if status == 200:
            return answer
        raise self._refusal(status, answer, sent)

    def _refusal(self, status: int, answer: Any, sent: Sequence[str]) -> Exception:
        """What a non-200 answer means, in our words: the server's are only read, never
        repeated (see the module's docstring)."""
        error = answer.get("error") if isinstance(answer, dict) else None
        error = error if isinstance(error, str) else ""
        if status == 400 and sent:
            over = _OVER_LIMIT.search(error)
            if over is not None or "limit" in error.lower():
                size, limit = (int(over[1]), int(over[2])) if over else (None, None)
                return _OverLimit(len(sent), sum(map(len, sent)), size, limit)
        if status == 400:
            if "api key" in error.lower():
                return TranslatorUnavailable(
                    f"{self.where} asks for an API key (HTTP 400): set LIBRETRANSLATE_API_KEY"
                )
            if "not supported" in error or "not available" in error:
                return TranslatorUnavailable(
                    f"{self.where} does not translate that language pair (HTTP 400)"
                )
            return TranslatorUnavailable(f"{self.where} refused the request (HTTP 400)")
        if status == 403:
            return TranslatorUnavailable(
                f"{self.where} refused the request (HTTP 403): a wrong LIBRETRANSLATE_API_KEY, "
                "or banned for too many requests"
            )
        if status == 429:
            return _Down(f"{self.where} asks to slow down (HTTP 429)")
        if status in (502, 503, 504):  # a proxy in front of a server that is down
            return _Down(f"{self.where} failed (HTTP {status})")
        if status >= 500:
            # LibreTranslate's 500 is its engine failing on this text or pair, not the server
            # being down: other texts and languages are still worth asking for.
            return TranslatorUnavailable(f"{self.where} failed (HTTP {status})")
        return TranslatorUnavailable(f"{self.where} answered HTTP {status}")


def split_text(text: str, limit: int | None) -> tuple[list[str], list[str]]:
    """`text` as pieces of at most `limit` characters, and the whitespace between them (one
    fewer), cut at the last paragraph break, else sentence end, else space that fits; a word
    longer than the limit is cut where it must be."""
    if limit is None or len(text) <= limit:
        return [text], []
    pieces: list[str] = []
    separators: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = next(
            (
                found[-1]
                for pattern in _BREAKS
                if (found := [m for m in pattern.finditer(window) if 0 < m.start() <= limit])
            ),
            None,
        )
        if cut is None:
            pieces.append(rest[:limit])
            separators.append("")
            rest = rest[limit:]
            continue
        end = cut.start() + len(rest[cut.start() :]) - len(rest[cut.start() :].lstrip())
        pieces.append(rest[: cut.start()])
        separators.append(rest[cut.start() : end])
        rest = rest[end:]
    pieces.append(rest)
    return pieces, separators


def _batches(
    wanted: list[int], pieces: list[str], char_limit: int | None, batch_limit: int
) -> Iterator[list[int]]:
    """The wanted pieces' indexes, grouped into requests within both limits."""
    batch: list[int] = []
    characters = 0
    for i in wanted:
        size = len(pieces[i])
        full = len(batch) >= batch_limit or (
            char_limit is not None and characters + size > char_limit
        )
        if batch and full:
            yield batch
            batch, characters = [], 0
        batch.append(i)
        characters += size
    if batch:
        yield batch


def create(settings: Settings) -> LibreTranslate:
    """The LibreTranslate adapter from LIBRETRANSLATE_* settings."""
    key = settings.libretranslate_api_key
    return LibreTranslate(
        settings.require_libretranslate_url(),
        key.get_secret_value() if key is not None else None,
        timeout=settings.machine_translation_timeout,
    )
