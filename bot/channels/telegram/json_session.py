"""The bot's Bot API session: requests as one JSON body instead of a form.

aiogram's `AiohttpSession` sends every request as a form: each field (the text, the keyboard
as a JSON string) is percent-encoded, byte by byte in Python (`urllib.parse.quote`). For our
texts, Norwegian, Arabic, Ethiopic, with emoji, most bytes need escaping, and that showed up as
about 5 % of the bot's CPU in a profile of benchmarks/updates.py. The Bot API takes
`application/json` as well (the worker's `HttpTelegramSender` has always sent that way), and
one orjson call makes the whole body.

A request with a file to upload (`sendDocument` with an `InputFile`) still goes as aiogram's
multipart form. The fields sent are the form's: aiogram's `prepare_value` makes each one (the
bot's defaults resolved, dates as Unix time, enums as their values, Telegram objects as plain
dicts), and a field the form would leave out (None, or an empty string) is left out here too;
nested values (`reply_markup`, `commands`...) are JSON objects rather than JSON in a string,
which the Bot API reads the same.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, FormData

from bot.channels.telegram import wire_json
from bot.channels.telegram.documents import TypedFile

if TYPE_CHECKING:
    from aiogram import Bot

JSON = {"Content-Type": "application/json"}


class JsonBodySession(AiohttpSession):
    """`AiohttpSession` posting each request's fields as one JSON body (see the module)."""

    async def close(self) -> None:
        """aiogram's close waits 250 ms for SSL connections to finish closing; a Bot API
        server reached over plain HTTP (a local `telegram-bot-api`, the test fake) has none,
        so closing it need not wait."""
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        """aiogram's check, with the keyboard left out of a returned message.

        After `sendMessage` or an edit Telegram returns the message whole, the keyboard we
        just sent included; nothing of ours reads it back, and building it into aiogram
        objects cost more than the rest of the message (a nine-button keyboard: about 55 of
        90 microseconds). Everything else, errors and `retry_after` included, is aiogram's.
        """
        if status_code == HTTPStatus.OK and '"reply_markup"' in content:
            try:
                data = wire_json.loads(content)
            except ValueError:
                pass  # aiogram's own check says what is wrong with it
            else:
                result = data.get("result") if isinstance(data, dict) else None
                if isinstance(result, dict) and "reply_markup" in result:
                    del result["reply_markup"]
                    content = wire_json.dumps(data)
        return super().check_response(bot, method, status_code, content)

    def json_fields(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
        """The request's fields as JSON values, or None when it uploads a file."""
        files: dict[str, InputFile] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            # The form drops a field whose value is None or "": the same fields are sent.
            if prepared is None or prepared == "":
                continue
            fields[key] = prepared
        return None if files else fields

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        """aiogram's multipart form, with each `TypedFile`'s content type on its part
        (aiogram's own sends every file as application/octet-stream)."""
        form = FormData(quote_fields=False)
        files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            form.add_field(key, prepared)
        for key, file in files.items():
            form.add_field(
                key,
                file.read(bot),
                filename=file.filename or key,
                content_type=file.content_type if isinstance(file, TypedFile) else None,
            )
        return form

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        fields = self.json_fields(bot, method)
        if fields is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        # Below as aiogram's own make_request, with a JSON body for the form.
        try:
            async with session.post(
                url,
                data=wire_json.dumps_bytes(fields),
                headers=JSON,
                # A number, as aiogram passes it: aiohttp makes it a total timeout.
                timeout=self.timeout if timeout is None else timeout,  # type: ignore[arg-type]
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
