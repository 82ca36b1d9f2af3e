"""A gateway for tests: it keeps what it was asked to send in a list and answers with outcomes
a test can script, so the delivery worker's handling of each outcome can be exercised."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from bot import phone_numbers
from bot.channels.sms.gateway import DeliveryReport, GatewayRequest, InboundSms
from bot.channels.sms.gateways.console import parse_simple_inbound, parse_simple_report
from bot.config import Settings
from bot.delivery.outcomes import Outcome, Sent


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    delivery_id: int


@dataclass
class MemoryGateway:
    """Inbound messages and reports use the console gateway's simple format (`from`, `to`,
    `text`; `id`, `status`, `gateway_id`, as JSON or query)."""

    region: str = phone_numbers.DEFAULT_REGION
    sent: list[SentSms] = field(default_factory=list)
    # Outcomes to answer with, first in first out; when none are left, every send is Sent.
    outcomes: deque[Outcome] = field(default_factory=deque)
    closed: bool = False
    name: str = "memory"

    async def send(self, to: str, text: str, delivery_id: int) -> Outcome:
        outcome = self.outcomes.popleft() if self.outcomes else Sent(f"memory-{len(self.sent) + 1}")
        if isinstance(outcome, Sent):
            self.sent.append(SentSms(to, text, delivery_id))
        return outcome

    def parse_inbound(self, request: GatewayRequest) -> InboundSms:
        return parse_simple_inbound(request, self.region)

    def parse_report(self, request: GatewayRequest) -> DeliveryReport:
        return parse_simple_report(request)

    async def close(self) -> None:
        self.closed = True


def create(settings: Settings) -> MemoryGateway:
    return MemoryGateway(region=settings.sms_default_region)
