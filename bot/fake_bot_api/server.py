"""The fake Bot API server: the methods Naboskap uses, answered the way Telegram answers them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.fake_bot_api.html import ParseError, parse
from bot.fake_bot_api.state import Call, ChatMessage, Document

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-0123456789abc"
MAX_TEXT = 4096
MAX_CAPTION = 1024
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "entities",
    "caption_entities",
    "link_preview_options",
    "allowed_updates",
    "reply_parameters",
}

# Methods that put something in a chat: the ones Telegram's flood limits count.
_SENDING = {"sendmessage", "senddocument", "editmessagetext", "editmessagereplymarkup"}
# Methods after which what a user sees may have changed.
_CHANGING = _SENDING | {
    "deletemessage",
    "answercallbackquery",
    "setmycommands",
    "deletemycommands",
}

Deliver = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class RateLimit:
    """Flood limits, off unless set: at most `per_chat` messages a second to one chat and
    `total` a second in all; past them the server answers 429 with `retry_after`, as Telegram
    does (about 1 a second to a chat and 30 in all)."""

    per_chat: int | None = None
    total: int | None = None


class BotApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def as_response(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


class FakeBotAPI:
    """A loopback Bot API server for one bot token.

    Updates come from simulated users (see `FakeUser`) and reach the bot in one of three ways,
    as with Telegram: through `getUpdates`, by POST to a registered webhook, or, in tests that
    want to await the bot's handling, through `deliver` (e.g. a dispatcher's feed).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "naboskap_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        rate_limit: RateLimit | None = None,
    ) -> None:
        self.token = token
        self.host, self.port = host, port
        self.clock = clock
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Naboskap",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.deliver: Deliver | None = None
        # Called with the method name as each request arrives (tests observe the bot with it).
        self.on_request: Callable[[str], None] | None = None
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, list[ChatMessage]] = {}
        self.blocked: set[int] = set()
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self.webhook: dict[str, Any] | None = None
        self.errors: deque[tuple[str, BotApiError]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._queue: list[dict[str, Any]] = []
        self._queued = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.changed = asyncio.Condition()
        # Grows whenever what a user sees changes (for pages that wait for changes).
        self.revision = 0
        # The reply keyboard each chat shows under its text field (the latest one sent).
        self.keyboards: dict[int, dict[str, Any]] = {}
        # Answers to button presses that had text (toasts and alerts), per chat.
        self.toasts: dict[int, list[dict[str, Any]]] = {}
        self._callback_chats: dict[str, int] = {}
        self.rate_limit = rate_limit or RateLimit()
        self._sends: dict[int | None, deque[float]] = {}

    # ---- life cycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        """The Bot API routes; a caller may add its own routes before `start` (the
        playground serves its page and API from the same application)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    async def start(self, app: web.Application | None = None) -> str:
        self._runner = web.AppRunner(app or self.app(), access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def stop(self) -> None:
        # Wake long polls so that shutting down does not wait out their timeouts.
        self._queued.set()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the users' side --------------------------------------------------------------------

    def register_user(
        self, user_id: int, first_name: str, language_code: str | None, username: str | None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        self.users[user_id] = user
        return user

    def open_chat(self, user_id: int) -> None:
        """Record that this user has started the bot (in an earlier run, say), so that the bot
        may write to them before they write here."""
        self.chats.setdefault(user_id, [])

    def expect_callback(self, query_id: str, chat_id: int) -> None:
        """A user pressed a button in `chat_id`: the bot may answer `query_id` once."""
        self.callback_answers[query_id] = None
        self._callback_chats[query_id] = chat_id

    def menu_for(self, user_id: int) -> list[dict[str, Any]]:
        """The command menu this user's app shows, resolved as Telegram does: the chat's own
        scope, then all private chats, then the default; each in the user's app language
        first, then without a language."""
        language = str(self.users.get(user_id, {}).get("language_code", ""))[:2]
        for scope in (f"chat:{user_id}", "all_private_chats", "default"):
            for code in (language, ""):
                if (scope, code) in self.commands:
                    return self.commands[(scope, code)]
        return []

    def touch(self) -> None:
        """Note that what a user sees has changed (wakes `wait_for_change`)."""
        self.revision += 1

    async def announce(self) -> None:
        """`touch`, and wake whoever waits for a change now (for changes made outside the
        Bot API, such as a new persona)."""
        self.touch()
        async with self.changed:
            self.changed.notify_all()

    async def wait_for_change(self, since: int, timeout: float) -> int:
        """The revision once it is past `since`, or the current one after `timeout` seconds."""

        async def changed() -> None:
            async with self.changed:
                await self.changed.wait_for(lambda: self.revision > since)

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed(), timeout)
        return self.revision

    def user_message(self, user_id: int, text: str) -> ChatMessage:
        message = ChatMessage(self._next_message_id(user_id), user_id, False, int(self.clock()))
        message.text = message.source = text
        if text.startswith("/"):
            command = text.split()[0]
            message.entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.chats.setdefault(user_id, []).append(message)
        self.touch()
        keyboard = self.keyboards.get(user_id)
        if keyboard and keyboard.get("one_time_keyboard"):
            # A one-time keyboard folds away once used.
            self.keyboards.pop(user_id, None)
        return message

    def message_in(self, chat_id: int, message_id: int) -> ChatMessage:
        for message in self.chats.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise LookupError(message_id)

    async def push_update(self, update: dict[str, Any]) -> Any:
        """Hand an update to the bot the way it asked for them. Returns `deliver`'s result."""
        update = {"update_id": next(self._update_ids), **update}
        async with self.changed:
            self.changed.notify_all()
        if self.deliver is not None:
            return await self.deliver(update)
        if self.webhook is not None:
            return await self._post_webhook(update)
        self._queue.append(update)
        self._queued.set()
        return None

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of `method` fail as Telegram would (429, 403, 5xx...)."""
        self.errors.append((method, BotApiError(code, description, retry_after)))

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    # ---- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if self.on_request is not None:
            self.on_request(method)
        params = await self._params(request)
        handler = getattr(self, f"api_{method.lower()}", None)
        try:
            for index, (name, error) in enumerate(self.errors):
                if name.lower() == method.lower():
                    del self.errors[index]
                    raise error
            if handler is None:
                raise BotApiError(404, "Not Found")
            if method.lower() in _SENDING:
                self._check_flood(params.get("chat_id"))
            result = await handler(params)
        except BotApiError as error:
            self.calls.append(Call(method, params, ok=False, error=error.description))
            return web.json_response(error.as_response(), status=error.code)
        self.calls.append(Call(method, params, ok=True))
        if method.lower() in _CHANGING:
            self.touch()
        async with self.changed:
            self.changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Document(
                        value.filename or "file", value.file.read(), value.content_type
                    )
                else:
                    params[key] = value
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    raise _bad(f"can't parse {key} JSON object") from None
        return params

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        if self.webhook is None:
            return
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with self._client.post(self.webhook["url"], json=update, headers=headers) as reply:
            self.webhook["last_status"] = reply.status
            await reply.read()

    # ---- helpers ------------------------------------------------------------------------------

    def _check_flood(self, chat: object) -> None:
        """429 with retry_after when a switched-on flood limit would be passed."""
        limits = self.rate_limit
        if limits.per_chat is None and limits.total is None:
            return
        try:
            chat_id: int | None = int(str(chat))
        except ValueError:
            return  # the method itself answers "chat not found"
        now = time.monotonic()
        windows = []
        for key, limit in ((chat_id, limits.per_chat), (None, limits.total)):
            if limit is None:
                continue
            window = self._sends.setdefault(key, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, math.ceil(1.0 - (now - window[0])))
                raise BotApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            windows.append(window)
        for window in windows:
            window.append(now)

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            raise _bad("chat not found") from None
        if chat_id not in self.chats:
            raise _bad("chat not found")
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")):
                    raise _bad("text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode())
                    if not 1 <= size <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                elif not {"url", "switch_inline_query", "copy_text", "web_app"} & button.keys():
                    raise _bad('can\'t find field "callback_data"')
        return markup

    @staticmethod
    def _formatted(params: dict[str, Any], field: str, limit: int) -> tuple[str, list[Any]]:
        source = str(params.get(field, ""))
        if params.get("parse_mode") == "HTML":
            try:
                text, entities = parse(source)
            except ParseError as error:
                raise _bad(str(error)) from None
        else:
            text, entities = source, list(params.get("entities") or [])
        if field == "text" and not text.strip():
            raise _bad("message text is empty")
        if len(text.encode("utf-16-le")) // 2 > limit:
            raise _bad("message is too long" if field == "text" else "message caption is too long")
        return text, entities

    def _store(self, message: ChatMessage) -> dict[str, Any]:
        self.chats[message.chat_id].append(message)
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            self.keyboards[message.chat_id] = markup
        elif markup.get("remove_keyboard"):
            self.keyboards.pop(message.chat_id, None)
        return message.as_api(self.bot_user, self.users.get(message.chat_id))

    # ---- Bot API methods --------------------------------------------------------------------

    async def api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text, entities = self._formatted(params, "text", MAX_TEXT)
        message = ChatMessage(self._next_message_id(chat_id), chat_id, True, int(self.clock()))
        message.text, message.source, message.entities = text, str(params["text"]), entities
        message.reply_markup = self._markup(params)
        return self._store(message)

    async def api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if not isinstance(document, Document):
            raise _bad("there is no document in the request")
        caption, entities = self._formatted(params, "caption", MAX_CAPTION)
        message = ChatMessage(self._next_message_id(chat_id), chat_id, True, int(self.clock()))
        message.text, message.source, message.entities = (
            caption,
            str(params.get("caption", "")),
            entities,
        )
        message.document = document
        message.reply_markup = self._markup(params)
        return self._store(message)

    def _editable(self, params: dict[str, Any]) -> ChatMessage:
        chat_id = self._chat(params)
        try:
            message = self.message_in(chat_id, int(params.get("message_id", 0)))
        except (LookupError, ValueError):
            raise _bad("message to edit not found") from None
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    async def api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        text, entities = self._formatted(params, "text", MAX_TEXT)
        markup = self._markup(params)
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.previous.append(message.text)
        message.text, message.source, message.entities = text, str(params["text"]), entities
        message.reply_markup, message.edited = markup, True
        return message.as_api(self.bot_user, self.users.get(message.chat_id))

    async def api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise _bad(
                "message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of "
                "the message"
            )
        message.reply_markup, message.edited = markup, True
        return message.as_api(self.bot_user, self.users.get(message.chat_id))

    async def api_deletemessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        try:
            self.message_in(chat_id, int(params.get("message_id", 0))).deleted = True
        except (LookupError, ValueError):
            raise _bad("message to delete not found") from None
        return True

    async def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = str(params.get("text", ""))
        if len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        answer = {
            "text": text,
            "show_alert": str(params.get("show_alert", "")).lower() in ("true", "1"),
        }
        self.callback_answers[query_id] = answer
        chat_id = self._callback_chats.pop(query_id, None)
        if text and chat_id is not None:
            toasts = self.toasts.setdefault(chat_id, [])
            toasts.append({"id": len(toasts) + 1, "date": int(self.clock()), **answer})
        return True

    async def api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if commands else "commands must be non-empty")
        for command in commands:
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if (
                not (1 <= len(name) <= 32)
                or not name.replace("_", "").isalnum()
                or name != name.lower()
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        language = str(params.get("language_code", ""))
        if language and (len(language) != 2 or not language.isalpha()):
            raise _bad("invalid language code specified")
        self.commands[(self._scope_key(params), language)] = commands
        return True

    async def api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(
            (self._scope_key(params), str(params.get("language_code", ""))), []
        )

    async def api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((self._scope_key(params), str(params.get("language_code", ""))), None)
        return True

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            return f"chat:{scope.get('chat_id')}"
        return str(scope.get("type", "default"))

    async def api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if not url:
            self.webhook = None
            return True
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates") in ("true", True):
            self._queue.clear()
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    async def api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in ("true", True):
            self._queue.clear()
        return True

    async def api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        return info

    async def api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        self._queue = [u for u in self._queue if u["update_id"] >= offset]
        if not self._queue and timeout:
            self._queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), timeout)
        return self._queue[:limit]

    async def api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def api_logout(self, params: dict[str, Any]) -> bool:
        return True
