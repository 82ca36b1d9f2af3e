"""The Kannel adapter against a real Kannel on loopback (tests/support/kannel.py): what we send
arrives at the fake SMS centre intact, what a resident sends reaches our get-url and parses, and
delivery reports come back to our dlr-url with our delivery id. Kannel answers 202 even to a
wrongly coded message, so every test looks at what fakesmsc received."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.sms.gateway import DeliveryReport, GatewayRequest, secret_matches
from bot.channels.sms.gateways.kannel import DLR_PATH, INBOUND_PATH, KannelGateway
from bot.delivery.outcomes import Sent
from bot.sms_segments import GSM7_BASIC, GSM7_EXTENSION, count
from tests.support.kannel import KannelOnLoopback, Receiver

pytestmark = pytest.mark.slow  # a real Kannel: bearerbox, smsbox and fakesmsc

UKRAINIAN = "Привіт, сусіде! Зустріч у четвер о 18:00. Ґанок, їжак, є."
NORWEGIAN = "Hei! Vi møtes på Østre Halsen i kveld, 50% + kaffe. Ærlig talt: {gratis} €"


@pytest.fixture
async def gateway(kannel: KannelOnLoopback) -> AsyncIterator[KannelGateway]:
    adapter = KannelGateway(
        kannel.sendsms_url,
        kannel.username,
        kannel.password,
        sender="Naboskap",
        public_url=kannel.receiver_url,
        secret=kannel.secret,
        timeout=5,
    )
    yield adapter
    await adapter.close()


async def test_cyrillic_arrives_intact_as_ucs2(kannel: KannelOnLoopback, gateway: KannelGateway):
    assert len(UKRAINIAN) <= 70  # one segment: fakesmsc prints it whole
    assert await gateway.send("+4790000001", UKRAINIAN, 1) == Sent("")
    (message,) = kannel.wait_mt("+4790000001")
    assert message.kind == "ucs-2"
    assert message.text == UKRAINIAN
    assert message.sender == "Naboskap"


async def test_norwegian_arrives_intact_as_gsm_text(
    kannel: KannelOnLoopback, gateway: KannelGateway
):
    assert await gateway.send("+4790000002", NORWEGIAN, 2) == Sent("")
    (message,) = kannel.wait_mt("+4790000002")  # the '+' survived: it is the same number
    assert message.kind == "text"
    assert message.text == NORWEGIAN


async def test_a_long_cyrillic_text_arrives_in_parts_that_join_up(
    kannel: KannelOnLoopback, gateway: KannelGateway
):
    text = (UKRAINIAN + " ") * 2  # 115 characters: two UCS-2 segments
    await gateway.send("+4790000003", text, 3)
    parts = kannel.wait_mt("+4790000003", count=2)
    assert all(p.kind == "udh" for p in parts)
    assert sorted(p.part[1:] for p in parts) == [(2, 1), (2, 2)]
    joined = b"".join(p.data for p in sorted(parts, key=lambda p: p.part[2]))
    assert joined.decode("utf-16-be") == text


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        ("+4790000004", "BLI MED TORSTRAND"),
        ("4790000005", "Hei på deg, æøå!"),
        ("+380671234567", "Привіт, я Олена. Хочу допомогти."),
    ],
)
async def test_a_residents_message_reaches_get_url_and_parses(
    kannel: KannelOnLoopback,
    kannel_receiver: Receiver,
    gateway: KannelGateway,
    sender: str,
    text: str,
):
    kannel.inject(sender, "1963", text)
    expected = "+" + sender.lstrip("+")

    def from_sender(request: GatewayRequest) -> bool:
        return gateway.parse_inbound(request).sender == expected

    (request,) = await kannel_receiver.wait(INBOUND_PATH, from_sender)
    assert secret_matches(request, kannel.secret)
    sms = gateway.parse_inbound(request)
    assert (sms.sender, sms.to, sms.text) == (expected, "1963", text)


async def test_delivery_reports_come_back_with_our_delivery_id(
    kannel: KannelOnLoopback, kannel_receiver: Receiver, gateway: KannelGateway
):
    await gateway.send("+4790000006", "Takk for i dag!", 4242)
    kannel.wait_mt("+4790000006")

    def ours(request: GatewayRequest) -> bool:
        return request.query().get("id") == "4242"

    requests = await kannel_receiver.wait(DLR_PATH, ours, count=2)
    assert all(secret_matches(r, kannel.secret) for r in requests)
    reports = [gateway.parse_report(r) for r in requests]
    # fakesmsc takes every message: the SMS centre's acceptance, then delivery to the phone.
    assert [(r.delivery_id, r.status) for r in reports] == [
        (4242, "submitted"),
        (4242, "delivered"),
    ]
    assert reports[-1].final
    assert isinstance(reports[-1], DeliveryReport)
    # %F, the SMS centre's message id: empty on the centre's own acceptance (8), set on the
    # delivery report (for fakesmsc, an id Kannel makes up).
    assert reports[0].gateway_id is None
    assert reports[-1].gateway_id


async def test_the_whole_gsm_alphabet_survives_kannel(
    kannel: KannelOnLoopback, gateway: KannelGateway
):
    """Whatever `is_gsm7` lets through as 7-bit, Kannel must be able to convert (line breaks
    left out: fakesmsc prints one message a line)."""
    alphabet = "".join(sorted((GSM7_BASIC | GSM7_EXTENSION) - set("\n\r\f")))
    assert count(alphabet).segments == 1
    await gateway.send("+4790000007", alphabet, 7)
    (message,) = kannel.wait_mt("+4790000007")
    assert message.kind == "text"
    assert message.text == alphabet


@pytest.mark.parametrize(
    ("to", "text"),
    [
        ("+4790000008", "Torstrand\nKafé torsdag kl. 18\n\nVelkommen!"),
        ("+4790000009", "Торстранд\nКафе в четвер о 18\n\nЛаскаво просимо!"),
    ],
)
async def test_line_breaks_arrive(
    kannel: KannelOnLoopback, gateway: KannelGateway, to: str, text: str
):
    await gateway.send(to, text, 8)
    (message,) = kannel.wait_mt(to)
    assert message.text == text
