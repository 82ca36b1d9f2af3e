"""`/healthz` and `/readyz` on the webhook server and on `naboskap worker` (bot.health): up,
ready, and which part is down when one is — the database, Redis, the Bot API — without
anything else in the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import App, build_app
from bot.fake_bot_api import FakeBotAPI
from bot.runners import webhook_application
from bot.shutdown import Ready
from bot.worker_process import run_worker_process
from tests.support.settings import make_settings


@pytest.fixture
async def serve() -> AsyncIterator:  # type: ignore[type-arg]
    """Serve an app's webhook server on a free port; returns its base URL."""
    runners: list[web.AppRunner] = []
    apps: list[App] = []

    async def start(app: App) -> str:
        runner = web.AppRunner(webhook_application(app, "s3cret", "/telegram"))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        apps.append(app)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()
    for app in apps:
        await app.close()


async def _get(url: str) -> tuple[int, object]:
    async with aiohttp.ClientSession() as client, client.get(url) as reply:
        body = await (reply.json() if reply.content_type == "application/json" else reply.text())
        return reply.status, body


async def test_up_and_ready(serve, database_url: str, fake_api: FakeBotAPI) -> None:  # type: ignore[no-untyped-def]
    base = await serve(build_app(make_settings(database_url, fake_api.base_url)))
    assert await _get(f"{base}/healthz") == (200, "ok\n")
    status, body = await _get(f"{base}/readyz")
    assert status == 200
    assert body == {"ready": True, "parts": {"database": "ok", "bot_api": "ok"}}


async def test_ready_with_redis(
    serve, database_url: str, fake_api: FakeBotAPI, redis_url: str
) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(database_url, fake_api.base_url, redis_url=redis_url))
    status, body = await _get(f"{await serve(app)}/readyz")
    assert status == 200
    assert body == {"ready": True, "parts": {"database": "ok", "redis": "ok", "bot_api": "ok"}}


async def test_the_bot_api_out_of_reach_is_not_ready(  # type: ignore[no-untyped-def]
    serve, database_url: str, reserved_port: int
) -> None:
    """Nothing listens where the Bot API should be: up, but not ready, and it says why."""
    app = build_app(make_settings(database_url, f"http://127.0.0.1:{reserved_port}"))
    base = await serve(app)
    assert (await _get(f"{base}/healthz"))[0] == 200
    status, body = await _get(f"{base}/readyz")
    assert status == 503
    assert body == {"ready": False, "parts": {"database": "ok", "bot_api": "down"}}


async def test_the_database_out_of_reach_is_not_ready(  # type: ignore[no-untyped-def]
    serve, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    gone = tmp_path / "no-such-folder" / "naboskap.db"
    app = build_app(make_settings(f"sqlite+aiosqlite:///{gone}", fake_api.base_url))
    status, body = await _get(f"{await serve(app)}/readyz")
    assert status == 503
    assert body == {"ready": False, "parts": {"database": "down", "bot_api": "ok"}}


async def test_the_worker_serves_health_on_its_own_port(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    """`naboskap worker` with WORKER_HEALTH_LISTEN: the same two routes on a port of its own,
    named in its readiness line."""
    settings = make_settings(database_url, fake_api.base_url, worker_health_listen="127.0.0.1:0")
    stop = asyncio.Event()
    ready: list[Ready] = []
    worker = asyncio.create_task(run_worker_process(settings, stop, on_ready=ready.append))
    try:
        while not ready:
            assert not worker.done(), worker
            await asyncio.sleep(0.05)
        [line] = ready
        assert "health on 127.0.0.1:" in line.how
        port = int(line.how.rsplit(":", 1)[1])
        base = f"http://127.0.0.1:{port}"
        assert await _get(f"{base}/healthz") == (200, "ok\n")
        assert await _get(f"{base}/readyz") == (
            200,
            {"ready": True, "parts": {"database": "ok", "bot_api": "ok"}},
        )
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
