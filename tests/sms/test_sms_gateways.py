"""Each SMS gateway adapter against a fake provider on 127.0.0.1: what it sends, how it reads
the answer, how it parses inbound messages and delivery reports; and how adapters are found."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from urllib.parse import parse_qs, quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import phone_numbers
from bot.channels.sms import registry
from bot.channels.sms.gateway import (
    BadRequest,
    DeliveryReport,
    GatewayRequest,
    SmsGateway,
    secret_matches,
)
from bot.channels.sms.gateways.console import ConsoleGateway
from bot.channels.sms.gateways.http import HttpGateway
from bot.channels.sms.gateways.kannel import KannelGateway, decode_text
from bot.channels.sms.gateways.memory import MemoryGateway, SentSms
from bot.channels.sms.transport import get_path, read_request, set_path
from bot.config import Settings, SettingsError, load_settings
from bot.delivery.outcomes import Permanent, RetryAfter, Sent, Transient

NUMBER = "+4791234567"
UKRAINIAN = "Привіт, сусіде! Зустріч у четвер о 18:00 — ласкаво просимо."
NORWEGIAN = "Hei! Vi møtes på Torstrand i kveld. 1+1=2, 50% rabatt & gratis kaffe {ÆØÅ}."


@dataclass
class Seen:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.raw_query, keep_blank_values=True).items()}


@dataclass
class Provider:
    """A fake SMS provider: records every request and answers as told."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    status: int = 202
    body: str = "0: Accepted for delivery"
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    state = Provider()

    async def handle(request: web.Request) -> web.Response:
        state.seen.append(
            Seen(
                request.method,
                request.path,
                request.rel_url.raw_query_string,
                dict(request.headers),
                await request.read(),
            )
        )
        if state.delay:
            await asyncio.sleep(state.delay)
        return web.Response(
            status=state.status,
            text=state.body,
            content_type=state.content_type,
            headers=state.headers,
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    state.url = str(server.make_url("/cgi-bin/sendsms"))
    yield state
    await server.close()


def sms_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "sms_inbound_secret": "s3cret",
        "kannel_username": "naboskap",
        "kannel_password": "pw+&=",
        "sms_sender": "Naboskap",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def kannel(provider: Provider, timeout: float = 5.0) -> KannelGateway:
    return KannelGateway(
        provider.url,
        "naboskap",
        "pw+&=",
        sender="Naboskap",
        public_url="http://127.0.0.1:8081",
        secret="s3cret",
        timeout=timeout,
    )


# ---- Kannel: sending


async def test_kannel_sends_cyrillic_as_utf8_with_coding_2(provider: Provider):
    gateway = kannel(provider)
    outcome = await gateway.send(NUMBER, UKRAINIAN, 42)
    await gateway.close()
    assert outcome == Sent("")  # Kannel's sendsms gives no message id
    (seen,) = provider.seen
    assert seen.method == "GET"
    assert seen.path == "/cgi-bin/sendsms"
    params = seen.params()
    assert params["text"] == UKRAINIAN
    assert params["coding"] == "2"
    assert params["charset"] == "UTF-8"
    assert params["username"] == "naboskap"
    assert params["password"] == "pw+&="
    assert params["from"] == "Naboskap"
    assert params["to"] == NUMBER
    assert "to=%2B4791234567" in seen.raw_query
    assert params["dlr-mask"] == "31"
    # Kannel decodes the parameter and then substitutes %d and %F itself.
    assert params["dlr-url"] == (
        "http://127.0.0.1:8081/sms/kannel/dlr?secret=s3cret&id=42&status=%d&gw=%F"
    )
    assert "status%3D%25d" in seen.raw_query


async def test_kannel_sends_gsm_text_without_coding_and_plus_as_2b(provider: Provider):
    gateway = kannel(provider)
    await gateway.send(NUMBER, NORWEGIAN, 7)
    await gateway.close()
    (seen,) = provider.seen
    assert seen.params()["text"] == NORWEGIAN
    assert "coding" not in seen.params()
    assert "1%2B1%3D2" in seen.raw_query  # '+' as %2B, never a bare '+' (a space to Kannel)
    assert "+" not in seen.raw_query
    assert "Hei%21%20Vi%20m%C3%B8tes" in seen.raw_query  # spaces as %20, UTF-8 bytes


async def test_kannel_without_sender_or_reports_leaves_them_out(provider: Provider):
    gateway = kannel(provider)
    gateway.sender, gateway.dlr_mask = None, 0
    await gateway.send(NUMBER, "hei", 1)
    await gateway.close()
    params = provider.seen[0].params()
    assert "from" not in params
    assert "dlr-url" not in params
    assert "dlr-mask" not in params


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (202, "0: Accepted for delivery", {}, Sent("")),
        (202, "3: Queued for later delivery", {}, Sent("")),
        (403, "Authorization failed for sendsms", {}, Permanent),
        (400, "Missing receiver number", {}, Permanent),
        (500, "", {}, Transient),
        (503, "Temporal failure, try again later.", {}, Transient),
        (429, "", {"Retry-After": "7"}, RetryAfter(7.0)),
        (429, "", {}, RetryAfter(30.0)),
    ],
)
async def test_kannel_answers_become_outcomes(
    provider: Provider, status: int, body: str, headers: dict[str, str], expected: object
):
    provider.status, provider.body, provider.headers = status, body, headers
    gateway = kannel(provider)
    outcome = await gateway.send(NUMBER, "hei", 1)
    await gateway.close()
    if isinstance(expected, type):
        assert isinstance(outcome, expected)
        assert str(status) in outcome.reason  # type: ignore[attr-defined]
    else:
        assert outcome == expected


async def test_a_provider_error_that_echoes_the_number_is_scrubbed(provider: Provider):
    provider.status, provider.body = 400, f"Invalid receiver {NUMBER[1:]}"
    gateway = kannel(provider)
    outcome = await gateway.send(NUMBER, "hei", 1)
    await gateway.close()
    assert isinstance(outcome, Permanent)
    assert "91234567" not in outcome.reason


async def test_kannel_timeout_is_transient(provider: Provider):
    provider.delay = 1.0
    gateway = kannel(provider, timeout=0.2)
    outcome = await gateway.send(NUMBER, "hei", 1)
    await gateway.close()
    assert outcome == Transient("timeout")


async def test_kannel_unreachable_is_transient(reserved_port: int):
    gateway = KannelGateway(
        f"http://127.0.0.1:{reserved_port}/cgi-bin/sendsms",  # nothing listens there
        "u",
        "p",
        sender=None,
        public_url="http://127.0.0.1:8081",
        secret="s",
    )
    outcome = await gateway.send(NUMBER, "hei", 1)
    await gateway.close()
    assert isinstance(outcome, Transient)


# ---- Kannel: inbound messages and reports


def kannel_query(sender: str, text: bytes, coding: str, charset: str) -> str:
    """A get-url query as Kannel writes it: %b is the message's bytes, url-encoded with '+'
    for a space byte."""
    return (
        f"secret=s3cret&from={quote(sender, safe='')}&to=1963"
        f"&text={quote(text, safe='').replace('%20', '+')}&coding={coding}&charset={charset}"
    )


@pytest.mark.parametrize(
    ("text", "coding", "charset"),
    [
        (UKRAINIAN.encode("utf-16-be"), "2", "UTF-16BE"),
        ("Привіт 😀 + 1".encode("utf-16-be"), "2", "UTF-16BE"),
        (UKRAINIAN.encode("utf-16-be"), "2", ""),
        (UKRAINIAN.encode(), "2", "UTF-8"),  # recoded by Kannel (mo-recode)
        (NORWEGIAN.encode(), "0", "UTF-8"),
        (NORWEGIAN.encode("latin-1", "replace"), "0", "ISO-8859-1"),
    ],
)
def test_kannel_inbound_decodes_by_coding_and_charset(text: bytes, coding: str, charset: str):
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    request = GatewayRequest(raw_query=kannel_query(NUMBER, text, coding, charset))
    sms = gateway.parse_inbound(request)
    codec = {"UTF-16BE": "utf-16-be", "": "utf-16-be", "ISO-8859-1": "latin-1"}.get(charset)
    assert sms.text == text.decode(codec or "utf-8")
    assert sms.sender == NUMBER
    assert sms.to == "1963"


@pytest.mark.parametrize("sender", ["+4791234567", "4791234567", "004791234567", "91234567"])
def test_kannel_inbound_normalises_the_sender(sender: str):
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    sms = gateway.parse_inbound(GatewayRequest(kannel_query(sender, b"hei", "0", "UTF-8")))
    assert sms.sender == NUMBER


@pytest.mark.parametrize("query", ["from=Telenor&text=hei", "from=%2B4791234567", ""])
def test_kannel_inbound_refuses_what_it_cannot_read(query: str):
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    with pytest.raises(BadRequest) as caught:
        gateway.parse_inbound(GatewayRequest(query))
    assert "91234567" not in str(caught.value)


def test_decoding_falls_back_rather_than_failing():
    assert decode_text(b"hei", "1", "8-BIT") == "hei"
    assert decode_text(b"\xff\xfe", "0", "no-such-charset") == "ÿþ"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("1", "delivered"),
        ("2", "failed"),
        ("4", "buffered"),
        ("8", "submitted"),
        ("16", "rejected"),
    ],
)
def test_kannel_reports(status: str, expected: str):
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    query = f"secret=s3cret&id=42&status={status}&gw=abc-123"
    report = gateway.parse_report(GatewayRequest(query))
    assert report == DeliveryReport(42, expected, "abc-123")  # type: ignore[arg-type]
    assert report.final == (expected in ("delivered", "failed", "rejected"))


@pytest.mark.parametrize(
    "query",
    # "²" is a digit that int() refuses (it failed the report: a 500 to the gateway).
    [
        "status=1",
        "id=x&status=1",
        "id=42&status=3",
        "id=42&status=",
        "id=42",
        "id=42&status=%C2%B2",
    ],
)
def test_kannel_reports_refuse_what_they_cannot_read(query: str):
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    with pytest.raises(BadRequest):
        gateway.parse_report(GatewayRequest(query))


async def test_an_aiohttp_request_keeps_kannels_raw_bytes():
    """Through a real aiohttp route: the UTF-16 text must survive the framework."""
    gateway = KannelGateway("http://x", "u", "p", sender=None, public_url="http://y", secret="s")
    parsed: list[object] = []

    async def inbound(request: web.Request) -> web.Response:
        data = await read_request(request)
        parsed.append(secret_matches(data, "s3cret"))
        parsed.append(gateway.parse_inbound(data))
        return web.Response(text="")

    app = web.Application()
    app.router.add_get("/sms/kannel/inbound", inbound)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        query = kannel_query(NUMBER, UKRAINIAN.encode("utf-16-be"), "2", "UTF-16BE")
        response = await client.get("/sms/kannel/inbound?" + query)
        assert response.status == 200
    assert parsed[0] is True
    assert parsed[1].text == UKRAINIAN  # type: ignore[attr-defined]


async def test_an_aiohttp_post_reaches_the_http_adapter():
    gateway = HttpGateway(sms_settings(sms_http_send_url="http://x"))
    parsed: list[object] = []

    async def inbound(request: web.Request) -> web.Response:
        parsed.append(gateway.parse_inbound(await read_request(request)))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/sms/http/inbound", inbound)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        message = {"from": NUMBER, "to": "1963", "text": UKRAINIAN}
        response = await client.post("/sms/http/inbound", json=message)
        assert response.status == 200
    assert parsed[0].text == UKRAINIAN  # type: ignore[attr-defined]


def test_dotted_paths_make_objects_and_lists():
    body: dict[str, object] = {"keep": 1}
    set_path(body, "a.b", 2)
    set_path(body, "list.1.id", 3)
    set_path(body, "a.c", 4)
    assert body == {"keep": 1, "a": {"b": 2, "c": 4}, "list": [None, {"id": 3}]}
    assert get_path(body, "list.1.id") == 3
    assert get_path(body, "list.5.id") is None
    assert get_path(body, "keep.x") is None
    with pytest.raises(ValueError, match="no index"):
        set_path(body, "list.x", 5)


def test_a_query_with_unencoded_characters_still_parses():
    request = GatewayRequest("from=%2B4791234567&text=Привіт+ł%20ok&x=%FF")
    assert request.query()["text"] == "Привіт ł ok"
    assert request.query_bytes()["x"] == b"\xff"


def test_secret_is_found_in_query_header_or_bearer():
    assert secret_matches(GatewayRequest("secret=abc"), "abc")
    assert secret_matches(GatewayRequest(headers={"x-naboskap-secret": "abc"}), "abc")
    assert secret_matches(GatewayRequest(headers={"Authorization": "Bearer abc"}), "abc")
    assert not secret_matches(GatewayRequest("secret=abd"), "abc")
    assert not secret_matches(GatewayRequest(headers={"Authorization": "abc"}), "abc")
    assert not secret_matches(GatewayRequest(""), "")


# ---- the generic HTTP provider


def http_settings(provider: Provider, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "sms_gateway": "http",
        "sms_http_send_url": provider.url.replace("/cgi-bin/sendsms", "/v1/sms"),
        "sms_http_token": "tok-123",
    }
    values.update(overrides)
    return sms_settings(**values)


async def test_http_posts_the_configured_json_with_a_bearer_token(provider: Provider):
    provider.status, provider.content_type = 201, "application/json"
    provider.body = '{"messages": [{"id": "msg-9", "status": "queued"}]}'
    settings = http_settings(
        provider,
        sms_http_to_field="destination",
        sms_http_text_field="userData",
        sms_http_sender_field="source",
        sms_http_reference_field="refId",
        sms_http_extra_fields={"platformId": "COMMON_API", "priority": 1},
        sms_http_id_field="messages.0.id",
        sms_http_number_format="digits",
    )
    gateway = HttpGateway(settings)
    outcome = await gateway.send(NUMBER, UKRAINIAN, 42)
    await gateway.close()
    assert outcome == Sent("msg-9")
    (seen,) = provider.seen
    assert (seen.method, seen.path) == ("POST", "/v1/sms")
    assert seen.headers["Authorization"] == "Bearer tok-123"
    assert seen.headers["Content-Type"].startswith("application/json")
    assert json.loads(seen.body) == {
        "platformId": "COMMON_API",
        "priority": 1,
        "destination": "4791234567",
        "userData": UKRAINIAN,
        "source": "Naboskap",
        "refId": "42",
    }


async def test_http_basic_auth_nested_fields_and_no_id(provider: Provider):
    provider.status, provider.body = 200, "OK"
    settings = http_settings(
        provider,
        sms_http_token=None,
        sms_http_username="larvik",
        sms_http_password="pw",
        sms_http_to_field="message.recipients.0",
        sms_http_text_field="message.body",
    )
    gateway = HttpGateway(settings)
    outcome = await gateway.send(NUMBER, "hei", 3)
    await gateway.close()
    assert outcome == Sent("")  # the answer was no JSON: no id, but sent all the same
    seen = provider.seen[0]
    assert seen.headers["Authorization"] == "Basic bGFydmlrOnB3"  # larvik:pw
    body = json.loads(seen.body)
    assert body["message"] == {"recipients": [NUMBER], "body": "hei"}


@pytest.mark.parametrize(
    ("status", "kind"), [(400, Permanent), (401, Permanent), (502, Transient), (408, Transient)]
)
async def test_http_failures(provider: Provider, status: int, kind: type):
    provider.status, provider.body = status, '{"error": "nope"}'
    gateway = HttpGateway(http_settings(provider))
    outcome = await gateway.send(NUMBER, "hei", 3)
    await gateway.close()
    assert isinstance(outcome, kind)


def test_http_inbound_from_json_form_or_query():
    gateway = HttpGateway(
        sms_settings(
            sms_http_send_url="http://x",
            sms_http_inbound_from_field="msisdn",
            sms_http_inbound_text_field="message.text",
        )
    )
    body = b'{"msisdn": "4791234567", "to": "1963", "message": {"text": "HEI"}}'
    sms = gateway.parse_inbound(
        GatewayRequest(body=body, headers={"Content-Type": "application/json"})
    )
    assert (sms.sender, sms.to, sms.text) == (NUMBER, "1963", "HEI")
    plain = HttpGateway(sms_settings(sms_http_send_url="http://x"))
    form = b"from=%2B4791234567&to=1963&text=Hei+p%C3%A5+deg"
    assert plain.parse_inbound(GatewayRequest(body=form)).text == "Hei på deg"
    assert plain.parse_inbound(GatewayRequest(form.decode())).text == "Hei på deg"
    with pytest.raises(BadRequest):
        plain.parse_inbound(GatewayRequest(body=b"{not json"))
    with pytest.raises(BadRequest):
        plain.parse_inbound(GatewayRequest("from=%2B4791234567"))


def test_http_reports_map_the_providers_words():
    gateway = HttpGateway(
        sms_settings(
            sms_http_send_url="http://x",
            sms_http_report_reference_field="refId",
            sms_http_report_status_field="resultCode",
            sms_http_report_statuses={"1001": "delivered", "1005": "failed"},
        )
    )
    body = b'{"refId": "42", "resultCode": 1001, "id": "msg-9"}'
    assert gateway.parse_report(GatewayRequest(body=body)) == DeliveryReport(
        42, "delivered", "msg-9"
    )
    default = HttpGateway(sms_settings(sms_http_send_url="http://x"))
    report = default.parse_report(GatewayRequest("reference=7&status=DELIVRD"))
    assert report == DeliveryReport(7, "delivered", None)
    with pytest.raises(BadRequest):
        default.parse_report(GatewayRequest("reference=7&status=MAYBE"))
    with pytest.raises(BadRequest):
        default.parse_report(GatewayRequest("status=DELIVRD"))


# ---- console and memory


async def test_console_logs_no_number_and_no_text(caplog: pytest.LogCaptureFixture):
    gateway = ConsoleGateway()
    with caplog.at_level(logging.DEBUG):
        outcome = await gateway.send(NUMBER, UKRAINIAN, 5)
    assert outcome == Sent("console-5")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "delivery 5" in logged
    assert "…67" in logged  # the last two digits, enough to tell test numbers apart
    assert "91234567" not in logged
    assert "Привіт" not in logged
    assert "ucs2" in logged


async def test_kannel_and_http_log_no_number_and_no_text(
    provider: Provider, caplog: pytest.LogCaptureFixture
):
    provider.status = 400
    provider.body = f"Bad number {NUMBER}"
    with caplog.at_level(logging.DEBUG):
        for gateway in (kannel(provider), HttpGateway(http_settings(provider))):
            await gateway.send(NUMBER, UKRAINIAN, 5)
            await gateway.close()
    # Only our own loggers: the fake provider's aiohttp access log shows the whole query (a
    # reminder that the bot's own inbound route must not keep aiohttp's default access log).
    ours = [r for r in caplog.records if r.name.startswith("naboskap")]
    assert ours
    logged = " ".join(r.getMessage() for r in ours)
    assert "91234567" not in logged
    assert "Привіт" not in logged


def test_console_and_memory_parse_the_simple_format():
    for gateway in (ConsoleGateway(), MemoryGateway()):
        sms = gateway.parse_inbound(GatewayRequest(body=b'{"from": "91234567", "text": "HEI"}'))
        assert (sms.sender, sms.text) == (NUMBER, "HEI")
        report = gateway.parse_report(GatewayRequest("id=3&status=delivered&gateway_id=m-1"))
        assert report == DeliveryReport(3, "delivered", "m-1")
        with pytest.raises(BadRequest):
            gateway.parse_report(GatewayRequest("id=3&status=ok"))


async def test_memory_keeps_what_it_sent_and_answers_as_scripted():
    gateway = MemoryGateway()
    gateway.outcomes.extend([Transient("down"), RetryAfter(3)])
    assert await gateway.send(NUMBER, "a", 1) == Transient("down")
    assert await gateway.send(NUMBER, "a", 1) == RetryAfter(3)
    assert await gateway.send(NUMBER, "a", 1) == Sent("memory-1")
    assert gateway.sent == [SentSms(NUMBER, "a", 1)]
    await gateway.close()
    assert gateway.closed


# ---- finding adapters


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("kannel", KannelGateway),
        ("http", HttpGateway),
        ("console", ConsoleGateway),
        ("memory", MemoryGateway),
    ],
)
async def test_built_in_gateways_are_found_by_name(name: str, kind: type):
    gateway = registry.load_gateway(
        sms_settings(sms_gateway=name.upper(), sms_http_send_url="http://127.0.0.1:1/sms")
    )
    assert isinstance(gateway, kind)
    assert isinstance(gateway, SmsGateway)
    assert gateway.name == name
    await gateway.close()


def test_the_built_ins_are_registered_as_entry_points():
    points = registry.entry_points(group=registry.GROUP)
    assert {p.name: p.value for p in points if p.name in registry.BUILT_IN} == registry.BUILT_IN


def _third_party(settings: Settings) -> MemoryGateway:
    gateway = MemoryGateway(region=settings.sms_default_region)
    gateway.name = "acme"
    return gateway


def _not_a_gateway(settings: Settings) -> object:
    return object()


def test_a_third_party_gateway_plugs_in_through_the_entry_point(monkeypatch: pytest.MonkeyPatch):
    points = [
        EntryPoint("acme", f"{__name__}:_third_party", registry.GROUP),
        EntryPoint("broken", f"{__name__}:_not_a_gateway", registry.GROUP),
        EntryPoint("missing", "no_such_module:create", registry.GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: points)
    assert registry.load_gateway(sms_settings(sms_gateway="acme")).name == "acme"
    # The built-ins are there even when the package metadata does not list them.
    assert isinstance(registry.load_gateway(sms_settings(sms_gateway="console")), ConsoleGateway)
    with pytest.raises(SettingsError, match="did not make an SMS gateway"):
        registry.load_gateway(sms_settings(sms_gateway="broken"))
    with pytest.raises(SettingsError, match="cannot be loaded"):
        registry.load_gateway(sms_settings(sms_gateway="missing"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sms_gateway": None}, "SMS_GATEWAY is not set"),
        ({"sms_gateway": "nope"}, "no gateway named 'nope' (known: "),
        ({"sms_gateway": "kannel", "kannel_username": None}, "KANNEL_USERNAME is not set"),
        ({"sms_gateway": "kannel", "kannel_password": None}, "KANNEL_PASSWORD is not set"),
        ({"sms_gateway": "kannel", "sms_inbound_secret": None}, "SMS_INBOUND_SECRET is not set"),
        ({"sms_gateway": "http"}, "SMS_HTTP_SEND_URL is not set"),
    ],
)
def test_missing_settings_are_named(overrides: dict[str, object], message: str):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        registry.load_gateway(sms_settings(**overrides))


# ---- settings and phone numbers


def test_sms_settings_defaults():
    settings = load_settings(_env_file=None)
    assert settings.sms_gateway is None
    assert settings.sms_listen == "127.0.0.1:8081"
    assert settings.sms_public_base_url == "http://127.0.0.1:8081"
    assert settings.sms_default_region == "NO"
    assert settings.sms_price_per_segment == 0.0
    assert settings.sms_monthly_segments is None
    assert settings.kannel_sendsms_url == "http://127.0.0.1:13013/cgi-bin/sendsms"
    assert load_settings(_env_file=None, sms_listen="0.0.0.0:9000").sms_public_base_url == (
        "http://127.0.0.1:9000"
    )
    public = load_settings(_env_file=None, sms_public_url="https://sms.larvik.example/")
    assert public.sms_public_base_url == "https://sms.larvik.example"


def test_sms_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMS_GATEWAY", "Kannel")
    monkeypatch.setenv("SMS_HTTP_EXTRA_FIELDS", '{"platformId": "COMMON_API"}')
    monkeypatch.setenv("SMS_HTTP_REPORT_STATUSES", '{"OK": "delivered"}')
    monkeypatch.setenv("SMS_MONTHLY_SEGMENTS", "5000")
    settings = load_settings(_env_file=None)
    assert settings.sms_gateway == "kannel"
    assert settings.sms_http_extra_fields == {"platformId": "COMMON_API"}
    assert settings.sms_http_report_statuses == {"ok": "delivered"}
    assert settings.sms_monthly_segments == 5000


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sms_listen": "8081"}, "SMS_LISTEN is invalid: expected HOST:PORT"),
        ({"sms_inbound_secret": "a b"}, "SMS_INBOUND_SECRET is invalid"),
        ({"sms_public_url": "sms.example"}, "SMS_PUBLIC_URL is invalid: must start with http"),
        ({"sms_sender": "Naboskap Larvik"}, "SMS_SENDER is invalid: up to 11"),
        ({"sms_default_region": "XX"}, "SMS_DEFAULT_REGION is invalid"),
        ({"sms_price_per_segment": -1}, "SMS_PRICE_PER_SEGMENT is invalid"),
        ({"sms_monthly_segments": 0}, "SMS_MONTHLY_SEGMENTS is invalid"),
        ({"sms_gateway": "no way"}, "SMS_GATEWAY is invalid"),
        ({"sms_http_id_field": "a..b"}, "SMS_HTTP_ID_FIELD is invalid"),
        ({"sms_http_token": "t", "sms_http_username": "u"}, "not both"),
        ({"sms_http_report_statuses": {"x": "lost"}}, "SMS_HTTP_REPORT_STATUSES is invalid"),
        ({"kannel_dlr_mask": 32}, "KANNEL_DLR_MASK is invalid"),
        ({"kannel_sendsms_url": ""}, "KANNEL_SENDSMS_URL is invalid: must start with http"),
    ],
)
def test_bad_sms_settings_are_one_line_errors(overrides: dict[str, object], message: str):
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(_env_file=None, **overrides)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91234567", NUMBER),
        ("912 34 567", NUMBER),
        ("+47 912 34 567", NUMBER),
        ("0047 91234567", NUMBER),
        ("4791234567", NUMBER),
        ("+380 67 123 4567", "+380671234567"),
        ("380671234567", "+380671234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("1234", None),
        ("Telenor", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, expected: str | None):
    assert phone_numbers.normalise(raw) == expected


def test_a_national_number_is_read_in_the_given_region():
    assert phone_numbers.normalise("070-123 45 67", "SE") == "+46701234567"
    assert phone_numbers.masked(NUMBER) == "…67"
