"""Sending rendered messages through the Telegram Bot API, and classifying what comes back."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.flood import already_paced
from bot.channels.telegram.photos import Attachments, file_caption, fits_caption, is_photo
from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Outcome, Permanent, RetryAfter, Sent, Transient, Unreachable
from bot.services import actions


def markup(message: Rendered) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    rows = [
        [InlineKeyboardButton(text=b.text, callback_data=actions.pack(b.action)) for b in row]
        for row in message.buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class TelegramSender:
    def __init__(self, bot: Bot, attachments: Attachments | None = None) -> None:
        self.bot = bot
        self.attachments = attachments

    async def send(self, address: int | str, message: Rendered, item: object = None) -> Outcome:
        try:
            # The worker has paced this send and turns a 429 into a later retry itself.
            with already_paced():
                found = None
                if message.attachment and self.attachments is not None:
                    found = await self.attachments(message.attachment)
                if found is not None and is_photo(found[0]):
                    return Sent(str(await self._photo(address, message, *found)))
                if found is not None:
                    # Another file (a monthly report): one message, the text its caption.
                    name, content = found
                    document = await self.bot.send_document(
                        address,
                        BufferedInputFile(content, filename=name),
                        caption=file_caption(message.text),
                        reply_markup=markup(message),
                    )
                    return Sent(str(document.message_id))
                sent = await self.bot.send_message(
                    address, message.text, reply_markup=markup(message)
                )
        except TelegramRetryAfter as error:
            return RetryAfter(float(error.retry_after))
        except TelegramForbiddenError as error:
            return Unreachable(error.message)
        except TelegramBadRequest as error:
            text = error.message.lower()
            if "chat not found" in text or "user is deactivated" in text:
                return Unreachable(error.message)
            return Permanent(error.message)
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as error:
            return Transient(f"{type(error).__name__}: {getattr(error, 'message', '')}")
        except TelegramAPIError as error:
            return Transient(f"{type(error).__name__}: {error.message}")
        return Sent(str(sent.message_id))

    async def _photo(self, address: int | str, message: Rendered, name: str, content: bytes) -> int:
        """A picture (a poll's chart) with the text as its caption and the buttons under it. A
        text too long for a caption goes alone, as a message with its buttons: a second
        message right behind it would pass the chat's one a second (the picture stays a tap
        away, behind the results button such a notice carries)."""
        if not fits_caption(message.text):
            sent = await self.bot.send_message(address, message.text, reply_markup=markup(message))
            return sent.message_id
        photo = BufferedInputFile(content, filename=name)
        sent_photo = await self.bot.send_photo(
            address, photo, caption=message.text, reply_markup=markup(message)
        )
        return sent_photo.message_id
