"""What an SMS gateway is to the rest of the bot: a small protocol (send one message, read an
inbound message, read a delivery report) and the plain values that cross it.

Adapters live in `bot.channels.sms.gateways`; `bot.channels.sms.registry.load_gateway` picks
one by the `SMS_GATEWAY` setting. Sending returns the delivery worker's own outcome types (a
report's status is one of `bot.delivery.outcomes.ReportStatus`), so a gateway is driven
exactly like the Telegram sender: `Sent` with the gateway's id, `Transient` for what is
worth retrying, `Permanent` for what is not, `RetryAfter` when the gateway asks us to slow down.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, quote

from bot.delivery.outcomes import FINAL_STATUSES, Outcome, ReportStatus

SendResult = Outcome
"""`Sent(external_id)` carries the gateway's message id, or "" when the gateway gives none
(Kannel's sendsms does not: its reports are matched by our delivery id instead)."""


_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


class BadRequest(ValueError):
    """An inbound message or report we cannot read. The message names what is wrong but never
    carries the request's content (which may hold a phone number or a resident's words)."""


@dataclass(frozen=True)
class GatewayRequest:
    """An HTTP request from a gateway, as the web route received it, before any decoding: the
    query is kept raw because Kannel sends text in the charset it names (UTF-16BE, say), which
    a framework decoding the query as UTF-8 would already have mangled."""

    raw_query: str = ""
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def query_bytes(self) -> dict[str, bytes]:
        """The query's values as bytes (the first of each name), percent- and plus-decoded."""
        values: dict[str, bytes] = {}
        # A client may send non-ASCII characters unencoded; encode them (as UTF-8) like the rest.
        query = quote(self.raw_query, safe=_PRINTABLE_ASCII)
        # latin-1 maps bytes 0-255 to code points 0-255 one to one, so it round-trips any byte.
        for name, value in parse_qsl(query, keep_blank_values=True, encoding="latin-1"):
            values.setdefault(name, value.encode("latin-1"))
        return values

    def query(self) -> dict[str, str]:
        """The query's values as UTF-8 text, undecodable bytes replaced."""
        return {k: v.decode("utf-8", "replace") for k, v in self.query_bytes().items()}

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclass(frozen=True)
class InboundSms:
    """A message from a resident: `sender` in E.164, `to` the number or short code it was sent
    to, as the gateway gave it."""

    sender: str
    to: str
    text: str


@dataclass(frozen=True)
class DeliveryReport:
    """What a gateway says became of one of our messages, keyed by our own delivery id."""

    delivery_id: int
    status: ReportStatus
    gateway_id: str | None = None

    @property
    def final(self) -> bool:
        """Whether no further report is to be expected for this message."""
        return self.status in FINAL_STATUSES


@runtime_checkable
class SmsGateway(Protocol):
    """One SMS provider. Implementations keep no state between messages beyond a connection
    pool, so one instance serves the whole process; `close` releases that pool."""

    name: str

    async def send(self, to: str, text: str, delivery_id: int) -> SendResult:
        """Send `text` to `to` (E.164). `delivery_id` comes back in the delivery reports."""
        ...

    def parse_inbound(self, request: GatewayRequest) -> InboundSms:
        """Read an inbound message, or raise `BadRequest`."""
        ...

    def parse_report(self, request: GatewayRequest) -> DeliveryReport:
        """Read a delivery report, or raise `BadRequest`."""
        ...

    async def close(self) -> None: ...


def secret_matches(request: GatewayRequest, expected: str) -> bool:
    """Whether the request carries the shared secret: as `secret` in the query (Kannel's
    get-url and our dlr-url put it there), as an `X-Naboskap-Secret` header, or as a bearer
    token. Compared in constant time."""
    if not expected:  # an unset secret must not match an absent one
        return False
    authorization = request.header("Authorization") or ""
    offered = [
        request.query().get("secret"),
        request.header("X-Naboskap-Secret"),
        authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None,
    ]
    wanted = expected.encode()
    # Check every place, so the time taken does not tell which one was tried.
    results = [hmac.compare_digest((o or "").encode(), wanted) for o in offered]
    return any(results)


# Longer than any id could be: refused unread rather than turned into a huge number.
_ID_DIGITS_MAX = 100


def parse_delivery_id(value: str | None) -> int:
    """The delivery id a report names, as a number. Whether it can name a row is for the route
    to check (`bot.edge_input.row_id`), for every gateway alike."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > _ID_DIGITS_MAX:
        raise BadRequest("the report carries no delivery id")
    return int(value)
