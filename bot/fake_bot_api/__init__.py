"""A Telegram-compatible Bot API server that runs on loopback, for tests and the playground.

The real bot talks to it through `TELEGRAM_API_BASE`, exactly as it talks to Telegram, and
simulated users (`FakeUser`) send it messages and button presses, which it delivers to the bot
as updates: directly to a dispatcher, by webhook, or through `getUpdates`.
"""

from bot.fake_bot_api.server import FakeBotAPI, RateLimit
from bot.fake_bot_api.state import ChatMessage
from bot.fake_bot_api.users import FakeUser

__all__ = ["ChatMessage", "FakeBotAPI", "FakeUser", "RateLimit"]
