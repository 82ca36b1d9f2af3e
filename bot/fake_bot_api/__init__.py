"""A Telegram-compatible Bot API server that runs on loopback, for tests and the playground.

The real bot talks to it through `TELEGRAM_API_BASE`, exactly as it talks to Telegram, and
simulated users (`FakeUser`) send it messages and button presses, which it delivers to the bot
as updates: directly to a dispatcher, by webhook, or through `getUpdates`.

One module per concept: `server` (the aiohttp application and routing), `chats` (users, their
chats and what they see), `messages`, `callbacks` (button presses and their answers),
`commands` (the command menu), `updates` (getUpdates, webhooks), `validation` (what Telegram
refuses in what a bot sends), `html` (the HTML parse mode), `limits` (flood control),
`errors` (Telegram's error replies), `state` (the records it keeps) and `users` (`FakeUser`).
"""

from bot.fake_bot_api.limits import RateLimit
from bot.fake_bot_api.server import FakeBotAPI
from bot.fake_bot_api.state import ChatMessage
from bot.fake_bot_api.users import FakeUser

__all__ = ["ChatMessage", "FakeBotAPI", "FakeUser", "RateLimit"]
