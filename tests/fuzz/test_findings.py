"""What the fuzz tests found, each pinned by a story: the bot answers or stays quiet, nothing
fails, and no log line quotes what a resident wrote."""

from __future__ import annotations

import logging

import pytest

from bot.fake_bot_api import FakeBotAPI
from bot.fake_bot_api.server import DEFAULT_TOKEN
from tests.support.sms_phone import SECRET, SmsNetwork, sms_network

STALE = "This button no longer works. Send /start for a fresh menu."
SECRET_TEXT = "Kaffe-hemmelighet-XYZ"


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "data",
    [
        "n:members:9223372036854775808:0",  # an id past any database column
        "n:list:0:-1",  # a page before the first
        "c:card:99999999999:0",
        "ev:open:2147483648:",
        "hr:aday:0:-2",  # -1 means "flexible"; -2 means nothing
        "s:mode:-5",
    ],
)
async def test_a_forged_button_with_a_number_out_of_range_no_longer_works(
    app, resident, caplog: pytest.LogCaptureFixture, data: str
):
    """Found: `n:members:2**63:...` reached SQLite as a number it cannot hold (OverflowError;
    PostgreSQL refuses anything past 2**31 - 1), and the resident was told something went
    wrong. Every number on the bot's own buttons is now bounded where the data is read."""
    kari = await resident("Kari")
    caplog.set_level(logging.INFO, logger="naboskap")
    await kari.press_data(data)
    assert kari.last_answer is not None
    assert kari.last_answer["text"] == app.catalogs.translator("nb").gettext(STALE)
    assert _errors(caplog) == []


@pytest.mark.parametrize("sender", ["a bot", "no one"])
async def test_a_private_message_from_a_bot_or_from_no_one_is_left_alone(
    app, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture, sender: str
):
    """Found: with no person behind it there is no actor, and every handler needs one: the
    handler failed with a TypeError and the bot answered "something went wrong"."""
    caplog.set_level(logging.INFO)
    fake_api.open_chat(5501)
    message: dict[str, object] = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5501, "type": "private", "first_name": "Robo"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    if sender == "a bot":
        message["from"] = {"id": 5501, "is_bot": True, "first_name": "Robo"}
    await fake_api.push_update({"message": message})
    assert fake_api.chats[5501] == []  # no answer
    assert _errors(caplog) == []


async def test_an_update_of_an_unknown_kind_is_skipped_without_quoting_it(
    app, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
):
    """Found: aiogram warned about an update of a kind it does not know with the whole update
    in the warning (a new Telegram update type would carry texts and names)."""
    caplog.set_level(logging.DEBUG, logger="naboskap")
    caplog.set_level(logging.DEBUG, logger="aiogram")
    update = {"business_thing": {"text": SECRET_TEXT, "from": {"id": 5, "first_name": "Ingrid"}}}
    await fake_api.push_update(update)
    assert [str(w.message) for w in recwarn] == []
    assert SECRET_TEXT not in caplog.text and "Ingrid" not in caplog.text
    assert _errors(caplog) == []


@pytest.fixture
async def sms(database_url: str, fake_api: FakeBotAPI):  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network


async def test_an_sms_request_too_long_to_read_is_refused_without_logging_it(
    sms: SmsNetwork, caplog: pytest.LogCaptureFixture
):
    """Found: aiohttp refused a request line over 8190 bytes and logged it at ERROR with the
    line in the exception: the secret, the phone number and the text. Now a long SMS by GET
    fits (up to 64 KiB of request line), and what is still too long gets a 4xx and a warning
    that quotes nothing."""
    # Ours and aiohttp's; the database drivers stay quiet, as in production (`bot.logs`).
    caplog.set_level(logging.DEBUG, logger="naboskap")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    long_sms = "Приходьте на каву! " * 60  # ten Cyrillic segments: about 20 000 bytes encoded
    status = await sms.post(
        "/sms/memory/inbound", secret=SECRET, to="2000", text=long_sms, **{"from": "+4791234567"}
    )
    assert status == 200
    params = {"secret": SECRET, "from": "+4791234567", "text": SECRET_TEXT * 4000}
    async with sms.http.get(sms.server.make_url("/sms/memory/inbound"), params=params) as reply:
        assert 400 <= reply.status < 500
    assert _errors(caplog) == []
    for private in (SECRET_TEXT, "91234567", SECRET, DEFAULT_TOKEN):
        assert private not in caplog.text
    assert "Error handling request" in caplog.text  # said, with the error's type only


async def test_an_invite_code_with_letters_beyond_ascii_is_just_a_wrong_code(
    app, resident, caplog: pytest.LogCaptureFixture
):
    """Found: the code was compared with `secrets.compare_digest`, which raises TypeError for
    a str with anything but ASCII in it: typing "BLÅBÆR" as the code failed the update."""
    from bot.services import networks
    from bot.services.actors import Actor

    async with app.sessionmaker() as session:
        await networks.create_network(
            session, Actor.operator(), name="Langestrand", slug="langestrand", invite_code="LANGE1"
        )
    kari = await resident("Kari")
    caplog.set_level(logging.INFO, logger="naboskap")
    await kari.send("/start join-langestrand")
    nb = app.catalogs.translator("nb")
    for typed in ("BLÅBÆR", "Привіт", "lange1 🙂"):
        replies = await kari.send(typed)
        assert replies[-1].text == nb.gettext(
            "That code doesn't match. Check it and try again, or send /cancel."
        ), typed
    replies = await kari.send("lange1")
    assert "Langestrand" in replies[0].text
    assert _errors(caplog) == []


async def test_an_sms_of_a_digit_int_cannot_read_is_not_a_choice(
    sms: SmsNetwork, caplog: pytest.LogCaptureFixture
):
    """Found: "²" is a digit to `str.isdigit` but not to `int`, so a resident answering a
    numbered question with it got a 500 (and the gateway retried). Digits of other scripts
    that `int` reads (Arabic-Indic "٢") still choose."""
    caplog.set_level(logging.INFO, logger="naboskap")
    phone = sms.phone("+4791234567")
    languages = await phone.send("Hei")
    assert languages, "a newcomer is asked for a language, by number"
    assert await phone.send("²")  # answered, not failed
    replies = await phone.send("٢")  # the second language on the list: English
    assert replies and replies[-1] != languages[-1]
    assert _errors(caplog) == []
