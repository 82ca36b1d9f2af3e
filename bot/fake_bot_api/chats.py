"""The chats the fake server keeps: who the users are, what each private chat shows, and a
signal for whoever waits for that to change.

`Chats` is the base the Bot API method groups (`messages`, `callbacks`, `commands`, `updates`)
build on; the users' side (`FakeUser`) writes into it through `register_user`, `open_chat` and
`user_message`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from typing import Any

from bot.fake_bot_api.state import ChatMessage


class Chats:
    """Users, their private chats with the bot, and the revision of what they see."""

    def __init__(self, *, bot_user: dict[str, Any], clock: Callable[[], float]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, list[ChatMessage]] = {}
        self.blocked: set[int] = set()
        # The reply keyboard each chat shows under its text field (the latest one sent).
        self.keyboards: dict[int, dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.changed = asyncio.Condition()
        # Grows whenever what a user sees changes (for pages that wait for changes).
        self.revision = 0

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

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))
