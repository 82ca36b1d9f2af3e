"""Simulated Telegram users: they type, press buttons and block the bot, like people do."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any

from bot.fake_bot_api.state import ChatMessage

if TYPE_CHECKING:
    from bot.fake_bot_api.server import FakeBotAPI

_query_ids = itertools.count(1)


def _snapshot(messages: list[ChatMessage]) -> dict[int, tuple[object, ...]]:
    return {
        m.message_id: (m.text, repr(m.reply_markup), m.deleted, m.document is not None)
        for m in messages
        if m.from_bot
    }


class FakeUser:
    """One person in a private chat with the bot.

    `send` and `press` return the bot messages that appeared or changed while the bot handled
    the update (with a dispatcher attached through `FakeBotAPI.deliver`, the handling is awaited).
    """

    def __init__(
        self,
        server: FakeBotAPI,
        user_id: int,
        first_name: str = "Kari",
        language_code: str | None = "nb",
        username: str | None = None,
    ) -> None:
        self.server = server
        self.id = user_id
        self.profile = server.register_user(user_id, first_name, language_code, username)
        self.answers: list[dict[str, Any]] = []

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in this chat, oldest first."""
        return [m for m in self.server.chats.get(self.id, []) if m.from_bot and not m.deleted]

    @property
    def last(self) -> ChatMessage:
        messages = self.messages
        if not messages:
            raise LookupError("the bot has not written to this chat")
        return messages[-1]

    @property
    def last_answer(self) -> dict[str, Any] | None:
        """The answer to the latest button press (a toast or alert), if the bot gave text."""
        return self.answers[-1] if self.answers else None

    async def send(self, text: str) -> list[ChatMessage]:
        before = _snapshot(self.server.chats.get(self.id, []))
        message = self.server.user_message(self.id, text)
        await self.server.push_update(
            {"message": message.as_api(self.server.bot_user, self.profile)}
        )
        return self._changed_since(before)

    async def press(self, label: str, message: ChatMessage | None = None) -> list[ChatMessage]:
        """Press the inline button labelled `label` on `message` (default: the newest message
        that has such a button)."""
        if message is None:
            message = self._with_button(label)
        return await self.press_data(message.button(label)["callback_data"], message)

    async def press_data(self, data: str, message: ChatMessage | None = None) -> list[ChatMessage]:
        """Send a callback query with arbitrary data, as a modified client could."""
        message = message or self.last
        before = _snapshot(self.server.chats.get(self.id, []))
        query_id = f"q{next(_query_ids)}"
        self.server.expect_callback(query_id, self.id)
        await self.server.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.profile,
                    "message": message.as_api(self.server.bot_user, self.profile),
                    "chat_instance": str(self.id),
                    "data": data,
                }
            }
        )
        answer = self.server.callback_answers.get(query_id)
        if answer is not None:
            self.answers.append(answer)
        return self._changed_since(before)

    async def block(self) -> None:
        self.server.blocked.add(self.id)
        await self._member_status("member", "kicked")

    async def unblock(self) -> None:
        self.server.blocked.discard(self.id)
        await self._member_status("kicked", "member")

    async def wait_for_message(self, count: int = 1, timeout: float = 10.0) -> list[ChatMessage]:
        """Wait until the bot has written `count` messages here (for polling and webhook bots,
        whose handling the test cannot await)."""

        async def enough() -> None:
            async with self.server.changed:
                await self.server.changed.wait_for(lambda: len(self.messages) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.messages

    def _with_button(self, label: str) -> ChatMessage:
        for message in reversed(self.messages):
            try:
                message.button(label)
            except LookupError:
                continue
            return message
        raise LookupError(f"no message has a button {label!r}")

    def _changed_since(self, before: dict[int, tuple[object, ...]]) -> list[ChatMessage]:
        now = self.server.chats.get(self.id, [])
        after = _snapshot(now)
        return [
            m
            for m in now
            if m.from_bot and not m.deleted and before.get(m.message_id) != after[m.message_id]
        ]

    def _member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self.server.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        return member

    async def _member_status(self, old: str, new: str) -> None:
        date = int(self.server.clock())
        self.server.chats.setdefault(self.id, [])
        await self.server.push_update(
            {
                "my_chat_member": {
                    "chat": {
                        "id": self.id,
                        "type": "private",
                        "first_name": self.profile["first_name"],
                    },
                    "from": self.profile,
                    "date": date,
                    "old_chat_member": self._member(old),
                    "new_chat_member": self._member(new),
                }
            }
        )
