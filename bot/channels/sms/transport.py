"""HTTP plumbing the gateway adapters share: one lazily opened client session per gateway, the
mapping of an HTTP answer to a delivery outcome, reading values at dotted JSON paths, and
turning an aiohttp request into the gateway-neutral `GatewayRequest`."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.sms.gateway import GatewayRequest
from bot.delivery.outcomes import Outcome, Permanent, RetryAfter, Sent, Transient
from bot.dependencies import reason, where

# When a gateway says 429 without saying how long to wait.
DEFAULT_RETRY_AFTER = 30.0
# A provider's error text may echo the number it refused; runs of digits are masked before an
# error is stored or logged.
_DIGITS = re.compile(r"\d{5,}")
# Gateways' bodies are short; a larger one is refused (aiohttp itself stops at 1 MiB).
MAX_BODY = 64 * 1024


class HttpClient:
    """An aiohttp session opened on first use (not at construction, which may happen outside
    an event loop), with one timeout for the whole request."""

    def __init__(self, timeout: float) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def scrub(text: str, limit: int = 120) -> str:
    """A provider's answer made fit for an error column or a log line."""
    return _DIGITS.sub("…", " ".join(text.split()))[:limit]


def retry_after(headers: Mapping[str, str]) -> float:
    value = headers.get("Retry-After", "")
    try:
        return max(float(value), 1.0)
    except ValueError:  # absent, or an HTTP date, which no SMS provider we know sends
        return DEFAULT_RETRY_AFTER


def classify(status: int, body: str, headers: Mapping[str, str], external_id: str) -> Outcome:
    """What an HTTP answer to a send means for the delivery."""
    if 200 <= status < 300:
        return Sent(external_id[:64])  # the delivery row keeps 64 characters
    reason = f"HTTP {status}: {scrub(body)}".rstrip(": ")
    if status == 429 or (status == 503 and "Retry-After" in headers):
        return RetryAfter(retry_after(headers))
    if status in (408, 425) or status >= 500:
        return Transient(reason)
    return Permanent(reason)


def network_failure(error: BaseException) -> Outcome:
    """A send that got no answer: worth trying again."""
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        return Transient("timeout")
    return Transient(f"{type(error).__name__}")


NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError)


def report_failed_send(
    log: logging.Logger,
    setting: str,
    url: str,
    delivery_id: int,
    outcome: Outcome,
    error: BaseException | None = None,
) -> None:
    """One line for a send the gateway did not take, naming the setting that points at it:
    the operator sees which gateway is down (or refuses, as for a wrong password), and the
    outbox tries the delivery again by its own rules (backoff, at most so many attempts) where
    that can help. No number, no text, no URL (it may carry a password in its query), no
    traceback."""
    if error is not None:
        why = f"cannot reach the SMS gateway at {where(url)} ({reason(error)})"
    elif isinstance(outcome, Transient | Permanent):
        # "HTTP 503", without the body (scrubbed already, but the status says enough here).
        status = outcome.reason.split(":", 1)[0]
        done = "failed" if isinstance(outcome, Transient) else "refused the message"
        why = f"the SMS gateway at {where(url)} {done} ({status})"
    else:
        return
    # A refusal is final for this delivery; anything else the outbox tries again.
    again = "" if isinstance(outcome, Permanent) else " this time"
    log.warning("%s: %s; delivery %d not sent%s", setting, why, delivery_id, again)


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path (`messages.0.id`) in parsed JSON, or None."""
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path, making what is missing on the way: a list where the next
    name is a number (`recipients.0`), an object otherwise."""
    parts = path.split(".")
    node: Any = data
    for part, following in pairwise(parts):
        child = get_path(node, part)
        if not isinstance(child, dict | list):
            child = [] if following.isdigit() else {}
            _put(node, part, child)
        node = child
    _put(node, parts[-1], value)


def _put(node: Any, part: str, value: Any) -> None:
    if isinstance(node, list):
        if not part.isdigit():
            raise ValueError(f"{part!r} is no index into a list")
        index = int(part)
        node.extend([None] * (index + 1 - len(node)))
        node[index] = value
    else:
        node[part] = value


async def read_request(request: web.Request) -> GatewayRequest:
    """The parts of an aiohttp request a gateway parses. The query stays raw (percent-encoded):
    aiohttp's own `request.query` decodes it as UTF-8, which garbles UTF-16 text from Kannel."""
    body = await request.read() if request.can_read_body else b""
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    return GatewayRequest(
        raw_query=request.rel_url.raw_query_string, body=body, headers=dict(request.headers)
    )
