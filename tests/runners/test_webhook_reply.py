"""Answering in the webhook response (`bot.channels.telegram.webhook_reply`), through the real
webhook server and the fake Bot API, which executes a method in a response body as Telegram
does and records how each call came (`Call.via`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiogram import F
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, Message
from aiohttp import web

from bot.app import App, build_app
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.limits import RateLimit
from bot.fake_bot_api.state import Call
from bot.runners import webhook_application
from bot.services.errors import NotFound
from tests.support.settings import make_settings

# Long enough for a loaded machine: the tests that need the bound to pass set a short one.
PATIENT = 20.0


async def _serve(
    app: App, *, background: bool = True, reply_wait: float = PATIENT
) -> web.AppRunner:
    runner = web.AppRunner(
        webhook_application(app, "s3cret", "/telegram", background, reply_wait=reply_wait)
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cret")
    return runner


@pytest.fixture
async def webhook_app(database_url: str, fake_api: FakeBotAPI) -> AsyncIterator[App]:
    """The real bot, not yet serving (each test serves it its way); closed afterwards."""
    app = build_app(make_settings(database_url, fake_api.base_url), pace=fake_api.pace)
    yield app
    await app.close()


async def _until(api: FakeBotAPI, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async def satisfied() -> None:
        async with api.changed:
            await api.changed.wait_for(condition)

    await asyncio.wait_for(satisfied(), timeout)


async def _started(api: FakeBotAPI, user: FakeUser) -> None:
    """/start, and its answer (the language buttons) in the chat."""
    await user.send("/start")
    await _until(api, lambda: bool(user.messages and user.last.buttons))


def _answers(api: FakeBotAPI, query_id: str | None = None) -> list[Call]:
    return [
        call
        for call in api.calls
        if call.method == "answerCallbackQuery"
        and (query_id is None or call.params.get("callback_query_id") == query_id)
    ]


def _pressed(api: FakeBotAPI) -> str:
    """The id of the newest button press."""
    return list(api.callback_answers)[-1]


@pytest.mark.parametrize("background", [True, False], ids=["background", "in-request"])
async def test_a_button_press_is_answered_in_the_webhook_response(
    webhook_app: App, fake_api: FakeBotAPI, background: bool
):
    runner = await _serve(webhook_app, background=background)
    try:
        user = FakeUser(fake_api, 7001, "Kari", "nb")
        await _started(fake_api, user)
        await user.press("Norsk (bokmål)")
        query = _pressed(fake_api)
        # The answer came with the response to the POST: it is there when the POST returns.
        assert fake_api.callback_answers[query] is not None
        await _until(fake_api, lambda: "Norsk (bokmål)" not in " ".join(user.last.button_texts))
    finally:
        await runner.cleanup()
    answers = _answers(fake_api)
    assert [(call.via, call.ok) for call in answers] == [("response", True)]
    assert fake_api.response_errors == []
    assert all(call.ok for call in fake_api.calls)


async def test_in_the_background_the_spinner_stops_before_the_handler_finishes(
    webhook_app: App, fake_api: FakeBotAPI
):
    release = asyncio.Event()

    async def slow(query: CallbackQuery) -> None:
        await query.answer("Working on it")
        await release.wait()
        assert isinstance(query.message, Message)
        await query.message.answer("Done")

    webhook_app.dispatcher.callback_query.register(slow, F.data == "slow")
    runner = await _serve(webhook_app)
    try:
        user = FakeUser(fake_api, 7002, "Olena", "uk")
        await _started(fake_api, user)
        await user.press_data("slow")
        query = _pressed(fake_api)
        answer = fake_api.callback_answers[query]
        assert answer is not None and answer["text"] == "Working on it"
        assert not release.is_set()  # the handler is still at work
        release.set()
        await _until(fake_api, lambda: any(m.text == "Done" for m in user.messages))
    finally:
        await runner.cleanup()
    assert [call.via for call in _answers(fake_api)] == ["response"]
    assert fake_api.response_errors == []


@pytest.mark.parametrize("background", [True, False], ids=["background", "in-request"])
async def test_a_refusal_after_the_answer_is_said_in_the_chat_as_before(
    webhook_app: App, fake_api: FakeBotAPI, background: bool
):
    """The error handler answers a refused press with an alert, or, when the handler has
    answered it already, with a message: a second answer is refused at once, as Telegram
    would, rather than racing the first in the response."""

    async def refused(query: CallbackQuery) -> None:
        await query.answer()
        raise NotFound()

    webhook_app.dispatcher.callback_query.register(refused, F.data == "refused")
    runner = await _serve(webhook_app, background=background)
    try:
        user = FakeUser(fake_api, 7008, "Hodan", "en")
        await _started(fake_api, user)
        before = len(user.messages)
        await user.press_data("refused")
        await _until(fake_api, lambda: len(user.messages) > before)
    finally:
        await runner.cleanup()
    assert [call.via for call in _answers(fake_api)] == ["response"]
    assert all(call.ok for call in fake_api.calls)
    assert "something went wrong" not in user.last.text.lower()


async def test_past_the_bound_the_answer_is_an_api_call_and_is_not_lost(
    webhook_app: App, fake_api: FakeBotAPI
):
    release = asyncio.Event()

    async def thinking(query: CallbackQuery) -> None:
        await release.wait()
        await query.answer("Finally")

    webhook_app.dispatcher.callback_query.register(thinking, F.data == "think")
    runner = await _serve(webhook_app, reply_wait=0.05)
    try:
        user = FakeUser(fake_api, 7003, "Ahmed", "ar")
        await _started(fake_api, user)
        await user.press_data("think")  # answered 200, empty, after 0.05 s
        query = _pressed(fake_api)
        assert fake_api.callback_answers[query] is None
        assert fake_api.webhook is not None and fake_api.webhook["last_status"] == 200
        release.set()
        await _until(fake_api, lambda: fake_api.callback_answers[query] is not None)
    finally:
        await runner.cleanup()
    # Exactly one answer, sent by the bot itself once the response had gone without it.
    assert [(call.via, call.ok) for call in _answers(fake_api)] == [("request", True)]


async def test_an_answer_whose_response_cannot_be_written_is_sent_through_the_api(
    webhook_app: App, fake_api: FakeBotAPI
):
    """Telegram hung up before the answer was ready: the bot sends it itself."""
    release = asyncio.Event()

    async def late(query: CallbackQuery) -> None:
        await release.wait()
        await query.answer("Late")

    webhook_app.dispatcher.callback_query.register(late, F.data == "late")
    runner = await _serve(webhook_app)
    try:
        user = FakeUser(fake_api, 7009, "Senait", "ti")
        await _started(fake_api, user)
        query_id = "hung-up"
        fake_api.expect_callback(query_id, user.id)
        update = {
            "update_id": 9001,
            "callback_query": {
                "id": query_id,
                "from": user.profile,
                "message": user.last.as_api(fake_api.bot_user, user.profile),
                "chat_instance": str(user.id),
                "data": "late",
            },
        }
        assert fake_api.webhook is not None
        async with aiohttp.ClientSession() as client:
            with pytest.raises(TimeoutError):
                async with client.post(
                    fake_api.webhook["url"],
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
                    timeout=aiohttp.ClientTimeout(total=0.3),
                ) as reply:
                    await reply.read()
        await asyncio.sleep(0.2)  # the server has seen the connection go
        release.set()
        await _until(fake_api, lambda: fake_api.callback_answers[query_id] is not None)
    finally:
        await runner.cleanup()
    assert [(call.via, call.ok) for call in _answers(fake_api, query_id)] == [("request", True)]


async def test_a_returned_reply_rides_in_the_response_and_the_fake_validates_it(
    webhook_app: App, fake_api: FakeBotAPI
):
    async def good(message: Message) -> SendMessage:
        return message.answer("<b>Fine</b>")

    async def bad(message: Message) -> SendMessage:
        return message.answer("<b>Unclosed")

    webhook_app.dispatcher.message.register(good, F.text == "good")
    webhook_app.dispatcher.message.register(bad, F.text == "bad")
    runner = await _serve(webhook_app, background=False)
    try:
        user = FakeUser(fake_api, 7004, "Zofia", "pl")
        await user.send("good")
        assert user.last.text == "Fine"
        assert user.last.entities and user.last.entities[0]["type"] == "bold"
        # Another chat, after the global budget's interval: a message rides in the response
        # only if flood control lets it through at once.
        await fake_api.pace.sleep(0.1)
        await FakeUser(fake_api, 7010, "Farid", "fa").send("bad")
    finally:
        await runner.cleanup()
    sends = [call for call in fake_api.calls if call.method == "sendMessage"]
    assert [(call.via, call.ok) for call in sends] == [("response", True), ("response", False)]
    # Telegram tells no one; the fake keeps it for the tests.
    assert len(fake_api.response_errors) == 1
    assert "can't parse entities" in (fake_api.response_errors[0].error or "")
    assert user.last.text == "Fine"


async def test_a_returned_reply_waits_its_turn_when_the_chat_has_just_had_one(
    database_url: str,
):
    """With flood control on, a returned message goes in the response only if the chat's
    and the global slot are free at once; otherwise it is sent through the API, paced."""
    async with FakeBotAPI(rate_limit=RateLimit(per_chat=1, total=30)) as api:
        app = build_app(make_settings(database_url, api.base_url, flood_control=True))

        async def twice(message: Message) -> SendMessage:
            await message.answer("One")
            return message.answer("Two")

        async def once(message: Message) -> SendMessage:
            return message.answer("Three")

        app.dispatcher.message.register(twice, F.text == "twice")
        app.dispatcher.message.register(once, F.text == "once")
        runner = await _serve(app, background=False)
        try:
            first = FakeUser(api, 7005, "Tom", "en")
            await first.send("twice")
            second = FakeUser(api, 7006, "Rasa", "lt")
            await api.pace.sleep(0.1)  # the global budget's interval (25 a second)
            await second.send("once")
        finally:
            await runner.cleanup()
            await app.close()
    sends = {call.params["text"]: call for call in api.calls if call.method == "sendMessage"}
    assert [m.text for m in first.messages] == ["One", "Two"]
    assert sends["One"].via == "request" and sends["Two"].via == "request"
    assert sends["Three"].via == "response"
    assert all(call.ok for call in api.calls)


async def test_fed_updates_and_polling_answer_through_the_api_as_before(
    app: App, fake_api: FakeBotAPI, make_user: Callable[..., FakeUser]
):
    """`feed_raw_update` (the tests' way in) and long polling have no response to carry an
    answer: everything is an API request."""
    user = make_user("Kari")
    await user.send("/start")
    await user.press("Norsk (bokmål)")
    assert [(call.via, call.ok) for call in _answers(fake_api)] == [("request", True)]
    assert all(call.via == "request" for call in fake_api.calls)


async def test_the_fake_executes_a_response_body_as_telegram_does(fake_api: FakeBotAPI):
    """JSON or a multipart form (aiogram's own writer) is executed; an empty or unreadable
    body is ignored, and recorded as an error a test can see."""

    def form(**fields: str) -> aiohttp.MultipartWriter:
        writer = aiohttp.MultipartWriter("form-data")
        for name, value in fields.items():
            writer.append(value).set_content_disposition("form-data", name=name)
        return writer

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        if update["update_id"] == 1:
            return web.json_response({})
        if update["update_id"] == 2:
            return web.Response(body=b"{not json", content_type="application/json")
        if update["update_id"] == 3:
            return web.json_response({"method": "sendMessage", "chat_id": 7007, "text": "x"})
        return web.Response(
            body=form(method="sendMessage", chat_id="7011", text="<i>y</i>", parse_mode="HTML")
        )

    web_app = web.Application()
    web_app.router.add_post("/hook", hook)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        fake_api.webhook = {"url": f"http://127.0.0.1:{runner.addresses[0][1]}/hook"}
        fake_api.open_chat(7007)
        fake_api.open_chat(7011)  # two chats: Telegram takes one message a second to a chat
        for _ in range(4):
            await fake_api.push_update({"message": {"text": "hi"}})
    finally:
        await runner.cleanup()
    assert [(call.method, call.ok, call.via) for call in fake_api.calls] == [
        ("(webhook response)", False, "response"),
        ("sendMessage", True, "response"),
        ("sendMessage", True, "response"),
    ]
    assert [m.text for m in fake_api.chats[7007] + fake_api.chats[7011]] == ["x", "y"]
