"""`/healthz` and `/readyz`, for a load balancer, a supervisor or an orchestrator.

- `GET /healthz`: the process is up and its event loop answers — 200 "ok", nothing checked;
  a balancer that sees it fail restarts or stops routing to the instance.
- `GET /readyz`: this instance can do its work — the database answers, Redis answers (when
  REDIS_URL is set) and the Bot API answers `getMe` (when the process talks to Telegram).
  200 with each part "ok", or 503 with the parts that are "down": a balancer sends no updates
  to an instance that could not handle them. The Bot API's answer is kept for a few seconds,
  so a probe every second does not become a call to Telegram every second.

Both are plain JSON without personal data, secrets or error texts (an error's type goes to the
log, once per change)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

from bot.server_log import server_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("naboskap.health")

PROBE_TIMEOUT = 3.0  # seconds each part may take to answer
BOT_API_KEPT = 10.0  # seconds the Bot API's last answer stands for


Check = Callable[[], Awaitable[object]]


@dataclass
class Probes:
    """What `/readyz` asks, each a coroutine that fails when its part is down."""

    checks: dict[str, Check] = field(default_factory=dict)
    _last_down: frozenset[str] = frozenset()

    async def readiness(self) -> dict[str, str]:
        async def one(name: str, check: Check) -> tuple[str, str]:
            try:
                await asyncio.wait_for(check(), PROBE_TIMEOUT)
            except Exception as error:
                if name not in self._last_down:
                    log.warning("readiness: %s down (%s)", name, type(error).__name__)
                return name, "down"
            return name, "ok"

        found = dict(await asyncio.gather(*(one(n, c) for n, c in self.checks.items())))
        down = frozenset(n for n, state in found.items() if state != "ok")
        if self._last_down - down:
            log.info("readiness: %s back", ", ".join(sorted(self._last_down - down)))
        self._last_down = down
        return found


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def redis_check(client: Any) -> Check:
    async def check() -> None:
        await client.ping()

    return check


def kept_for(seconds: float, check: Check) -> Check:
    """`check`, its success kept for `seconds` (a failure is asked again next time)."""
    last_ok = [-float("inf")]

    async def kept() -> None:
        if time.monotonic() - last_ok[0] < seconds:
            return
        await check()
        last_ok[0] = time.monotonic()

    return kept


def add_health_routes(web_app: web.Application, probes: Probes) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        parts = await probes.readiness()
        ready = all(state == "ok" for state in parts.values())
        return web.json_response({"ready": ready, "parts": parts}, status=200 if ready else 503)

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)


@contextlib.asynccontextmanager
async def serving_health(probes: Probes, host: str, port: int) -> AsyncIterator[tuple[str, int]]:
    """A server of its own for the two routes (`naboskap worker`, which serves nothing else),
    on host:port (port 0: any free one); yields where it listens."""
    web_app = web.Application()
    add_health_routes(web_app, probes)
    runner = web.AppRunner(web_app, shutdown_timeout=2.0, **server_options("naboskap.health.http"))
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        bound = (host, int(runner.addresses[0][1]))
        log.info("health on %s:%s", *bound)
        yield bound
    finally:
        await runner.cleanup()
