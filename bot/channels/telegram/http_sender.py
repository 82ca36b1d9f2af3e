"""Sending the outbox's messages to Telegram with plain HTTP and JSON: the sender of
`naboskap worker`, which has no other use for aiogram.

aiogram's bot loads its whole type tree (pydantic models for every Bot API object): measured
by benchmarks/memory.py, a worker built around it held about 205 MiB where the same worker
without aiogram held 77 MiB. The outbox needs three methods, `sendMessage`, `sendPhoto` for a
poll's chart (a multipart form with the picture, the text its caption; a text too long for a
caption goes alone as a message, as `TelegramSender` sends it) and `sendDocument` for another
file (a monthly report, the text its caption: cut to fit where too long), so this
sender posts them itself and reads Telegram's answer the way aiogram does, giving the same
outcome for every answer as `TelegramSender`:

- ok → `Sent` with the message id;
- any answer with `parameters.retry_after` (429, flood control) → `RetryAfter`;
- 403 (blocked, kicked, deactivated) → `Unreachable`;
- 400 "chat not found" / "user is deactivated" → `Unreachable`; any other 400 → `Permanent`;
- 5xx, any other error code, an answer that is not the Bot API's JSON, a network error or a
  timeout → `Transient`.

`naboskap run` keeps `TelegramSender` on its aiogram bot: it loads aiogram anyway.
"""

from __future__ import annotations

import mimetypes
from typing import Any

import aiohttp

from bot.channels.telegram import wire_json
from bot.channels.telegram.photos import Attachments, file_caption, fits_caption, is_photo
from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Outcome, Permanent, RetryAfter, Sent, Transient, Unreachable
from bot.services import actions

JSON = {"Content-Type": "application/json"}
# aiogram's default for a request to the Bot API.
REQUEST_TIMEOUT = 60.0
# What aiogram calls each kind of failure; a Transient's reason names it the same way, so the
# worker's log reads alike whichever sender it has.
_KINDS = {
    401: "TelegramUnauthorizedError",
    404: "TelegramNotFound",
    409: "TelegramConflictError",
    413: "TelegramEntityTooLarge",
}


def reply_markup(message: Rendered) -> dict[str, Any] | None:
    """The inline keyboard, as `bot.channels.telegram.sender.markup` makes it."""
    if not message.buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": b.text, "callback_data": actions.pack(b.action)} for b in row]
            for row in message.buttons
        ]
    }


def outcome(status: int, answer: object) -> Outcome:
    """What Telegram's answer (HTTP status, decoded JSON body) means for a delivery."""
    if not isinstance(answer, dict):
        return Transient(f"TelegramNetworkError: HTTP {status}, not the Bot API's answer")
    if answer.get("ok") is True:
        result = answer.get("result")
        if isinstance(result, dict) and "message_id" in result:
            return Sent(str(result["message_id"]))
        return Transient("TelegramAPIError: an answer without a message id")
    code = answer.get("error_code", status)
    description = str(answer.get("description", ""))
    parameters = answer.get("parameters") or {}
    if isinstance(parameters, dict):
        if parameters.get("retry_after") is not None:
            return RetryAfter(float(parameters["retry_after"]))
        if parameters.get("migrate_to_chat_id") is not None:
            return Transient(f"TelegramMigrateToChat: {description}")
    if code == 403:
        return Unreachable(description)
    if code == 400:
        lowered = description.lower()
        if "chat not found" in lowered or "user is deactivated" in lowered:
            return Unreachable(description)
        return Permanent(description)
    if isinstance(code, int) and code >= 500:
        return Transient(f"TelegramServerError: {description}")
    kind = _KINDS.get(code, "TelegramAPIError") if isinstance(code, int) else "TelegramAPIError"
    return Transient(f"{kind}: {description}")


class HttpTelegramSender:
    """The outbox's Telegram sender over an aiohttp session the caller owns (and closes)."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        token: str,
        api_base: str = "https://api.telegram.org",
        timeout: float = REQUEST_TIMEOUT,
        attachments: Attachments | None = None,
    ) -> None:
        self.http = http
        self.base = f"{api_base.rstrip('/')}/bot{token}"
        self.url = f"{self.base}/sendMessage"
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.attachments = attachments

    async def get_me(self) -> None:
        """Ask the Bot API who the bot is: fails when it is out of reach or refuses the token
        (`naboskap worker`'s /readyz)."""
        async with self.http.get(f"{self.base}/getMe", timeout=self.timeout) as reply:
            if reply.status != 200:
                raise ConnectionError(f"getMe answered {reply.status}")
            await reply.read()

    async def send(self, address: int | str, message: Rendered, item: object = None) -> Outcome:
        found = None
        if message.attachment and self.attachments is not None:
            found = await self.attachments(message.attachment)
        if found is not None and is_photo(found[0]):
            return await self._photo(address, message, *found)
        if found is not None:
            return await self._document(address, message, *found)
        return await self._message(address, message)

    async def _message(self, address: int | str, message: Rendered) -> Outcome:
        payload: dict[str, Any] = {
            "chat_id": address,
            "text": message.text,
            # The bot's defaults (bot.app.build_bot): HTML, no link previews.
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        markup = reply_markup(message)
        if markup is not None:
            payload["reply_markup"] = markup
        try:
            async with self.http.post(
                self.url, data=wire_json.dumps_bytes(payload), headers=JSON, timeout=self.timeout
            ) as response:
                status = response.status
                body = await response.read()
        except (aiohttp.ClientError, OSError) as error:
            return Transient(f"TelegramNetworkError: {type(error).__name__}")
        except TimeoutError:
            return Transient("TimeoutError: ")
        return _answer(status, body)

    async def _photo(
        self, address: int | str, message: Rendered, name: str, content: bytes
    ) -> Outcome:
        """The picture with the text as its caption and the buttons; a text too long for a
        caption goes alone as a message, as `TelegramSender` sends it."""
        if not fits_caption(message.text):
            return await self._message(address, message)
        return await self._upload("sendPhoto", "photo", address, message, name, content)

    async def _document(
        self, address: int | str, message: Rendered, name: str, content: bytes
    ) -> Outcome:
        """A file with the text as its caption (cut to fit, as `TelegramSender` cuts it) and
        the buttons."""
        caption = file_caption(message.text)
        return await self._upload(
            "sendDocument", "document", address, message, name, content, caption
        )

    async def _upload(
        self,
        method: str,
        field: str,
        address: int | str,
        message: Rendered,
        name: str,
        content: bytes,
        caption: str | None = None,
    ) -> Outcome:
        """A multipart form with the file, the caption (the message's text unless given) and
        the buttons."""
        form = aiohttp.FormData()
        form.add_field("chat_id", str(address))
        form.add_field("caption", message.text if caption is None else caption)
        form.add_field("parse_mode", "HTML")
        markup = reply_markup(message)
        if markup is not None:
            form.add_field("reply_markup", wire_json.dumps_bytes(markup).decode())
        form.add_field(field, content, filename=name, content_type=_content_type(name))
        try:
            async with self.http.post(
                f"{self.base}/{method}", data=form, timeout=self.timeout
            ) as response:
                status = response.status
                body = await response.read()
        except (aiohttp.ClientError, OSError) as error:
            return Transient(f"TelegramNetworkError: {type(error).__name__}")
        except TimeoutError:
            return Transient("TimeoutError: ")
        return _answer(status, body)


def _content_type(name: str) -> str:
    """What the file is, by its name: Telegram shows a document by its type."""
    found, _ = mimetypes.guess_type(name)
    if found is not None and found.startswith("text/"):
        return f"{found}; charset=utf-8"
    return found or "application/octet-stream"


def _answer(status: int, body: bytes) -> Outcome:
    try:
        answer = wire_json.loads(body)
    except ValueError:
        answer = None
    return outcome(status, answer)
