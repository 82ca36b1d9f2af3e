"""A strict fake LibreTranslate on 127.0.0.1, for the machine-translation tests.

It speaks LibreTranslate's API as `libretranslate/app.py` defines it: `GET /languages` lists
`{"code", "name", "targets"}`; `GET /frontend/settings` names `charLimit`; `POST /translate`
takes JSON `{"q": text or [texts], "source", "target", "format", "api_key"}` and answers
`{"translatedText": ...}` (a list for a list), or `{"error": ...}` with 400, 403, 429 or 500,
worded as the real server words them. It refuses what the real one refuses: an unknown language
or pair, a missing or wrong API key, a request over its character or batch limit, a format
other than text or html.

A translation is `[target] text`, so that a test can tell what was translated into what. Every
request is recorded (`requests`, `translations`), so a test can see how texts were batched and
that a cached text was not asked for again. `failure` switches a failure on for every request
that follows (`fail_targets` only for some languages); `slow` keeps requests waiting until the
server stops, well past any timeout a test sets. Nothing is logged: the texts are residents'.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

# What a real server with the usual Argos models offers for our locales: Norwegian as "nb",
# Persian as "fa", no Somali or Tigrinya. Each translates into every other (through English).
LANGUAGES = ("en", "nb", "uk", "pl", "lt", "ar", "fa")
NAMES = {
    "en": "English",
    "nb": "Norwegian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "lt": "Lithuanian",
    "ar": "Arabic",
    "fa": "Persian",
}

Failure = Literal["error", "slow down", "banned", "slow", "not json"]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    body: Any  # the JSON body, None without one

    @property
    def texts(self) -> list[str]:
        q = self.body.get("q") if isinstance(self.body, dict) else None
        return q if isinstance(q, list) else [q] if isinstance(q, str) else []


@dataclass
class FakeLibreTranslate:
    port: int
    languages: Mapping[str, Collection[str]] = field(
        default_factory=lambda: {code: [c for c in LANGUAGES if c != code] for code in LANGUAGES}
    )
    api_key: str | None = None
    char_limit: int = -1
    batch_limit: int = -1
    # Servers before 1.3 have no /frontend/settings: the adapter learns the limit from a 400.
    tells_char_limit: bool = True
    failure: Failure | None = None
    fail_targets: set[str] = field(default_factory=set)
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._released = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def translations(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/translate"]

    def asked(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    async def start(self) -> FakeLibreTranslate:
        app = web.Application()
        app.router.add_get("/languages", self._languages)
        app.router.add_get("/frontend/settings", self._settings)
        app.router.add_post("/translate", self._translate)
        # No access log: it is not needed, and a test of a leak should find only ours.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()
        return self

    async def stop(self) -> None:
        self._released.set()  # slow requests end, so the server can
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLibreTranslate:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- routes

    async def _failed(self, target: str | None = None) -> web.StreamResponse | None:
        """The switched-on failure's answer, if any."""
        failure = self.failure or ("error" if target in self.fail_targets else None)
        if failure == "slow":
            await self._released.wait()
            return _error(503, "Stopped")
        if failure == "error":
            return _error(500, "Cannot translate text: the engine failed")
        if failure == "slow down":
            return _error(429, "Slowdown: 10 per 1 minute")
        if failure == "banned":
            return _error(403, "Too many request limits violations")
        if failure == "not json":
            return web.Response(text="<html>Bad gateway</html>", content_type="text/html")
        return None

    async def _languages(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen("GET", "/languages", None))
        failed = await self._failed()
        if failed is not None:
            return failed
        return web.json_response(
            [
                {"code": code, "name": NAMES.get(code, code), "targets": sorted(targets)}
                for code, targets in self.languages.items()
            ]
        )

    async def _settings(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen("GET", "/frontend/settings", None))
        if not self.tells_char_limit:
            raise web.HTTPNotFound()
        failed = await self._failed()
        if failed is not None:
            return failed
        return web.json_response(
            {"charLimit": self.char_limit, "frontendTimeout": 500, "apiKeys": bool(self.api_key)}
        )

    async def _translate(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.requests.append(Seen("POST", "/translate", body))
        if request.content_type != "application/json" or not isinstance(body, dict):
            return _error(400, "Invalid JSON format")
        if self.api_key is not None:
            key = body.get("api_key")
            if key and key != self.api_key:
                return _error(403, "Invalid API key")
            if not key:
                return _error(400, "Please contact the server operator to get an API key")
        q: Any = body.get("q")
        source: Any = body.get("source")
        target: Any = body.get("target")
        for name, value in (("q", q), ("source", source), ("target", target)):
            if not value:
                return _error(400, f"Invalid request: missing {name} parameter")
        failed = await self._failed(target)
        if failed is not None:
            return failed
        batch = isinstance(q, list)
        texts = q if batch else [q]
        if not all(isinstance(text, str) for text in texts):
            return _error(400, "Invalid request: q must be a string or a list of strings")
        if batch and self.batch_limit != -1 and len(texts) > self.batch_limit:
            return _over(len(texts), self.batch_limit)
        characters = sum(len(text) for text in texts)
        if self.char_limit != -1 and characters > self.char_limit:
            return _over(characters, self.char_limit)
        if source not in self.languages:
            return _error(400, f"{source} is not supported")
        if target not in self.languages:
            return _error(400, f"{target} is not supported")
        if target not in self.languages[source]:
            return _error(
                400,
                f"{NAMES.get(target, target)} ({target}) is not available as a target language "
                f"from {NAMES.get(source, source)} ({source})",
            )
        if body.get("format", "text") not in ("text", "html"):
            return _error(400, f"{body['format']} format is not supported")
        translated = [f"[{target}] {text}" for text in texts]
        return web.json_response({"translatedText": translated if batch else translated[0]})


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, text=json.dumps({"error": message}), content_type="application/json"
    )


def _over(size: int, limit: int) -> web.Response:
    return _error(400, f"Invalid request: request ({size}) exceeds text limit ({limit})")
