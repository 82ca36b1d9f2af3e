"""A gateway for development: it sends nothing and logs that it would have. The log line names
neither the number nor the text (our logs never carry personal data), only the number's last
two digits and the text's length and cost."""

from __future__ import annotations

import json
import logging

from bot import phone_numbers, sms_segments
from bot.channels.sms.gateway import (
    BadRequest,
    DeliveryReport,
    GatewayRequest,
    InboundSms,
    parse_delivery_id,
)
from bot.config import Settings
from bot.delivery.outcomes import REPORT_STATUSES, Outcome, ReportStatus, Sent

log = logging.getLogger("naboskap.sms.console")


class ConsoleGateway:
    name = "console"

    def __init__(self, region: str = phone_numbers.DEFAULT_REGION) -> None:
        self.region = region

    async def send(self, to: str, text: str, delivery_id: int) -> Outcome:
        cost = sms_segments.count(text)
        log.info(
            "SMS for delivery %d to %s: %d characters, %d %s segment(s)",
            delivery_id,
            phone_numbers.masked(to),
            len(text),
            cost.segments,
            cost.encoding,
        )
        return Sent(f"console-{delivery_id}")

    def parse_inbound(self, request: GatewayRequest) -> InboundSms:
        return parse_simple_inbound(request, self.region)

    def parse_report(self, request: GatewayRequest) -> DeliveryReport:
        return parse_simple_report(request)

    async def close(self) -> None:
        return None


_STATUSES: dict[str, ReportStatus] = {status: status for status in REPORT_STATUSES}


def parse_simple_inbound(request: GatewayRequest, region: str) -> InboundSms:
    """`from`, `to` and `text` from a JSON body or the query: the format of the development and
    test gateways, simple enough to play a resident with curl."""
    data = _fields(request)
    sender = phone_numbers.normalise(data.get("from", ""), region)
    if sender is None:
        raise BadRequest("the sender is not a valid phone number")
    if "text" not in data:
        raise BadRequest("the message has no text")
    return InboundSms(sender, data.get("to", ""), data["text"])


def parse_simple_report(request: GatewayRequest) -> DeliveryReport:
    """`id` (our delivery id), `status` (one of ours) and `gateway_id`, likewise."""
    data = _fields(request)
    status = _STATUSES.get(data.get("status", ""))
    if status is None:
        raise BadRequest(f"the status must be one of {', '.join(REPORT_STATUSES)}")
    return DeliveryReport(parse_delivery_id(data.get("id")), status, data.get("gateway_id"))


def _fields(request: GatewayRequest) -> dict[str, str]:
    if request.body.strip():
        try:
            data = json.loads(request.body)
        except ValueError:
            raise BadRequest("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("the body is not a JSON object")
        return {str(k): str(v) for k, v in data.items() if v is not None}
    return request.query()


def create(settings: Settings) -> ConsoleGateway:
    return ConsoleGateway(settings.sms_default_region)
