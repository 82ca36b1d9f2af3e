"""Button presses and their answers: a pressed button may be answered once, and an answer
with text becomes a toast (or an alert) in the chat where the button was pressed.
"""

from __future__ import annotations

from typing import Any

from bot.fake_bot_api.chats import Chats
from bot.fake_bot_api.errors import bad_request
from bot.fake_bot_api.validation import callback_answer_text


class CallbackAnswers(Chats):
    """answerCallbackQuery, and the presses it may answer."""

    def __init__(self, **chats: Any) -> None:
        super().__init__(**chats)
        # Each pressed button's answer: None until the bot answers it.
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        # Answers to button presses that had text (toasts and alerts), per chat.
        self.toasts: dict[int, list[dict[str, Any]]] = {}
        self._callback_chats: dict[str, int] = {}

    def expect_callback(self, query_id: str, chat_id: int) -> None:
        """A user pressed a button in `chat_id`: the bot may answer `query_id` once."""
        self.callback_answers[query_id] = None
        self._callback_chats[query_id] = chat_id

    async def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = callback_answer_text(params)
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
