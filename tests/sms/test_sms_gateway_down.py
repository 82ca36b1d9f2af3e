"""An SMS gateway out of reach does not stop `naboskap worker`: each failed send is one log line
naming the gateway's setting (no number, no text, no password, no traceback), the delivery
stays in the outbox and is tried again by its rules, and it goes out once the gateway is back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select, update

from bot.fake_bot_api.server import DEFAULT_TOKEN
from db.models import Channel, Delivery, DeliveryStatus
from tests.support.processes import RealProcess, clean_environment
from tests.support.sms_phone import SECRET, SmsNetwork

NUMBER = "+4791234567"
PASSWORD = "pw-Do-Not-Print"
# Bounds a hang only: the outbox's first retry comes about five seconds after a failure.
SENT_WITHIN = 120.0


async def _reply_waiting(sms: SmsNetwork) -> tuple[int, datetime]:
    """A phone texts the bot; its answer waits in the outbox as an SMS delivery, due now."""
    status = await sms.post(
        "/sms/memory/inbound", secret=SECRET, to="2000", text="Hei", **{"from": NUMBER}
    )
    assert status == 200
    async with sms.app.sessionmaker() as session:
        [delivery_id] = (
            await session.scalars(select(Delivery.id).where(Delivery.channel == Channel.SMS))
        ).all()
        due = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(update(Delivery).values(not_before=due))
        await session.commit()
    return delivery_id, due


async def _delivery(sms: SmsNetwork, delivery_id: int) -> Delivery:
    async with sms.app.sessionmaker() as session:
        found = await session.get(Delivery, delivery_id)
        assert found is not None
        return found


async def _until(sms: SmsNetwork, delivery_id: int, done: Callable[[Delivery], bool]) -> Delivery:
    """The delivery once `done` holds for it (looked at four times a second, bounded)."""
    for _ in range(int(SENT_WITHIN * 4)):
        delivery = await _delivery(sms, delivery_id)
        if done(delivery):
            break
        await asyncio.sleep(0.25)
    return delivery


GATEWAYS: dict[str, tuple[str, str, str, Callable[[], web.Response]]] = {
    # SMS_GATEWAY: (the setting the line names, its path, the method and answer of a working
    # one). The answer is made per request: aiohttp sends a response object only once, and a
    # shared one hung the second backend's run.
    "http": ("SMS_HTTP_SEND_URL", "/send", "POST", lambda: web.json_response({"id": "m-1"})),
    "kannel": (
        "KANNEL_SENDSMS_URL",
        "/cgi-bin/sendsms",
        "GET",
        lambda: web.Response(status=202, text="0: Accepted for delivery"),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("gateway", list(GATEWAYS))
async def test_the_worker_outlasts_a_gateway_that_is_down(
    sms: SmsNetwork, database_url: str, fake_api, tmp_path: Path, gateway: str, reserved_port: int
):  # type: ignore[no-untyped-def]
    setting, path, method, answer = GATEWAYS[gateway]
    delivery_id, due = await _reply_waiting(sms)
    port = reserved_port  # refused until the gateway below listens there
    url = f"http://127.0.0.1:{port}{path}"
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        "SMS_GATEWAY": gateway,
        "SMS_INBOUND_SECRET": SECRET,
        "SMS_HTTP_SEND_URL": url,
        "SMS_HTTP_USERNAME": "naboskap",
        "SMS_HTTP_PASSWORD": PASSWORD,
        "KANNEL_SENDSMS_URL": url,
        "KANNEL_USERNAME": "naboskap",
        "KANNEL_PASSWORD": PASSWORD,
    }
    process = RealProcess.naboskap("worker", env=clean_environment(**env), cwd=tmp_path)
    runner: web.AppRunner | None = None
    try:
        await process.until_ready()
        line = await asyncio.to_thread(process.wait_for_line, f"{setting}:")
        assert line.rstrip().endswith(
            f"WARNING naboskap.sms.{gateway}: {setting}: cannot reach the SMS gateway at "
            f"127.0.0.1:{port} (connection refused); delivery {delivery_id} not sent this time"
        ), line
        # The line comes as the send fails; the outcome is recorded just after it.
        waiting = await _until(sms, delivery_id, lambda d: d.error is not None)
        assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 1
        assert waiting.not_before > due  # put off by the outbox's backoff, to be tried again

        # The gateway comes back: the outbox's next try goes out through it.
        received: list[str] = []

        async def take(request: web.Request) -> web.StreamResponse:
            received.append(request.method)
            return answer()

        gateway_app = web.Application()
        gateway_app.router.add_route(method, path, take)
        runner = web.AppRunner(gateway_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        sent = await _until(sms, delivery_id, lambda d: d.status is not DeliveryStatus.PENDING)
        assert sent.status is DeliveryStatus.SENT, (sent.status, sent.error, process.stderr)
        assert received == [method]
    finally:
        code, stderr = await process.stopped()
        if runner is not None:
            await runner.cleanup()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert PASSWORD not in stderr and "91234567" not in stderr
    # One line per failed send: the attempts before the one that went out.
    assert sum(setting in line for line in stderr.splitlines()) == sent.attempts - 1, stderr


@pytest.mark.parametrize(
    ("gateway", "status", "says"),
    [
        ("http", 503, "failed (HTTP 503); delivery 7 not sent this time"),
        ("kannel", 503, "failed (HTTP 503); delivery 7 not sent this time"),
        ("http", 401, "refused the message (HTTP 401); delivery 7 not sent"),
        ("kannel", 403, "refused the message (HTTP 403); delivery 7 not sent"),
    ],
)
async def test_a_gateway_that_answers_with_an_error_is_one_line_naming_it(
    caplog: pytest.LogCaptureFixture, gateway: str, status: int, says: str
):
    """Answering, but not taking the message: down behind a proxy (5xx), or refusing our
    login (401/403) — the operator must see which setting to look at."""
    from bot.channels.sms.registry import load_gateway
    from bot.config import load_settings

    setting, path, method, _ = GATEWAYS[gateway]

    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text=f"no, {NUMBER}")

    provider = web.Application()
    provider.router.add_route(method, path, refuse)
    runner = web.AppRunner(provider, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}{path}"
    settings = load_settings(
        sms_gateway=gateway,
        sms_inbound_secret=SECRET,
        sms_http_send_url=url,
        kannel_sendsms_url=url,
        kannel_username="naboskap",
        kannel_password=PASSWORD,
    )
    sms_gateway = load_gateway(settings)
    try:
        with caplog.at_level(logging.WARNING):
            await sms_gateway.send(NUMBER, "Hei", 7)
    finally:
        await sms_gateway.close()
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("naboskap")]
    assert lines == [f"{setting}: the SMS gateway at 127.0.0.1:{port} {says}"]
    assert not any(r.exc_info for r in caplog.records)
