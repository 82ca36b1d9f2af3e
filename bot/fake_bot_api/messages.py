"""The Bot API methods that write, edit and delete messages in a chat, with Telegram's rules:
a chat must exist and not have blocked the bot, a message can be edited only by its sender and
only into something different, and text and keyboards are checked as Telegram checks them.
"""

from __future__ import annotations

from typing import Any

from bot.fake_bot_api.chats import Chats
from bot.fake_bot_api.errors import BotApiError, bad_request
from bot.fake_bot_api.state import ChatMessage, Document, Photo
from bot.fake_bot_api.validation import (
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    MAX_TEXT,
    formatted,
    image_size,
    reply_markup,
)

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class MessageMethods(Chats):
    """sendMessage, sendDocument, sendPhoto, editMessageText, editMessageReplyMarkup,
    deleteMessage."""

    async def api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text, entities = formatted(params, "text", MAX_TEXT)
        message = ChatMessage(self._next_message_id(chat_id), chat_id, True, int(self.clock()))
        message.text, message.source, message.entities = text, str(params["text"]), entities
        message.reply_markup = reply_markup(params)
        return self._store(message)

    async def api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if not isinstance(document, Document):
            raise bad_request("there is no document in the request")
        if not document.content:
            raise bad_request("file must be non-empty")
        # As Telegram: the name is the form part's file name, the MIME type its Content-Type
        # without parameters (`text/calendar; charset=utf-8` is shown as `text/calendar`).
        mime = document.mime_type.split(";", 1)[0].strip().lower()
        document = Document(document.file_name, document.content, mime)
        caption, entities = formatted(params, "caption", MAX_CAPTION)
        message = ChatMessage(self._next_message_id(chat_id), chat_id, True, int(self.clock()))
        message.text, message.source, message.entities = (
            caption,
            str(params.get("caption", "")),
            entities,
        )
        message.document = document
        message.reply_markup = reply_markup(params)
        return self._store(message)

    async def api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        """A picture uploaded in the request (a file_id or URL names nothing this server has),
        checked as Telegram checks it: at most 10 MB, a PNG or JPEG it can read, width and
        height at most 10 000 together and a ratio of at most 20; the caption as sendMessage's
        text, up to 1024 characters after parsing."""
        chat_id = self._chat(params)
        upload = params.get("photo")
        if isinstance(upload, str) and upload.startswith("attach://"):
            upload = params.get(upload.removeprefix("attach://"))
        if isinstance(upload, str) and upload:
            raise bad_request("wrong remote file identifier specified: can't unserialize it")
        if not isinstance(upload, Document):
            raise bad_request("there is no photo in the request")
        if not upload.content:
            raise bad_request("file must be non-empty")
        if len(upload.content) > MAX_PHOTO_BYTES:
            raise BotApiError(413, "Request Entity Too Large")
        size = image_size(upload.content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        caption, entities = formatted(params, "caption", MAX_CAPTION)
        message = ChatMessage(self._next_message_id(chat_id), chat_id, True, int(self.clock()))
        message.text, message.source, message.entities = (
            caption,
            str(params.get("caption", "")),
            entities,
        )
        message.photo = Photo(upload.content, width, height)
        message.reply_markup = reply_markup(params)
        return self._store(message)

    async def api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        text, entities = formatted(params, "text", MAX_TEXT)
        markup = reply_markup(params)
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        message.previous.append(message.text)
        message.text, message.source, message.entities = text, str(params["text"]), entities
        message.reply_markup, message.edited = markup, True
        return message.as_api(self.bot_user, self.users.get(message.chat_id))

    async def api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = reply_markup(params)
        if markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        message.reply_markup, message.edited = markup, True
        return message.as_api(self.bot_user, self.users.get(message.chat_id))

    async def api_deletemessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        try:
            self.message_in(chat_id, int(params.get("message_id", 0))).deleted = True
        except (LookupError, ValueError):
            raise bad_request("message to delete not found") from None
        return True

    def _chat(self, params: dict[str, Any]) -> int:
        """The chat a bot may write to: one that exists and has not blocked the bot."""
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _editable(self, params: dict[str, Any]) -> ChatMessage:
        chat_id = self._chat(params)
        try:
            message = self.message_in(chat_id, int(params.get("message_id", 0)))
        except (LookupError, ValueError):
            raise bad_request("message to edit not found") from None
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _store(self, message: ChatMessage) -> dict[str, Any]:
        self.chats[message.chat_id].append(message)
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            self.keyboards[message.chat_id] = markup
        elif markup.get("remove_keyboard"):
            self.keyboards.pop(message.chat_id, None)
        return message.as_api(self.bot_user, self.users.get(message.chat_id))
