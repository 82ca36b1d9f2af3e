"""A generic JSON-over-HTTP SMS provider, configured rather than coded: most providers (the
Norwegian ones included) take a POST of a JSON object with a recipient, a text, a sender and a
reference of ours, answer with their message id, and call back with inbound messages and
delivery reports as JSON or form fields. Every name is a setting (SMS_HTTP_*), so a provider
of that shape needs no code; one of another shape gets an adapter of its own.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

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
    get_path,
    network_failure,
    report_failed_send,
    set_path,
)
from bot.config import Settings
from bot.delivery.outcomes import Outcome, ReportStatus

log = logging.getLogger("naboskap.sms.http")


class HttpGateway:
    name = "http"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.require_sms_http_url()
        self.http = HttpClient(settings.sms_send_timeout)
        self.headers: dict[str, str] = {"Accept": "application/json"}
        if settings.sms_http_token is not None:
            self.headers["Authorization"] = f"Bearer {settings.sms_http_token.get_secret_value()}"
        elif settings.sms_http_username:
            password = settings.sms_http_password
            self.headers["Authorization"] = basic_auth(
                settings.sms_http_username, password.get_secret_value() if password else ""
            )

    def payload(self, to: str, text: str, delivery_id: int) -> dict[str, Any]:
        """The JSON object for one message: the constant fields, then ours on top."""
        s = self.settings
        body: dict[str, Any] = json.loads(json.dumps(s.sms_http_extra_fields))  # a deep copy
        set_path(
            body,
            s.sms_http_to_field,
            to.lstrip("+") if s.sms_http_number_format == "digits" else to,
        )
        set_path(body, s.sms_http_text_field, text)
        if s.sms_sender:
            set_path(body, s.sms_http_sender_field, s.sms_sender)
        set_path(body, s.sms_http_reference_field, str(delivery_id))
        return body

    async def send(self, to: str, text: str, delivery_id: int) -> Outcome:
        failed: BaseException | None = None
        try:
            async with self.http.session.post(
                self.url,
                json=self.payload(to, text, delivery_id),
                headers=self.headers,
            ) as response:
                body = await response.text(errors="replace")
                outcome = classify(response.status, body, response.headers, self._message_id(body))
        except NETWORK_ERRORS as error:
            outcome, failed = network_failure(error), error
        report_failed_send(log, "SMS_HTTP_SEND_URL", self.url, delivery_id, outcome, failed)
        log.debug("delivery %d: provider answered %s", delivery_id, type(outcome).__name__)
        return outcome

    def _message_id(self, body: str) -> str:
        try:
            value = get_path(json.loads(body), self.settings.sms_http_id_field)
        except ValueError:
            return ""
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""

    def parse_inbound(self, request: GatewayRequest) -> InboundSms:
        s = self.settings
        data = fields(request)
        sender = phone_numbers.normalise(
            _text(get_path(data, s.sms_http_inbound_from_field)), s.sms_default_region
        )
        if sender is None:
            raise BadRequest("the sender is not a valid phone number")
        text = get_path(data, s.sms_http_inbound_text_field)
        if not isinstance(text, str):
            raise BadRequest("the message has no text")
        return InboundSms(sender, _text(get_path(data, s.sms_http_inbound_to_field)), text)

    def parse_report(self, request: GatewayRequest) -> DeliveryReport:
        s = self.settings
        data = fields(request)
        delivery_id = parse_delivery_id(_text(get_path(data, s.sms_http_report_reference_field)))
        word = _text(get_path(data, s.sms_http_report_status_field)).strip().lower()
        status: ReportStatus | None = s.sms_http_report_statuses.get(word)
        if status is None:
            raise BadRequest("the report's status is not one SMS_HTTP_REPORT_STATUSES names")
        gateway_id = _text(get_path(data, s.sms_http_report_id_field)) or None
        return DeliveryReport(delivery_id, status, gateway_id)

    async def close(self) -> None:
        await self.http.close()


def basic_auth(username: str, password: str) -> str:
    # Written out rather than aiohttp.BasicAuth, which aiohttp 3.14 deprecates and whose
    # replacement older versions we support lack. UTF-8, as RFC 7617 allows.
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def fields(request: GatewayRequest) -> Any:
    """A callback's fields: its JSON body, else its form body, else its query."""
    content_type = (request.header("Content-Type") or "").lower()
    body = request.body.strip()
    if "json" in content_type or body.startswith((b"{", b"[")):
        try:
            return json.loads(body)
        except ValueError:
            raise BadRequest("the body is not valid JSON") from None
    if body:
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return request.query()


def create(settings: Settings) -> HttpGateway:
    """The generic HTTP adapter from SMS_HTTP_* settings."""
    return HttpGateway(settings)
