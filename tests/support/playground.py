"""The playground's page, as tests drive it: its JSON API, and waiting (through the long poll,
as the page does) for what the bot sends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiohttp


class Client:
    """The page's side of the API."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base.rstrip("/"), http

    async def get(self, path: str) -> Any:
        async with self.http.get(self.base + path) as reply:
            assert reply.status == 200, await reply.text()
            return await reply.json()

    async def post(self, path: str, body: dict[str, Any], status: int = 202) -> Any:
        async with self.http.post(self.base + path, json=body) as reply:
            assert reply.status == status, await reply.text()
            return await reply.json()

    async def chat(self, persona: int) -> dict[str, Any]:
        return await self.get(f"/api/personas/{persona}/chat")

    async def until(
        self, persona: int, check: Callable[[dict[str, Any]], Any], timeout: float = 15
    ) -> Any:
        """Wait (through the long poll, as the page does) until `check(chat)` is truthy."""
        deadline = time.monotonic() + timeout
        revision = 0
        while True:
            chat = await self.chat(persona)
            found = check(chat)
            if found:
                return found
            left = deadline - time.monotonic()
            assert left > 0, (
                f"gave up waiting; the chat: {[m['text'][:60] for m in chat['messages']]}"
            )
            revision = (await self.get(f"/api/wait?since={revision}&timeout={min(left, 2)}"))[
                "revision"
            ]

    async def sms(self, persona: int) -> list[dict[str, Any]]:
        thread: list[dict[str, Any]] = (await self.get(f"/api/personas/{persona}/sms"))["messages"]
        return thread

    async def text(self, persona: int, text: str, timeout: float = 20) -> dict[str, Any]:
        """Text the bot as an SMS persona; returns the bot's next SMS (the worker sends it)."""
        before = len(await self.sms(persona))
        await self.post(f"/api/personas/{persona}/sms", {"text": text})
        deadline = time.monotonic() + timeout
        revision = 0
        while True:
            thread = await self.sms(persona)
            answers = [m for m in thread[before:] if m["from_bot"]]
            if answers:
                return answers[0]
            left = deadline - time.monotonic()
            assert left > 0, f"no SMS back; the thread: {[m['text'][:60] for m in thread]}"
            revision = (await self.get(f"/api/wait?since={revision}&timeout={min(left, 2)}"))[
                "revision"
            ]

    async def press(self, persona: int, label: str) -> dict[str, Any]:
        """Press the newest inline button whose text contains `label`."""
        chat = await self.chat(persona)
        for message in reversed(chat["messages"]):
            for row in message.get("inline_keyboard") or []:
                for button in row:
                    if label in button["text"]:
                        await self.post(
                            f"/api/personas/{persona}/press",
                            {"message_id": message["id"], "callback_data": button["callback_data"]},
                        )
                        return message
        raise AssertionError(f"no button {label!r}")


def with_text(text: str) -> Callable[[dict[str, Any]], Any]:
    return lambda chat: next((m for m in chat["messages"] if text in m["text"]), None)
