"""Telegram's error replies: the status code, the wording and the `retry_after` a bot sees.

Every refusal in the fake is one of these, so aiogram turns it into the same exception
(`TelegramBadRequest`, `TelegramForbiddenError`, `TelegramRetryAfter`, ...) that Telegram's
answer would.
"""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A Bot API call refused as Telegram refuses it."""

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


def bad_request(description: str) -> BotApiError:
    """Telegram's 400, worded as it words them ("Bad Request: ...")."""
    return BotApiError(400, f"Bad Request: {description}")
