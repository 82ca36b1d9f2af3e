"""How updates reach the bot, as with Telegram: by POST to a registered webhook (whose response
may carry a Bot API method, executed as Telegram executes it: `answer_from_webhook`), through
`getUpdates` (long polling), or, in tests that want to await the bot's handling, through
`deliver` (e.g. a dispatcher's feed). A bot with a webhook may not poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.fake_bot_api.chats import Chats
from bot.fake_bot_api.errors import BotApiError, bad_request

Deliver = Callable[[dict[str, Any]], Awaitable[Any]]


class UpdateDelivery(Chats):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and `push_update`."""

    def __init__(self, **chats: Any) -> None:
        super().__init__(**chats)
        self.deliver: Deliver | None = None
        self.webhook: dict[str, Any] | None = None
        self._update_ids = itertools.count(1)
        self.updates_sent: dict[int, dict[str, Any]] = {}  # by update_id, for `send_again`
        self._queue: list[dict[str, Any]] = []
        self._queued = asyncio.Event()
        self._client: aiohttp.ClientSession | None = None

    async def push_update(self, update: dict[str, Any]) -> Any:
        """Hand an update to the bot the way it asked for them. Returns `deliver`'s result."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates_sent[update["update_id"]] = update
        async with self.changed:
            self.changed.notify_all()
        if self.deliver is not None:
            return await self.deliver(update)
        if self.webhook is not None:
            return await self._post_webhook(update)
        self._queue.append(update)
        self._queued.set()
        return None

    async def send_again(self, update_id: int) -> Any:
        """Send an update once more, as Telegram does when its webhook got no 200 (a timeout,
        an instance that died): the same update, the same `update_id`."""
        update = self.updates_sent[update_id]
        if self.deliver is not None:
            return await self.deliver(update)
        if self.webhook is not None:
            return await self._post_webhook(update)
        self._queue.append(update)
        self._queued.set()
        return None

    async def close_updates(self) -> None:
        """Wake long polls, so that shutting down does not wait out their timeouts, and close
        the webhook's client."""
        self._queued.set()
        if self._client is not None:
            await self._client.close()

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
            await self.answer_from_webhook(reply)

    async def answer_from_webhook(self, reply: aiohttp.ClientResponse) -> None:
        """Execute the Bot API method in a webhook's response body (the server does)."""
        await reply.read()

    async def api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if not url:
            self.webhook = None
            return True
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
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
