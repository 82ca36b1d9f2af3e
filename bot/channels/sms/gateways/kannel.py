"""Kannel (https://www.kannel.org): outgoing SMS through smsbox's HTTP `sendsms`, incoming
through an sms-service `get-url`, delivery reports through the `dlr-url` we hand over with
each message.

The contract, so that any Kannel can be pointed at us:

    get-url = "http://HOST:PORT/sms/kannel/inbound?secret=S&from=%p&to=%P&text=%b&coding=%c&charset=%C"

and every message we send carries `dlr-url` = `{SMS_PUBLIC_URL}/sms/kannel/dlr?secret=S&id=<our
delivery id>&status=%d&gw=%F`; Kannel fills in `%d` (the report type) and `%F` (the SMS
centre's message id).
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from yarl import URL

from bot import phone_numbers
from bot.channels.sms.gateway import (
    BadRequest,
    DeliveryReport,
    GatewayRequest,
    InboundSms,
    parse_delivery_id,
)
from bot.channels.sms.transport import (
    NETWORK_ERRORS,
    HttpClient,
    classify,
    network_failure,
    report_failed_send,
)
from bot.config import Settings
from bot.delivery.outcomes import Outcome, ReportStatus
from bot.sms_segments import is_gsm7

log = logging.getLogger("naboskap.sms.kannel")

INBOUND_PATH = "/sms/kannel/inbound"
DLR_PATH = "/sms/kannel/dlr"

# Kannel's report types (the value of %d), from its user guide.
DLR_STATUSES: dict[int, ReportStatus] = {
    1: "delivered",
    2: "failed",
    4: "buffered",
    8: "submitted",
    16: "rejected",
}

# Kannel's sendsms `coding`: 0 is 7-bit (GSM), 2 is UCS-2.
CODING_UCS2 = "2"

# The names Kannel gives charsets in %C, as Python codec names. Anything else is tried as a
# codec name as it stands.
_CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-16be": "utf-16-be",
    "utf16-be": "utf-16-be",
    "ucs-2": "utf-16-be",
    "ucs2": "utf-16-be",
    "iso-8859-1": "latin-1",
    "8859-1": "latin-1",
    "windows-1252": "cp1252",
}


def quote_value(value: str) -> str:
    """Percent-encode a query value completely: `+` must reach Kannel as %2B (a bare `+` is a
    space in a query), and `%` as %25, so that Kannel, decoding our dlr-url parameter, gets back
    the literal `%d` it is to substitute."""
    return quote(value, safe="")


class KannelGateway:
    name = "kannel"

    def __init__(
        self,
        sendsms_url: str,
        username: str,
        password: str,
        *,
        sender: str | None,
        public_url: str,
        secret: str,
        dlr_mask: int = 31,
        region: str = phone_numbers.DEFAULT_REGION,
        timeout: float = 10.0,
    ) -> None:
        self.sendsms_url = sendsms_url
        self.username = username
        self.password = password
        self.sender = sender
        self.public_url = public_url.rstrip("/")
        self.secret = secret
        self.dlr_mask = dlr_mask
        self.region = region
        self.http = HttpClient(timeout)

    def dlr_url(self, delivery_id: int) -> str:
        """Our report URL for one message, with the placeholders Kannel fills in."""
        secret = quote_value(self.secret)
        return f"{self.public_url}{DLR_PATH}?secret={secret}&id={delivery_id}&status=%d&gw=%F"

    def sendsms_query(self, to: str, text: str, delivery_id: int) -> str:
        """The encoded query for one message (without the URL it is appended to)."""
        params: dict[str, str] = {"username": self.username, "password": self.password}
        if self.sender:
            params["from"] = self.sender
        params["to"] = to
        params["text"] = text
        # We always send UTF-8 and say so. Kannel converts GSM text to the 7-bit alphabet
        # itself; anything else must be marked UCS-2, or Kannel would squeeze it into 7 bits
        # and the resident gets question marks (while Kannel still answers 202).
        params["charset"] = "UTF-8"
        if not is_gsm7(text):
            params["coding"] = CODING_UCS2
        if self.dlr_mask:
            params["dlr-mask"] = str(self.dlr_mask)
            params["dlr-url"] = self.dlr_url(delivery_id)
        return urlencode(params, quote_via=lambda v, *_: quote_value(str(v)))

    async def send(self, to: str, text: str, delivery_id: int) -> Outcome:
        separator = "&" if "?" in self.sendsms_url else "?"
        # encoded=True: the query is already encoded as Kannel needs it; yarl must not redo it.
        url = URL(
            self.sendsms_url + separator + self.sendsms_query(to, text, delivery_id), encoded=True
        )
        failed: BaseException | None = None
        try:
            async with self.http.session.get(url) as response:
                body = await response.text(errors="replace")
                outcome = classify(response.status, body, response.headers, "")
        except NETWORK_ERRORS as error:
            outcome, failed = network_failure(error), error
        report_failed_send(
            log, "KANNEL_SENDSMS_URL", self.sendsms_url, delivery_id, outcome, failed
        )
        log.debug("delivery %d: kannel answered %s", delivery_id, type(outcome).__name__)
        return outcome

    def parse_inbound(self, request: GatewayRequest) -> InboundSms:
        values = request.query_bytes()
        raw_sender = values.get("from", b"").decode("utf-8", "replace")
        sender = phone_numbers.normalise(raw_sender, self.region)
        if sender is None:
            raise BadRequest("the sender is not a valid phone number")
        if "text" not in values:
            raise BadRequest("the message has no text")
        coding = values.get("coding", b"0").decode("ascii", "replace")
        charset = values.get("charset", b"").decode("ascii", "replace")
        return InboundSms(
            sender=sender,
            to=values.get("to", b"").decode("utf-8", "replace"),
            text=decode_text(values["text"], coding, charset),
        )

    def parse_report(self, request: GatewayRequest) -> DeliveryReport:
        values = request.query()
        delivery_id = parse_delivery_id(values.get("id"))
        raw_status = values.get("status", "")
        # isascii too: "²" is a digit that int() refuses.
        known = raw_status.isascii() and raw_status.isdigit()
        status = DLR_STATUSES.get(int(raw_status)) if known else None
        if status is None:
            raise BadRequest("the report's status is not one Kannel sends")
        return DeliveryReport(delivery_id, status, values.get("gw") or None)

    async def close(self) -> None:
        await self.http.close()


def decode_text(data: bytes, coding: str, charset: str) -> str:
    """A message's text from Kannel's %b (the message as it came, in bytes) by the coding (%c)
    and charset (%C) Kannel reports alongside it.

    UCS-2 messages come as UTF-16BE unless Kannel recoded them (then %C names the result); 7-bit
    messages come in Kannel's internal charset, UTF-8 on current versions; 8-bit messages are
    binary, which a phone sends only by mistake, so they are read as UTF-8 where that works.
    """
    codec = _CHARSETS.get(charset.strip().lower())
    if codec is None and coding == CODING_UCS2:
        codec = "utf-16-be"
    for name in (codec or charset.strip(), "utf-8"):
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")  # every byte string decodes; better odd letters than nothing


def create(settings: Settings) -> KannelGateway:
    """The Kannel adapter from KANNEL_* and SMS_* settings."""
    username, password = settings.require_kannel_login()
    return KannelGateway(
        settings.kannel_sendsms_url,
        username,
        password,
        sender=settings.sms_sender,
        public_url=settings.sms_public_base_url,
        secret=settings.require_sms_secret(),
        dlr_mask=settings.kannel_dlr_mask,
        region=settings.sms_default_region,
        timeout=settings.sms_send_timeout,
    )
